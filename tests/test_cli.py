"""The command line: help, errors, outputs, a poisoned batch, the README."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import __version__
from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, DOCUMENT_COLUMNS
from paths import ROOT

runner = CliRunner()
COMMANDS = ["extract", "eval", "rules", "report", "diff", "series"]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"extractor {__version__}"


def test_every_command_has_help_with_an_example_and_is_in_the_readme_and_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = "\n".join(page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md")))
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout
        assert f"extractor {command}" in readme
        assert f"extractor {command}" in docs, f"extractor {command} is not in docs/"


def documented_columns(page: Path, heading: str) -> list[str]:
    """The names in the first cell of each row of the table under `heading` (`start`, `end` is two)."""
    section = page.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [name for cell in rows for name in re.findall(r"`(\w+)`", cell)]


def test_every_dataset_column_is_documented_once_in_order():
    page = ROOT / "docs" / "dataset.md"
    assert documented_columns(page, "`claims`") == CLAIM_COLUMNS
    assert documented_columns(page, "`documents`") == DOCUMENT_COLUMNS


def test_every_docs_page_is_linked_from_the_readme_and_every_link_resolves():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert pages and all(f"(docs/{name})" in readme for name in pages)
    for source in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+?\.(?:md|png))(?:#[^)]*)?\)", source.read_text(encoding="utf-8")):
            assert (source.parent / target).is_file(), f"{source.name} links to missing {target}"


def test_the_readme_rows_are_rows_of_the_committed_dataset():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## What you get\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    claims = pd.read_csv(ROOT / "data" / "claims.csv", keep_default_na=False, dtype=str).set_index(["doc", "start"])
    assert len(table) > 3
    for line in table[2:]:
        row = dict(zip(header, (cell.strip() for cell in line.strip("|").split("|"))))
        found = claims.loc[(row["doc"], row["start"])]
        for column in header[2:]:
            if column in ("value", "year") and found[column]:
                assert float(row[column]) == float(found[column]), (row["text"], column)
            else:
                assert row[column] == found[column], (row["text"], column)


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_rules_check_passes_on_the_shipped_rules():
    result = run("rules", "--check")
    assert result.exit_code == 0, result.output
    assert "all examples pass" in result.stdout


@pytest.mark.slow
def test_rules_check_fails_a_pattern_that_backtracks_badly_and_warns_on_a_rule_without_examples(tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with open(rules / "claims.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[[rule]]\nid = "claim.user_aa"\ndescription = "A user rule with nested repeats"\npriority = 99\n'
                     "pattern = '(a|aa)+$'\n"
                     '[[rule.example]]\ntext = "企业19家。"\nclaims = [{ text = "19家" }]\n'
                     '\n[[rule]]\nid = "claim.user_bare"\ndescription = "A user rule with no examples"\npriority = 99\n'
                     "pattern = '(?P<num>[0-9]+)(?P<unit>台)'\n")
    result = run("rules", "--check", "--rules", rules)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        "Warning: claims.toml: rule 'claim.user_bare' has no examples (add texts it must and must not match)",
        "Error: claims.toml: rule 'claim.user_aa': pattern takes over 0.5 s on 2,001 characters of 'aaaaaaaaaaaa'… "
        "(it backtracks badly: simplify nested repeats)",
    ]


def test_boolean_flags_show_without_a_value_in_help():
    help_text = run("extract", "--help").stdout
    assert re.search(r"-q, --quiet +No progress bar", help_text)
    assert "<bool>" not in help_text and "BOOLEAN" not in help_text


def test_a_bad_out_is_one_line_and_exit_2(tmp_path):
    existing = tmp_path / "file.csv"
    existing.write_text("a,b\n", encoding="utf-8")
    for out, problem in [(existing, "not a folder (--out names the dataset folder to write)"),
                         (existing / "sub", "cannot write the dataset there: Not a directory")]:
        result = run("extract", ROOT / "seeds", "--out", out)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {out}: {problem}\n"


def test_eval_with_missing_gold_or_prediction_is_one_line(tmp_path):
    result = run("eval", "--gold", tmp_path / "nonexistent", "--docs", ROOT / "seeds")
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'nonexistent'}: no such file or folder\n"
    result = run("eval", "--gold", ROOT / "tests" / "gold", "--pred", tmp_path / "nothing")
    assert result.exit_code == 2 and result.stderr == f"Error: {tmp_path / 'nothing'}: no such file or folder\n"


def test_a_link_loop_named_directly_gets_an_error_row(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    out = tmp_path / "out"
    result = run("extract", loop, ROOT / "seeds" / "000_c2029cb520c589b8.txt", "--out", out, "--quiet")
    assert result.exit_code == 0
    assert result.stderr == f"Error: {loop}: cannot read: Too many levels of symbolic links\n"
    assert list(pd.read_csv(out / "documents.csv").status) == ["error", "ok"]


def test_quiet_hides_the_summary_but_not_the_problems(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("全市拥有高新技术企业1049家。", encoding="utf-8")
    (docs / "b.txt").write_bytes(bytes(range(32)) * 4)
    (docs / "c.txt").write_bytes("累计认定瞪羚企业55家".encode() + b"\xff" + "。".encode())
    loud = run("extract", docs, "--out", tmp_path / "loud")
    quiet = run("extract", docs, "--out", tmp_path / "quiet", "--quiet")
    problems = [f"Error: {docs / 'b.txt'}: binary file, not text",
                f"Warning: {docs / 'c.txt'}: 1 byte that is not text (invalid utf-8 or NUL) replaced by U+FFFD, "
                "the first at byte 29, character 11 of the text"]  # 8 hanzi, 2 digits, 家: 29 bytes, 11 characters
    assert quiet.stderr.splitlines() == problems
    assert loud.stderr.splitlines()[:2] == problems and loud.stderr.splitlines()[2].startswith("3 documents, 2 claims, 1 errors")
    assert run("extract", docs, "--out", tmp_path / "quiet", "--quiet", "--strict").exit_code == 1
