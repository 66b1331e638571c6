"""The text a dataset's offsets index: diff and the report find it the same way.

A dataset moved to another place (with its inputs, or alone with its saved
texts) is still aligned by position in diff and highlighted in the report,
and a text is read as its offsets count it (a \\r\\n line end is two
characters). Expected offsets are where the test puts the figure.
"""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import diff
from extractor.cli import app
from extractor.sources import load_side
from extractor.report import write_report
from extractor.texts import dataset_texts, documents_of_claims
from paths import ROOT

WEIHAI_2022 = ROOT / "seeds" / "000_c2029cb520c589b8.txt"


def extract(inputs: str, out: str) -> None:
    result = CliRunner().invoke(app, ["extract", inputs, "--out", out, "--quiet"])
    assert result.exit_code == 0, result.output


def make_versions(project: Path, line_end: str, monkeypatch) -> str:
    """project/v1/a.txt and project/v2/a.txt (305 edited to 306), extracted from inside project: paths recorded as v1/a.txt."""
    text = WEIHAI_2022.read_text(encoding="utf-8").replace("\n", line_end)
    for name, version in (("v1", text), ("v2", text.replace("中小企业305家", "中小企业306家"))):
        (project / name).mkdir(parents=True)
        (project / name / "a.txt").write_bytes(version.encode("utf-8"))
    monkeypatch.chdir(project)
    extract("v1", "data_v1")
    extract("v2", "data_v2")
    return text


@pytest.mark.slow
@pytest.mark.parametrize("moved", ["with its inputs, no saved texts", "alone, with its saved texts"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_moved_dataset_is_aligned_by_text_in_diff_and_highlighted_in_the_report(tmp_path, monkeypatch, moved, line_end):
    text = make_versions(tmp_path / "project", line_end, monkeypatch)
    if moved.startswith("with"):
        for name in ("data_v1", "data_v2"):
            shutil.rmtree(tmp_path / "project" / name / "texts")  # as a dataset written before texts were saved
        shutil.move(tmp_path / "project", tmp_path / "moved")
        place = tmp_path / "moved"  # v1/a.txt now resolves from the dataset's parent only
    else:
        place = tmp_path / "moved"
        place.mkdir()
        for name in ("data_v1", "data_v2"):
            shutil.move(tmp_path / "project" / name, place / name)
        shutil.rmtree(tmp_path / "project")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")

    old, new = load_side(place / "data_v1"), load_side(place / "data_v2")
    assert (old.missing_texts, new.missing_texts) == ({}, {})
    assert old.texts == {"a.txt": text}
    for side in (old, new):  # every claim's text stands at its offsets in the text found
        claims = side.claims
        assert all(side.texts[d][s:e] == t for d, s, e, t in zip(claims["doc"], claims["start"], claims["end"], claims["text"]))
    rows = diff(old.claims, new.claims, old_texts=old.texts, new_texts=new.texts)
    assert set(rows["aligned_by"]) == {"text"}
    start = text.index("中小企业305家") + len("中小企业")
    changed = rows[rows["status"] == "changed"]
    assert changed[["old_text", "new_text", "old_start", "new_start"]].values.tolist() == [["305家", "306家", start, start]]

    summary = write_report(place / "data_v2", tmp_path / "report.html")
    markup = (tmp_path / "report.html").read_text(encoding="utf-8")
    highlighted = {i for ids in re.findall(r'<mark [^>]*data-ids="([^"]*)"', markup) for i in ids.split()}
    assert summary.texts_missing == 0 and highlighted == {f"c{i}" for i in range(summary.claims)}


@pytest.mark.slow
def test_a_text_not_found_says_why_in_diff_as_in_the_report(tmp_path, monkeypatch):
    make_versions(tmp_path / "project", "\n", monkeypatch)
    shutil.rmtree(tmp_path / "project" / "data_v1" / "texts")
    (tmp_path / "project" / "v1" / "a.txt").write_text("改过的文本", encoding="utf-8")
    side = load_side(tmp_path / "project" / "data_v1")
    assert side.texts == {} and list(side.missing_texts) == ["a.txt"]
    assert side.missing_texts["a.txt"].endswith("a.txt has changed since extraction (its sha256 differs).")
    summary = write_report(tmp_path / "project" / "data_v1", tmp_path / "report.html")
    assert summary.texts_missing == 1
    assert side.missing_texts["a.txt"] in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_claims_file_without_documents_finds_its_texts_by_sha256(tmp_path, monkeypatch):
    text = make_versions(tmp_path / "project", "\n", monkeypatch)
    folder = tmp_path / "project" / "data_v1"
    for table in folder.glob("documents.*"):
        table.unlink()
    side = load_side(folder / "claims.parquet")
    assert side.documents is None and side.texts == {"a.txt": text}
    documents = documents_of_claims(side.claims)
    assert documents["path"].isna().all()
    assert {doc: found.source for doc, found in dataset_texts(folder, documents).items()} == {
        "a.txt": str(folder / "texts" / f"{documents['sha256'][0]}.txt")}
