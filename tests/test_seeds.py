"""The sample documents: every span is a slice of its document, and the sample
gold bar of the core issue holds (docs/claims.md section 6 scoring)."""

from pathlib import Path

import pytest

from extractor.evaluate import load_gold, score
from paths import SEEDS



@pytest.fixture(scope="module")
def claims(seeds_claims):
    return seeds_claims


def test_every_span_is_the_text_it_names(claims):
    texts = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    assert len(claims) > 200
    for row in claims.itertuples():
        document = texts[row.doc]
        assert document[row.start : row.end] == row.text
        assert document[row.sentence_start : row.sentence_start + len(row.sentence)] == row.sentence
        assert row.sentence_start <= row.start < row.end <= row.sentence_start + len(row.sentence)
        assert row.line == document.count("\n", 0, row.start) + 1


def test_sample_gold_bar(claims):
    result = score(claims, load_gold(Path(__file__).parent / "gold"))
    fields = result.field_accuracy
    assert result.f1 >= 0.95
    assert fields["value"] >= 0.98
    assert fields["unit"] >= 0.95 and fields["qualifier"] >= 0.95
    assert fields["metric"] >= 0.90
    assert fields["tier"] >= 0.90 and fields["kind"] >= 0.90
    assert fields["year"] >= 0.85
    assert fields["subject"] >= 0.80


def test_rows_are_sorted_by_document_and_offset(claims):
    keys = list(zip(claims.doc, claims.start))
    assert keys == sorted(keys)
