"""Reading input documents: which files, their text, and what went wrong.

A document that cannot be read never stops a batch: it becomes a `Document`
with a status and a one-line error, and the batch goes on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt",)
MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Document:
    doc: str
    path: str
    sha256: str
    text: str
    status: str  # ok, empty, error, skipped
    error: str | None = None


def find_inputs(inputs: list[str | Path]) -> list[Path]:
    """The files named, and the documents inside the folders named, sorted per folder."""
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    return found


def read_document(path: Path) -> Document:
    """Decode one file as UTF-8, exactly as it holds it (offsets index this text); never raises."""
    doc = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Document(doc, str(path), "", "", "error", f"{path}: cannot read: {exc.strerror or exc}")
    sha = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_BYTES:
        return Document(doc, str(path), sha, "", "skipped", f"{path}: larger than {MAX_BYTES // 2**20} MiB")
    if b"\0" in raw[:4096]:
        return Document(doc, str(path), sha, "", "error", f"{path}: binary file, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Document(doc, str(path), sha, "", "error", f"{path}: not UTF-8 text (byte {exc.start})")
    if not text.strip():
        return Document(doc, str(path), sha, text, "empty", f"{path}: empty document")
    return Document(doc, str(path), sha, text, "ok")
