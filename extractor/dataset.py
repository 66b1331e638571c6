"""The claims dataset: columns, frames, atomic writing and typed loading.

Columns follow docs/claims.md plus provenance. Files are written to
a temporary name and renamed into place, so an interrupted run never leaves a
half-written dataset; CSV output is deterministic (same input, same bytes)
and starts with a UTF-8 byte-order mark, for Excel.
"""

from __future__ import annotations

import os
import tempfile
from operator import attrgetter
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .engine import Claim

CLAIM_COLUMNS = [
    "doc", "start", "end", "text", "value", "value_max", "unit", "qualifier", "metric",
    "subject", "tier", "program", "year", "kind", "indicator",
    "sentence", "sentence_start", "line", "rule", "doc_sha256", "is_repeat",
]
DOCUMENT_COLUMNS = [
    "doc", "path", "sha256", "format", "encoding", "chars", "title", "issuer", "date", "doc_number",
    "region", "region_code", "region_level", "n_claims", "status", "error", "rules_version",
]
ENUMS = {
    "qualifier": ["exact", "approx", "at_least", "more_than", "at_most", "range"],
    "metric": [
        "enterprise_count", "subsidy", "fund", "loan", "credit", "financing", "revenue",
        "tax_relief", "money_other", "growth_rate", "share", "rate", "multiple", "count",
        "duration", "rank", "other",
    ],
    "tier": ["national", "provincial", "municipal", "provincial_plus", "municipal_plus"],
    "program": [
        "innovative_sme", "srdi_sme", "little_giant", "single_champion", "gazelle",
        "unicorn", "high_tech", "tech_sme", "sme",
    ],
    "kind": ["actual", "target", "policy"],
}
FORMATS = ("parquet", "csv", "jsonl")
_CLAIM_FIELD_NAMES = [name for name in CLAIM_COLUMNS if name != "doc_sha256"]
_CLAIM_FIELDS = attrgetter(*_CLAIM_FIELD_NAMES)
# UTF-8 with a byte-order mark: Excel on Windows reads a CSV without one in the
# local code page and shows the Chinese text as mojibake. pandas, DuckDB and
# load_dataset read the mark as what it is; reading with this codec also takes
# a CSV without the mark.
CSV_ENCODING = "utf-8-sig"


def claims_frame(claims: Iterable[Claim], doc_sha256: dict[str, str] | None = None) -> pd.DataFrame:
    """Claims as a DataFrame with the dataset's columns and plain dtypes."""
    return claims_table(claim_columns(claims, doc_sha256))


def claim_columns(claims: Iterable[Claim], doc_sha256: dict[str, str] | None = None) -> dict[str, list]:
    """The dataset's claim columns as plain lists: one C-level pass takes every claim's fields, a transpose makes columns.

    Lists of columns join by concatenation (`join_columns`), so a table built
    from several batches' columns is the table of all their claims at once.
    """
    rows = list(map(_CLAIM_FIELDS, claims))
    columns = dict(zip(_CLAIM_FIELD_NAMES, map(list, zip(*rows)))) if rows else {name: [] for name in _CLAIM_FIELD_NAMES}
    shas = doc_sha256 or {}
    columns["doc_sha256"] = [shas.get(doc, "") for doc in columns["doc"]]
    return columns


def join_columns(parts: list[dict[str, list]]) -> dict[str, list]:
    return {name: [value for part in parts for value in part[name]] for name in CLAIM_COLUMNS}


def claims_table(columns: dict[str, list]) -> pd.DataFrame:
    """The DataFrame of `claim_columns`: numeric columns typed as they are made, no row dicts and no `astype` copy.

    Text columns take the type pandas infers from their values (`str`; a
    column of only nulls stays `object`), as they did when built from rows.
    """
    typed = {
        "value": np.array([float(value) for value in columns["value"]], dtype=np.float64),
        "value_max": np.array([float(value) if value is not None else np.nan for value in columns["value_max"]],
                              dtype=np.float64),
        "year": pd.array(columns["year"], dtype="Int64"),
        "is_repeat": np.array(columns["is_repeat"], dtype=bool),
        **{name: np.array(columns[name], dtype=np.int64) for name in ("start", "end", "sentence_start", "line")},
    }
    if not columns["doc"]:  # no values to infer a type from: text columns hold objects, as pandas makes them for no rows
        return pd.DataFrame({name: typed.get(name, np.array([], dtype=object)) for name in CLAIM_COLUMNS}, copy=False)
    return pd.DataFrame({name: typed.get(name, columns[name]) for name in CLAIM_COLUMNS}, copy=False)


def documents_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    return frame.astype({"chars": "int64", "n_claims": "int64"})


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, out_dir: Path, name: str, formats: Iterable[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = out_dir / f"{name}.{fmt}"
        if fmt == "parquet":
            _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
        elif fmt == "csv":
            _atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n", encoding=CSV_ENCODING))
        elif fmt == "jsonl":
            _atomic_write(path, lambda tmp: frame.to_json(tmp, orient="records", lines=True, force_ascii=False))
        else:
            raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        written.append(path)
    return written


def typed_claims(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals for the enums, nullable integers for year, strings for text."""
    frame = frame.copy()
    for column, categories in ENUMS.items():
        if column in frame:
            frame[column] = pd.Categorical(frame[column], categories=categories)
    if "year" in frame:
        frame["year"] = frame["year"].astype("Int64")
    for column in ("doc", "text", "unit", "subject", "indicator", "sentence", "rule", "doc_sha256"):
        if column in frame:
            frame[column] = frame[column].astype("string")
    return frame


def typed_documents(frame: pd.DataFrame) -> pd.DataFrame:
    """Division codes as text (371000), however the file stored them: CSV and JSON readers take them for numbers."""
    if "region_code" in frame and frame["region_code"].dtype != object:
        codes = frame["region_code"]
        frame = frame.assign(region_code=codes.map(lambda c: None if pd.isna(c) else str(int(c))).astype(object))
    return frame


def load_dataset(path: str | Path = "data", table: str = "claims") -> pd.DataFrame:
    """Read `claims` (or `documents`) from a dataset folder or file, with proper dtypes.

    A large run writes the table as a folder of Parquet parts (claims/part-00000.parquet, …);
    the parts are read in order as one table. `path` may also be that folder itself.
    """
    path = Path(path)
    parts = sorted((path / table).glob("*.parquet") if (path / table).is_dir() else path.glob("part-*.parquet"))
    if parts:
        frame = pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)
        return typed_claims(frame) if table == "claims" else typed_documents(frame)
    if path.is_dir():
        candidates = [path / f"{table}.parquet", path / f"{table}.csv", path / f"{table}.jsonl"]
        found = next((p for p in candidates if p.exists()), None)
        if found is None:
            raise FileNotFoundError(f"{path}: no {table}.parquet, {table}.csv or {table}.jsonl")
        path = found
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""], encoding=CSV_ENCODING)
    elif path.suffix == ".jsonl":
        frame = pd.read_json(path, lines=True)
    else:
        raise ValueError(f"{path}: not a dataset file (.parquet, .csv or .jsonl)")
    return typed_claims(frame) if table == "claims" else typed_documents(frame)
