"""Nothing lost or half-written: interrupted runs keep the previous dataset, --resume skips finished documents."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import load_dataset
from extractor.cli import app
from extractor.documents import find_inputs
from extractor.engine import Extractor
from extractor.parallel import extract_dataset
from extractor.pipeline import get_extractor
from extractor.resume import plan_resume

ROOT = Path(__file__).resolve().parent.parent
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
    original = Extractor.extract

    def counting(self, text, doc="text", metadata=None, **options):
        seen.append(doc)
        return original(self, text, doc=doc, metadata=metadata, **options)

    monkeypatch.setattr(Extractor, "extract", counting)
    return seen


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
    for name in ("claims.csv", "documents.csv"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert snapshot(out / "texts") == snapshot(fresh / "texts")  # the changed document's old text is pruned
    assert not (out / ".resume").exists()


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
    plan = plan_resume(find_inputs([docs]), out, get_extractor().ruleset.version)
    assert [p.name for p in plan.todo] == ["broken.txt"] and len(plan.rows) == 5


def test_resume_reads_a_partitioned_dataset(docs, tmp_path, extractions):
    out = tmp_path / "out"
    summary = extract_dataset(find_inputs([docs]), out, jobs=1, batch_bytes=10_000)
    assert summary.partitioned
    extractions.clear()
    assert run("extract", docs, "--out", out, "--quiet", "--resume").exit_code == 0
    assert extractions == []
    assert not (out / "claims").exists()  # merged into single files
    fresh = tmp_path / "fresh"
    assert run("extract", docs, "--out", fresh, "--quiet").exit_code == 0
    assert (out / "claims.csv").read_bytes() == (fresh / "claims.csv").read_bytes()


def test_an_exception_mid_write_leaves_the_previous_dataset(docs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    before = snapshot(out)
    (docs / "005_new.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")

    def interrupted(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt  # Ctrl-C while the table is being written

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    result = run("extract", docs, "--out", out, "--quiet")
    assert result.exit_code == 130  # what a shell reports for Ctrl-C
    monkeypatch.undo()
    after = snapshot(out)
    assert {name: after[name] for name in before} == before
    assert all(name.startswith("texts/") for name in after if name not in before)  # the new text, pruned by the next run
    assert len(load_dataset(out)) == len(pd.read_csv(out / "claims.csv"))


def test_a_run_killed_mid_write_leaves_the_previous_dataset(tmp_path):
    out = tmp_path / "out"
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    before = {name: data for name, data in snapshot(out).items()}
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "new.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")
    # The child writes half of the first table file's temporary file, then is killed (SIGKILL: no clean-up runs).
    child = textwrap.dedent(f"""
        import os, signal, sys
        import pandas as pd
        from extractor.cli import app

        def killed(self, path, *args, **kwargs):
            with open(path, "w") as handle:
                handle.write("PAR1 half a file")
            os.kill(os.getpid(), signal.SIGKILL)

        pd.DataFrame.to_parquet = killed
        app(["extract", {str(docs)!r}, "--out", {str(out)!r}, "--quiet"])
    """)
    process = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=120)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()
    after = snapshot(out)
    leftovers = [name for name in after if name not in before]
    assert leftovers and all(name.startswith("texts/") or Path(name).name.startswith(".") and name.endswith(".tmp") for name in leftovers)
    assert {name: after[name] for name in before} == before
    assert len(load_dataset(out)) == len(pd.read_csv(out / "claims.csv")) > 0
