"""Resuming: documents an earlier run already extracted with the same rules are not extracted again.

A document is reused when the dataset in the output folder holds a row for
the same bytes (sha256) read with the same rule set (`rules_version`) whose
status is ok or empty; its row and claims are taken from that dataset, under
the name and path the file has now. The run is otherwise a full run: the same
batches, written the same way, single files or Parquet parts, so the files
are byte for byte those a full run writes. A reused document's claims are
read from the old files a row group at a time, by the row range its place in
the old documents table gives (the claims of a file follow its documents in
order), so a resumed run holds no more in memory than a full one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .dataset import CLAIM_SCHEMA, as_schema, documents_frame
from .documents import shown, text_path
from .parallel import Batch, pieces_tables

REUSABLE = ("ok", "empty")


@dataclass(frozen=True)
class _Held:
    """Where an earlier dataset holds a document: its row in the old documents, and its claims' rows in a claims file."""

    row: int
    claims: Path
    offset: int
    count: int


class Reuse:
    """The inputs (by index) an earlier dataset already holds, and how to take their rows and claims from it."""

    def __init__(self, documents: pd.DataFrame, held: dict[int, _Held]):
        self.documents = documents
        self.held = held
        self._files: dict[Path, pq.ParquetFile] = {}
        self._group: tuple[Path, int, pa.Table] | None = None  # the row group read last

    def __contains__(self, index: int) -> bool:
        return index in self.held

    def __len__(self) -> int:
        return len(self.held)

    def merge(self, span: range, paths: list[Path], fresh: Batch) -> Batch:
        """The batch of a full run over paths[span]: reused documents from the old dataset, the others from `fresh`."""
        fresh_rows = iter(fresh.documents.to_dict("records"))
        rows, sources = [], []
        for index in span:
            held = self.held.get(index)
            row = next(fresh_rows) if held is None else self._row(held, paths[index])
            rows.append(row)
            sources.append((held, row["doc"], row["n_claims"]))
        return Batch(self._claims(sources, pieces_tables(fresh.claims)), documents_frame(rows))

    def _row(self, held: _Held, path: Path) -> dict:
        row = self.documents.iloc[held.row].to_dict()
        error = row["error"] if isinstance(row["error"], str) else None
        old_name = f"{shown(row['path'])}: "
        if error is not None and error.startswith(old_name):  # a note on an ok row names the file as it is now
            error = f"{shown(path)}: {error[len(old_name):]}"
        return {**row, "doc": path.name, "path": str(path), "error": error}

    def _claims(self, sources: list[tuple[_Held | None, str, int]], fresh: Iterator[pa.Table]) -> Iterator[pa.Table]:
        rest: pa.Table | None = None  # what the last fresh table held beyond the document taken from it
        for held, doc, count in sources:
            if held is not None:
                for table in self._old_claims(held):
                    yield table.set_column(0, "doc", pa.array([doc] * table.num_rows, pa.string()))
                continue
            while count:
                table = rest if rest is not None else next(fresh)
                rest = None
                if table.num_rows > count:
                    table, rest = table.slice(0, count), table.slice(count)
                count -= table.num_rows
                yield table

    def _old_claims(self, held: _Held) -> Iterator[pa.Table]:
        """Rows [offset, offset + count) of the old claims file, a row group at a time."""
        if not held.count:
            return
        file = self._files.get(held.claims)
        if file is None:
            file = self._files[held.claims] = pq.ParquetFile(held.claims)
        first = 0
        for group in range(file.metadata.num_row_groups):
            size = file.metadata.row_group(group).num_rows
            start, end = max(held.offset, first), min(held.offset + held.count, first + size)
            if start < end:
                if self._group is None or self._group[:2] != (held.claims, group):
                    self._group = (held.claims, group, as_schema(file.read_row_group(group), CLAIM_SCHEMA))
                yield self._group[2].slice(start - first, end - start)
            first += size
            if first >= held.offset + held.count:
                return


def plan_reuse(paths: list[Path], out: Path, rules_version: str, texts: bool = True) -> Reuse:
    """Which of `paths` the dataset in `out` already holds with these rules (none when there is no dataset).

    With `texts` (a run that saves texts), a document whose text is missing from OUT/texts/ is extracted
    anew, which saves it: a batch reads each file once, so no separate pass re-saves texts.
    """
    frames, by_sha, base = [], {}, 0
    for documents_file, claims_file in _table_files(out):
        documents = pd.read_parquet(documents_file)
        if "rules_version" not in documents or not claims_file.exists() or not _claims_follow(documents, claims_file):
            continue
        offsets = documents["n_claims"].cumsum() - documents["n_claims"]
        usable = (documents["rules_version"] == rules_version) & documents["status"].isin(REUSABLE)
        if texts:
            usable &= (documents["status"] != "ok") | documents["sha256"].map(lambda sha: text_path(out, sha).exists())
        for row in np.flatnonzero(usable.to_numpy()):
            by_sha[documents["sha256"].iat[row]] = _Held(base + row, claims_file, int(offsets.iat[row]),
                                                         int(documents["n_claims"].iat[row]))
        frames.append(documents)
        base += len(documents)
    held = {}
    if by_sha:
        for index, path in enumerate(paths):
            sha = _sha256(path)
            if sha in by_sha:
                held[index] = by_sha[sha]
    return Reuse(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), held)


def _table_files(out: Path) -> list[tuple[Path, Path]]:
    """(documents file, claims file) pairs of the dataset in `out`: its Parquet parts, or its single files."""
    parts = sorted((out / "documents").glob("part-*.parquet")) if (out / "documents").is_dir() else []
    if parts:
        return [(part, out / "claims" / part.name) for part in parts]
    if (out / "documents.parquet").exists():
        return [(out / "documents.parquet", out / "claims.parquet")]
    return []


def _claims_follow(documents: pd.DataFrame, claims_file: Path) -> bool:
    """Whether the claims file holds each document's claims in a row, in the documents' order (as every run
    writes them); a file that does not is not reused, so no claim is ever taken from the wrong rows."""
    expected = [[f"{doc}\0{sha}", int(count)] for doc, sha, count in
                zip(documents["doc"], documents["sha256"], documents["n_claims"]) if count]
    runs: list[list] = []
    for batch in pq.ParquetFile(claims_file).iter_batches(batch_size=65_536, columns=["doc", "doc_sha256"]):
        frame = batch.to_pandas()
        keys = (frame["doc"].astype(str) + "\0" + frame["doc_sha256"].astype(str)).to_numpy()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        for start, length in zip(starts, np.diff(np.r_[starts, len(keys)])):
            if start == 0 and runs and runs[-1][0] == keys[0]:
                runs[-1][1] += int(length)
            else:
                runs.append([keys[start], int(length)])
    return runs == expected


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
