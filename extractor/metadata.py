"""Document metadata: title, issuer, date, 文号 and region.

Government documents write these in fixed places: the head (portal labels, the
issuing organ, the title, the 文号) and the foot (the organ's signature over a
date line). The rules in `rules/documents.toml` say where each field is
written; only the head and foot windows are read, so a long text costs no more
than a short one. The region is then read against the division table
(places.py): its standard name, code and level, from the body when the head
and foot name no place.
"""

from __future__ import annotations

import datetime

import regex

from .numerals import NumeralError, parse_numeral
from .places import place_reader
from .ruleset import Rule, RuleError, RuleSet

FIELDS = ("title", "issuer", "date", "doc_number", "region")
_TEXT_ZONES = ("head", "foot")
_DATE_GROUPS = ("year", "month", "day")
# A circle or the letter O often stands for 〇 in years: 二○二三年.
_ZERO_FORMS = str.maketrans("○OＯ", "〇〇〇")
_BLANKS = regex.compile(r"[ \t\r\u3000\xa0]+")
_LINE_BREAK = regex.compile(r"[ \t\r\u3000\xa0]*\n[ \t\r\u3000\xa0]*")


def read_metadata(text: str, ruleset: RuleSet) -> dict[str, str | None]:
    """Each field from the first rule (in file order) that reads a value, None when none does; then the place (places.py)."""
    window = ruleset.table("documents", "window")
    zones = {"head": _head(text, window["head"]), "foot": _foot(text, window["foot"])}
    rules: dict[str, list[Rule]] = {field: [] for field in FIELDS}
    for rule in ruleset.family("documents"):
        rules[_field(rule)].append(rule)
    found: dict[str, str | None] = dict.fromkeys(FIELDS)
    for field in FIELDS:
        found[field] = next(filter(None, (_read(rule, field, zones, found) for rule in rules[field])), None)
    return {**found, **place_reader(ruleset).read(text, found["region"], found["issuer"], found["title"])}


def _head(text: str, size: int) -> str:
    """The first `size` characters, ending at a line break so a cut line never looks whole."""
    if len(text) <= size:
        return text
    head = text[:size]
    return head[: head.rfind("\n") + 1] or head


def _foot(text: str, size: int) -> str:
    """The last `size` characters, starting at a line break for the same reason."""
    if len(text) <= size:
        return text
    foot = text[-size:]
    return foot[foot.find("\n") + 1 :] or foot


def _field(rule: Rule) -> str:
    """The field a rule fills; a typo in a rule file is an error, never a rule silently unused."""
    field = rule["field"]
    if field not in FIELDS:
        raise RuleError(f"{rule.path}: rule {rule.id!r}: field must be one of {', '.join(FIELDS)}")
    groups = _DATE_GROUPS if field == "date" else ("value",)
    if rule.pattern is None or any(g not in rule.pattern.groupindex for g in groups):
        raise RuleError(f"{rule.path}: rule {rule.id!r}: a {field} rule needs a pattern with groups {groups}")
    return field


def _read(rule: Rule, field: str, zones: dict[str, str], found: dict[str, str | None]) -> str | None:
    """The rule's value in its zones, tried in order: in the foot the last match, elsewhere the first."""
    for zone in rule["zone"]:
        if zone in _TEXT_ZONES:
            source = zones[zone]
        elif zone in FIELDS:
            source = found[zone]
        else:
            raise RuleError(f"{rule.path}: rule {rule.id!r}: unknown zone {zone!r}")
        if not source:
            continue
        values = (v for m in rule.pattern.finditer(source) if (v := _value(field, m)))
        if zone == "foot":  # the last value: every match is read
            value = None
            for value in values:
                pass
        else:  # the first value: the scan stops there
            value = next(values, None)
        if value:
            return value
    return None


def _value(field: str, match: regex.Match) -> str | None:
    """The value as a field holds it: a title's lines joined, a 文号 without blanks, blanks single."""
    if field == "date":
        return _iso_date(match)
    value = match.group("value")
    if field == "title":
        return _LINE_BREAK.sub("", value).strip()
    if field == "doc_number":
        return _BLANKS.sub("", value)
    return _BLANKS.sub(" ", value).strip()


def _iso_date(match: regex.Match) -> str | None:
    """YYYY-MM-DD of the year, month and day groups; None when they name no real day (2月30日)."""
    try:
        year, month, day = (_integer(match.group(name)) for name in _DATE_GROUPS)
        return datetime.date(year, month, day).isoformat()
    except (NumeralError, ValueError):
        return None


def _integer(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    return int(parse_numeral(numeral.translate(_ZERO_FORMS)))
