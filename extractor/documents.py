"""Reading input documents: which files, their text, and what went wrong.

A document that cannot be read never stops a batch: it becomes a `Document`
with a status and a one-line error, and the batch goes on. The text read is
what claims' offsets index; `save_text` stores it beside the dataset, in
`texts/<sha256>.txt`, so every span can be shown even for a PDF.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .readers import FORMATS, ReadError, read

SUFFIXES = tuple(FORMATS)
MAX_BYTES = 50 * 1024 * 1024
TEXTS = "texts"


@dataclass
class Document:
    doc: str
    path: str
    sha256: str
    text: str
    status: str  # ok, empty, error, skipped
    error: str | None = None
    format: str = "txt"
    encoding: str | None = None


def find_inputs(inputs: list[str | Path]) -> list[Path]:
    """The files named, and the documents inside the folders named, sorted per folder.

    A broken link with a document's suffix is an input too: it gets an error
    row instead of vanishing from the batch.
    """
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if (p.is_file() or p.is_symlink() and not p.is_dir())
                                and p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    return found


def read_document(path: Path) -> Document:
    """Read one file as its suffix says (.txt, .html, .docx, .pdf; anything else as text); never raises."""
    doc = path.name
    fmt = FORMATS.get(path.suffix.lower(), "txt")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Document(doc, str(path), "", "", "error", f"{path}: cannot read: {exc.strerror or exc}", fmt)
    sha = hashlib.sha256(raw).hexdigest()
    if not raw:
        return Document(doc, str(path), sha, "", "empty", f"{path}: empty file", fmt)
    if len(raw) > MAX_BYTES:
        return Document(doc, str(path), sha, "", "skipped", f"{path}: larger than {MAX_BYTES // 2**20} MiB", fmt)
    try:
        reading = read(path.suffix, raw)
    except ReadError as exc:
        return Document(doc, str(path), sha, "", "error", f"{path}: {exc}", fmt)
    warning = f"{path}: {reading.warning}" if reading.warning else None
    if not reading.text.strip():
        problem = "no text layer (a scanned PDF needs OCR)" if fmt == "pdf" and raw else "empty document"
        return Document(doc, str(path), sha, reading.text, "empty", f"{path}: {problem}", fmt, reading.encoding)
    return Document(doc, str(path), sha, reading.text, "ok", warning, fmt, reading.encoding)


def text_path(out: Path, sha256: str) -> Path:
    """Where the text of the document with this sha256 is saved in the dataset folder `out`."""
    return out / TEXTS / f"{sha256}.txt"


def save_text(out: Path, document: Document) -> None:
    """Save a read document's text as UTF-8 in OUT/texts/, through a temporary file; an existing one is kept.

    Files are named by the sha256 of the document's bytes, so a text never
    changes under a dataset that points at it: an interrupted run leaves the
    previous dataset's texts as they were.
    """
    target = text_path(out, document.sha256)
    if document.status != "ok" or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(document.text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_texts(paths: Iterable[Path], out: Path) -> None:
    """Read every input and save its text in OUT/texts/ unless a text of the same bytes is there already."""
    for path in paths:
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # extraction records the error
        if not text_path(out, sha).exists():
            save_text(out, read_document(path))


def prune_texts(out: Path, keep: Iterable[str]) -> None:
    """Remove texts no document of the dataset points at any more (after the dataset is written)."""
    folder = out / TEXTS
    if not folder.is_dir():
        return
    wanted = {f"{sha}.txt" for sha in keep}
    for path in folder.glob("*.txt"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
