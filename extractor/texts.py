"""The text a dataset's offsets index, found one way for every reader.

Claims point into the text as extracted, so the report (to highlight them)
and diff (to align two versions by position) must read exactly that text, or
say why there is none. The dataset's own texts/<sha256>.txt comes first: it
serves a dataset moved away from its inputs, and a PDF or Word file without
converting it again. A file read again is used only if its sha256 is the one
extracted; otherwise its offsets would point at the wrong characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .cells import cell_text
from .documents import read_document, text_path


@dataclass
class DocText:
    """A document's text as extracted, or in `note` why there is none."""

    doc: str
    text: str | None
    source: str | None = None
    note: str | None = None


def _saved_text(dataset_dir: Path, sha256: str) -> str | None:
    """The text extraction saved for these bytes, untranslated (its offsets count \\r too)."""
    try:
        with open(text_path(dataset_dir, sha256), encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None  # not saved (an older dataset) or unreadable: read the document again


def _candidates(doc: str, path: str | None, dataset_dir: Path) -> list[Path]:
    """Files that may hold the document: the recorded path (a relative one also from the dataset's parent), then texts/<doc>."""
    candidates: list[Path] = []
    if path:
        recorded = Path(path)
        candidates += [recorded] if recorded.is_absolute() else [recorded, dataset_dir.parent / recorded]
    return candidates + [dataset_dir / "texts" / doc, dataset_dir.parent / "texts" / doc]


def find_text(doc: str, path: str | None, sha256: str | None, dataset_dir: Path) -> DocText:
    """The text a document's offsets index: the dataset's texts/<sha256>.txt, else the file read again."""
    if sha256:
        saved = _saved_text(dataset_dir, sha256)
        if saved is not None:
            return DocText(doc, saved, str(text_path(dataset_dir, sha256)))
    candidates = _candidates(doc, path, dataset_dir)
    seen: set[Path] = set()
    changed = None
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved in seen or not candidate.is_file():
            continue
        seen.add(resolved)
        document = read_document(candidate)
        if document.status not in ("ok", "empty"):
            continue
        if sha256 and document.sha256 != sha256:
            changed = candidate
            continue
        return DocText(doc, document.text, str(candidate))
    if changed is not None:
        return DocText(doc, None, note=f"{changed} has changed since extraction (its sha256 differs).")
    looked = ", ".join(dict.fromkeys(str(c) for c in ([text_path(dataset_dir, sha256)] if sha256 else []) + candidates))
    return DocText(doc, None, note=f"Text not found (looked for {looked}).")


def documents_of_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """A documents table made from the claims, for a dataset without one: each document with its sha256, no path."""
    shas = claims.drop_duplicates("doc").set_index("doc")["doc_sha256"] if "doc_sha256" in claims else {}
    docs = list(dict.fromkeys(claims["doc"].astype(str)))
    return pd.DataFrame({"doc": docs, "path": None, "sha256": [shas.get(d) for d in docs]})


def dataset_texts(dataset_dir: Path, documents: pd.DataFrame) -> dict[str, DocText]:
    """Every document's text, or why there is none (a document that was not extracted has neither: its row says why)."""
    texts = {}
    for meta in documents.to_dict("records"):
        doc = str(meta["doc"])
        if cell_text(meta.get("status")) in ("", "ok"):
            texts[doc] = find_text(doc, cell_text(meta.get("path")) or None, cell_text(meta.get("sha256")) or None, dataset_dir)
        else:
            texts[doc] = DocText(doc, None)
    return texts
