"""Number forms from running text, each checked against a value worked out by hand."""

import pytest

from extractor import extract_text


def only_claim(sentence):
    claims = extract_text(sentence)
    assert len(claims) == 1, claims[["text", "value"]].to_dict("records")
    return claims.iloc[0]


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit"),
    [
        ("全市制造业中长期贷款余额达到3838.1亿元。", "3838.1亿元", 383_810_000_000, "元"),
        ("累计认定创新平台 516 家。", "516 家", 516, "家"),
        ("贷款余额达到3838.1 亿元。", "3838.1 亿元", 383_810_000_000, "元"),
        ("中小企业数量达到13.03万家。", "13.03万家", 130_300, "家"),
        ("新增贷款１２３４万元。", "１２３４万元", 12_340_000, "元"),
        ("累计投放1,234.5万元。", "1,234.5万元", 12_345_000, "元"),
        ("普惠小微贷款余额8.9万亿元。", "8.9万亿元", 8_900_000_000_000, "元"),
        ("发放贷款16.4亿元。", "16.4亿元", 1_640_000_000, "元"),
        ("设立专项资金一千二百万元。", "一千二百万元", 12_000_000, "元"),
        ("總經費三十六．八億元。", "三十六．八億元", 3_680_000_000, "元"),
        ("惠及市場主體109.4萬戶。", "109.4萬戶", 1_094_000, "戶"),
        ("已开展两批创新型中小企业推荐。", "两批", 2, "批"),
        ("累计推荐三批次企业。", "三批次", 3, "批次"),
        ("拨付技改专项资金8亿余元。", "8亿余元", 800_000_000, "元"),
        ("安排资金8000多万元。", "8000多万元", 80_000_000, "元"),
        ("小微企业减税占比达到百分之十五。", "百分之十五", 15, "%"),
        ("超三成企业受益。", "三成", 30, "%"),
        ("同比增长9.5%。", "9.5%", 9.5, "%"),
        ("增速高出3.5个百分点。", "3.5个百分点", 3.5, "百分点"),
        ("超过平均水平2倍以上。", "2倍", 2, "倍"),
        ("估值十亿美元以上。", "十亿美元", 1_000_000_000, "美元"),
        ("共有企业兩萬家。", "兩萬家", 20_000, "家"),
    ],
)
def test_number_forms(sentence, text, value, unit):
    claim = only_claim(sentence)
    assert (claim.text, claim.value, claim.unit) == (text, value, unit)
    assert sentence[claim.start : claim.end] == text


@pytest.mark.parametrize(
    ("sentence", "text", "value", "value_max", "unit"),
    [
        ("打造1-2条标志性优势产业链。", "1-2条", 1, 2, "条"),
        ("每户补助3至5万元。", "3至5万元", 30_000, 50_000, "元"),
        ("给予50万至80万元奖励。", "50万至80万元", 500_000, 800_000, "元"),
        ("费率为10%–20%。", "10%–20%", 10, 20, "%"),
        ("所得额200—500万元部分。", "200—500万元", 2_000_000, 5_000_000, "元"),
        ("每家企业5~10个项目。", "5~10个", 5, 10, "个"),
        ("补贴比例为80到90%。", "80到90%", 80, 90, "%"),
    ],
)
def test_ranges(sentence, text, value, value_max, unit):
    claim = only_claim(sentence)
    assert (claim.text, claim.value, claim.value_max, claim.unit, claim.qualifier) == (text, value, value_max, unit, "range")


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


@pytest.mark.parametrize(
    ("sentence", "text", "value"),
    [
        ("规上工业利润同比-22.2%。", "-22.2%", -22.2),
        ("出口增速为－1.5%。", "－1.5%", -1.5),
        ("出口增速为−1.5%。", "−1.5%", -1.5),
        ("全省规上工业增加值负3.9%。", "负3.9%", -3.9),
        ("增速较上年回落-0.5个百分点。", "-0.5个百分点", -0.5),
        ("工业增加值下降5%。", "5%", 5),  # a fall said in words keeps the number as written
    ],
)
def test_a_sign_before_a_number_makes_it_negative(sentence, text, value):
    claim = only_claim(sentence)
    assert (claim.text, claim.value) == (text, value)
    assert sentence[claim.start : claim.end] == text


def test_a_hyphen_between_two_numbers_stays_a_range_and_减负_is_no_sign():
    assert (only_claim("每户补助1-2万元。").value, only_claim("每户补助1-2万元。").value_max) == (10_000, 20_000)
    assert only_claim("全年为企业减负3.9亿元。").value == 390_000_000
    assert only_claim("联系电话0531-86061234，补助5万元。").value == 50_000
