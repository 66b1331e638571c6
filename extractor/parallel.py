"""Extraction at scale: all cores of one machine, or a Dask cluster.

The inputs are cut, in input order, into batches of about `BATCH_BYTES` of
files. A batch is the unit of output: the writer stores each batch as it
arrives, in input order. Local worker processes take work in smaller pieces
of about `WORK_BYTES` (a batch's files cut the same way), so that no worker
is left carrying a large batch alone at the end; the pieces of a batch are
joined, in order, before it is written. A worker (a local process or a Dask
worker) extracts with the per-document pipeline
(`pipeline.extract_each`, the loop every batch runs) and its own Extractor, built once. So
memory holds a few batches whatever the corpus size, and the dataset written
does not depend on how many workers there were. Claims travel as Arrow
tables of at most CHUNK rows, and a large document's go through a spill
file, so one document of a million claims does not need its claims in
memory either. A worker saves each document's text from the one read it
extracts from. `build.py` writes the batches as they come.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

import pandas as pd
import pyarrow as pa

from .claim import Claim
from .dataset import CLAIM_SCHEMA, arrow_table, claims_frame, documents_frame
from .documents import Document, save_text
from .engine import Extractor
from .pipeline import extract_each, get_extractor

BATCH_BYTES = 4 * 2**20
# A local worker's piece of work: with 4 MiB batches, 10 MB in two processes left one carrying 58% of it.
WORK_BYTES = 2**20
ENGINES = ("local", "dask")
TABLES = ("claims", "documents")
# Batches in flight per worker: enough to keep workers busy while the writer stores one.
_AHEAD = 2
# Claims turned into one Arrow table at a time; a document with more sends them to a spill file as they come.
CHUNK = 10_000
# Where the workers of a local run spill a large document's claims (inside OUT, removed after the run).
SPILL = ".spill"

# A piece of a batch's claims: an Arrow table, or the path of an Arrow file a large document was spilled to.
Piece = Union[pa.Table, str]


@dataclass
class Batch:
    """What a batch gives: its claims as pieces in input order, and its documents table."""

    claims: Iterable[Piece]
    documents: pd.DataFrame
    texts: dict[str, str] = field(default_factory=dict)  # sha256 -> text, from a worker that cannot save them (Dask)


def batches(paths: list[Path], batch_bytes: int = BATCH_BYTES, most: int | None = None) -> list[list[Path]]:
    """Consecutive runs of paths holding about `batch_bytes` of files each (input order kept); with `most`, only
    the first `most` runs, so that telling whether there is more than one costs a few stats, not one per input."""
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
            if len(out) == most:
                return out
    if current or not out:
        out.append(current)
    return out


class ClaimSpool:
    """A batch's claims as they are found (the sink of extract_document_into), as Arrow pieces in order.

    Claims become a table every CHUNK claims. A document with more than
    CHUNK claims writes its tables to its own Arrow file in `spill` as they
    come (kept in memory without a spill folder, as on a Dask worker), so a
    large document never holds all its claims; a document that fails
    forgets its tables and its file.
    """

    def __init__(self, spill: Path | None = None):
        self.spill = spill
        self.pieces: list[Piece] = []
        self._kept: list[Claim] = []  # claims of finished documents, not yet a table
        self._kept_shas: list[str] = []
        self._document: list[Claim] = []  # claims of the current document, not yet a table
        self._sha = ""
        self._tables: list[pa.Table] = []  # the current document's tables, when it has no file
        self._file: tuple[str, pa.ipc.RecordBatchFileWriter] | None = None

    def begin(self, sha256: str) -> None:
        self._end_document()
        self._sha = sha256

    def add(self, claim: Claim) -> None:
        self._document.append(claim)
        if len(self._document) >= CHUNK:
            self._flush_kept()  # what earlier documents gave goes first
            self._spill_chunk()

    def discard(self) -> None:
        self._document.clear()
        self._tables.clear()
        if self._file is not None:
            path, writer = self._file
            writer.close()
            os.unlink(path)
            self._file = None

    def finish(self) -> list[Piece]:
        """The pieces, once every document has been added."""
        self._end_document()
        self._flush_kept()
        return self.pieces

    def _spill_chunk(self) -> None:
        table = arrow_table(claims_frame(self._document, [self._sha] * len(self._document)), CLAIM_SCHEMA)
        self._document.clear()
        if self.spill is None:
            self._tables.append(table)
            return
        if self._file is None:
            path = str(self.spill / f"{os.getpid()}-{secrets.token_hex(8)}.arrow")
            self._file = (path, pa.ipc.new_file(path, CLAIM_SCHEMA))
        self._file[1].write_table(table)

    def _end_document(self) -> None:
        if self._file is None and not self._tables:
            self._kept.extend(self._document)
            self._kept_shas.extend([self._sha] * len(self._document))
            self._document.clear()
            if len(self._kept) >= CHUNK:
                self._flush_kept()
            return
        if self._document:
            self._spill_chunk()
        if self._file is not None:
            path, writer = self._file
            writer.close()
            self.pieces.append(path)
            self._file = None
        self.pieces.extend(self._tables)
        self._tables = []

    def _flush_kept(self) -> None:
        if self._kept:
            self.pieces.append(arrow_table(claims_frame(self._kept, self._kept_shas), CLAIM_SCHEMA))
            self._kept, self._kept_shas = [], []


def pieces_tables(pieces: Iterable[Piece]) -> Iterator[pa.Table]:
    """The tables of a batch's pieces in order; a spill file is read one table at a time and removed."""
    for piece in pieces:
        if not isinstance(piece, str):
            yield piece
            continue
        try:
            with pa.OSFile(piece) as source:
                reader = pa.ipc.open_file(source)
                for index in range(reader.num_record_batches):
                    yield pa.Table.from_batches([reader.get_batch(index)], schema=CLAIM_SCHEMA)
        finally:
            os.unlink(piece)


def extract_batch(paths: Iterable[Path], extractor: Extractor, on_document: Callable[[], None] | None = None,
                  simplified: bool = False, spill: Path | None = None, texts: Path | None = None,
                  keep_texts: bool = False) -> Batch:
    """The claims and documents of a batch, read one document at a time.

    Each file is read once: its text is saved from that read in the dataset
    folder `texts` (OUT/texts/), or with `keep_texts` handed back in the batch.
    """
    spool = ClaimSpool(spill)
    kept: dict[str, str] = {}

    def on_read(document: Document) -> None:
        if texts is not None:
            save_text(texts, document)
        elif keep_texts and document.status == "ok":
            kept[document.sha256] = document.text

    rows = extract_each(paths, extractor, spool, simplified, on_read, on_document)
    return Batch(spool.finish(), documents_frame(rows), kept)


# -- local processes -----------------------------------------------------------
_worker_extractor: Extractor | None = None
_worker_simplified = False


def _start_worker(rules: str | None, simplified: bool) -> None:
    """Compile the rules once per worker. Ctrl-C is the parent's to handle: it stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_extractor, _worker_simplified
    _worker_extractor, _worker_simplified = get_extractor(rules), simplified


def _run_piece(paths: list[Path], spill: Path | None, texts: Path | None) -> Batch:
    return extract_batch(paths, _worker_extractor, simplified=_worker_simplified, spill=spill, texts=texts)


@contextlib.contextmanager
def _sigint_deferred():
    """Hold Ctrl-C back while worker processes start: they inherit the blocked signal and never see it
    (a Ctrl-C there printed a traceback per worker); this process gets it once they are started."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def uses_pool(jobs: int, pieces: list[list[Path]]) -> bool:
    """Whether a local run of these pieces of work takes a pool of worker processes: more than one job and more
    than one piece with files in it."""
    return jobs > 1 and sum(1 for piece in pieces if piece) > 1


def worker_context() -> multiprocessing.context.BaseContext:
    """How local workers start. forkserver: from a clean process, not a fork of one with threads (the progress bar);
    that server imports the package and compiles the built-in rules once (extractor.prewarm), and each worker
    is a fork of it. Where there is no forkserver (Windows, macOS' default), spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, f"{__package__}.prewarm"])
    return context


def start_worker_server() -> None:
    """Start the worker server now, so that it compiles the rules while this process compiles its own
    (build_dataset calls it before a parallel run); it is started once per process, whoever asks first."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver  # POSIX only

        forkserver.ensure_running()


def local_batches(work: list[list[Path]], rules: str | None, extractor: Extractor, jobs: int,
                  on_document: Callable[[], None] | None, simplified: bool, spill: Path | None,
                  texts: Path | None, work_bytes: int = WORK_BYTES) -> Iterator[Batch]:
    """Batches in order; run in this process for one job or one piece of work, else in a pool of `jobs` processes.
    Texts are saved in the dataset folder `texts` by whichever process reads them.

    (A resumed run may leave batches with nothing to extract: they do not call for a pool.)
    """
    split = [batches(batch, work_bytes) for batch in work]
    pieces = [piece for batch_pieces in split for piece in batch_pieces]
    if not uses_pool(jobs, pieces):
        for batch in work:
            yield extract_batch(batch, extractor, on_document, simplified, spill, texts)
        return
    workers = min(jobs, len(pieces))
    with ProcessPoolExecutor(workers, mp_context=worker_context(), initializer=_start_worker, initargs=(rules, simplified)) as pool:
        def submit(piece: list[Path]):
            with _sigint_deferred():  # a submission may start a worker
                return pool.submit(_run_piece, piece, spill, texts)

        try:
            ahead = workers * _AHEAD * max(1, len(pieces) // len(work))  # as many files in flight as whole batches were
            done = _in_order(submit, [(piece, len(piece)) for piece in pieces], ahead, on_document)
            for batch_pieces in split:
                joined = [next(done) for _ in batch_pieces]
                yield Batch([piece for part in joined for piece in part.claims],
                            pd.concat([part.documents for part in joined], ignore_index=True))
        except BaseException:  # Ctrl-C or an error: stop now, not after the pieces in flight
            for process in list(pool._processes.values()):  # no public way to stop running workers before 3.14
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


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
def _dask_batch(paths: list[str], rules: str | None, simplified: bool, keep_texts: bool) -> Batch:
    """One batch on a Dask worker; the worker's Extractor is compiled on its first batch and kept."""
    return extract_batch([Path(p) for p in paths], get_extractor(rules), simplified=simplified, keep_texts=keep_texts)


def dask_batches(work: list[list[Path]], rules: str | None, scheduler: str,
                 on_document: Callable[[], None] | None, simplified: bool, keep_texts: bool) -> Iterator[Batch]:
    """Batches in order from a Dask cluster: a dask.bag of the file lists, one partition per batch.

    A worker need not see the output folder: with `keep_texts` the texts come back in the batches."""
    import dask.bag as db
    from distributed import Client

    names = [[str(p) for p in batch] for batch in work]  # as given, so the documents table matches a local run
    parts = db.from_sequence(names, partition_size=1).map(_dask_batch, rules=rules, simplified=simplified, keep_texts=keep_texts).to_delayed()
    with Client(scheduler) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = [(part, len(batch)) for part, batch in zip(parts, work)]
        for partition in _in_order(client.compute, tasks, workers * _AHEAD, on_document):
            yield partition[0]  # a partition holds one element: the batch's frames
