"""The claims dataset: columns, frames, atomic writing and typed loading.

Columns follow docs/claims.md plus provenance. Every column has one fixed
Arrow type (SCHEMAS) whichever way a table was made (a fresh run, a resumed
one, a part of a partitioned run, a column that is all null), so the same
rows give the same bytes. Files are written to a temporary name and renamed
into place, so an interrupted run never leaves a half-written dataset; they
are created like any other file, with the user's umask. CSV starts with a
UTF-8 byte-order mark, for Excel. A table can be written in pieces
(TableWriter), so a document of a million claims never has to be held in
memory at once.
"""

from __future__ import annotations

import os
import secrets
from operator import attrgetter
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .claim import Claim
from .ruleset import RuleSet, builtin_ruleset

_STRING, _INT, _FLOAT, _BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
CLAIM_SCHEMA = pa.schema([
    ("doc", _STRING), ("start", _INT), ("end", _INT), ("text", _STRING), ("value", _FLOAT), ("value_max", _FLOAT),
    ("unit", _STRING), ("qualifier", _STRING), ("metric", _STRING), ("subject", _STRING), ("tier", _STRING),
    ("program", _STRING), ("year", _INT), ("period", _STRING), ("kind", _STRING), ("indicator", _STRING),
    ("sentence", _STRING), ("sentence_start", _INT), ("line", _INT), ("rule", _STRING), ("doc_sha256", _STRING),
    ("is_repeat", _BOOL),
])
DOCUMENT_SCHEMA = pa.schema([
    ("doc", _STRING), ("path", _STRING), ("sha256", _STRING), ("format", _STRING), ("encoding", _STRING),
    ("chars", _INT), ("title", _STRING), ("issuer", _STRING), ("date", _STRING), ("doc_number", _STRING),
    ("region", _STRING), ("region_code", _STRING), ("region_level", _STRING), ("n_claims", _INT), ("status", _STRING),
    ("error", _STRING), ("rules_version", _STRING),
])
CLAIM_COLUMNS = CLAIM_SCHEMA.names
DOCUMENT_COLUMNS = DOCUMENT_SCHEMA.names
# Columns whose values are a closed list of the rules (rules/metrics.toml, programs.toml …): categoricals when loaded.
ENUM_COLUMNS = ("qualifier", "metric", "tier", "program", "kind")
FORMATS = ("parquet", "csv", "jsonl")
# Integer columns that may be empty: pandas holds them as nullable Int64, so CSV shows 2023, not 2023.0.
_NULLABLE_INTS = {"year"}
# Rows per Parquet row group: fixed, so a table written in pieces of any size gives the same file.
ROW_GROUP = 65_536
_CLAIM_FIELD_NAMES = [name for name in CLAIM_COLUMNS if name != "doc_sha256"]
_CLAIM_FIELDS = attrgetter(*_CLAIM_FIELD_NAMES)
# UTF-8 with a byte-order mark: Excel on Windows reads a CSV without one in the
# local code page and shows the Chinese text as mojibake. pandas, DuckDB and
# load_dataset read the mark as what it is; reading with this codec also takes
# a CSV without the mark.
CSV_ENCODING = "utf-8-sig"


def claims_frame(claims: Iterable[Claim], doc_sha256: Iterable[str] | None = None) -> pd.DataFrame:
    """Claims as a DataFrame with the dataset's columns and plain dtypes; `doc_sha256` holds each claim's document's sha256."""
    return claims_table(claim_columns(claims, doc_sha256))


def claim_columns(claims: Iterable[Claim], doc_sha256: Iterable[str] | None = None) -> dict[str, list]:
    """The dataset's claim columns as plain lists: one C-level pass takes every claim's fields, a transpose makes columns.

    `doc_sha256` holds each claim's document's sha256 (two files of one name
    in two folders are two documents). Lists of columns join by concatenation
    (`join_columns`), so a table built from several batches' columns is the
    table of all their claims at once.
    """
    rows = list(map(_CLAIM_FIELDS, claims))
    columns = dict(zip(_CLAIM_FIELD_NAMES, map(list, zip(*rows)))) if rows else {name: [] for name in _CLAIM_FIELD_NAMES}
    columns["doc_sha256"] = list(doc_sha256) if doc_sha256 is not None else [""] * len(rows)
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
    return conform(pd.DataFrame(rows, columns=DOCUMENT_COLUMNS), DOCUMENT_SCHEMA)


def conform(frame: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """The schema's columns in its order, each with one pandas dtype: text as objects with None for empty."""
    frame = frame.reindex(columns=schema.names)
    types = {}
    for field in schema:
        if field.type == _STRING:
            column = frame[field.name]
            frame[field.name] = column.astype(object).where(column.notna(), None)
        elif field.type == _INT:
            types[field.name] = "Int64" if field.name in _NULLABLE_INTS else "int64"
        elif field.type == _FLOAT:
            types[field.name] = "float64"
        else:
            types[field.name] = "bool"
    return frame.astype(types)


def with_pandas_metadata(schema: pa.Schema) -> pa.Schema:
    """The schema with the pandas metadata of a conformed frame, so pandas reads year back as Int64 and
    is_repeat as bool; the same metadata for every table, however its rows were made."""
    empty = conform(pd.DataFrame(columns=schema.names), schema)
    return schema.with_metadata(pa.Table.from_pandas(empty, schema=schema, preserve_index=False).schema.metadata)


def arrow_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A frame of the schema's columns in order (claims_frame, documents_frame, conform) as an Arrow table
    of the schema, with the schema's own metadata, not one describing this frame."""
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False).replace_schema_metadata(schema.metadata)


def frame_of(table: pa.Table) -> pd.DataFrame:
    """A dataset table for CSV and JSONL: integers as nullable Int64, so an empty year is empty, not NaN."""
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def as_schema(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table read from any earlier dataset (large strings, all-null columns, pandas metadata) in the fixed schema."""
    return table.select(schema.names).cast(schema).replace_schema_metadata(schema.metadata)


CLAIM_SCHEMA = with_pandas_metadata(CLAIM_SCHEMA)
DOCUMENT_SCHEMA = with_pandas_metadata(DOCUMENT_SCHEMA)
SCHEMAS = {"claims": CLAIM_SCHEMA, "documents": DOCUMENT_SCHEMA}


def temporary_path(path: Path) -> Path:
    """A fresh hidden name beside `path`; the file is not created here, so it gets the user's umask when written."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _csv(frame: pd.DataFrame, target, header: bool = True) -> None:
    frame.to_csv(target, index=False, header=header, lineterminator="\n")


def _jsonl(frame: pd.DataFrame, target) -> None:
    frame.to_json(target, orient="records", lines=True, force_ascii=False)


def write_table(frame: pd.DataFrame, out_dir: Path, name: str, formats: Iterable[str],
                schema: pa.Schema | None = None) -> list[Path]:
    """Write a whole frame in each format; with a schema (a dataset table), through TableWriter."""
    if schema is not None:
        writer = TableWriter(out_dir, name, list(formats), schema)
        try:
            writer.write(arrow_table(conform(frame, schema), schema))
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return writer.commit()
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


def enums(ruleset: RuleSet | None = None) -> dict[str, list[str]]:
    """The values of each enum column in the order the rule files declare them (the built-in rules by default)."""
    ruleset = ruleset or builtin_ruleset()
    return {column: ruleset.names(column) for column in ENUM_COLUMNS}


class TableWriter:
    """One dataset table written piece by piece in every format, through temporary files renamed in place by commit().

    Parquet row groups hold ROW_GROUP rows whatever the pieces, and CSV and
    JSONL pieces follow each other, so the files depend only on the rows.
    abort() removes the temporary files and leaves what was there.
    """

    def __init__(self, out_dir: Path, name: str, formats: list[str], schema: pa.Schema):
        unknown = [fmt for fmt in formats if fmt not in FORMATS]
        if unknown:
            raise ValueError(f"unknown output format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
        out_dir.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.targets = {fmt: out_dir / f"{name}.{fmt}" for fmt in formats}
        self.temporary = {fmt: temporary_path(path) for fmt, path in self.targets.items()}
        self._parquet = pq.ParquetWriter(self.temporary["parquet"], schema) if "parquet" in formats else None
        self._text = {fmt: self.temporary[fmt].open("x", encoding=CSV_ENCODING if fmt == "csv" else "utf-8", newline="")
                      for fmt in formats if fmt in ("csv", "jsonl")}
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Append rows (in the writer's schema)."""
        if not table.num_rows:
            return
        if self._text:
            frame = frame_of(table)
            if "csv" in self._text:
                _csv(frame, self._text["csv"], header=self.rows == 0)
            if "jsonl" in self._text:
                _jsonl(frame, self._text["jsonl"])
        self.rows += table.num_rows
        if self._parquet is not None:
            self._pending.append(table)
            self._pending_rows += table.num_rows
            if self._pending_rows >= ROW_GROUP:
                self._flush(whole_groups_only=True)

    def _flush(self, whole_groups_only: bool) -> None:
        pending = pa.concat_tables(self._pending)
        full = pending.num_rows - pending.num_rows % ROW_GROUP if whole_groups_only else pending.num_rows
        for start in range(0, full, ROW_GROUP):
            self._parquet.write_table(pending.slice(start, ROW_GROUP), row_group_size=ROW_GROUP)
        rest = pending.slice(full)
        self._pending, self._pending_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)

    def finish(self) -> None:
        """Complete every temporary file."""
        empty = pa.Table.from_pylist([], schema=self.schema)
        if self.rows == 0 and self._text:  # a header line (CSV) and an empty line (JSONL), as pandas writes an empty frame
            frame = frame_of(empty)
            if "csv" in self._text:
                _csv(frame, self._text["csv"])
            if "jsonl" in self._text:
                _jsonl(frame, self._text["jsonl"])
        for handle in self._text.values():
            handle.close()
        if self._parquet is not None:
            if self._pending:
                self._flush(whole_groups_only=False)
            elif self.rows == 0:
                self._parquet.write_table(empty)
            self._parquet.close()

    def commit(self) -> list[Path]:
        """Rename the finished files into place; the paths written."""
        for fmt, target in self.targets.items():
            os.replace(self.temporary[fmt], target)
        return list(self.targets.values())

    def abort(self) -> None:
        for handle in self._text.values():
            handle.close()
        if self._parquet is not None:
            self._parquet.close()
        for path in self.temporary.values():
            path.unlink(missing_ok=True)


def typed_claims(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals for the enums, nullable integers for year, strings for text.

    A value the built-in rules do not declare (a dataset made with another
    rule set) is kept as a category after theirs, never turned into a null.
    """
    frame = frame.copy()
    for column, categories in enums().items():
        if column in frame:
            others = sorted(set(frame[column].dropna().astype(str)) - set(categories))
            frame[column] = pd.Categorical(frame[column], categories=categories + others)
    if "year" in frame:
        frame["year"] = frame["year"].astype("Int64")
    for column in ("doc", "text", "unit", "subject", "period", "indicator", "sentence", "rule", "doc_sha256"):
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
