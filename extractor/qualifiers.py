"""Qualifiers from the words around a number (rules/qualifiers.toml).

A word after the span (以上, 左右) is read first, then a word before it
(最高, 不超过). All words of all qualifiers are joined into one alternation,
longest first, so 不超过 is found whole and never read as 超过. A one-character
word (过, 近, 约) must touch the number, since it is also part of common words
such as 通过 and 近年.
"""

from __future__ import annotations

import regex

from .ruleset import RuleSet, words_pattern


class QualifierReader:
    def __init__(self, ruleset: RuleSet):
        self.max_gap = int(ruleset.table("qualifiers", "max_gap") or 6)
        gap_chars = ruleset.table("qualifiers", "gap_chars") or r"[^，。；\n]"
        self.before_qualifier: dict[str, str] = {}
        self.after_qualifier: dict[str, str] = {}
        for rule in ruleset.family("qualifiers"):
            for word in rule.get("before", []):
                self.before_qualifier[word] = rule.get("qualifier")
            for word in rule.get("after", []):
                self.after_qualifier[word] = rule.get("qualifier")
        self._before = regex.compile(
            f"(?:{words_pattern(list(self.before_qualifier))})(?={gap_chars}{{0,{self.max_gap}}}$)"
        )
        self._after = regex.compile(f"(?:{words_pattern(list(self.after_qualifier))})")

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
