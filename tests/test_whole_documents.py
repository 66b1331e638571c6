"""Whole documents written for the purpose, one of each genre the extractor reads (news releases with a
dateline, statistics releases and bulletins, work reports, policy notices and measures, plans, reply
letters, a traditional-character page), with the year, kind and tier of every claim set by hand from
docs/claims.md section 7. `documents/expected.json` lists, per document, the claims in text order as
[text, year, kind, tier]; each must be found, in that order, with those fields. (Which numbers are claims
is the number rules' business: a claim found beyond the list is not this test's concern.)
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from extractor import extract_paths

DOCUMENTS = Path(__file__).resolve().parent / "documents"
EXPECTED = json.loads((DOCUMENTS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def claims():
    return extract_paths(sorted(DOCUMENTS.glob("*.txt")))


def _field(value):
    if pd.isna(value):
        return None
    return value if isinstance(value, str) else int(value)


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_year_kind_and_tier_of_every_claim(claims, doc):
    found = [[text, _field(year), kind, _field(tier)] for text, year, kind, tier in
             claims.loc[claims.doc == doc, ["text", "year", "kind", "tier"]].itertuples(index=False)]
    got, rest = [], iter(found)
    for text, *_ in EXPECTED[doc]:
        got.append(next((row for row in rest if row[0] == text), [text, "not found"]))
    assert got == EXPECTED[doc]
