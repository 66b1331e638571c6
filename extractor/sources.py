"""Claims to compare or lay out: a dataset as written, or documents extracted now.

diff and series take either, so one loader gives both the claims, the
documents table and the texts the claims' offsets index (texts.py finds
them, or says why not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .dataset import load_dataset
from .documents import find_inputs, read_document
from .pipeline import extract_documents, get_extractor
from .texts import dataset_texts, documents_of_claims


@dataclass
class Side:
    """Claims with the texts they index (where known) and their documents table: a side of a diff, an input of series.

    `missing_texts` says why a document's text could not be found: its claims
    then align by sentence and key only, never by position.
    """

    claims: pd.DataFrame
    texts: dict[str, str]
    documents: pd.DataFrame | None
    missing_texts: dict[str, str] = field(default_factory=dict)


def _dataset_folder(path: Path) -> Path | None:
    """The dataset folder `path` names: a claims file, a dataset folder (single files or parts) or its claims/ parts."""
    if path.is_file() and path.suffix in (".parquet", ".csv", ".jsonl"):
        return path.parent
    if not path.is_dir():
        return None
    if any((path / f"claims.{s}").exists() for s in ("parquet", "csv", "jsonl")) or any((path / "claims").glob("*.parquet")):
        return path
    return path.parent if any(path.glob("part-*.parquet")) else None


def load_side(path: str | Path, rules: str | Path | None = None) -> Side:
    """A document, a folder of documents (extracted now) or a dataset folder or claims file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    folder = _dataset_folder(path)
    if folder is not None:
        claims = load_dataset(path)
        try:
            documents = load_dataset(folder, table="documents")
        except FileNotFoundError:
            documents = None
        found = dataset_texts(folder, documents_of_claims(claims) if documents is None else documents)
        texts = {doc: t.text for doc, t in found.items() if t.text is not None}
        return Side(claims, texts, documents, {doc: t.note for doc, t in found.items() if t.note})
    paths = find_inputs([path])
    if not paths:
        raise ValueError(f"{path}: no documents (.txt) and no dataset (claims.parquet, .csv or .jsonl)")
    result = extract_documents(paths, get_extractor(rules))
    texts = {}
    for item in paths:
        document = read_document(item)
        if document.status == "ok":
            texts[document.doc] = document.text
    return Side(result.claims, texts, result.documents)
