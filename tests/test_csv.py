"""claims.csv and documents.csv carry a UTF-8 byte-order mark (Excel on Windows
reads the Chinese text right), and every reader takes them unchanged: pandas,
DuckDB, load_dataset, and the commands that read a dataset (eval, diff, series,
report, extract --resume)."""

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import load_dataset
from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, DOCUMENT_COLUMNS, write_table
from paths import ROOT

BOM = b"\xef\xbb\xbf"
TABLES = {"claims": CLAIM_COLUMNS, "documents": DOCUMENT_COLUMNS}
# Columns no row leaves empty, so a plain reader's NaN and Parquet's None never differ in them.
FILLED = {
    "claims": ["doc", "start", "end", "text", "value", "unit", "qualifier", "metric", "kind", "sentence", "line", "rule"],
    "documents": ["doc", "path", "sha256", "format", "chars", "title", "n_claims", "status", "rules_version"],
}


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def dataset(seeds_dataset) -> Path:
    return seeds_dataset


@pytest.fixture(scope="module")
def csv_only(dataset, tmp_path_factory) -> Path:
    """The same dataset without its Parquet files, so every reader has to take the CSVs."""
    folder = tmp_path_factory.mktemp("csv-only") / "data"
    shutil.copytree(dataset, folder, ignore=shutil.ignore_patterns("*.parquet"))
    assert not list(folder.glob("*.parquet"))
    return folder


@pytest.mark.parametrize("table", TABLES)
def test_the_csv_starts_with_one_byte_order_mark_then_utf8(dataset, table):
    data = (dataset / f"{table}.csv").read_bytes()
    assert data.startswith(BOM) and not data[3:].startswith(BOM)
    text = data[3:].decode("utf-8")
    assert text.split("\n", 1)[0] == ",".join(TABLES[table])
    assert re.search(r"[\u4e00-\u9fff]", text)  # the Chinese text is there as UTF-8


@pytest.mark.parametrize("table", TABLES)
def test_pandas_reads_the_csv_unchanged(dataset, table):
    frame = pd.read_csv(dataset / f"{table}.csv")
    assert list(frame.columns) == TABLES[table]  # no "\ufeffdoc"
    expected = pd.read_parquet(dataset / f"{table}.parquet")
    assert len(frame) == len(expected) > 0
    pd.testing.assert_frame_equal(frame[FILLED[table]], expected[FILLED[table]], check_dtype=False)


@pytest.mark.parametrize("table", TABLES)
def test_duckdb_reads_the_csv_unchanged(dataset, table):
    path = str(dataset / f"{table}.csv")
    frame = duckdb.sql(f"select * from read_csv('{path}')").df()
    assert list(frame.columns) == TABLES[table]
    expected = pd.read_parquet(dataset / f"{table}.parquet")
    assert frame["doc"].tolist() == expected["doc"].tolist()
    column = "text" if table == "claims" else "title"
    assert frame[column].tolist() == expected[column].tolist()
    if table == "claims":
        enterprises = duckdb.sql(f"select count(*) from '{path}' where subject like '%企业%'").fetchall()[0][0]
        assert enterprises == expected["subject"].str.contains("企业", na=False).sum() > 0


@pytest.mark.parametrize("table", TABLES)
def test_load_dataset_reads_the_csv_as_it_reads_the_parquet(dataset, csv_only, table):
    from_csv = load_dataset(csv_only, table=table)
    assert list(from_csv.columns) == TABLES[table]
    pd.testing.assert_frame_equal(from_csv[FILLED[table]], load_dataset(dataset, table=table)[FILLED[table]], check_dtype=False)
    assert load_dataset(csv_only / f"{table}.csv", table=table).equals(from_csv)


def test_a_csv_read_and_written_again_is_the_same_bytes(csv_only, tmp_path):
    for table in TABLES:
        write_table(load_dataset(csv_only, table=table), tmp_path, table, ["csv"])
        assert (tmp_path / f"{table}.csv").read_bytes() == (csv_only / f"{table}.csv").read_bytes(), table


@pytest.mark.slow
def test_eval_scores_the_csv_as_the_parquet(dataset, csv_only):
    from_csv = run("eval", "--pred", csv_only, "--gold", ROOT / "tests" / "gold")
    from_parquet = run("eval", "--pred", dataset, "--gold", ROOT / "tests" / "gold")
    assert from_csv.exit_code == from_parquet.exit_code == 0
    assert from_csv.stdout == from_parquet.stdout and "f1=" in from_csv.stdout


@pytest.mark.slow
def test_diff_of_the_csv_against_the_parquet_changes_nothing(dataset, csv_only):
    claims = load_dataset(dataset)
    result = run("diff", dataset, csv_only, "--only", "unchanged")
    assert result.exit_code == 0, result.output
    kept = int((~claims["is_repeat"]).sum())
    assert result.stderr.strip().splitlines()[-1] == f"0 changed, 0 added, 0 removed, {kept} unchanged"


def test_series_reads_the_csv(dataset, csv_only, tmp_path):
    for folder, name in ((csv_only, "csv.csv"), (dataset, "parquet.csv")):
        assert run("series", folder, "--subject", "高新技术企业", "--out", tmp_path / name).exit_code == 0
    assert (tmp_path / "csv.csv").read_bytes() == (tmp_path / "parquet.csv").read_bytes()
    assert len(pd.read_csv(tmp_path / "csv.csv")) > 0


@pytest.mark.slow
def test_report_reads_the_csv(dataset, csv_only, tmp_path):
    from_csv = run("report", csv_only, "--out", tmp_path / "csv.html")
    from_parquet = run("report", dataset, "--out", tmp_path / "parquet.html")
    assert from_csv.exit_code == from_parquet.exit_code == 0, from_csv.output
    claims = len(load_dataset(dataset))
    assert f"5 documents, {claims} claims, 0 texts not found" in from_csv.stderr
    assert from_csv.stderr.split(" -> ")[0] == from_parquet.stderr.split(" -> ")[0]


def test_resume_over_a_dataset_with_marked_csvs_writes_the_same_bytes(dataset, tmp_path, monkeypatch):
    out = tmp_path / "data"
    shutil.copytree(dataset, out)
    monkeypatch.chdir(ROOT)  # the inputs named as the dataset was made (seeds/…, from the project root)
    result = run("extract", "seeds", "--out", out, "--quiet", "--resume")
    assert result.exit_code == 0, result.output
    for table in TABLES:  # resume reuses every document from the Parquet files and writes one mark, not two
        assert (out / f"{table}.csv").read_bytes() == (dataset / f"{table}.csv").read_bytes(), table
