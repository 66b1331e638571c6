"""One pass over a text for number candidates, claims and non-claims together.

All rules of `claims.toml` and `nonclaims.toml` are joined into one compiled
alternation, ordered by priority. The regex engine then resolves overlaps the
way a reader does: the leftmost match wins, and where two rules match at the
same place the one of lower priority number wins. A non-claim match (a date,
a 文号, an idiom) consumes its text, so no claim is read inside it. Rules that
start with `{number}` and are next to each other in that order share one
match of the number, which is most of the scan's cost at every number.

Hostile text must not hang a batch. No match starts between two numeral
characters (a number never starts inside another) or between two Latin
letters, so a run of 100,000 digits or letters costs one attempt per rule
instead of one per character (hours: every rule re-reads the run from each
position); and a scan that
still takes longer than `timeout` seconds (a rule that backtracks badly)
raises TimeoutError, which fails that one document.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterator

import regex

from .ruleset import Rule, RuleError, RuleSet, expand

SCAN_FAMILIES = ("nonclaims", "claims")
_GROUPS = ("num", "mult", "more", "num2", "mult2", "more2", "unit")
# The fragments whose characters make up a numeral (rules/fragments.toml).
_NUMERAL_FRAGMENTS = ("digits", "cn_digit", "cn_place")
# Seconds one scan may take: a 50 MB single-line page of real text scans in
# about 13 s on one core, a pathological one would run for hours.
SCAN_TIMEOUT = 120.0
# Candidates found at a time: a large document's are never all held at once.
BLOCK = 10_000


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
        names = [f"R{i}" for i in range(len(self.rules))]
        number = expand("{number}", ruleset.fragments, "fragment {number}") if "number" in ruleset.fragments else None
        self.pattern = regex.compile(numeral_guard(ruleset) + f"(?:{_alternation(self.rules, names, number)})", regex.V0)
        self.timeout: float | None = SCAN_TIMEOUT
        # Per match, one tuple of all groups gives both the rule and the number groups.
        index = self.pattern.groupindex
        self._rule_groups = _picker([index[name] - 1 for name in names])
        self._group_names = tuple(g for g in _GROUPS if g in index)
        self._number_groups = _picker([index[g] - 1 for g in self._group_names])

    def scan(self, text: str) -> Iterator[Candidate]:
        """Candidates in text order, found BLOCK at a time, so a caller can take them as they come.

        Only the time spent finding them counts against `timeout`: the regex
        module's own timeout counts the CPU time since its search began, the
        caller's work between matches included, so each block is a search of
        its own, resumed where the last one stopped, given what is left.
        """
        rules, rule_groups, names, number_groups = self.rules, self._rule_groups, self._group_names, self._number_groups
        position, spent = 0, 0.0
        while True:
            if self.timeout is not None and spent >= self.timeout:
                raise TimeoutError("regex timed out")
            started = time.process_time()
            block: list[Candidate] = []
            left = None if self.timeout is None else self.timeout - spent
            for match in self.pattern.finditer(text, position, timeout=left):
                start, end = match.span()
                if end == start:
                    continue
                found = match.groups()
                # Exactly one rule's group took part.
                index = next(i for i, group in enumerate(rule_groups(found)) if group is not None)
                block.append(Candidate(rules[index], start, end, dict(zip(names, number_groups(found)))))
                if len(block) == BLOCK:
                    position = end  # where the search would go on: after a match that took text
                    break
            spent += time.process_time() - started
            yield from block
            if len(block) < BLOCK:
                return


def _alternation(rules: list[Rule], names: list[str], number: str | None) -> str:
    """All rules as one alternation, each in a group named for it.

    Rules that start with the `{number}` fragment and sit next to each other
    in priority order share one match of it: `{number}(?:unit1|unit2|...)`
    instead of `{number}unit1|{number}unit2|...`, so a number is read once,
    not once per unit (the scan's cost at every number).
    """
    parts: list[str] = []
    run: list[tuple[str, Rule, str]] = []  # (name, rule, what follows its number)

    def close_run() -> None:
        if len(run) > 1:
            parts.append(number + "(?:" + "|".join(f"(?P<{name}>{rest})" for name, _, rest in run) + ")")
        elif run:
            parts.append(f"(?P<{run[0][0]}>{run[0][1].source})")
        run.clear()

    for name, rule in zip(names, rules):
        rest = _after_number(rule.source, number) if number else None
        if rest is not None:
            run.append((name, rule, rest))
            continue
        close_run()
        parts.append(f"(?P<{name}>{rule.source})")
    close_run()
    return "|".join(parts)


def _after_number(source: str, number: str) -> str | None:
    """What follows the number in `source` when every alternative of it starts with one (`{number}X|{number}Y` -> `(?:X|Y)`)."""
    branches = _branches(source)
    rests = [branch[len(number):] for branch in branches if branch.startswith(number)]
    if len(rests) != len(branches) or not all(rests):
        return None
    return rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")"


def _branches(source: str) -> list[str]:
    """The top-level alternatives of `source` (outside groups and classes); one item where it has none."""
    branches, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source.startswith("]", i + 1) or source.startswith("^]", i + 1):
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(source[start:i])
            start = i + 1
        i += 1
    return branches + [source[start:]]


def numeral_guard(ruleset: RuleSet) -> str:
    """A lookaround that fails between two numeral characters or two Latin letters.

    Written as one negative lookahead, which the engine skips at once where no
    numeral or letter follows, instead of two alternatives tried at every position.
    """
    inside = [r"(?<=[A-Za-z])[A-Za-z]"]
    if all(name in ruleset.fragments for name in _NUMERAL_FRAGMENTS):
        char = expand("|".join(f"{{{name}}}" for name in _NUMERAL_FRAGMENTS), ruleset.fragments, "numeral guard")
        inside.append(f"(?<={char})(?:{char})")
    return f"(?!{'|'.join(inside)})"


def _picker(positions: list[int]):
    """Items at `positions` of a tuple, always as a tuple (itemgetter of one position returns the item)."""
    if len(positions) == 1:
        only = positions[0]
        return lambda items: (items[only],)
    return itemgetter(*positions) if positions else (lambda items: ())
