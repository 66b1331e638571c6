"""Periods: the finest stretch of time a text states for a figure (docs/dataset.md, the `period` column).

Every text here is made up for the test. Each expected period is read off the
text by hand: the year the figure's words give, then what they say below it
(a month, a range of months, a quarter, a half, an as-of day), written
`2023`, `2023-H1`, `2023-Q2`, `2023-06`, `2023-01/2023-05` or `2023-06-30`.
"""

import datetime

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor import diff, extract_text, series
from extractor.cli import app
from extractor.dataset import CLAIM_COLUMNS, typed_claims
from extractor.periods import PeriodShape, period_bounds, period_order, period_text, same_stretch
from extractor.pipeline import extract_claims, get_extractor
from extractor.series import pivot, series_table


def periods(text: str) -> list[tuple[str, int | None, str | None]]:
    """(claim text, year, period) of every claim of `text`."""
    return [(claim.text, claim.year, claim.period) for claim in extract_claims(text, get_extractor())]


# A date line ending in a source name: the body's first line is read on its own.
DATED = "发布日期：{} 来源：市统计局\n"

FORMS = [
    # a year, and nothing finer
    ("2023年，全区新设市场主体1.8万户。", [("1.8万户", 2023, "2023")]),
    ("2023年全年，全县新增规上工业企业31家。", [("31家", 2023, "2023")]),
    # halves
    (DATED.format("2023-07-25") + "上半年，全区限额以上单位消费品零售额增长6.4%。", [("6.4%", 2023, "2023-H1")]),
    ("2022年下半年，全县新增规上工业企业14家。", [("14家", 2022, "2022-H2")]),
    # quarters, and ranges of quarters counted from their first month
    ("2023年二季度，全市新发放创业担保贷款3.2亿元。", [("3.2亿元", 2023, "2023-Q2")]),
    ("2023年前三季度，全省民营企业进出口增长5.2%。", [("5.2%", 2023, "2023-01/2023-09")]),
    ("2023年2-3季度，全市新增制造业贷款84亿元。", [("84亿元", 2023, "2023-04/2023-09")]),
    # months and ranges of months
    ("2023年8月份，全市新登记个体工商户2100户。", [("2100户", 2023, "2023-08")]),
    ("2023年1—8月，全市技术合同成交额增长21%。", [("21%", 2023, "2023-01/2023-08")]),
    (DATED.format("2024-06-12") + "今年前5个月，全市跨境电商出口额达到44亿元。", [("44亿元", 2024, "2024-01/2024-05")]),
    (DATED.format("2024-03-11") + "今年1-2月，全市外贸进出口总额增长4.8%。", [("4.8%", 2024, "2024-01/2024-02")]),
    # as-of dates: a day, a month's end (28 or 29 days in February), a quarter's, a half's and a year's end
    ("截至2023年9月15日，全市已兑付稳岗奖补资金8600万元。", [("8600万元", 2023, "2023-09-15")]),
    ("截至2023年3月底，全县个体工商户达到4.1万户。", [("4.1万户", 2023, "2023-03-31")]),
    ("截至2024年2月末，全市涉农贷款余额510亿元。", [("510亿元", 2024, "2024-02-29")]),
    ("截至2023年2月末，全市涉农贷款余额470亿元。", [("470亿元", 2023, "2023-02-28")]),
    ("截至2023年10月，全区累计认定创新型中小企业240家。", [("240家", 2023, "2023-10-31")]),
    ("2023年三季度末，全市制造业贷款余额1460亿元。", [("1460亿元", 2023, "2023-09-30")]),
    ("2022年上半年末，全区普惠小微贷款余额230亿元。", [("230亿元", 2022, "2022-06-30")]),
    ("截至2022年末，全市累计培育省级“专精特新”企业280家。", [("280家", 2022, "2022-12-31")]),
    (DATED.format("2024-03-11") + "去年年底，全市普惠小微贷款余额1200亿元。", [("1200亿元", 2023, "2023-12-31")]),
    # a month without a year takes the year of the document's date
    (DATED.format("2021-10-20") + "截至9月末，全市小微企业贷款余额1860亿元。", [("1860亿元", 2021, "2021-09-30")]),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[f"{i:02d}" for i in range(len(FORMS))])
def test_each_way_of_writing_a_period(text, expected):
    assert periods(text) == expected


def test_a_period_is_carried_from_earlier_in_its_paragraph_and_made_finer_by_later_months():
    text = (DATED.format("2024-01-20")
            + "2023年，全市新设市场主体5.3万户。四季度，新设1.2万户，12月当月新设4100户；全年注销市场主体1.1万户。\n"
            + "截至2023年12月末，全市普惠小微贷款余额960亿元。其中，信用贷款余额260亿元，占比27.1%。\n"
            + "全市个体工商户21万户。")
    assert periods(text) == [
        ("5.3万户", 2023, "2023"),
        ("1.2万户", 2023, "2023-Q4"),     # 四季度 makes the year finer
        ("4100户", 2023, "2023-12"),      # then 12月
        ("1.1万户", 2023, "2023"),        # 全年: the year's again
        ("960亿元", 2023, "2023-12-31"),
        ("260亿元", 2023, "2023-12-31"),  # carried into the next sentence of the paragraph
        ("27.1%", 2023, "2023-12-31"),
        ("21万户", None, None),           # never past the paragraph: no year, so no period
    ]


def test_a_month_written_after_the_year_names_its_own_period_and_a_policy_figure_keeps_the_year():
    text = ("截至2023年6月末，全市普惠小微贷款余额640亿元；6月份新发放贷款平均利率4.1%。\n"
            "2023年6月，市政府出台政策，对新认定的“小巨人”企业给予最高100万元奖励。")
    assert periods(text) == [
        ("640亿元", 2023, "2023-06-30"),
        ("4.1%", 2023, "2023-06"),
        ("100万元", 2023, "2023"),
    ]


def test_a_period_is_empty_exactly_where_the_year_is():
    text = "截至8月末，全县中小企业贷款余额96亿元。\n二季度，全县新增市场主体1300户。"
    assert periods(text) == [("96亿元", None, None), ("1300户", None, None)]


def test_a_title_and_a_lead_name_the_period_of_a_release():
    titled = "某区2023年1-5月经济运行情况\n" + DATED.format("2023-06-20") + "全区规上工业增加值增长5.6%。"
    assert periods(titled) == [("5.6%", 2023, "2023-01/2023-05")]
    led = DATED.format("2023-07-19") + "记者从市统计局获悉，2023年上半年，全市地区生产总值增长5.9%。"
    assert periods(led) == [("5.9%", 2023, "2023-H1")]


# -- tables -----------------------------------------------------------------------


def test_a_table_cell_takes_its_column_header_s_period():
    text = ("2023年1-6月全区规模以上工业企业主要指标\n"
            "单位：万元\n"
            "指标\t2023年1-6月\t上年同期\t同比增长(%)\n"
            "营业收入\t86,420\t80,150\t7.8\n"
            "利润总额\t5,310\t5,020\t5.8\n")
    claims = extract_claims(text, get_extractor())
    assert [(c.text, c.year, c.period) for c in claims] == [
        ("86,420", 2023, "2023-01/2023-06"), ("80,150", 2022, "2022-01/2022-06"), ("7.8", 2023, "2023-01/2023-06"),
        ("5,310", 2023, "2023-01/2023-06"), ("5,020", 2022, "2022-01/2022-06"), ("5.8", 2023, "2023-01/2023-06"),
    ]
    assert {c.rule for c in claims} == {"table.cell"}


def test_a_table_of_balances_at_a_month_s_end_and_at_the_end_of_the_year_before():
    text = ("单位：亿元\n"
            "项目\t2023年9月末\t上年末\n"
            "普惠小微贷款余额\t512.4\t448.9\n")
    assert periods(text) == [("512.4", 2023, "2023-09-30"), ("448.9", 2022, "2022-12-31")]


# -- reading periods back ---------------------------------------------------------


def test_period_text_writes_a_shape_in_its_year():
    assert period_text(2024, PeriodShape("end", 2)) == "2024-02-29"
    assert period_text(2023, PeriodShape("date", 2, 29)) == "2023-02"  # a day the year does not have: its month
    assert period_text(2023, PeriodShape("months", 4, 9)) == "2023-04/2023-09"
    assert period_text(2023, None) == "2023" and period_text(None, PeriodShape("quarter", 2)) is None


def test_period_bounds_and_one_name_for_one_stretch_of_time():
    day = datetime.date
    assert period_bounds("2023-Q2") == (day(2023, 4, 1), day(2023, 6, 30))
    assert period_bounds("2023-H2") == (day(2023, 7, 1), day(2023, 12, 31))
    assert period_bounds("2023-06-30") == (day(2023, 6, 30), day(2023, 6, 30))
    assert period_bounds("2023-01/2023-05") == (day(2023, 1, 1), day(2023, 5, 31))
    assert period_bounds("2023") == (day(2023, 1, 1), day(2023, 12, 31))
    assert period_bounds("2023-13") is None and period_bounds("soon") is None
    assert [same_stretch(p) for p in ("2023-01/2023-03", "2023-01/2023-06", "2023-01/2023-12", "2023-05/2023-05",
                                      "2023-01/2023-05", "2023-06-30", "2023-Q1")] == [
        "2023-Q1", "2023-H1", "2023", "2023-05", "2023-01/2023-05", "2023-06-30", "2023-Q1"]


def test_periods_run_in_time_order_by_the_day_they_end_then_the_day_they_start():
    written = ["2023", "2023-12-31", "2023-06-30", "2023-Q2", "2023-H1", "2023-06", "2023-01/2023-09", "2022", "2023-Q1"]
    assert sorted(written, key=period_order) == [
        "2022", "2023-Q1", "2023-H1", "2023-Q2", "2023-06", "2023-06-30", "2023-01/2023-09", "2023", "2023-12-31"]


# -- series and diff --------------------------------------------------------------

# Two quarterly releases of one city's small-business lending, written as such
# releases are: the quarter's new loans and the balance at the quarter's end.
FIRST_QUARTER = (DATED.format("2023-04-21")
                 + "一季度，全市新增普惠小微贷款38亿元。3月末，全市普惠小微贷款余额512亿元。")
SECOND_QUARTER = (DATED.format("2023-07-20")
                  + "二季度末，全市普惠小微贷款余额547亿元。上半年，全市新增普惠小微贷款73亿元；"
                  + "其中，1-3月，全市新增普惠小微贷款39亿元。")
# The indicator keys (docs/dataset.md): metric|program|tier|unit|head|holder, the holder's words in character order.
NEW_LOANS = "loan|||元|贷款|小微+新增+普惠"
BALANCE = "loan|||元|贷款余额|小微+普惠"


@pytest.fixture(scope="module")
def releases():
    return extract_text(FIRST_QUARTER, doc="q1.txt"), extract_text(SECOND_QUARTER, doc="q2.txt")


def test_the_releases_read_as_written(releases):
    q1, q2 = releases
    assert q1[["text", "period", "indicator"]].values.tolist() == [
        ["38亿元", "2023-Q1", NEW_LOANS], ["512亿元", "2023-03-31", BALANCE]]
    assert q2[["text", "period", "indicator"]].values.tolist() == [
        ["547亿元", "2023-06-30", BALANCE], ["73亿元", "2023-H1", NEW_LOANS], ["39亿元", "2023-01/2023-03", NEW_LOANS]]


def test_a_series_by_period_lays_each_indicator_over_periods_in_time_order(releases):
    long = series(pd.concat(releases, ignore_index=True))
    wide = pivot(long, by="period")
    # 一季度 and 1-3月 are one column; the columns run by the day a period ends
    assert list(wide.columns[-4:]) == ["2023-Q1", "2023-03-31", "2023-H1", "2023-06-30"]
    rows = {row["indicator"]: row for row in wide.to_dict("records")}
    assert [rows[NEW_LOANS][c] for c in ("2023-Q1", "2023-H1")] == [39_0000_0000, 73_0000_0000]  # the value stated last
    assert [rows[BALANCE][c] for c in ("2023-03-31", "2023-06-30")] == [512_0000_0000, 547_0000_0000]
    assert pd.isna(rows[BALANCE]["2023-Q1"]) and pd.isna(rows[NEW_LOANS]["2023-06-30"])
    table = series_table(long, by="period")
    assert [column.header for column in table.columns][-4:] == ["2023-Q1", "2023-03-31", "2023-H1", "2023-06-30"]
    # the terminal lists every value of a cell in document order; rows: new loans, then the balance
    assert [str(cell) for cell in table.columns[-4].cells] == ["38亿元 / 39亿元", ""]
    assert [str(cell) for cell in table.columns[-1].cells] == ["", "547亿元"]


def test_a_series_by_year_still_has_one_column_per_year(releases):
    wide = pivot(series(pd.concat(releases, ignore_index=True)))
    assert list(wide.columns[-1:]) == ["2023"]


def test_diff_pairs_figures_of_one_indicator_by_the_stretch_of_time_they_name(releases):
    q1, q2 = releases
    rows = diff(q1, q2.assign(doc="q1.txt"))
    assert {(r.old_text, r.new_text, r.status, r.changed_fields) for r in rows.itertuples()} == {
        ("38亿元", "39亿元", "changed", "value"),           # 一季度 and 1-3月: one stretch, no change of period
        ("512亿元", "547亿元", "changed", "value,period"),  # one quarter's closing balance against the next
        (None, "73亿元", "added", None),                    # the half year: new in the second release
    }


def test_in_order_alone_the_first_quarter_would_pair_with_the_half_year(releases):
    """Without periods the n-th new-loans figure pairs with the n-th: 38 (一季度) with 73 (上半年)."""
    q1, q2 = releases
    rows = diff(q1.assign(period=None), q2.assign(doc="q1.txt", period=None))
    new_loans = rows[rows["indicator"] == NEW_LOANS]
    assert set(zip(new_loans["old_text"], new_loans["new_text"])) == {("38亿元", "73亿元"), (None, "39亿元")}


def test_series_command_by_period(tmp_path, releases):
    q1, q2 = releases
    (tmp_path / "q1.txt").write_text(FIRST_QUARTER, encoding="utf-8")
    (tmp_path / "q2.txt").write_text(SECOND_QUARTER, encoding="utf-8")
    out = tmp_path / "series.csv"
    result = CliRunner().invoke(app, ["series", str(tmp_path / "q1.txt"), str(tmp_path / "q2.txt"),
                                      "--by", "period", "--out", str(out)])
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out, dtype={"indicator": str})
    assert list(wide.columns[-4:]) == ["2023-Q1", "2023-03-31", "2023-H1", "2023-06-30"]
    balance = wide[wide["indicator"] == BALANCE].iloc[0]
    assert (balance["2023-03-31"], balance["2023-06-30"]) == (512_0000_0000, 547_0000_0000)


def test_the_period_column_is_a_nullable_string_after_year():
    assert CLAIM_COLUMNS.index("period") == CLAIM_COLUMNS.index("year") + 1
    claims = typed_claims(extract_text("截至8月末，全县贷款余额96亿元。2023年，全县新增企业120家。"))
    assert str(claims["period"].dtype) == "string"
    assert claims["period"].isna().tolist() == [True, False]
