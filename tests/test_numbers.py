"""Number forms where code, not one rule, decides: exact decimals, line breaks, a hyphen between numbers.

Each number form a rule reads is an example on that rule (rules/claims.toml), checked by
test_rule_examples.py with its value worked out by hand."""

import pytest

from extractor import extract_text


def only_claim(sentence):
    claims = extract_text(sentence)
    assert len(claims) == 1, claims[["text", "value"]].to_dict("records")
    return claims.iloc[0]




def test_values_are_exact_not_float_rounded():
    # 0.1 + 0.2 style errors would show here: 3.3亿 must be exactly 330000000.
    assert only_claim("发放贷款3.3亿元。").value == 330_000_000
    assert only_claim("授信0.07亿元。").value == 7_000_000



@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # A PDF line break inside a list of figures, a figure alone on a line, full-width text.
        ("全年营业收入和利润分别增长18.2%和\n47.5%。", [("18.2%", 18.2, "%"), ("47.5%", 47.5, "%")]),
        ("（三）资金安排\n1.2万元\n2.落实配套资金\n", [("1.2万元", 12_000, "元")]),
        ("规上工业增加值增长５．５％，\n１２．５万户企业受益。", [("５．５％", 5.5, "%"), ("１２．５万户", 125_000, "户")]),
        # A reposted web page: list items whose text starts with a figure's words, not digits.
        ("1. 新增市场主体2.1万户\n2. 减税降费3.9亿元", [("2.1万户", 21_000, "户"), ("3.9亿元", 390_000_000, "元")]),
    ],
)
def test_figures_where_a_pdf_or_a_web_page_breaks_the_line(document, expected):
    claims = extract_text(document)
    assert [(c.text, c.value, c.unit) for c in claims.itertuples()] == expected
    assert all(document[c.start : c.end] == c.text for c in claims.itertuples())


def test_a_hyphen_between_two_numbers_stays_a_range_and_减负_is_no_sign():
    assert (only_claim("每户补助1-2万元。").value, only_claim("每户补助1-2万元。").value_max) == (10_000, 20_000)
    assert only_claim("全年为企业减负3.9亿元。").value == 390_000_000
    assert only_claim("联系电话0531-86061234，补助5万元。").value == 50_000
