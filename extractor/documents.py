"""Reading input documents: which files, their text, and what went wrong.

A document that cannot be read never stops a batch: it becomes a `Document`
with a status and a one-line error, and the batch goes on. The text read is
what claims' offsets index; `save_text` stores it beside the dataset, in
`texts/<sha256>.txt`, so every span can be shown even for a PDF.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .dataset import temporary_path
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
    """The files named, and the documents inside the folders named, sorted per folder named; each path once.

    Links to folders are followed (a folder reached twice, as through a
    link back up the tree, is read once). A broken link with a document's
    suffix, and a folder that cannot be listed, are inputs too: each gets an
    error row instead of vanishing from the batch.
    """
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        found.extend(sorted(_walk(path)) if path.is_dir() else [path])
    seen: set[str] = set()
    unique = []
    for path in found:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _walk(folder: Path) -> Iterator[Path]:
    """Documents under `folder`, following links to folders; a folder that cannot be listed is yielded itself."""
    visited: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            status = current.stat()
            if (status.st_dev, status.st_ino) in visited:
                continue
            visited.add((status.st_dev, status.st_ino))
            with os.scandir(current) as entries:
                entries = list(entries)
        except OSError:
            yield current
            continue
        folders = []
        for entry in sorted(entries, key=lambda entry: entry.name):
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:  # a link that cannot be followed (a loop)
                is_dir, is_file = False, False
            if is_dir:
                folders.append(Path(entry.path))
            elif (is_file or entry.is_symlink()) and Path(entry.name).suffix.lower() in SUFFIXES:
                yield Path(entry.path)  # a file, or a link that leads nowhere (broken, or a loop)
        pending.extend(reversed(folders))  # depth first, in name order


def shown(path: str | Path) -> str:
    """A path as error lines name it: quoted when it holds a line break or other unprintable characters."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def read_document(path: Path) -> Document:
    """Read one file as its suffix says (.txt, .html, .docx, .pdf; anything else as text); never raises."""
    doc = path.name
    fmt = FORMATS.get(path.suffix.lower(), "txt")
    name = shown(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return Document(doc, str(path), "", "", "error", f"{name}: cannot read folder: {_listing_problem(path)}", fmt)
    except OSError as exc:
        return Document(doc, str(path), "", "", "error", f"{name}: cannot read: {exc.strerror or exc}", fmt)
    sha = hashlib.sha256(raw).hexdigest()
    if not raw:
        return Document(doc, str(path), sha, "", "empty", f"{name}: empty file", fmt)
    if len(raw) > MAX_BYTES:
        return Document(doc, str(path), sha, "", "skipped", f"{name}: larger than {MAX_BYTES // 2**20} MiB", fmt)
    try:
        reading = read(path.suffix, raw)
    except ReadError as exc:
        return Document(doc, str(path), sha, "", "error", f"{name}: {exc}", fmt)
    del raw  # a large file's bytes need not outlive its text
    warning = f"{name}: {reading.warning}" if reading.warning else None
    if not reading.text.strip():
        problem = "no text layer (a scanned PDF needs OCR)" if fmt == "pdf" else "empty document"
        return Document(doc, str(path), sha, reading.text, "empty", f"{name}: {problem}", fmt, reading.encoding)
    return Document(doc, str(path), sha, reading.text, "ok", warning, fmt, reading.encoding)


def _listing_problem(folder: Path) -> str:
    """Why a folder the walk could not list cannot be read."""
    try:
        os.scandir(folder).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return "it changed while the batch was read"


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
    tmp = temporary_path(target)
    try:
        with tmp.open("x", encoding="utf-8", newline="") as handle:
            handle.write(document.text)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def prune_texts(out: Path, keep: Iterable[str]) -> None:
    """Remove texts no document of the dataset points at any more (after the dataset is written)."""
    folder = out / TEXTS
    if not folder.is_dir():
        return
    wanted = {f"{sha}.txt" for sha in keep}
    for path in folder.glob("*.txt"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
