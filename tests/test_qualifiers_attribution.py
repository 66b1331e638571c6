"""Attribution across clauses, sentences and sections, on sentences written for the purpose.

A qualifier or a metric read from one cue word is an example on its rule (rules/qualifiers.toml,
rules/metrics.toml)."""

import pandas as pd

from extractor import extract_text


def claims_of(sentence):
    return extract_text(sentence).set_index("text")


def test_enumeration_shares_qualifier_and_pairs_recipients():
    sentence = "对新认定的国家级单项冠军企业、专精特新“小巨人”企业和省级瞪羚企业分别给予最高200万元、100万元和50万元一次性奖励。"
    claims = extract_text(sentence)
    assert list(claims.text) == ["200万元", "100万元", "50万元"]
    assert list(claims.qualifier) == ["at_most"] * 3
    assert list(claims.metric) == ["subsidy"] * 3
    assert list(claims.kind) == ["policy"] * 3
    assert "单项冠军企业" in claims.subject[0]
    assert claims.subject[1] == "专精特新“小巨人”企业"
    assert claims.subject[2] == "省级瞪羚企业"


def test_enterprise_counts_per_tier_and_programme():
    claims = claims_of("全市拥有国家级专精特新“小巨人”企业19家、省级“专精特新”中小企业305家、市级创新型中小企业398家，拥有独角兽企业1家。")
    assert claims.loc["19家", ["subject", "tier", "program", "metric"]].tolist() == ["国家级专精特新“小巨人”企业", "national", "little_giant", "enterprise_count"]
    assert claims.loc["305家", ["tier", "program"]].tolist() == ["provincial", "srdi_sme"]
    assert claims.loc["398家", ["tier", "program"]].tolist() == ["municipal", "innovative_sme"]
    assert claims.loc["1家", ["subject", "program"]].tolist() == ["独角兽企业", "unicorn"]
    assert pd.isna(claims.loc["1家", "tier"])


def test_place_is_not_a_tier():
    claims = claims_of("全省中小企业达到13万家，全市高新技术企业1049家。")
    assert claims["tier"].isna().all()


def test_year_is_carried_forward_within_a_paragraph_only():
    claims = claims_of("截至2025年底，全市专精特新企业达到894家，营收利润率超过平均水平2倍以上。全市新增企业30家。"
                       "近三年累计新增企业90家。\n全市现有规上工业企业1200家。")
    assert claims.loc["894家", "year"] == 2025
    assert claims.loc["2倍", "year"] == 2025
    assert claims.loc["30家", "year"] == 2025  # an earlier sentence of the same paragraph
    assert pd.isna(claims.loc["90家", "year"])  # a period phrase between the year and the figure
    assert pd.isna(claims.loc["1200家", "year"])  # never into the next paragraph


def test_a_heading_year_holds_for_its_section_down_to_the_next_heading_of_its_level():
    text = ("关于支持中小企业发展情况的报告\n一、2023年工作情况\n（一）培育优质企业。\n全市新增专精特新中小企业120家。2022年新增80家。\n"
            "（二）2018年以来的成效\n累计培育创新型中小企业300家。\n二、下一步工作打算\n力争新增专精特新中小企业150家。\n")
    claims = claims_of(text)
    assert claims.loc["120家", "year"] == 2023  # under 一、2023年…, through the sub-heading （一）
    assert claims.loc["80家", "year"] == 2022  # a year of its own sentence comes first
    assert pd.isna(claims.loc["300家", "year"])  # 2018年以来 is a period, not a year
    assert pd.isna(claims.loc["150家", "year"]) and claims.loc["150家", "kind"] == "target"  # 二、 closes 一、


def test_a_bullet_list_takes_its_kind_and_year_from_its_lead_line():
    claims = claims_of("主要目标：到2027年，全市中小企业发展环境持续优化。\n——优质企业不断壮大。累计培育专精特新中小企业800家。\n"
                       "——创新能力明显提升。\n全市现有中小企业12万家。\n2023年主要工作成效如下：\n——培育专精特新中小企业150家。\n")
    assert (claims.loc["800家", "kind"], claims.loc["800家", "year"]) == ("target", 2027)
    assert claims.loc["12万家", "kind"] == "actual" and pd.isna(claims.loc["12万家", "year"])  # after the list
    assert (claims.loc["150家", "kind"], claims.loc["150家", "year"]) == ("actual", 2023)


def test_targets_take_the_end_year_of_the_plan_the_text_names():
    claims = claims_of("市政府印发《中小企业数字化转型行动计划（2024-2026年）》。计划提出，力争新增数字化车间50个。"
                       "2023年全市已建成数字化车间80个。")
    assert (claims.loc["50个", "kind"], claims.loc["50个", "year"]) == ("target", 2026)
    assert claims.loc["80个", "year"] == 2023  # an actual figure keeps its own year
    # A named text that is no plan, or a plan without years, gives no year.
    assert pd.isna(claims_of("会议学习了《关于促进中小企业发展的意见》。力争新增数字化车间50个。").loc["50个", "year"])
    assert pd.isna(claims_of("会议学习了《数字化转型行动计划》。力争新增数字化车间50个。").loc["50个", "year"])


def test_an_amount_before_a_loan_or_quota_takes_it_as_subject_a_count_keeps_its_firms():
    claims = claims_of("人民银行安排额度，包括500亿元专项再贷款、200亿元再贴现额度。支持120家重点企业获得贷款。")
    assert claims.loc["500亿元", "subject"] == "专项再贷款"
    assert claims.loc["200亿元", "subject"] == "再贴现额度"
    assert claims.loc["120家", "subject"] == "获得贷款的重点企业"  # the firms (not the 贷款), with what they do


def test_target_with_year_and_approx():
    claim = claims_of("力争到2025年，全市专精特新中小企业累计达到600家左右。").loc["600家"]
    assert (claim.kind, claim.year, claim.qualifier) == ("target", 2025, "approx")


def test_growth_rate_subject_is_the_quantity_that_grows():
    claims = claims_of("全市制造业中长期贷款余额达到3838.1亿元，同比增长9.5%。")
    assert claims.loc["3838.1亿元", "metric"] == "loan"
    assert claims.loc["9.5%", "metric"] == "growth_rate"
    assert claims.loc["9.5%", "subject"] == claims.loc["3838.1亿元", "subject"] == "制造业中长期贷款余额"


def test_repeated_body_marks_repeats():
    body = "全市拥有高新技术企业1049家。"
    claims = extract_text(body + "\n" + body)
    assert list(claims.is_repeat) == [False, True]


def test_award_recipient_named_in_an_earlier_clause():
    claim = extract_text("对首次认定为国家级专精特新“小巨人”的企业，一次性给予50万元奖励。").iloc[0]
    assert (claim.subject, claim.tier, claim.metric, claim.kind) == ("首次认定为国家级专精特新“小巨人”的企业", "national", "subsidy", "policy")


def test_comparison_is_not_a_bound():
    claims = claims_of("2023年全市规模以上工业增加值同比增长6.8%，高于全省平均水平1.2个百分点。")
    assert claims.loc["1.2个百分点", "qualifier"] == "exact"
    assert claims.loc["6.8%", ["metric", "subject", "year"]].tolist() == ["growth_rate", "规模以上工业增加值", 2023]


def test_a_clause_runs_from_the_last_break_before_the_number_to_the_first_after_it():
    from extractor.attribution import Attributor
    from extractor.ruleset import load_ruleset

    attributor = Attributor(load_ruleset())
    text = "截至年底，全市企业、个体户；其中新增企业19家，同比增长8%。"
    start = text.index("19家")
    # the breaks before it: ， at 4, 、 at 9, ； at 13; after it: ， at 23, 。 at 30
    assert attributor.clause_bounds(text, start, start + 3, 0, len(text)) == (14, 23)
    assert text[14:23] == "其中新增企业19家"
    # no break on either side within the sentence given: the sentence's own bounds
    assert attributor.clause_bounds(text, start, start + 3, 16, 23) == (16, 23)
