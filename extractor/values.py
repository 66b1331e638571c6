"""From a scanned claim to its exact value, upper bound and base unit.

Values are Decimals built from the matched numeral strings (never floats
parsed from text), so 16.4亿 is exactly 1640000000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from .numerals import NumeralError, multiplier_powers, parse_numeral
from .ruleset import Rule, RuleSet
from .scanner import Candidate

_SPACES = regex.compile(r"[ \t\u3000]+")
# The 万/亿 that ends a Chinese numeral (三十万, 两千万): the multiplier a range can share.
_SECTION_MULTIPLIER = regex.compile(r"[万萬亿億]+$")
_HAS_SECTION = regex.compile(r"[万萬亿億]")
_TENTH, _HUNDREDTH = Decimal("0.1"), Decimal("0.01")


@dataclass(frozen=True)
class Reading:
    value: Decimal
    value_max: Decimal | None
    unit: str
    unit_class: str
    qualifier: str | None  # read from the span itself: 多/余 or a range


class ValueReader:
    def __init__(self, ruleset: RuleSet):
        units = ruleset.table("units", "units")
        self.base_unit = {word: spelling["base"] for word, spelling in ruleset.table("units", "spellings").items()}
        self.unit_classes = {unit: entry["class"] for unit, entry in units.items()}
        self.currencies = frozenset(unit for unit, unit_class in self.unit_classes.items() if unit_class == "money")
        self.unlisted_class = ruleset.table("units", "unlisted_class")
        self.powers = multiplier_powers(ruleset)
        self._rule_facts: dict[str, tuple] = {}

    def read(self, candidate: Candidate) -> Reading:
        rule, groups = candidate.rule, candidate.groups
        fixed_value, scale, fixed_unit, fixed_qualifier, fraction, fixed_metric, doublings = self._facts(rule)
        num, mult = groups.get("num"), groups.get("mult") or ""
        num2, mult2 = groups.get("num2"), groups.get("mult2") or ""
        if fixed_value is not None:
            value = fixed_value
        elif doublings:  # 翻两番: doubled twice, four times the base
            value = Decimal(2) ** int(parse_numeral(num, self.powers))
        else:
            value = self._numeral(num, mult or (_shared_multiplier(num, num2, mult2, self.powers) if num2 else ""))
        value_max = self._numeral(num2, mult2) if num2 else None
        if groups.get("sign"):
            value = -value
        if value_max is not None and groups.get("sign2"):
            value_max = -value_max
        if groups.get("jiao") or groups.get("fen"):  # 123元1角1分
            value += _digit(groups.get("jiao")) * _TENTH + _digit(groups.get("fen")) * _HUNDREDTH
        if fraction:  # 1/3 and 三分之一 as a percent
            if not value_max:
                raise NumeralError(f"not a fraction: {groups.get('num')}/{num2}")
            value, value_max = value / value_max * 100, None
        if scale != 1:
            value *= scale
            if value_max is not None:
                value_max *= scale

        written = _SPACES.sub("", groups.get("unit") or "")
        unit = fixed_unit or self.base_unit.get(written, written)
        currency = groups.get("cur")
        if currency and (unit in self.currencies or not unit):  # 港币5000万元, $20万: the currency named or signed
            unit = self.base_unit.get(currency, currency)

        qualifier = None
        if value_max is not None:
            qualifier = "range"
        elif groups.get("more") or groups.get("more2"):
            qualifier = "more_than"
        elif fixed_qualifier:
            qualifier = fixed_qualifier
        return Reading(value, value_max, unit, self.unit_class(fixed_metric, unit), qualifier)

    def _facts(self, rule: Rule) -> tuple:
        """(value, scale, unit, qualifier, fraction, metric, doublings) a rule fixes, read from its data once."""
        facts = self._rule_facts.get(rule.id)
        if facts is None:
            value = rule["value"]
            facts = (
                Decimal(str(value)) if value is not None else None,
                Decimal(str(rule["scale"])),
                rule["unit"],
                rule["qualifier"],
                rule["fraction"],
                rule["metric"],
                rule["doublings"],
            )
            self._rule_facts[rule.id] = facts
        return facts

    def _numeral(self, num: str | None, mult: str) -> Decimal:
        text = _SPACES.sub("", num or "")
        if not text:  # a bare multiplier as a threshold: 过亿元
            return Decimal(10) ** self.powers[mult]
        return parse_numeral(text + mult, self.powers)

    def unit_class(self, fixed_metric: str | None, unit: str) -> str:
        """money, percent, points, multiple, firm_count, physical, count, rank or duration."""
        if fixed_metric in ("rank", "duration"):
            return fixed_metric
        return self.unit_classes.get(unit, self.unlisted_class)


def _shared_multiplier(num: str | None, num2: str, mult2: str, powers: dict[str, int]) -> str:
    """The multiplier a range writes once, after its upper end, for both ends: 3至5万元, 两到三万, 一千到两千万.

    Shared only where the lower end, read alike, is not above the upper one
    (8500到3万 keeps 8500) and has no 万 or 亿 of its own (一万到两万).
    """
    lower = _SPACES.sub("", num or "")
    upper = _SPACES.sub("", num2)
    if not lower or _HAS_SECTION.search(lower):
        return ""
    if not mult2:  # a Chinese upper end holds its multiplier: 三十万 -> 三十 and 万
        found = _SECTION_MULTIPLIER.search(upper)
        if found is None or found.start() == 0:
            return ""
        upper, mult2 = upper[:found.start()], found.group()
    try:
        return mult2 if parse_numeral(lower, powers) <= parse_numeral(upper, powers) else ""
    except NumeralError:
        return ""


def _digit(text: str | None) -> Decimal:
    """角 or 分: one digit, no multiplier."""
    return parse_numeral(text) if text else Decimal(0)
