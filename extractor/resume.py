"""Resuming: documents an earlier run already extracted with the same rules are not extracted again.

A document is reused when the dataset in the output folder holds a row for
the same bytes (sha256) read with the same rule set (`rules_version`) whose
status is ok or empty; its claims are taken from that dataset, under the name
and path the file has now. The other documents are extracted into a hidden
staging folder, and the two are merged in input order and written in place of
the old dataset (as single files), through temporary files like every write.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .dataset import claims_frame, documents_frame, write_table
from .parallel import RunSummary

REUSABLE = ("ok", "empty")
STAGING = ".resume"


@dataclass
class Resume:
    """What an earlier dataset gives a run: reused rows and claims per input index, and the paths left to extract."""

    todo: list[Path]
    rows: dict[int, dict] = field(default_factory=dict)
    claims: dict[int, pd.DataFrame] = field(default_factory=dict)


def plan_resume(paths: list[Path], out: Path, rules_version: str) -> Resume:
    """Split `paths` into documents the dataset in `out` already holds and documents to extract."""
    documents = read_table(out, "documents")
    if documents is None or "rules_version" not in documents:
        return Resume(list(paths))
    usable = documents[(documents["rules_version"] == rules_version) & documents["status"].isin(REUSABLE)]
    by_sha = {row["sha256"]: row for row in usable.to_dict("records")}
    claims = read_table(out, "claims")
    groups = dict(iter(claims.groupby(["doc", "doc_sha256"], sort=False))) if claims is not None and len(claims) else {}
    plan = Resume([])
    for index, path in enumerate(paths):
        row = by_sha.get(_sha256(path))
        if row is None:
            plan.todo.append(path)
            continue
        found = groups.get((row["doc"], row["sha256"]), claims_frame([])).copy()
        found["doc"] = path.name
        plan.rows[index] = {**row, "doc": path.name, "path": str(path)}
        plan.claims[index] = found
    return plan


def finish_resume(paths: list[Path], plan: Resume, staging: Path, out: Path, formats: list[str]) -> RunSummary:
    """Merge reused documents with those just extracted into `staging`, in input order; write them to `out`."""
    fresh_documents = read_table(staging, "documents")
    fresh_claims = read_table(staging, "claims")
    fresh_rows = iter(fresh_documents.to_dict("records") if fresh_documents is not None else [])
    groups = dict(iter(fresh_claims.groupby(["doc", "doc_sha256"], sort=False))) if fresh_claims is not None and len(fresh_claims) else {}
    template = claims_frame([])
    rows, claims = [], [template]
    for index in range(len(paths)):
        if index in plan.rows:
            rows.append(plan.rows[index])
            claims.append(plan.claims[index])
        else:
            row = next(fresh_rows)
            rows.append(row)
            claims.append(groups.get((row["doc"], row["sha256"]), template))
    documents = documents_frame(rows)
    merged = pd.concat(claims, ignore_index=True)[list(template.columns)].astype(template.dtypes.to_dict())
    write_table(merged, out, "claims", formats)
    write_table(documents, out, "documents", formats)
    for leftover in (out / "claims", out / "documents", staging):  # a partitioned dataset replaced by single files
        if leftover.is_dir():
            shutil.rmtree(leftover)
    return RunSummary(len(documents), len(merged), documents[documents["status"].isin(["error", "skipped"])], False)


def read_table(folder: Path, table: str) -> pd.DataFrame | None:
    """A table of a dataset folder as written (single Parquet file or Parquet parts), or None."""
    parts = sorted((folder / table).glob("*.parquet")) if (folder / table).is_dir() else []
    if not parts and (folder / f"{table}.parquet").exists():
        parts = [folder / f"{table}.parquet"]
    if not parts:
        return None
    return pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
