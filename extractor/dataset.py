"""The claims dataset: columns, frames, atomic writing and typed loading.

Columns follow docs/claims.md plus provenance. Files are written to
a temporary name and renamed into place, so an interrupted run never leaves a
half-written dataset; CSV output is deterministic (same input, same bytes)
and starts with a UTF-8 byte-order mark, for Excel.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd

from .engine import Claim

CLAIM_COLUMNS = [
    "doc", "start", "end", "text", "value", "value_max", "unit", "qualifier", "metric",
    "subject", "tier", "program", "year", "kind",
    "sentence", "sentence_start", "line", "rule", "doc_sha256", "is_repeat",
]
DOCUMENT_COLUMNS = [
    "doc", "path", "sha256", "format", "encoding", "chars", "title", "issuer", "date", "doc_number",
    "region", "n_claims", "status", "error", "rules_version",
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
# UTF-8 with a byte-order mark: Excel on Windows reads a CSV without one in the
# local code page and shows the Chinese text as mojibake. pandas, DuckDB and
# load_dataset read the mark as what it is; reading with this codec also takes
# a CSV without the mark.
CSV_ENCODING = "utf-8-sig"


def claims_frame(claims: Iterable[Claim], doc_sha256: dict[str, str] | None = None) -> pd.DataFrame:
    """Claims as a DataFrame with the dataset's columns and plain dtypes."""
    rows = []
    for claim in claims:
        row = dict(vars(claim))  # the fields hold plain values: asdict's deep copy would cost a fifth of a run
        row["value"] = float(claim.value)
        row["value_max"] = float(claim.value_max) if claim.value_max is not None else None
        row["doc_sha256"] = (doc_sha256 or {}).get(claim.doc, "")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", "sentence_start": "int64", "line": "int64",
                         "value": "float64", "value_max": "float64", "year": "Int64", "is_repeat": "bool"})


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
    for column in ("doc", "text", "unit", "subject", "sentence", "rule", "doc_sha256"):
        if column in frame:
            frame[column] = frame[column].astype("string")
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
        return typed_claims(frame) if table == "claims" else frame
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
    return typed_claims(frame) if table == "claims" else frame
