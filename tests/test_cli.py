"""The command line: help, errors, outputs, a poisoned batch, the README."""

import re
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from extractor import __version__
from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
COMMANDS = ["extract", "eval", "rules", "report", "diff", "series"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"extractor {__version__}"


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout
        assert f"extractor {command}" in readme


def test_extract_writes_both_tables(tmp_path):
    out = tmp_path / "out"
    result = run("extract", ROOT / "seeds", "--out", out, "--format", "jsonl", "--quiet")
    assert result.exit_code == 0, result.output
    for name in ("claims", "documents"):
        for suffix in ("parquet", "csv", "jsonl"):
            assert (out / f"{name}.{suffix}").exists()
    documents = pd.read_csv(out / "documents.csv")
    assert sorted(documents.doc) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert (documents.status == "ok").all()
    assert not list(out.glob("*.tmp"))


def test_one_poisoned_file_does_not_cost_the_batch(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a_good.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")
    (docs / "b_binary.txt").write_bytes(b"\x00\x01\x02binary")
    (docs / "c_garbled.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)  # no encoding reads this as text
    (docs / "d_empty.txt").write_text("", encoding="utf-8")
    (docs / "e_good.txt").write_text("累计认定瞪羚企业55家。", encoding="utf-8")
    out = tmp_path / "out"
    result = run("extract", docs, "--out", out)
    assert result.exit_code == 0, result.output
    assert "b_binary.txt" in result.stderr and "c_garbled.txt" in result.stderr
    claims = pd.read_csv(out / "claims.csv")
    assert list(claims.text) == ["1049家", "55家"]
    documents = pd.read_csv(out / "documents.csv").set_index("doc")
    assert documents.status.to_dict() == {
        "a_good.txt": "ok", "b_binary.txt": "error", "c_garbled.txt": "error", "d_empty.txt": "empty", "e_good.txt": "ok",
    }
    assert documents.loc["c_garbled.txt", "error"].count("\n") == 0
    assert run("extract", docs, "--out", out, "--strict", "--quiet").exit_code == 1


def test_usage_errors_are_one_line_and_exit_2(tmp_path):
    result = run("extract", tmp_path / "missing", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert re.fullmatch(r"Error: .*missing: no such file or folder\n", result.stderr)
    result = run("eval", "--gold", ROOT / "tests" / "gold")
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")


def test_extract_without_inputs_reads_seeds_of_the_current_folder(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = run("extract", "--quiet")
    assert result.exit_code == 0, result.output
    for name in ("claims.csv", "documents.csv"):  # the committed dataset, whatever folder it is built in
        assert (tmp_path / "data" / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name


def test_extract_without_inputs_or_seeds_says_what_to_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("extract")
    assert result.exit_code == 2
    assert result.stderr == f"Error: no documents named and no seeds/ folder in {tmp_path}: name the files or folders to read, e.g. extractor extract DOCS/ --out data\n"
    assert not (tmp_path / "data").exists()


def test_eval_scores_an_existing_dataset(tmp_path):
    out = tmp_path / "out"
    assert run("extract", ROOT / "seeds", "--out", out, "--quiet").exit_code == 0
    result = run("eval", "--pred", out, "--gold", ROOT / "tests" / "gold")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-3].startswith("claims: gold=")
    f1 = float(re.search(r"f1=([\d.]+)", lines[-2]).group(1))
    assert f1 >= 0.95


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    assert "claim.count" in result.stdout and "nonclaim.date" in result.stdout


def test_rules_check_passes_on_the_shipped_rules():
    result = run("rules", "--check")
    assert result.exit_code == 0, result.output
    assert "all examples pass" in result.stdout
