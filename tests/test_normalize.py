"""Normalisation happens on a copy: claims are read from it, spans point at the original text.

Every expected value here is worked out by hand from the sentence written in
the test; each sentence is one the rules misread or miss without
normalisation (checked against `Extractor.extract` on the raw text).
"""

from decimal import Decimal

import pandas as pd
import pytest

from hypothesis import given
from hypothesis import strategies as st

from extractor.normalize import Normaliser
from extractor.pipeline import extract_claims, extract_text, get_extractor


def claims(text):
    return [(c.text, c.value, c.unit) for c in extract_claims(text, get_extractor())]


def raw_claims(text):
    return [(c.text, c.value, c.unit) for c in get_extractor().extract(text)]


def assert_spans_index(text, frame):
    for row in frame.itertuples():
        assert text[row.start:row.end] == row.text
        assert text[row.sentence_start:row.sentence_start + len(row.sentence)] == row.sentence
        assert row.line == text.count("\n", 0, row.start) + 1


def test_full_width_digits_and_thousands_separators_are_read_and_spans_keep_them():
    text = "全市拥有企业１，２３４家，同比增长１２．５％。"
    assert raw_claims(text)[0][:2] == ("２３４家", Decimal(234))  # the rules alone lose the thousands
    assert claims(text) == [("１，２３４家", Decimal(1234), "家"), ("１２．５％", Decimal("12.5"), "%")]
    assert_spans_index(text, extract_text(text))


def test_spaces_inside_numbers_are_read_through():
    text = "贷款余额达1 234.5亿元，新增企业2 000 000户，利率12 .5%。"
    assert claims(text) == [
        ("1 234.5亿元", Decimal("123450000000"), "元"),
        ("2 000 000户", Decimal(2000000), "户"),
        ("12 .5%", Decimal("12.5"), "%"),
    ]
    assert_spans_index(text, extract_text(text))


def test_a_year_before_a_count_is_not_joined_to_it():
    assert claims("2023 100家企业获得支持。") == [("100家", Decimal(100), "家")]


def test_a_number_cut_from_its_unit_by_a_line_break_is_read_whole():
    text = "企业数量达到13.03\n万家，投资３００\n万元，培育两\n批。"
    assert raw_claims(text) == []
    frame = extract_text(text)
    assert list(frame["text"]) == ["13.03\n万家", "３００\n万元", "两\n批"]
    assert list(frame["value"]) == [130300, 3000000, 2]
    assert list(frame["line"]) == [1, 2, 3]
    assert_spans_index(text, frame)


def test_pinyin_printed_after_characters_is_read_through():
    text = "對新認定的國家級專精特新“小巨人”企業(yè)給予50萬元獎勵，區(qū)本級另給予10萬元。"
    claims = extract_text(text).set_index("text")
    assert claims.loc["50萬元", "subject"].endswith("“小巨人”企業")  # 企業(yè) read as the word 企業
    assert claims.loc["50萬元", "tier"] == "national"
    start, end = claims.loc["50萬元", ["start", "end"]]
    assert text[start:end] == "50萬元"
    # Only a toned syllable is a gloss: a letter or a word in parentheses stays.
    assert Normaliser(get_extractor().ruleset)("附件(A)和文件(pdf)").text == "附件(A)和文件(pdf)"


def test_a_hard_wrapped_text_keeps_its_sentences_whole():
    # Lines of 24 characters, as a text file saved from a PDF or a terminal.
    paragraph = ("近年来，我市坚持把培育优质中小企业作为推动经济高质量发展的重要抓手。"
                 "截至2023年底，全市累计认定国家级专精特新“小巨人”企业共计十九家，省级专精特新中小企业二百家。")
    wrapped = [paragraph[i:i + 24] for i in range(0, len(paragraph), 24)]
    text = "关于培育企业的答复\n" + "\n".join(wrapped) + "\n二、下一步工作\n继续推进培育工作。"
    # The year is on the second line, the claims on the third and fourth; 省级专 | 精特新 is cut.
    assert "2023" in wrapped[1] and "十九家" in wrapped[2] and wrapped[2].endswith("省级专")
    fields = ["text", "value", "subject", "tier", "year"]
    raw = [(c.text, c.subject, c.tier, c.year) for c in get_extractor().extract(text)]
    assert raw == [("十九家", "定国家级专精特新“小巨人”企业", "national", None), ("二百家", "精特新中小企业", None, None)]
    frame = extract_text(text)
    assert frame[fields].equals(extract_text(paragraph)[fields])  # what the unwrapped paragraph gives
    # 累计认定 holds for both items of its list, and 省级专 | 精特新 is read whole
    assert list(frame["subject"]) == ["累计认定国家级专精特新“小巨人”企业", "累计认定省级专精特新中小企业"]
    assert list(frame["year"]) == [2023, 2023]  # the year stated on the line before carries over
    assert list(frame["line"]) == [4, 5]
    assert frame["sentence"][0] == "截至2023年底，全市累计认\n定国家级专精特新“小巨人”企业共计十九家，省级专\n精特新中小企业二百家。"
    assert_spans_index(text, frame)
    copy = Normaliser(get_extractor().ruleset)(text).text
    assert copy.startswith("关于培育企业的答复\n")  # the title stays its own line
    assert "\n二、下一步工作\n" in copy  # so does a heading


def test_a_text_of_one_paragraph_a_line_is_not_rejoined():
    text = "一、基本情况\n全市企业数量持续增长\n新增企业19家\n二、主要做法\n加强政策宣传"
    assert Normaliser(get_extractor().ruleset)(text).text == text


@given(st.text(alphabet="0123456789１２３ 　\n.．，,%％万亿家元两批增长企业。，", max_size=80))
def test_every_character_of_the_copy_maps_to_the_original_character_it_came_from(text):
    normalised = Normaliser(get_extractor().ruleset)(text)
    for i, char in enumerate(normalised.text):
        origin = text[normalised.to_original(i)]
        assert origin == char or origin.translate({0xFF0E: ".", 0xFF0C: ","}).translate(
            str.maketrans("０１２３４５６７８９％", "0123456789%")) == char
    assert len(normalised.text) <= len(text)


@given(st.text(alphabet="0123456789１２ 　\n.．，%万家元两批增长企业。全市有", max_size=120))
def test_claims_of_any_normalised_text_index_the_original(text):
    assert_spans_index(text, extract_text(text))


TRADITIONAL = "全縣規模以上工業企業達到236戶，高新技術企業數量達到45家。"


def test_traditional_text_is_read_as_simplified_when_asked_and_given_back_as_written():
    plain = extract_text(TRADITIONAL)
    assert plain["subject"][0] == "全縣規模以上工業企業"  # the rules' 全县 prefix is simplified only
    frame = extract_text(TRADITIONAL, simplified=True)
    assert list(frame["subject"]) == ["規模以上工業企業", "高新技術企業"]  # a count names the thing, not 數量
    assert list(frame["unit"]) == ["戶", "家"]
    assert list(frame["text"]) == ["236戶", "45家"]
    assert_spans_index(TRADITIONAL, frame)


@pytest.mark.slow
def test_simplified_runs_are_versioned_apart_and_reach_the_workers(tmp_path):
    from extractor.build import BuildOptions, extract_dataset
    from extractor.pipeline import rules_version

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.txt").write_text(TRADITIONAL, encoding="utf-8")
    paths = sorted(docs.iterdir())
    extract_dataset(paths, tmp_path / "out", BuildOptions(rules=None, jobs=2, batch_bytes=1, simplified=True))
    claims = pd.read_parquet(tmp_path / "out" / "claims")
    documents = pd.read_parquet(tmp_path / "out" / "documents")
    assert list(claims["subject"]) == ["規模以上工業企業", "高新技術企業"] * 3
    assert set(documents["rules_version"]) == {rules_version(get_extractor(), simplified=True)}
    assert rules_version(get_extractor(), simplified=True) != rules_version(get_extractor())
