"""A claim beside a non-claim (docs/claims.md section 1) keeps its own fields.

Each non-claim form is an example with no claims on its rule in rules/nonclaims.toml."""

from extractor import extract_text


def test_claim_next_to_a_non_claim_is_kept():
    claims = extract_text("2022年1-5月份，全市1241家规上中小工业企业实现营业收入572亿元。")
    assert list(claims.text) == ["1241家", "572亿元"]
    assert list(claims.year) == [2022, 2022]
