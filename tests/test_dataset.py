"""The committed dataset in data/ is what the README command builds from seeds/,
byte for byte, and it loads with proper dtypes."""


import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import extract_text, extract_texts, load_dataset
from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, DOCUMENT_COLUMNS, typed_claims
from extractor.ruleset import load_ruleset
from paths import ROOT



@pytest.fixture(scope="module")
def fresh(seeds_dataset):
    """The README's command run now, from the project root."""
    return seeds_dataset


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


def test_the_categories_are_the_rules_and_a_value_of_other_rules_is_kept():
    """The enum columns take their order from the rule files; a metric another rule set declares is no null."""
    typed = typed_claims(pd.DataFrame({"metric": ["loan", "patent_count", None], "kind": ["target", "actual", "policy"]}))
    assert list(typed.metric.cat.categories) == load_ruleset().names("metric") + ["patent_count"]
    assert typed.metric.tolist()[:2] == ["loan", "patent_count"] and pd.isna(typed.metric[2])
    assert list(typed.kind.cat.categories) == ["actual", "target", "policy"]


def test_extract_text_columns():
    claims = extract_text("全市中小企业数量达到13.03万家。", doc="note.txt")
    assert list(claims.columns) == CLAIM_COLUMNS
    row = claims.iloc[0]
    assert (row.doc, row.start, row.end, row.text, row.value) == ("note.txt", 10, 17, "13.03万家", 130300.0)


TEXTS = ["全市中小企业数量达到13.03万家。", "今年新增国家级专精特新“小巨人”企业19家，省级35家。", "没有数字的一句话。",
         "贷款余额3838.1亿元，同比增长9.5%。"]


def test_extract_texts_is_one_table_of_what_extract_text_gives_each():
    together = extract_texts(TEXTS, docs=["a", "b", "c", "d"])
    one_by_one = [extract_text(text, doc=doc) for doc, text in zip("abcd", TEXTS)]
    assert together.to_csv(index=False) == pd.concat(one_by_one).to_csv(index=False)
    assert list(together.doc) == ["a", "b", "b", "d", "d"]
    assert list(together.text) == ["13.03万家", "19家", "35家", "3838.1亿元", "9.5%"]


def test_extract_texts_names_texts_by_key_or_position():
    assert list(extract_texts(dict(zip(["x", "y"], TEXTS[:2]))).doc) == ["x", "y", "y"]
    assert list(extract_texts(TEXTS).doc) == ["0", "1", "1", "3", "3"]
    with pytest.raises(ValueError):
        extract_texts(TEXTS, docs=["a"])
    empty = extract_texts([])
    assert list(empty.columns) == CLAIM_COLUMNS and empty.empty


def test_the_claims_table_types_hold_for_no_rows_and_for_empty_fields():
    types = extract_text(TEXTS[0]).dtypes
    assert str(types["year"]) == "Int64" and types["start"] == "int64" and types["is_repeat"] == bool
    assert types["value_max"] == "float64" and pd.api.types.is_string_dtype(types["subject"])
    nothing = extract_text(TEXTS[2])
    assert list(nothing.columns) == CLAIM_COLUMNS and nothing.empty
    assert [nothing[c].dtype for c in ("start", "value", "year", "is_repeat")] == ["int64", "float64", "Int64", bool]
