"""Extraction at scale: all cores of one machine, or a Dask cluster.

The inputs are cut, in input order, into batches of about `BATCH_BYTES` of
files. A batch is the unit of output: the writer stores each batch as it
arrives, in input order. Local worker processes take work in smaller pieces
of about `WORK_BYTES` (a batch's files cut the same way), so that no worker
is left carrying a large batch alone at the end; the pieces of a batch are
joined into its table before it is written, column by column, exactly as one
process builds it. A worker (a local process or a Dask worker) extracts with
the per-document pipeline (`pipeline.extract_document`) and its own
Extractor, built once. So memory holds a few batches whatever the corpus
size, and the dataset written does not depend on how many workers there were.

A run of one batch writes the single files `claims.{parquet,csv}` (and
`documents.*`); a run of several batches writes a partitioned Parquet dataset
instead, one file per batch: `claims/part-00000.parquet`, … and
`documents/part-00000.parquet`, …, which pandas, DuckDB and Spark read as one
table and `load_dataset` reads like the single files.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .dataset import claim_columns, claims_table, documents_frame, join_columns, write_table
from .engine import Extractor
from .pipeline import extract_document, get_extractor

BATCH_BYTES = 4 * 2**20
# A local worker's piece of work: with 4 MiB batches, 10 MB in two processes left one carrying 58% of it.
WORK_BYTES = 2**20
ENGINES = ("local", "dask")
TABLES = ("claims", "documents")
# Batches in flight per worker: enough to keep workers busy while the writer stores one.
_AHEAD = 2

Batch = tuple[pd.DataFrame, pd.DataFrame]


@dataclass
class RunSummary:
    """What a run wrote: counts, the documents that failed, and the form of the dataset."""

    documents: int
    claims: int
    failed: pd.DataFrame
    partitioned: bool


def batches(paths: list[Path], batch_bytes: int = BATCH_BYTES) -> list[list[Path]]:
    """Consecutive runs of paths holding about `batch_bytes` of files each (input order kept)."""
    out: list[list[Path]] = []
    current: list[Path] = []
    size = 0
    for path in paths:
        current.append(path)
        try:
            size += path.stat().st_size
        except OSError:  # read_document records the error; the file weighs nothing here
            pass
        if size >= batch_bytes:
            out.append(current)
            current, size = [], 0
    if current or not out:
        out.append(current)
    return out


def extract_batch(paths: Iterable[Path], extractor: Extractor, on_document: Callable[[], None] | None = None,
                  simplified: bool = False) -> Batch:
    """The claims and documents frames of a batch, exactly as a single-process run builds them."""
    columns, rows = _extract_piece(paths, extractor, on_document, simplified)
    return claims_table(columns), documents_frame(rows)


def _extract_piece(paths: Iterable[Path], extractor: Extractor, on_document: Callable[[], None] | None = None,
                   simplified: bool = False) -> tuple[dict[str, list], list[dict]]:
    """Claim columns and documents rows of some files: what the pieces of a batch are joined from."""
    claims, rows, shas = [], [], {}
    for path in paths:
        result = extract_document(Path(path), extractor, simplified)
        claims.extend(result.claims)
        rows.append(result.row)
        shas[result.row["doc"]] = result.row["sha256"]
        if on_document is not None:
            on_document()
    return claim_columns(claims, shas), rows


# -- local processes -----------------------------------------------------------
_worker_extractor: Extractor | None = None
_worker_simplified = False


def _start_worker(rules: str | None, simplified: bool) -> None:
    global _worker_extractor, _worker_simplified
    _worker_extractor, _worker_simplified = get_extractor(rules), simplified


def _run_piece(paths: list[Path]) -> tuple[dict[str, list], list[dict]]:
    return _extract_piece(paths, _worker_extractor, simplified=_worker_simplified)


def _local(work: list[list[Path]], rules: str | None, extractor: Extractor, jobs: int,
           on_document: Callable[[], None] | None, simplified: bool, work_bytes: int = WORK_BYTES) -> Iterator[Batch]:
    """Batches in order; run in this process for one job or one piece of work, else in a pool of `jobs` processes."""
    split = [batches(batch, work_bytes) for batch in work]
    pieces = [piece for batch_pieces in split for piece in batch_pieces]
    if jobs <= 1 or len(pieces) <= 1:
        for batch in work:
            yield extract_batch(batch, extractor, on_document, simplified)
        return
    # forkserver: workers start from a clean process, not a fork of one with threads (the progress bar),
    # and that process imports the package once for all of them.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
    else:
        context = multiprocessing.get_context("spawn")
    workers = min(jobs, len(pieces))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(rules, simplified)) as pool:
        ahead = workers * _AHEAD * max(1, len(pieces) // len(work))  # as many files in flight as whole batches were
        done = _in_order(lambda piece: pool.submit(_run_piece, piece), [(piece, len(piece)) for piece in pieces],
                         ahead, on_document)
        for batch_pieces in split:
            joined = [next(done) for _ in batch_pieces]
            yield (claims_table(join_columns([columns for columns, _ in joined])),
                   documents_frame([row for _, rows in joined for row in rows]))


def _in_order(submit: Callable, tasks: list[tuple[object, int]], ahead: int,
              on_document: Callable[[], None] | None) -> Iterator:
    """Results of the (task, documents) pairs in order, with at most `ahead` submitted and not yet taken."""
    queue = iter(tasks)
    pending = deque((submit(task), size) for task, size in islice(queue, ahead))
    while pending:
        future, size = pending.popleft()
        result = future.result()
        following = next(queue, None)
        if following is not None:
            pending.append((submit(following[0]), following[1]))
        if on_document is not None:
            for _ in range(size):
                on_document()
        yield result


# -- a Dask cluster -------------------------------------------------------------
def _dask_batch(paths: list[str], rules: str | None, simplified: bool) -> Batch:
    """One batch on a Dask worker; the worker's Extractor is compiled on its first batch and kept."""
    return extract_batch([Path(p) for p in paths], get_extractor(rules), simplified=simplified)


def _dask(work: list[list[Path]], rules: str | None, scheduler: str,
          on_document: Callable[[], None] | None, simplified: bool) -> Iterator[Batch]:
    """Batches in order from a Dask cluster: a dask.bag of the file lists, one partition per batch."""
    import dask.bag as db
    from distributed import Client

    names = [[str(p) for p in batch] for batch in work]  # as given, so the documents table matches a local run
    parts = db.from_sequence(names, partition_size=1).map(_dask_batch, rules=rules, simplified=simplified).to_delayed()
    with Client(scheduler) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = [(part, len(batch)) for part, batch in zip(parts, work)]
        for partition in _in_order(client.compute, tasks, workers * _AHEAD, on_document):
            yield partition[0]  # a partition holds one element: the batch's frames


# -- writing ----------------------------------------------------------------------
def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """A table whose types do not depend on the batch: text columns are strings even when all empty."""
    fields = []
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind = pa.bool_()
        elif pd.api.types.is_integer_dtype(dtype):
            kind = pa.int64()
        elif pd.api.types.is_float_dtype(dtype):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False).replace_schema_metadata(None)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def write_batches(results: Iterator[Batch], out: Path, formats: list[str], partitioned: bool) -> RunSummary:
    """Store batches as they come: single files for one batch, Parquet parts otherwise.

    Parts go to hidden folders that replace claims/ and documents/ only when
    every batch is written, so an interrupted run leaves the previous dataset.
    The other form's files are removed, so a folder never holds both.
    """
    out.mkdir(parents=True, exist_ok=True)
    if not partitioned:
        claims, documents = next(results)
        write_table(claims, out, "claims", formats)
        write_table(documents, out, "documents", formats)
        for table in TABLES:
            _remove(out / table)
        return RunSummary(len(documents), len(claims), _failed(documents), False)

    staging = {table: out / f".{table}.partial" for table in TABLES}
    for folder in staging.values():
        _remove(folder)
        folder.mkdir()
    n_documents = n_claims = 0
    failed = []
    try:
        for index, (claims, documents) in enumerate(results):
            for table, frame in zip(TABLES, (claims, documents)):
                pq.write_table(_arrow_table(frame), staging[table] / f"part-{index:05d}.parquet")
            n_documents += len(documents)
            n_claims += len(claims)
            failed.append(_failed(documents))
    except BaseException:  # interrupted (Ctrl-C) or failed: the parts written so far go, the previous dataset stays
        for folder in staging.values():
            _remove(folder)
        raise
    for table, folder in staging.items():
        target, old = out / table, out / f".{table}.old"
        _remove(old)
        if target.exists():
            os.replace(target, old)
        os.replace(folder, target)
        _remove(old)
        for suffix in ("parquet", "csv", "jsonl"):
            _remove(out / f"{table}.{suffix}")
    return RunSummary(n_documents, n_claims, pd.concat(failed, ignore_index=True), True)


def _failed(documents: pd.DataFrame) -> pd.DataFrame:
    return documents[documents["status"].isin(["error", "skipped"])]


def extract_dataset(
    paths: list[Path],
    out: Path,
    formats: list[str] = ("parquet", "csv"),
    rules: str | Path | None = None,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    batch_bytes: int = BATCH_BYTES,
    on_document: Callable[[], None] | None = None,
    simplified: bool = False,
    work_bytes: int = WORK_BYTES,
) -> RunSummary:
    """Extract every document and write the dataset in `out`; see the module docstring.

    `jobs` defaults to all cores. With engine="dask" the batches run on the
    cluster at `scheduler`: every worker must read the inputs by the paths
    given (absolute paths on a shared mount) and the rules; this process
    writes the dataset.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    rules_dir = str(Path(rules).resolve()) if rules is not None else None
    work = batches(list(paths), batch_bytes)
    if engine == "dask":
        if not scheduler:
            raise ValueError("--engine dask needs --scheduler ADDRESS")
        results = _dask(work, rules_dir, scheduler, on_document, simplified)
    else:
        results = _local(work, rules_dir, get_extractor(rules_dir), jobs or os.cpu_count() or 1, on_document, simplified,
                         work_bytes)
    return write_batches(results, Path(out), list(formats), partitioned=len(work) > 1)
