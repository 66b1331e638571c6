"""Building a dataset: the one batch workflow the CLI, the Dask engine and notebooks share.

`build_dataset` finds the inputs, plans what a resumed run can take from the
dataset already in OUT, extracts the rest (parallel.py: local processes or a
Dask cluster) and writes the batches as they come; workers save each text from
the one read they extract from. Texts no document points at are then pruned.

A run of one batch writes the single files `claims.{parquet,csv}` (and
`documents.*`); a run of several batches writes a partitioned Parquet dataset
instead, one file per batch: `claims/part-00000.parquet`, … and
`documents/part-00000.parquet`, …, which pandas, DuckDB and Spark read as one
table and `load_dataset` reads like the single files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from .dataset import CLAIM_SCHEMA, DOCUMENT_SCHEMA, TableWriter, arrow_table, load_dataset
from .documents import TEXTS, Document, find_inputs, prune_texts, save_text
from .parallel import (BATCH_BYTES, ENGINES, SPILL, TABLES, WORK_BYTES, Batch, batches, dask_batches, local_batches,
                       pieces_tables, start_worker_server, uses_pool)
from .pipeline import get_extractor, rules_version
from .resume import Reuse, plan_reuse
from .workbook import write_workbook

XLSX = "xlsx"


@dataclass(frozen=True)
class BuildOptions:
    """How to build a dataset: what `extractor extract`'s flags say.

    `formats` may include "xlsx" (OUT/dataset.xlsx, a claims and a documents
    sheet). `jobs` defaults to all cores. With engine="dask" the batches run on
    the cluster at `scheduler`: every worker must read the inputs by the paths
    given (absolute paths on a shared mount) and the rules; this process writes
    the dataset. `batch_bytes` and `work_bytes` size the batches (see parallel.py).
    """

    formats: tuple[str, ...] = ("parquet", "csv")
    rules: str | Path | None = None
    jobs: int | None = None
    engine: str = "local"
    scheduler: str | None = None
    simplified: bool = False
    resume: bool = False
    save_texts: bool = True
    batch_bytes: int = BATCH_BYTES
    work_bytes: int = WORK_BYTES

    @property
    def processes(self) -> int:
        """The processes a local run may use: `jobs`, else every core."""
        return self.jobs or os.cpu_count() or 1


@dataclass
class RunSummary:
    """What a run wrote: counts, the documents that failed, warnings on the others, the form of the dataset."""

    n_documents: int
    n_claims: int
    failed: pd.DataFrame
    partitioned: bool
    warnings: list[str] = field(default_factory=list)


def build_dataset(inputs: Iterable[str | Path], out: str | Path, options: BuildOptions = BuildOptions(),
                  on_start: Callable[[int], None] | None = None,
                  on_document: Callable[[], None] | None = None) -> RunSummary:
    """Extract the documents in the files and folders `inputs` and write the dataset in `out`.

    `on_start` is told how many documents will be extracted (after a resume
    plan), `on_document` is called as each is done. An interrupted run leaves
    the previous dataset and its texts as they were.
    """
    out = Path(out)
    paths = find_inputs(list(inputs))
    if options.engine == "local" and uses_pool(options.processes, batches(paths, options.work_bytes, most=2)):
        start_worker_server()  # its workers' rules compile while this process compiles its own
    extractor = get_extractor(options.rules)  # a rule error stops the run before anything is written
    created = not out.exists()
    clean_staging(out)
    reuse = plan_reuse(paths, out, rules_version(extractor, options.simplified), options.save_texts) if options.resume else None
    if on_start is not None:
        on_start(len(paths) - len(reuse or ()))
    try:
        summary = extract_dataset(paths, out, options, on_document, reuse)
    except BaseException:
        _forget_new_texts(out, created)
        raise
    documents = load_dataset(out, table="documents")
    if options.save_texts:
        prune_texts(out, documents["sha256"])
    if XLSX in options.formats:
        write_workbook(out / "dataset.xlsx", {"claims": load_dataset(out), "documents": documents})
    summary.warnings = list(documents[~documents["status"].isin(["error", "skipped"])]["error"].dropna())
    return summary


def _forget_new_texts(out: Path, created: bool) -> None:
    """After an interrupted run: drop the texts no dataset in `out` points at, and `out` itself if this run made it."""
    try:
        documents = load_dataset(out, table="documents")
    except (FileNotFoundError, ValueError, OSError):
        documents = None
    if documents is not None:
        prune_texts(out, documents["sha256"])
        return
    texts = out / TEXTS
    if texts.is_dir():
        for path in texts.iterdir():
            path.unlink(missing_ok=True)
        texts.rmdir()
    if created and out.is_dir() and not any(out.iterdir()):
        out.rmdir()


def extract_dataset(paths: list[Path], out: str | Path, options: BuildOptions = BuildOptions(),
                    on_document: Callable[[], None] | None = None, reuse: Reuse | None = None) -> RunSummary:
    """Extract every document of `paths` and write the dataset in `out` (no resume plan, no pruning: build_dataset's core).

    With `reuse` (resume.plan_reuse), the documents it holds are taken from
    the dataset already in `out` and only the others are extracted; the
    batches, and so the files written, are those of a full run.
    """
    if options.engine not in ENGINES:
        raise ValueError(f"unknown engine {options.engine!r} (choose from {', '.join(ENGINES)})")
    rules_dir = str(Path(options.rules).resolve()) if options.rules is not None else None
    paths, out = list(paths), Path(out)
    work = batches(paths, options.batch_bytes)
    spans, start = [], 0
    for batch in work:
        spans.append(range(start, start + len(batch)))
        start += len(batch)
    todo = [[paths[i] for i in span if reuse is None or i not in reuse] for span in spans]
    texts = out if options.save_texts else None
    spill = out / SPILL
    spill.mkdir(parents=True, exist_ok=True)
    try:
        if options.engine == "dask":
            if not options.scheduler:
                raise ValueError("--engine dask needs --scheduler ADDRESS")
            results = _saving_texts(dask_batches(todo, rules_dir, options.scheduler, on_document, options.simplified,
                                                 keep_texts=texts is not None), out)
        else:
            results = local_batches(todo, rules_dir, get_extractor(rules_dir), options.processes,
                                    on_document, options.simplified, spill, texts, options.work_bytes)
        if reuse is not None:
            results = (reuse.merge(span, paths, fresh) for span, fresh in zip(spans, results))
        formats = [f for f in options.formats if f != XLSX]
        return write_batches(results, out, formats, partitioned=len(work) > 1)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _saving_texts(results: Iterator[Batch], out: Path) -> Iterator[Batch]:
    """Batches whose texts came back from workers that cannot save them (Dask), saved here as they come."""
    for batch in results:
        for sha, text in batch.texts.items():
            save_text(out, Document("", "", sha, text, "ok"))
        yield batch


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_staging(out: Path) -> None:
    """Remove what a run killed without clean-up (kill -9, a power cut) left in `out`: hidden part folders,
    spilled claims, temporary files. A run starts with this, so leftovers never outlive the next run."""
    if not out.is_dir():
        return
    leftovers = [out / SPILL, out / ".resume"]  # .resume: where earlier versions staged a resumed run
    for table in TABLES:
        leftovers += [out / f".{table}.partial", out / f".{table}.old", *out.glob(f".{table}.*.tmp")]
    leftovers += (out / TEXTS).glob(".*.txt.*.tmp")
    for path in leftovers:
        if path.exists():
            _remove(path)


def _write_batch(batch: Batch, claims: Path, documents: Path, formats: list[str]) -> int:
    """Write a batch's claims (piece by piece) as `claims`.*, its documents as `documents`.*, and rename both
    into place together; the number of claims."""
    writers = [TableWriter(claims.parent, claims.name, formats, CLAIM_SCHEMA),
               TableWriter(documents.parent, documents.name, formats, DOCUMENT_SCHEMA)]
    try:
        for table in pieces_tables(batch.claims):
            writers[0].write(table)
        writers[1].write(arrow_table(batch.documents, DOCUMENT_SCHEMA))
        for writer in writers:
            writer.finish()
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for writer in writers:
        writer.commit()
    return writers[0].rows


def write_batches(results: Iterator[Batch], out: Path, formats: list[str], partitioned: bool) -> RunSummary:
    """Store batches as they come: single files for one batch, Parquet parts otherwise.

    Parts go to hidden folders that replace claims/ and documents/ only when
    every batch is written, so an interrupted run leaves the previous dataset.
    The other form's files are removed, so a folder never holds both.
    """
    out.mkdir(parents=True, exist_ok=True)
    if not partitioned:
        batch = next(results)
        claims = _write_batch(batch, out / "claims", out / "documents", formats)
        for table in TABLES:
            _remove(out / table)
        return RunSummary(len(batch.documents), claims, _failed(batch.documents), False)

    staging = {table: out / f".{table}.partial" for table in TABLES}
    for folder in staging.values():
        _remove(folder)
        folder.mkdir()
    n_documents = n_claims = 0
    failed = []
    try:
        for index, batch in enumerate(results):
            part = f"part-{index:05d}"
            n_claims += _write_batch(batch, staging["claims"] / part, staging["documents"] / part, ["parquet"])
            n_documents += len(batch.documents)
            failed.append(_failed(batch.documents))
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
