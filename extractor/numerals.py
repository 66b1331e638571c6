"""Exact values of numeral strings as the scanner finds them in running text.

A numeral here is the number plus any multiplier words (13.03万, 四十二．五億,
二十四萬七八三〇), without unit, 多/余, 百分之 or 成. Values are built from the
digit strings as Decimal / int, never through float, so 16.4亿 is exactly
1640000000. The multiplier words and their powers of ten are the rule set's
(rules/fragments.toml `multipliers`), the same table the scanner's multiplier
fragments are built from, so the parser reads every multiplier the rules find.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from decimal import Decimal

from .ruleset import RuleSet, builtin_ruleset

__all__ = ["NumeralError", "multiplier_powers", "parse_numeral"]


class NumeralError(ValueError):
    """The text is not a numeral this module can read exactly."""



def multiplier_powers(ruleset: RuleSet | None = None) -> dict[str, int]:
    """Every multiplier word (萬 and 仟 forms too) with its power of ten, as the rule set lists them (the built-in one by default)."""
    ruleset = ruleset or builtin_ruleset()
    return {word: entry["power"] for word, entry in ruleset.table("fragments", "multipliers").items()}


# Full-width forms, traditional and financial characters folded onto the
# ASCII / simplified forms the parser reads.
_NORMALIZE = str.maketrans(
    "０１２３４５６７８９．，萬億兩點壹貳贰參叁肆伍陸陆柒捌玖拾佰仟",
    "0123456789.,万亿两点一二二三三四五六六七八九十百千",
)

_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_ZEROS = "〇零"

# Chinese place words, largest first: sections split by 亿 and 万, each
# section by 千百十.
_UNITS = (("亿", 8), ("万", 4), ("千", 3), ("百", 2), ("十", 1))

# Thousands separators only before exactly three digits, as the scanner's
# arabic fragment; the multiplier may follow after whitespace.
_ARABIC = re.compile(r"([0-9]+(?:,[0-9]{3})*)(?:\.([0-9]+))?\s*(\S*)")
# Chinese integer part, point, positional decimal digits, optional multiplier.
_CN_DECIMAL = re.compile(r"(.+?)[.点]([〇零一二三四五六七八九]+)\s*(\S*)")
_SPACED = re.compile(r"(\S+)\s+(\S+)")

# Numerals in running text are short; the bound keeps int <-> str
# conversions of positional digit runs far inside Python's digit limit.
MAX_LENGTH = 100


def parse_numeral(text: str, powers: Mapping[str, int] | None = None) -> Decimal:
    """Return the exact value of a numeral such as 8.9万亿 or 二十四萬七八三〇.

    `powers`: the multiplier words (multiplier_powers of the rule set in use);
    the built-in rules' where none are given and a multiplier is written.
    """
    try:
        if len(text) > MAX_LENGTH:
            raise NumeralError("too long")
        s = text.strip().translate(_NORMALIZE)
        if not s:
            raise NumeralError("empty")
        if any(c in "0123456789" for c in s):
            return _arabic(s, powers)
        return _chinese(s, powers)
    except NumeralError as error:
        raise NumeralError(f"not a numeral: {text!r} ({error})") from None


def _arabic(s: str, powers: Mapping[str, int] | None) -> Decimal:
    match = _ARABIC.fullmatch(s)
    if match is None:
        raise NumeralError("malformed Arabic number")
    integer, fraction, word = match.groups()
    return _scaled(integer.replace(",", ""), fraction or "", _power(word, powers))


def _chinese(s: str, powers: Mapping[str, int] | None) -> Decimal:
    match = _CN_DECIMAL.fullmatch(s)
    if match:
        integer, fraction, word = match.groups()
        digits = "".join(str(_DIGITS[c]) for c in fraction)
        return _scaled(str(_cn_lead(integer, _UNITS)), digits, _power(word, powers))
    # Whitespace before a trailing word marks it as a multiplier (十二 万).
    spaced = _SPACED.fullmatch(s)
    if spaced:
        return _scaled(str(_cn_lead(spaced[1], _UNITS)), "", _power(spaced[2], powers))
    return _scaled(str(_cn_lead(s, _UNITS)), "", 0)


def _power(word: str, powers: Mapping[str, int] | None) -> int:
    if not word:
        return 0
    if powers is None:
        powers = _builtin_powers()
    if word not in powers:
        raise NumeralError(f"{word!r} is not a multiplier")
    return powers[word]


@functools.lru_cache(maxsize=1)
def _builtin_powers() -> dict[str, int]:
    return multiplier_powers()


def _scaled(integer: str, fraction: str, power: int) -> Decimal:
    """Build digits × 10**power from strings, so no context rounding applies."""
    exponent = power - len(fraction)
    if exponent >= 0:
        return Decimal(integer + fraction + "0" * exponent)
    return Decimal(f"{integer}{fraction}E{exponent}")


def _cn_lead(s: str, units: tuple[tuple[str, int], ...]) -> int:
    """Read a number that starts fresh: the whole numeral or the part before 万/亿.

    Only here may bare digits run positionally (二〇二六, 一七八五億).
    """
    if len(s) > 1 and all(c in _DIGITS for c in s):
        return int("".join(str(_DIGITS[c]) for c in s))
    return _cn_int(s, units, fresh=True)


def _cn_int(s: str, units: tuple[tuple[str, int], ...], fresh: bool) -> int:
    """Split s at its largest place word; fresh allows a bare leading 十/百/千 (十二, 百)."""
    for i, (unit, power) in enumerate(units):
        head, found, tail = s.partition(unit)
        if not found:
            continue
        lower = units[i + 1:]
        if power >= 4:
            if not head:
                raise NumeralError(f"nothing before {unit}")
            lead = _cn_lead(head, lower)
        elif head:
            lead = _cn_int(head, (), fresh=False)
        elif fresh:
            lead = 1
        else:
            raise NumeralError(f"nothing before {unit}")
        if lead == 0:
            raise NumeralError(f"zero before {unit}")
        return lead * 10**power + _cn_tail(tail, power, lower)
    if len(s) != 1 or s not in _DIGITS:
        raise NumeralError(f"not a Chinese digit: {s!r}")
    return _DIGITS[s]


def _cn_tail(s: str, power: int, units: tuple[tuple[str, int], ...]) -> int:
    """Read what follows a place word of 10**power.

    零 marks a gap (一百零五); a lone digit is the next place down (十二,
    一万五 = 15000); a full run of bare digits fills the section (萬七八三〇).
    """
    if not s:
        return 0
    if s[0] in _ZEROS:
        value = _cn_int(s[1:], units, fresh=True)
        if not 0 < value < 10 ** (power - 1):
            raise NumeralError("零 before a number that leaves no gap")
        return value
    if all(c in _DIGITS for c in s):
        if len(s) == 1:
            return _DIGITS[s] * 10 ** (power - 1)
        if power >= 4 and len(s) == power:
            return int("".join(str(_DIGITS[c]) for c in s))
        raise NumeralError(f"ambiguous digits {s!r} after a place word")
    return _cn_int(s, units, fresh=False)
