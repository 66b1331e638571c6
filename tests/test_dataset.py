"""The committed dataset in data/ is what the README command builds from seeds/,
byte for byte, and it loads with proper dtypes."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import extract_text, load_dataset
from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, DOCUMENT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # the README command runs from the project root
        result = CliRunner().invoke(app, ["extract", "seeds", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", ["claims.csv", "documents.csv"])
def test_committed_dataset_equals_a_fresh_extraction(fresh, name):
    committed = ROOT / "data" / name
    assert committed.exists(), "run the README's first command to build data/"
    assert (fresh / name).read_bytes() == committed.read_bytes(), f"data/{name} is stale: rebuild it with the README command"


def test_extraction_is_deterministic(fresh, tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        CliRunner().invoke(app, ["extract", "seeds", "--out", str(tmp_path), "--quiet"])
    assert (tmp_path / "claims.csv").read_bytes() == (fresh / "claims.csv").read_bytes()


def test_load_dataset_types(fresh):
    claims = load_dataset(fresh)
    assert list(claims.columns) == CLAIM_COLUMNS
    for column in ("qualifier", "metric", "tier", "program", "kind"):
        assert isinstance(claims[column].dtype, pd.CategoricalDtype)
    assert str(claims["year"].dtype) == "Int64"
    assert claims["value"].dtype == "float64"
    assert claims["is_repeat"].dtype == bool
    documents = load_dataset(fresh, table="documents")
    assert list(documents.columns) == DOCUMENT_COLUMNS
    parquet = pd.read_parquet(fresh / "claims.parquet")
    assert len(parquet) == len(claims)


def test_extract_text_columns():
    claims = extract_text("全市中小企业数量达到13.03万家。", doc="note.txt")
    assert list(claims.columns) == CLAIM_COLUMNS
    row = claims.iloc[0]
    assert (row.doc, row.start, row.end, row.text, row.value) == ("note.txt", 10, 17, "13.03万家", 130300.0)
