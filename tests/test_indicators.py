"""The indicator key: one key for one indicator however it is worded, never one for two.

The words each subject is cut into were worked out by hand from
rules/indicators.toml; the two quarterly releases were written for this test.
"""

import os
from pathlib import Path

import pandas as pd
import pytest

from extractor import diff, extract_paths, extract_text
from extractor.engine import Extractor
from extractor.indicators import Indicator, indicator_rules, resolve_keys
from extractor.normalize import to_simplified
from extractor.rulecheck import indicator_failures

DEV_DOCS = Path(os.environ.get("EXTRACTOR_DEV_DOCS", "/work/shared/dev/docs"))


@pytest.mark.parametrize(
    ("subject", "head", "holder"),
    [
        ("国家级专精特新“小巨人”企业", "小巨人企业", ()),
        ('国家级专精特新"小巨人"企业', "小巨人企业", ()),
        ("国家级 专精特新 ‘小巨人’ 企业", "小巨人企业", ()),
        ("专精特新「小巨人」企业", "小巨人企业", ()),
        ("專精特新“小巨人”企業", "小巨人企业", ()),
        ("新认定市级“专精特新”中小企业", "专精特新企业", ("新增",)),
        ("新培育认定省级“瞪羚”企业", "瞪羚企业", ("新增",)),
        ("累计新增省级及以上各类创新平台总数", "平台", ("创新", "新增", "累计")),
        ("培育国家高新技术企业", "高新技术企业", ()),
        ("中小企业数量", "中小企业", ()),
        ("制造业中长期贷款余额", "贷款余额", ("中长期", "制造业")),
        ("中长期制造业贷款余额", "贷款余额", ("中长期", "制造业")),
        ("小微企业首贷率（首次获得贷款的户数占比）", "首贷率", ("小微",)),
        ("本外币各项贷款余额", "贷款余额", ("本外币",)),
        ("城市更新项目", "项目", ("城市更新",)),  # 市 inside a word is no tier
        ("", "", ()),
    ],
)
def test_subject_words(subject, head, holder):
    assert indicator_rules().subject_words(subject) == (head, holder)


def test_a_key_reads_back_into_its_parts():
    key = indicator_rules().indicator("loan", None, float("nan"), "元", "中长期制造业贷款余额")
    assert key == "loan|||元|贷款余额|中长期+制造业"
    assert Indicator.parse(key) == Indicator("loan", "", "", "元", "贷款余额", ("中长期", "制造业"))
    assert Indicator.parse(key).key == key


def test_the_pairs_beside_the_rules():
    """rules/indicators.toml: `same` pairs share a key, `different` never do, `pairs` differ and still pair."""
    assert indicator_failures(Extractor()) == []


def test_unsaid_parts_are_filled_from_the_other_side_only():
    rules = indicator_rules()
    stock = "enterprise_count|srdi_sme|provincial|家|专精特新企业|"
    flow = "enterprise_count|srdi_sme|provincial|家|专精特新企业|新增"
    national = "enterprise_count|high_tech|national|家|高新技术企业|"
    unnamed = "enterprise_count|high_tech||家|高新技术企业|"
    keys = pd.Series([stock, unnamed, flow, national])
    resolved = resolve_keys(keys, pd.Series([0, 0, 0, 0]), pd.Series(["a", "a", "b", "b"]), pd.Series([False] * 4), rules)
    # the tier is filled; a stock never takes the key of a flow (新增)
    assert resolved.tolist() == [stock, national, flow, national]
    # a document that holds the fuller key itself means another indicator by the shorter one
    resolved = resolve_keys(pd.Series([unnamed, national, national]), pd.Series([0, 0, 0]), pd.Series(["a", "a", "b"]),
                            pd.Series([False] * 3), rules)
    assert resolved.tolist() == [unnamed, national, national]
    # keys of other groups (another document pair, another place) fill nothing
    resolved = resolve_keys(pd.Series([unnamed, national]), pd.Series([0, 1]), pd.Series(["a", "b"]), pd.Series([False] * 2), rules)
    assert resolved.tolist() == [unnamed, national]
    same_side = resolve_keys(pd.Series([unnamed, national]), pd.Series([0, 0]), pd.Series(["a", "a"]),
                             pd.Series([False, False]), rules)
    assert same_side.tolist() == [unnamed, national]


# Two editions of one quarterly release: the second words every indicator
# differently (order, brackets, 新认定/新增, 普惠/普惠型, 各项) and updates every figure.
Q2 = """2024年二季度全市金融运行情况
截至6月末，全市本外币各项贷款余额8532.6亿元，同比增长9.1%。其中，制造业中长期贷款余额612.4亿元，同比增长21.3%；普惠小微贷款余额1203.5亿元，同比增长18.6%；涉农贷款余额980.2亿元。
全市小微企业首贷率（首次获得贷款的户数占比）为16.2%。
上半年，全市新认定市级“专精特新”中小企业86家，累计培育国家级专精特新“小巨人”企业27家。
"""
Q3 = """2024年三季度全市金融运行情况
截至9月末，全市本外币贷款余额8701.3亿元，同比增长8.8%。中长期制造业贷款余额640.9亿元，同比增长22.0%；普惠型小微企业贷款余额1251.7亿元，同比增长17.9%；涉农贷款余额1002.6亿元。
首贷率为17.0%。
前三季度，全市新增市级专精特新中小企业112家，全市累计拥有国家级专精特新“小巨人”企业31家。
"""
QUARTERS = [
    ("8532.6亿元", "8701.3亿元"), ("9.1%", "8.8%"), ("612.4亿元", "640.9亿元"), ("21.3%", "22.0%"),
    ("1203.5亿元", "1251.7亿元"), ("18.6%", "17.9%"), ("980.2亿元", "1002.6亿元"), ("16.2%", "17.0%"),
    ("86家", "112家"), ("27家", "31家"),
]


@pytest.mark.parametrize("with_texts", [False, True], ids=["by key", "with the texts"])
def test_a_reworded_release_pairs_every_figure_as_changed(with_texts):
    old, new = extract_text(Q2, doc="2024q2.txt"), extract_text(Q3, doc="2024q3.txt")
    assert len(old) == len(new) == len(QUARTERS)
    texts = {"old_texts": {"2024q2.txt": Q2}, "new_texts": {"2024q3.txt": Q3}} if with_texts else {}
    rows = diff(old, new, **texts)
    assert set(rows["status"]) == {"changed"}
    assert sorted(zip(rows["old_text"], rows["new_text"])) == sorted(QUARTERS)
    if not with_texts:
        assert set(rows["aligned_by"]) == {"key"}
        loans = rows[rows["old_text"] == "612.4亿元"].iloc[0]
        assert loans.indicator == "loan|||元|贷款余额|中长期+制造业"
        assert loans.change_abs == pytest.approx(28.5e8)
        first = rows[rows["old_text"] == "16.2%"].iloc[0]
        assert (first.indicator, first.old_subject, first.new_subject) == (
            "share|sme||%|首贷率|小微", "小微企业首贷率（首次获得贷款的户数占比）", "首贷率")


def keys_hold_their_parts(claims: pd.DataFrame) -> list[str]:
    """Keys shared by claims of another metric, programme, tier or unit (traditional units read as simplified)."""
    fields = claims.assign(unit=claims["unit"].astype(object).map(lambda u: to_simplified(u) if isinstance(u, str) else u))
    fields = fields[["indicator", "metric", "program", "tier", "unit"]].astype(object).fillna("")
    spread = fields.groupby("indicator")[["metric", "program", "tier", "unit"]].nunique()
    return spread[(spread > 1).any(axis=1)].index.tolist()


def test_one_key_one_metric_programme_tier_and_unit_over_the_samples(seeds_claims):
    claims = seeds_claims
    assert claims["indicator"].notna().all() and len(claims) > 100
    assert keys_hold_their_parts(claims) == []


@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason="the development documents are not on this machine")
def test_one_key_one_metric_programme_tier_and_unit_over_the_development_set():
    claims = extract_paths([DEV_DOCS])
    assert claims["indicator"].notna().all() and len(claims) > 100
    assert keys_hold_their_parts(claims) == []
