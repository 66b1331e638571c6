"""Nothing lost or half-written: interrupted runs keep the previous dataset, --resume skips finished documents."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor import load_dataset
from extractor.cli import app
from extractor.documents import find_inputs
from extractor.engine import Extractor
from extractor.dataset import SCHEMAS
from extractor.build import BuildOptions, extract_dataset
from extractor.parallel import BATCH_BYTES
from extractor.pipeline import get_extractor
from extractor.resume import plan_reuse
from paths import ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    return folder


@pytest.fixture
def extractions(monkeypatch):
    """The documents the extractor is run on, in this process."""
    seen: list[str] = []
    original = Extractor.iter_claims

    def counting(self, text, doc="text", metadata=None, **options):
        seen.append(doc)
        return original(self, text, doc=doc, metadata=metadata, **options)

    monkeypatch.setattr(Extractor, "iter_claims", counting)
    return seen


@pytest.mark.slow
def test_resume_extracts_only_new_and_changed_documents(docs, tmp_path, extractions):
    out = tmp_path / "out"
    assert run("extract", docs, "--out", out, "--jobs", 1, "--quiet").exit_code == 0
    assert len(extractions) == 5
    extractions.clear()
    (docs / "005_new.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")
    changed = docs / SEEDS[1].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增瞪羚企业14家。", encoding="utf-8")
    (docs / SEEDS[2].name).rename(docs / "002_renamed.txt")  # same bytes, new name: reused under the new name
    result = run("extract", docs, "--out", out, "--jobs", 1, "--quiet", "--resume")
    assert result.exit_code == 0, result.output
    assert sorted(extractions) == sorted(["005_new.txt", SEEDS[1].name])
    fresh = tmp_path / "fresh"
    assert run("extract", docs, "--out", fresh, "--jobs", 1, "--quiet").exit_code == 0
    assert snapshot(out) == snapshot(fresh)  # every file, Parquet too; the changed document's old text is pruned


@pytest.mark.slow
def test_another_rule_set_extracts_everything_again(docs, tmp_path, extractions):
    out = tmp_path / "out"
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 0
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with open(rules / "kinds.toml", "a", encoding="utf-8") as handle:
        handle.write("\n# an edit: a new rule-set version\n")
    assert get_extractor(rules).ruleset.version != get_extractor().ruleset.version
    extractions.clear()
    assert run("extract", docs, "--out", out, "--quiet", "--resume", "--rules", rules).exit_code == 0
    assert len(extractions) == 5
    assert set(pd.read_csv(out / "documents.csv").rules_version) == {get_extractor(rules).ruleset.version}


def test_failed_documents_are_tried_again(docs, tmp_path):
    (docs / "broken.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "out"
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 0
    paths = find_inputs([docs])
    plan = plan_reuse(paths, out, get_extractor().ruleset.version)
    assert [p.name for index, p in enumerate(paths) if index not in plan] == ["broken.txt"] and len(plan) == 5


@pytest.mark.slow
def test_resume_reads_a_partitioned_dataset(docs, tmp_path, extractions):
    out = tmp_path / "out"
    summary = extract_dataset(find_inputs([docs]), out, BuildOptions(jobs=1, batch_bytes=10_000))
    assert summary.partitioned
    extractions.clear()
    assert run("extract", docs, "--out", out, "--quiet", "--resume").exit_code == 0
    assert extractions == []
    assert not (out / "claims").exists()  # one batch at the default size: single files, as a full run writes
    fresh = tmp_path / "fresh"
    assert run("extract", docs, "--out", fresh, "--quiet").exit_code == 0
    assert (out / "claims.csv").read_bytes() == (fresh / "claims.csv").read_bytes()


def test_an_exception_mid_write_leaves_the_previous_dataset(docs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    before = snapshot(out)
    (docs / "005_new.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")

    write = pq.ParquetWriter.write_table

    def interrupted(self, table, *args, **kwargs):
        write(self, table.slice(0, table.num_rows // 2), *args, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C while the table is being written

    monkeypatch.setattr(pq.ParquetWriter, "write_table", interrupted)
    result = run("extract", docs, "--out", out, "--quiet")
    assert result.exit_code == 130  # what a shell reports for Ctrl-C
    monkeypatch.undo()
    assert snapshot(out) == before  # and the new document's saved text is gone again
    assert len(load_dataset(out)) == len(pd.read_csv(out / "claims.csv"))


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_the_previous_dataset(tmp_path):
    out = tmp_path / "out"
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    before = {name: data for name, data in snapshot(out).items()}
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "new.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")
    # The child writes half of the claims to the temporary Parquet file, then is killed (SIGKILL: no clean-up runs).
    child = textwrap.dedent(f"""
        import os, signal
        import pyarrow.parquet as pq
        from extractor.cli import app

        write = pq.ParquetWriter.write_table

        def killed(self, table, *args, **kwargs):
            write(self, table.slice(0, table.num_rows // 2), *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)

        pq.ParquetWriter.write_table = killed
        app(["extract", {str(docs)!r}, "--out", {str(out)!r}, "--quiet"])
    """)
    process = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    after = snapshot(out)
    leftovers = [name for name in after if name not in before]
    assert leftovers and all(name.startswith("texts/") or Path(name).name.startswith(".") and name.endswith(".tmp") for name in leftovers)
    assert {name: after[name] for name in before} == before
    assert len(load_dataset(out)) == len(pd.read_csv(out / "claims.csv")) > 0
    # The next run starts by removing what the killed one left, and ends with the texts its dataset points at.
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    assert snapshot(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("batch_bytes", [BATCH_BYTES, 10_000], ids=["single", "partitioned"])
def test_an_interrupted_run_resumed_writes_what_a_fresh_run_writes(docs, tmp_path, monkeypatch, batch_bytes):
    (docs / "noted.txt").write_bytes("全市拥有企业19家".encode() + b"\xff" + "。".encode())  # an ok row with a note
    out = tmp_path / "out"
    first = find_inputs([docs])[:4]
    earlier = extract_dataset(first, out, BuildOptions(jobs=1, batch_bytes=batch_bytes, save_texts=False))  # a run over part of them
    assert earlier.partitioned == (batch_bytes < BATCH_BYTES)
    (docs / SEEDS[0].name).rename(docs / "zz_renamed.txt")  # same bytes, new name and place in the order
    (docs / "new.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    paths = find_inputs([docs])
    write = pq.ParquetWriter.write_table
    calls = []

    def interrupted(self, table, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C with the first batch's claims written
        write(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", interrupted)
    before = snapshot(out)
    with pytest.raises(KeyboardInterrupt):
        extract_dataset(paths, out, BuildOptions(jobs=1, batch_bytes=batch_bytes, save_texts=False))
    monkeypatch.undo()
    assert snapshot(out) == before
    reuse = plan_reuse(paths, out, get_extractor().ruleset.version, texts=False)
    assert sorted(paths[index].name for index in reuse.held) == sorted(
        ["zz_renamed.txt", *(p.name for p in first if p.name != SEEDS[0].name)])
    resumed = extract_dataset(paths, out, BuildOptions(jobs=1, batch_bytes=batch_bytes, save_texts=False), reuse=reuse)
    fresh = tmp_path / "fresh"
    full = extract_dataset(paths, fresh, BuildOptions(jobs=1, batch_bytes=batch_bytes, save_texts=False))
    assert resumed.partitioned == full.partitioned == (batch_bytes < BATCH_BYTES)
    assert (resumed.n_documents, resumed.n_claims) == (full.n_documents, full.n_claims)
    assert snapshot(out) == snapshot(fresh)
    documents = load_dataset(out, table="documents")
    assert documents.set_index("doc").loc["noted.txt", "error"].startswith(f"{docs / 'noted.txt'}: 1 byte")


@pytest.mark.slow
def test_every_column_has_one_type_whichever_way_the_table_was_made(docs, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 0
    # A dataset as pandas wrote it before: pandas metadata, large strings, and an error column of Arrow type
    # null when no document failed.
    documents = pd.read_parquet(out / "documents.parquet")
    documents["error"] = pd.Series([None] * len(documents), dtype=object)
    documents.to_parquet(out / "documents.parquet", index=False)
    pd.read_parquet(out / "claims.parquet").to_parquet(out / "claims.parquet", index=False)
    assert pq.read_schema(out / "documents.parquet").field("error").type == pa.null()
    assert run("extract", docs, "--out", out, "--quiet", "--resume").exit_code == 0
    assert run("extract", docs, "--out", fresh, "--quiet").exit_code == 0
    assert snapshot(out) == snapshot(fresh)
    for table, schema in SCHEMAS.items():
        # string, not large_string or null; one pandas metadata, not one describing how the rows came
        assert pq.read_schema(out / f"{table}.parquet").equals(schema, check_metadata=True)
    documents = load_dataset(out, table="documents")
    assert documents["error"].isna().all() and documents["error"].str.len().isna().all()


def test_a_run_starts_by_removing_what_a_killed_run_left(docs, tmp_path):
    out = tmp_path / "out"
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 0
    before = snapshot(out)
    leftovers = [".claims.partial/part-00000.parquet", ".documents.partial/part-00000.parquet", ".claims.old/part-00000.parquet",
                 ".spill/123-abc.arrow", ".resume/claims.csv", ".claims.csv.123-0a1b2c3d.tmp",
                 f"texts/.{'0' * 64}.txt.123-0a1b2c3d.tmp"]
    for name in leftovers:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"half")
    (out / "notes.md").write_text("the analyst's own file", encoding="utf-8")
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 0
    assert snapshot(out) == {**before, "notes.md": "the analyst's own file".encode()}
    assert sorted(p.name for p in out.iterdir()) == ["claims.csv", "claims.parquet", "documents.csv", "documents.parquet",
                                                     "notes.md", "texts"]


def test_a_fresh_out_interrupted_before_its_first_write_is_left_as_it_was(docs, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("extractor.pipeline.extract_document_into", interrupted)
    out = tmp_path / "new" / "out"
    assert run("extract", docs, "--out", out, "--quiet").exit_code == 130
    assert not out.exists()  # no texts/ without a dataset


def test_output_files_follow_the_umask(docs, tmp_path):
    out = tmp_path / "out"
    previous = os.umask(0o027)
    try:
        assert run("extract", docs, "--out", out, "--quiet", "--format", "jsonl").exit_code == 0
    finally:
        os.umask(previous)
    modes = {str(p.relative_to(out)): p.stat().st_mode & 0o777 for p in out.rglob("*")}
    assert modes.pop("texts") == 0o750 and set(modes.values()) == {0o640}, modes
    assert len(modes) == 6 + 5  # claims and documents in three formats, five texts
