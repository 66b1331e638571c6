"""One pass over a text for number candidates, claims and non-claims together.

All rules of `claims.toml` and `nonclaims.toml` are joined into one compiled
alternation, ordered by priority. The regex engine then resolves overlaps the
way a reader does: the leftmost match wins, and where two rules match at the
same place the one of lower priority number wins. A non-claim match (a date,
a 文号, an idiom) consumes its text, so no claim is read inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .ruleset import Rule, RuleError, RuleSet

SCAN_FAMILIES = ("nonclaims", "claims")
_GROUPS = ("num", "mult", "more", "num2", "mult2", "more2", "unit")


@dataclass(frozen=True)
class Candidate:
    """A scanned span and the groups of the rule that matched it."""

    rule: Rule
    start: int
    end: int
    groups: dict[str, str | None]

    @property
    def is_claim(self) -> bool:
        return self.rule.family == "claims"


class Scanner:
    """The compiled single-pass pattern of a rule set."""

    def __init__(self, ruleset: RuleSet):
        ordered: list[tuple[int, int, Rule]] = []
        for family in SCAN_FAMILIES:
            for rule in ruleset.family(family):
                if rule.source is None:
                    raise RuleError(f"{rule.path}: rule {rule.id!r}: a scanning rule needs a pattern")
                ordered.append((int(rule.get("priority", 50)), len(ordered), rule))
        if not ordered:
            raise RuleError(f"{ruleset.directory}: no claim rules (claims.toml)")
        ordered.sort(key=lambda item: item[:2])
        self.rules = [rule for _, _, rule in ordered]
        self._names = [f"R{i}" for i in range(len(self.rules))]
        source = "|".join(f"(?P<{name}>{rule.source})" for name, rule in zip(self._names, self.rules))
        self.pattern = regex.compile(source, regex.V0)

    def scan(self, text: str) -> list[Candidate]:
        candidates = []
        for match in self.pattern.finditer(text):
            if match.end() == match.start():
                continue
            for name, rule in zip(self._names, self.rules):
                if match.start(name) >= 0:
                    break
            groups = {g: match.group(g) for g in _GROUPS if g in self.pattern.groupindex}
            candidates.append(Candidate(rule, match.start(), match.end(), groups))
        return candidates
