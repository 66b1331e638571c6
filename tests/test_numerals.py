"""Numeral parsing: hand-computed examples, rejects, and properties against cn2an."""

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.numerals import NumeralError, multiplier_powers, parse_numeral
from extractor.ruleset import load_ruleset

POWERS = multiplier_powers()

ARABIC_CASES = [
    ("3838.1", "3838.1"),
    ("13.03万", 130_300),
    ("8.9万亿", 8_900_000_000_000),
    ("1,234.5万", 12_345_000),
    ("1，234.5万", 12_345_000),
    ("1,234,567", 1_234_567),
    ("16.4亿", 1_640_000_000),
    ("１２３．５", "123.5"),
    ("3838.1 亿", 383_810_000_000),
    ("3838.1\u3000亿", 383_810_000_000),
    ("4,889億", 488_900_000_000),
    ("5.3萬", 53_000),
    ("32億", 3_200_000_000),
    ("800万", 8_000_000),
    ("1.2万亿", 1_200_000_000_000),
    ("１.２萬億", 1_200_000_000_000),
    ("0.05", "0.05"),
    ("7十", 70),
    ("7百", 700),
    ("7千", 7_000),
    ("7十万", 700_000),
    ("7百萬", 7_000_000),
    ("7千万", 70_000_000),
    ("7十億", 7_000_000_000),
    ("7百亿", 70_000_000_000),
    ("7千億", 700_000_000_000),
    # Beyond Decimal's default 28-digit precision: still exact.
    ("123456789012345678901234567890.123456789万亿", "123456789012345678901234567890123456789000"),
]

CHINESE_CASES = [
    ("两", 2),
    ("兩", 2),
    ("十", 10),
    ("十二", 12),
    ("一十二", 12),
    ("一千二百万", 12_000_000),
    ("二十四萬七八三〇", 247_830),
    ("一七八五億", 178_500_000_000),
    ("二〇二六", 2026),
    ("四十二．五億", 4_250_000_000),
    ("三．六三億", 363_000_000),
    ("九十七．四六億", 9_746_000_000),
    ("五．三萬", 53_000),
    ("十萬", 100_000),
    ("三点五", "3.5"),
    ("三點五", "3.5"),
    ("百", 100),
    ("一百零五", 105),
    ("三千零五十", 3050),
    ("一千〇五", 1005),
    ("十亿", 1_000_000_000),
    ("二十．六萬", 206_000),
    ("零", 0),
    ("〇", 0),
    ("一万亿", 1_000_000_000_000),
    ("三千万亿", 3_000_000_000_000_000),
    ("十万零一十", 100_010),
    ("一亿零一十万", 100_100_000),
    ("一千零一亿", 100_100_000_000),
    ("九千九百九十九亿九千九百九十九万九千九百九十九", 999_999_999_999),
    ("一万五", 15_000),
    ("三千五", 3_500),
    ("十二 万", 120_000),
    ("壹仟贰佰叁拾肆", 1234),
    ("貳拾萬", 200_000),
    ("肆萬伍仟", 45_000),
    ("陆佰億", 60_000_000_000),
]

BAD = [
    "",
    "   ",
    "abc",
    "1.2.3",
    "万",
    "萬",
    "亿",
    "亿万",
    "1,23",
    "1,2345",
    ",123",
    "1.",
    ".5",
    "1e5",
    "-5",
    "NaN",
    "Infinity",
    "1千2",
    "3 4",
    "1.2万万",
    "5多万",
    "5万多",
    "百分之五",
    "三成",
    "十十",
    "零万",
    "一百二千",
    "一亿万",
    "一千零五百",
    "一万零七八",
    "一百二三",
    "十零五",
    "三点",
    "点五",
    "三点两",
    "1" * 200,
]


@pytest.mark.parametrize(("text", "expected"), ARABIC_CASES + CHINESE_CASES)
def test_examples(text, expected):
    value = parse_numeral(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize("text", BAD)
def test_rejects(text):
    with pytest.raises(NumeralError):
        parse_numeral(text)


def test_error_is_one_line_and_quotes_text():
    with pytest.raises(NumeralError) as caught:
        parse_numeral("3\n万x")
    message = str(caught.value)
    assert "\n" not in message
    assert repr("3\n万x") in message
    assert isinstance(caught.value, ValueError)


def test_multipliers():
    """rules/fragments.toml lists each multiplier word once, every written form, with its power of ten."""
    expected = {
        "十": 1, "百": 2, "千": 3, "万": 4, "十万": 5, "百万": 6, "千万": 7,
        "亿": 8, "十亿": 9, "百亿": 10, "千亿": 11, "万亿": 12,
    }
    traditional = {k.replace("万", "萬").replace("亿", "億"): v for k, v in expected.items()}
    assert POWERS == expected | traditional | {"仟": 3, "佰": 2}


def test_the_scanners_multiplier_fragments_are_the_words_the_parser_reads():
    """One table, two readers: every word of {multiplier}, {big_multiplier} and {threshold_mult} parses."""
    fragments = load_ruleset().fragments
    for name, least in (("multiplier", 2), ("big_multiplier", 4), ("threshold_mult", 2)):
        words = fragments[name].split("|")
        assert words and all(POWERS[word] >= least for word in words), name
        assert all(parse_numeral("3" + word) == 3 * 10 ** POWERS[word] for word in words), name


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trips_cn2an(n):
    assert parse_numeral(cn2an.an2cn(n, "low")) == n


@given(
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(POWERS)),
    st.sampled_from(["", " "]),
)
def test_arabic_times_multiplier(d, word, space):
    assert parse_numeral(f"{d:f}{space}{word}") == d.scaleb(POWERS[word])


FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(
    st.integers(min_value=0, max_value=10**15),
    st.booleans(),
    st.from_regex(r"\A[0-9]{0,4}\Z"),
    st.sampled_from(["", "万", "亿", "萬億"]),
)
def test_full_width_equals_ascii(n, grouped, fraction, word):
    ascii_text = (f"{n:,}" if grouped else str(n)) + (f".{fraction}" if fraction else "") + word
    assert parse_numeral(ascii_text.translate(FULL_WIDTH)) == parse_numeral(ascii_text)


NUMERAL_CHARS = "0123456789０５.．,，点點 〇零一二两兩三四五六七八九十百千万萬亿億壹貳拾佰仟多x"


@given(st.one_of(st.text(), st.text(alphabet=NUMERAL_CHARS)))
def test_only_numeral_error(text):
    try:
        value = parse_numeral(text)
    except NumeralError:
        return
    assert isinstance(value, Decimal)
