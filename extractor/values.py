"""From a scanned claim to its exact value, upper bound and base unit.

Values are Decimals built from the matched numeral strings (never floats
parsed from text), so 16.4亿 is exactly 1640000000.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from .numerals import MULTIPLIERS, NumeralError, parse_numeral
from .ruleset import Rule, RuleSet
from .scanner import Candidate

_SPACES = regex.compile(r"[ \t\u3000]+")


@dataclass(frozen=True)
class Reading:
    value: Decimal
    value_max: Decimal | None
    unit: str
    unit_class: str
    qualifier: str | None  # read from the span itself: 多/余 or a range


class ValueReader:
    def __init__(self, ruleset: RuleSet):
        self.base_unit: dict[str, str] = dict(ruleset.table("units", "base_unit") or {})
        currency = (ruleset.fragments.get("currency") or "元").split("|")
        self.currencies = frozenset(self.base_unit.get(c, c) for c in currency)
        self.unit_classes: dict[str, str] = dict(ruleset.table("units", "unit_classes") or {})
        self._rule_facts: dict[str, tuple] = {}

    def read(self, candidate: Candidate) -> Reading:
        rule, groups = candidate.rule, candidate.groups
        fixed_value, scale, fixed_unit, fixed_qualifier, fraction, fixed_metric = self._facts(rule)
        mult, mult2, num2 = groups.get("mult") or "", groups.get("mult2") or "", groups.get("num2")
        if fixed_value is not None:
            value = fixed_value
        else:
            # A range that writes its multiplier once (3至5万元) shares it.
            value = _numeral(groups.get("num"), mult or (mult2 if num2 else ""))
        value_max = _numeral(num2, mult2) if num2 else None
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

        qualifier = None
        if value_max is not None:
            qualifier = "range"
        elif groups.get("more") or groups.get("more2"):
            qualifier = "more_than"
        elif fixed_qualifier:
            qualifier = fixed_qualifier
        return Reading(value, value_max, unit, self.unit_class(fixed_metric, unit), qualifier)

    def _facts(self, rule: Rule) -> tuple:
        """(value, scale, unit, qualifier, fraction, metric) a rule fixes, read from its data once."""
        facts = self._rule_facts.get(rule.id)
        if facts is None:
            value = rule.get("value")
            facts = (
                Decimal(str(value)) if value is not None else None,
                Decimal(str(rule.get("scale", 1))),
                rule.get("unit"),
                rule.get("qualifier"),
                bool(rule.get("fraction")),
                rule.get("metric"),
            )
            self._rule_facts[rule.id] = facts
        return facts

    def unit_class(self, fixed_metric: str | None, unit: str) -> str:
        """money, percent, points, multiple, firm_count, physical, count, rank or duration."""
        if fixed_metric in ("rank", "duration"):
            return fixed_metric
        if unit in self.currencies:
            return "money"
        return self.unit_classes.get(unit, "count")


def _numeral(num: str | None, mult: str) -> Decimal:
    text = _SPACES.sub("", num or "")
    if not text:  # a bare multiplier as a threshold: 过亿元
        return Decimal(MULTIPLIERS[mult])
    return parse_numeral(text + mult)
