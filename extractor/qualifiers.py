"""Qualifiers from the words around a number (rules/qualifiers.toml).

A word after the span (以上, 左右) is read first, then a word before it
(最高, 不超过). All words of all qualifiers are joined into one alternation,
longest first, so 不超过 is found whole and never read as 超过. A one-character
word (过, 近, 约) must touch the number, since it is also part of common words
such as 通过 and 近年. A rule restricted to a `kind` applies once the kind is
known: 达到 before a figure in a criterion is a floor (营业收入达到5000万元的企业),
while in a report it is a level (全市中小企业达到13.03万家).
"""

from __future__ import annotations

import regex

from .attribution import ClaimContext
from .ruleset import RuleSet, words_pattern


class QualifierReader:
    def __init__(self, ruleset: RuleSet):
        self.max_gap = ruleset.table("qualifiers", "max_gap")
        gap_chars = ruleset.table("qualifiers", "gap_chars")
        self.before_qualifier: dict[str, str] = {}
        self.after_qualifier: dict[str, str] = {}
        by_kind: dict[str, dict[str, str]] = {}
        for rule in ruleset.family("qualifiers"):
            if rule["kind"]:
                for word in rule["before"]:
                    by_kind.setdefault(rule["kind"], {})[word] = rule["qualifier"]
                continue
            for word in rule["before"]:
                self.before_qualifier[word] = rule["qualifier"]
            for word in rule["after"]:
                self.after_qualifier[word] = rule["qualifier"]
        self._before = regex.compile(
            f"(?:{words_pattern(list(self.before_qualifier))})(?={gap_chars}{{0,{self.max_gap}}}$)"
        )
        self._after = regex.compile(f"(?:{words_pattern(list(self.after_qualifier))})")
        self._for_kind = {
            kind: (words, regex.compile(f"(?:{words_pattern(list(words))})(?={gap_chars}{{0,{self.max_gap}}}$)"))
            for kind, words in by_kind.items()
        }

    def resolve(self, text: str, ctx: ClaimContext, written: str | None, listed: str | None) -> str:
        """The claim's qualifier: written in its span (多, a range), else a word after it, else one before it;
        else, as an item of a list, the one written once before the list's first figure (分别给予最高200万元、100万元)."""
        qualifier = written or self.after(text, ctx.end) or self.before(text, ctx.start, ctx.sentence_start)
        if qualifier is None and listed is not None and listed != "range":
            qualifier = listed
        return qualifier or "exact"

    def after(self, text: str, end: int) -> str | None:
        match = self._after.match(text, end)
        return self.after_qualifier[match.group()] if match else None

    def before(self, text: str, start: int, floor: int) -> str | None:
        """The qualifier of the word nearest before `start`, not reaching back past `floor`."""
        window_start = max(floor, start - self.max_gap - 6)
        window = text[window_start:start]
        found = None
        for match in self._before.finditer(window):
            if len(match.group()) == 1 and window[match.end():].strip(" \u3000"):
                continue
            found = match
        return self.before_qualifier[found.group()] if found else None

    def for_kind(self, qualifier: str, kind: str, text: str, start: int, floor: int) -> str:
        """An exact figure of `kind` read again with the words of that kind (达到 in a criterion: at_least)."""
        if qualifier != "exact" or kind not in self._for_kind:
            return qualifier
        words, pattern = self._for_kind[kind]
        window = text[max(floor, start - self.max_gap - 6) : start]
        found = None
        for match in pattern.finditer(window):
            found = match
        return words[found.group()] if found else qualifier
