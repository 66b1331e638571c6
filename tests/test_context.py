"""What a document gives every claim before any claim is read (extractor/context.py), on texts written for the purpose."""

import datetime

import pytest

from extractor.context import DocumentReader
from extractor.ruleset import load_ruleset

RULESET = load_ruleset()
READER = DocumentReader(RULESET)


def read(text, **metadata):
    return READER.read(text, {"title": None, "date": None, **metadata})


def roles(text, **metadata):
    return [(text[m.start : m.end], m.role, m.year) for m in read(text, **metadata).mentions]


def test_time_words_and_their_roles():
    text = "2023年，全市新增企业1.2万户，比2022年增长8%，与2020年相比翻了一番；近三年累计新增3万户。目前，去年，明年。"
    assert roles(text, date="2024-03-01") == [
        ("2023年", "stated", 2023), ("比2022年", "comparison", 2022), ("与2020年相比", "comparison", 2020),
        ("近三年", "period", None), ("目前", "relative", 2024), ("去年", "relative", 2023), ("明年", "relative", 2025)]


def test_a_range_stands_for_its_end_year_and_chinese_numerals_read():
    assert roles("2023—2025年，二〇二五至二〇二八年度。") == [("2023—2025年", "stated", 2025), ("二〇二五至二〇二八年度", "stated", 2028)]


def test_relative_years_need_the_document_date():
    assert roles("今年，去年。") == [("今年", "relative", None), ("去年", "relative", None)]


def test_the_year_after_a_stated_one():
    assert roles("企业2019年成立，次年营收过亿。")[-1] == ("次年", "following", 2020)


def test_months_and_quarters_carry_the_last_month_they_cover():
    document = read("截至9月末，1-7月，一季度，上半年，前4个月。", date="2023-10-20")
    assert [(m.role, m.end_month) for m in document.mentions] == [
        ("month", 9), ("month", 7), ("month", 3), ("month", 6), ("month", 4)]
    assert document.date_year_for_month(9) == 2023
    assert document.date_year_for_month(12) == 2022  # a month still to come in the date's year: the year before


def test_a_month_inside_a_date_is_part_of_its_year():
    assert roles("截至2023年6月末，全市。") == [("2023年6月末", "stated", 2023)]


def test_paragraphs_join_a_line_broken_mid_sentence():
    line = "全市规模以上工业企业实现营业收入三千亿元，同比增长百分之六，其中高技术制造业增长较快，拉动"
    text = f"一、基本情况\n{line}\n\n全市工业增长。\n（一）下一步\n"
    document = read(text)
    starts = [text[s : s + 4] for s in document.paragraph_starts]
    assert starts == ["一、基本", "全市规模", "（一）下"]
    assert document.paragraph_at(text.index("全市工业"))[0] == text.index("全市规模")


def test_headings_give_their_section_a_year_and_a_kind():
    text = "一、2023年工作情况\n（一）企业培育\n正文。\n二、下一步工作打算\n正文。\n"
    document = read(text)
    first, second = document.section_at(text.index("正文")), document.section_at(text.rindex("正文"))
    assert (first.kind, first.states_year, first.year) == ("actual", True, 2023)
    assert (second.kind, second.states_year, second.year) == ("target", False, None)


def test_a_list_takes_its_lead_and_gives_the_section_back():
    text = "二、申报条件\n申报企业须同时满足以下条件：\n1.成立满2年；\n2.营收达到2000万元。\n三、其他\n正文。\n"
    document = read(text)
    assert document.section_at(text.index("2.营收")).kind == "policy"
    assert document.section_at(text.index("正文")).kind is None  # 三、 is an outer number: the list has ended


def test_a_lead_line_holds_until_the_next_one():
    text = "会议总结了2024年工作。\n全市增长8%。\n会议部署了2025年重点工作。\n全市增长7%。\n"
    document = read(text)
    assert (document.section_at(text.index("全市增长8")).kind, document.section_at(text.index("全市增长8")).year) == ("actual", 2024)
    assert (document.section_at(text.index("全市增长7")).kind, document.section_at(text.index("全市增长7")).year) == ("target", 2025)


@pytest.mark.parametrize(("title", "body", "period"), [
    ("2023年全市工业经济运行情况", "全市工业增长6%。", 2023),
    ("2024年某市政府工作报告", "过去一年，全市增长5%。", 2023),  # a work report looks back
    ("关于下达2024年专项资金的通知", "全市下达资金1亿元。", None),  # a notice is no report
    (None, "市统计局发布2017年四季度工业经济运行情况。数据显示，四季度末，…", 2017),
    (None, "记者从区统计局获悉，2022年，全区规上工业营业收入增长9%。", 2022),
    (None, "2021年，全市新增企业300家。", None),  # a year in the lead is no report named
])
def test_the_report_period_from_the_title_or_the_lead_sentence(title, body, period):
    text = (title + "\n" if title else "") + body
    assert read(text, title=title).report_period == period


def test_the_current_year_is_the_date_else_the_last_year_stated_not_a_goal():
    assert read("2021年，…；到2025年，…", date="2022-05-01").current_year == 2022
    assert read("2021年，全市…；2022年，…；到2025年，…").current_year == 2022


def test_named_plans_give_their_end_year_after_them():
    text = "印发《中小企业数字化转型行动计划（2024-2026年）》。力争新增车间50个。"
    document = read(text)
    assert document.last_plan_year(text.index("力争")) == 2026
    assert document.last_plan_year(0) is None


def test_headlines_are_the_title_and_short_lines_without_sentence_marks():
    text = "全市专精特新企业突破千家\n2023-08-16 10:42\n培育5万人才 创造30亿元产值\n本报讯 近日，全市新认定企业120家。\n"
    document = read(text, title="全市专精特新企业突破千家")
    assert document.is_headline(0) and document.is_headline(text.index("培育"))
    assert not document.is_headline(text.index("本报讯"))


def test_the_date_is_kept_as_a_date():
    assert read("正文。", date="2023-06-29").date == datetime.date(2023, 6, 29)
    assert read("正文。", date="2023-02-30").date is None


def test_a_heading_that_names_a_topic_says_nothing_of_its_figures_kind():
    text = "一、关于完善扶持政策的建议\n正文。\n二、支持政策\n正文。\n"
    document = read(text)
    assert document.section_at(text.index("正文")).kind is None
    assert document.section_at(text.rindex("正文")).kind is None  # 支持政策 is no policy heading word; 扶持政策 is
    assert READER.heading_kind("三、扶持政策") == "policy"
