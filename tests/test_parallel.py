"""Extraction at scale: batches, processes, a Dask cluster and the partitioned dataset.

The seeds weigh 8764, 13787, 8264, 14392 and 16876 bytes; with batches of
20000 bytes they make three batches: [000, 001], [002, 003], [004].
"""

from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from extractor import load_dataset
from extractor.cli import app
from extractor.dataset import typed_claims, write_table
from extractor.documents import find_inputs
from extractor.build import BuildOptions, extract_dataset, write_batches
from extractor.parallel import batches, extract_batch
from extractor.pipeline import extract_documents, get_extractor
from paths import ROOT

SEEDS = find_inputs([ROOT / "seeds"])
SMALL_BATCH = 20000


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def single_csv(single, folder: Path) -> bytes:
    return write_table(single.claims, folder, "claims", ["csv"])[0].read_bytes()


@pytest.fixture(scope="module")
def single():
    """The single-process, in-memory result every other form must equal."""
    return extract_documents(SEEDS)


@pytest.fixture(scope="module")
def one_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("one_job")
    summary = extract_dataset(SEEDS, out, BuildOptions(jobs=1, batch_bytes=SMALL_BATCH))
    return out, summary


def test_batches_follow_input_order_and_size(tmp_path):
    assert [[p.name[:3] for p in batch] for batch in batches(SEEDS, SMALL_BATCH)] == [["000", "001"], ["002", "003"], ["004"]]
    assert [len(b) for b in batches(SEEDS, 10**9)] == [5]
    assert batches([], SMALL_BATCH) == [[]]
    assert [len(b) for b in batches([tmp_path / "missing.txt"] * 3, SMALL_BATCH)] == [3]
    # the first runs only, each as a full cut makes it: enough to tell whether a run takes a pool
    assert batches(SEEDS, SMALL_BATCH, most=2) == batches(SEEDS, SMALL_BATCH)[:2]
    assert batches(SEEDS, 10**9, most=2) == [SEEDS]


def test_several_batches_make_a_partitioned_dataset(one_job, single):
    out, summary = one_job
    assert summary.partitioned and summary.n_documents == 5 and len(summary.failed) == 0
    tables = [name for name in files(out) if not name.startswith("texts/")]
    assert sorted(tables) == [f"{table}/part-0000{i}.parquet" for table in ("claims", "documents") for i in range(3)]
    assert sorted(files(out / "texts")) == sorted(f"{sha}.txt" for sha in single.documents["sha256"])  # saved by the workers
    claims = load_dataset(out)
    assert summary.n_claims == len(claims) == len(single.claims)
    pd.testing.assert_frame_equal(claims, typed_claims(single.claims))
    assert list(load_dataset(out / "claims").doc) == list(claims.doc)  # the parts folder itself
    documents = load_dataset(out, table="documents")
    assert list(documents.doc) == [p.name for p in SEEDS]
    assert ds.dataset(out / "claims", format="parquet").count_rows() == len(single.claims)  # any Parquet reader


@pytest.mark.slow
def test_the_dataset_does_not_depend_on_jobs(one_job, tmp_path):
    out, _ = one_job
    summary = extract_dataset(SEEDS, tmp_path, BuildOptions(jobs=2, batch_bytes=SMALL_BATCH))
    assert summary.n_claims == one_job[1].n_claims
    assert files(tmp_path) == files(out)


@pytest.mark.slow
def test_workers_take_batches_in_pieces_and_the_dataset_stays_the_same(one_job, single, tmp_path):
    """Pieces of one file each, joined into the batch they belong to: the same parts, and the same single files."""
    extract_dataset(SEEDS, tmp_path / "parts", BuildOptions(jobs=2, batch_bytes=SMALL_BATCH, work_bytes=1))
    assert files(tmp_path / "parts") == files(one_job[0])
    extract_dataset(SEEDS, tmp_path / "one", BuildOptions(jobs=1))
    extract_dataset(SEEDS, tmp_path / "pieces", BuildOptions(jobs=2, work_bytes=1))
    assert files(tmp_path / "pieces") == files(tmp_path / "one")


@pytest.mark.slow
def test_one_batch_writes_single_files_and_replaces_parts(one_job, single, tmp_path):
    out = tmp_path / "out"
    extract_dataset(SEEDS, out, BuildOptions(jobs=1, batch_bytes=SMALL_BATCH, save_texts=False))
    summary = extract_dataset(SEEDS, out, BuildOptions(jobs=2, save_texts=False))
    assert not summary.partitioned
    assert sorted(files(out)) == ["claims.csv", "claims.parquet", "documents.csv", "documents.parquet"]
    assert (out / "claims.csv").read_bytes() == single_csv(single, tmp_path / "single")
    extract_dataset(SEEDS, out, BuildOptions(jobs=1, batch_bytes=SMALL_BATCH))
    assert files(out) == files(one_job[0])  # and the other way round


@pytest.mark.slow
def test_a_failing_document_is_recorded_in_its_batch(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("全市拥有高新技术企业1049家。" * 1000, encoding="utf-8")
    (docs / "b.txt").write_bytes(bytes(range(32)) + b"binary")  # mostly not text
    (docs / "c.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    summary = extract_dataset(find_inputs([docs]), tmp_path / "out", BuildOptions(jobs=2, batch_bytes=100))
    assert summary.partitioned and summary.n_documents == 3 and summary.n_claims == 1001
    assert list(summary.failed.doc) == ["b.txt"]
    assert list(load_dataset(tmp_path / "out", "documents").status) == ["ok", "error", "ok"]


@pytest.mark.slow
def test_dask_cluster_equals_single_process(one_job, single, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = extract_dataset(SEEDS, tmp_path / "lib", BuildOptions(engine="dask", scheduler=cluster.scheduler_address, batch_bytes=SMALL_BATCH))
        result = CliRunner().invoke(app, ["extract", str(ROOT / "seeds"), "--out", str(tmp_path / "cli"), "--quiet",
                                          "--engine", "dask", "--scheduler", cluster.scheduler_address])
    assert summary.n_claims == len(single.claims)
    assert files(tmp_path / "lib") == files(one_job[0])
    pd.testing.assert_frame_equal(load_dataset(tmp_path / "lib"), typed_claims(single.claims))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "claims.csv").read_bytes() == single_csv(single, tmp_path / "single")


def test_engine_options_are_checked(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(ROOT / "seeds"), "--out", str(tmp_path), "--engine", "dask"])
    assert result.exit_code == 2 and result.stderr == "Error: --engine dask and --scheduler ADDRESS go together\n"
    result = runner.invoke(app, ["extract", str(ROOT / "seeds"), "--out", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2 and result.stderr.startswith("Error: unknown engine 'spark'")
    assert runner.invoke(app, ["extract", str(ROOT / "seeds"), "--out", str(tmp_path), "--jobs", "0"]).exit_code == 2


def test_an_interrupted_partitioned_run_leaves_the_previous_dataset_and_no_parts(tmp_path):
    out = tmp_path / "out"
    extract_dataset(SEEDS, out, BuildOptions(jobs=1, batch_bytes=SMALL_BATCH))
    before = files(out)

    def interrupted():
        yield extract_batch(SEEDS[:2], get_extractor())
        raise KeyboardInterrupt  # Ctrl-C after the first batch was written

    with pytest.raises(KeyboardInterrupt):
        write_batches(interrupted(), out, ["parquet"], partitioned=True)
    assert files(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


@pytest.mark.slow
def test_ctrl_c_while_workers_start_exits_130_quietly(tmp_path):
    """Ctrl-C reaches the whole process group, as a terminal sends it, just as the first worker starts."""
    import subprocess
    import sys
    import textwrap

    docs = tmp_path / "docs"
    docs.mkdir()
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    for name in ("a", "b", "c"):  # three files of about 3 MiB: two batches of 4 MiB or more, so a pool of workers
        (docs / f"{name}.txt").write_text(seeds * (3 * 2**20 // len(seeds.encode())), encoding="utf-8")
    child = textwrap.dedent(f"""
        import os, signal
        from concurrent.futures import ProcessPoolExecutor
        from extractor.cli import app

        submit = ProcessPoolExecutor.submit

        def interrupted(self, *args, **kwargs):
            future = submit(self, *args, **kwargs)
            os.killpg(0, signal.SIGINT)
            return future

        ProcessPoolExecutor.submit = interrupted
        app(["extract", {str(docs)!r}, "--out", {str(tmp_path / "out")!r}, "--jobs", "2", "--quiet"], prog_name="extractor")
    """)
    process = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=300,
                             start_new_session=True)
    assert (process.returncode, process.stderr.decode()) == (130, "")
    assert not (tmp_path / "out").exists()  # nothing was written: the folder the run made is gone again


def test_a_document_with_more_claims_than_a_chunk_is_spilled_and_written_the_same(tmp_path, monkeypatch):
    import extractor.parallel as parallel

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    (docs / "b.txt").write_text("".join(f"第{n}区新增企业{n + 10}家。" for n in range(25)), encoding="utf-8")
    (docs / "c.txt").write_text("全市拥有企业19家，新增14家。", encoding="utf-8")
    paths = find_inputs([docs])
    whole = extract_dataset(paths, tmp_path / "whole", BuildOptions(jobs=1))
    spilled = []
    new_file = parallel.pa.ipc.new_file
    monkeypatch.setattr(parallel.pa.ipc, "new_file", lambda path, schema: spilled.append(path) or new_file(path, schema))
    monkeypatch.setattr(parallel, "CHUNK", 10)
    pieces = extract_dataset(paths, tmp_path / "pieces", BuildOptions(jobs=1))
    assert whole.n_claims == pieces.n_claims == 1 + 25 + 2
    assert len(spilled) == 1 and not Path(spilled[0]).exists() and not (tmp_path / "pieces" / ".spill").exists()
    assert files(tmp_path / "pieces") == files(tmp_path / "whole")


def test_a_spilled_document_that_fails_leaves_nothing(tmp_path, monkeypatch):
    import extractor.parallel as parallel
    from extractor.pipeline import extract_claims

    monkeypatch.setattr(parallel, "CHUNK", 10)
    claims = extract_claims("".join(f"新增企业{n + 10}家。" for n in range(25)), get_extractor(), doc="b.txt")
    spool = parallel.ClaimSpool(tmp_path)
    spool.begin("a" * 64)
    for claim in claims[:3]:
        spool.add(claim)
    spool.begin("b" * 64)
    for claim in claims[3:]:
        spool.add(claim)  # 22 claims: two chunks to a spill file, then the document fails
    assert len(list(tmp_path.iterdir())) == 1
    spool.discard()
    assert list(tmp_path.iterdir()) == []
    [table] = spool.finish()
    assert table.column("doc_sha256").to_pylist() == ["a" * 64] * 3


def _compiled_in_worker() -> bool:
    from extractor import pipeline

    return "" in pipeline._extractors  # get_extractor's cache of the built-in rules


@pytest.mark.slow
def test_workers_start_with_the_built_in_rules_compiled():
    """The worker server compiles the built-in rules once (extractor.prewarm) and each worker is a fork of it:
    a worker starting from a bare import would have nothing compiled before it asks."""
    from concurrent.futures import ProcessPoolExecutor

    from extractor.parallel import start_worker_server, worker_context

    context = worker_context()
    if context.get_start_method() != "forkserver":
        pytest.skip("workers are spawned here: each compiles its rules")
    start_worker_server()
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        assert pool.submit(_compiled_in_worker).result()
