"""One pass over a text for number candidates, claims and non-claims together.

All rules of `claims.toml` and `nonclaims.toml` are joined into one compiled
alternation, ordered by priority. The regex engine then resolves overlaps the
way a reader does: the leftmost match wins, and where two rules match at the
same place the one of lower priority number wins. A non-claim match (a date,
a 文号, an idiom) consumes its text, so no claim is read inside it. Rules that
start with `{number}` and are next to each other in that order share one
match of the number, which is most of the scan's cost at every number.

Where hyperscan is installed, one hyperscan pass first finds where each rule
can start (prefilter.py), and each part of the alternation is tried only
there, in the same order: the same candidates as `finditer` over the whole
alternation, which still runs where hyperscan is missing or refuses a rule.

Hostile text must not hang a batch. No match starts between two numeral
characters (a number never starts inside another) or between two Latin
letters, so a run of 100,000 digits or letters costs one attempt per rule
instead of one per character (hours: every rule re-reads the run from each
position); and a scan that
still takes longer than `timeout` seconds (a rule that backtracks badly)
raises TimeoutError, which fails that one document (each match
of the guided scan is given what is left of that time).

Candidates are found BLOCK at a time, so a caller takes them as they come
and a large document's are never all held; only the time spent finding them
counts against the timeout (the regex module's own timeout counts the CPU
time since a search began, the caller's work between matches included, so
each block of the plain scan is a search of its own, resumed where the last
one stopped).
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_left
from itertools import repeat
from operator import is_not, itemgetter
from types import MappingProxyType
from typing import Callable, Iterator, Mapping, NamedTuple

import numpy as np
import regex

from . import prefilter
from .ruleset import Rule, RuleError, RuleSet, expand

SCAN_FAMILIES = ("nonclaims", "claims")
_GROUPS = ("num", "mult", "more", "sign", "num2", "mult2", "more2", "sign2", "unit", "cur", "jiao", "fen")
# The fragments whose characters make up a numeral (rules/fragments.toml).
_NUMERAL_FRAGMENTS = ("digits", "cn_digit", "cn_place")
# Seconds one scan may take: a 50 MB single-line page of real text scans in
# about 13 s on one core, a pathological one would run for hours.
SCAN_TIMEOUT = 120.0
# Candidates found at a time.
BLOCK = 10_000
# Places of the guided scan read into Python lists at a time.
_WINDOW = 4096
# Seconds of the wall clock between two exact readings of the guided scan's CPU time (_Allowance).
_READING_EVERY = 0.05


class Candidate(NamedTuple):
    """A scanned span and the number groups of the rule that matched it (a tuple: the scan makes tens of thousands).

    A non-claim's groups are left empty: nothing reads them (a non-claim only
    keeps claims out of its span), and building them took about 7% of the
    guided scan on the bench corpus, where most candidates are non-claims.
    """

    rule: Rule
    start: int
    end: int
    groups: Mapping[str, str | None]
    is_claim: bool


_NO_GROUPS: Mapping[str, str | None] = MappingProxyType({})


class _Member:
    """One part of the alternation (a rule, or rules sharing a number match) compiled alone, guard first."""

    def __init__(self, pattern: regex.Pattern, rules: list[Rule], names: list[str], group_names: tuple[str, ...]):
        self.pattern = pattern
        index = self.pattern.groupindex
        self.rules = rules
        self.claims = [rule.family == "claims" for rule in rules]
        self.rule_groups = _picker([index[name] - 1 for name in names])
        # The scanner's group names, each from this part or None (past the last group) where it has none.
        self.number_groups = _picker([index[g] - 1 if g in index else self.pattern.groups for g in group_names])


class Scanner:
    """The compiled single-pass pattern of a rule set, and the hyperscan guide to where it can match."""

    def __init__(self, ruleset: RuleSet, guided: bool | None = None):
        ordered: list[tuple[int, int, Rule]] = []
        for family in SCAN_FAMILIES:
            for rule in ruleset.family(family):
                if rule.source is None:
                    raise RuleError(f"{rule.path}: rule {rule.id!r}: a scanning rule needs a pattern")
                ordered.append((rule["priority"], len(ordered), rule))
        if not ordered:
            raise RuleError(f"{ruleset.directory}: no claim rules (claims.toml)")
        ordered.sort(key=lambda item: item[:2])
        self.rules = [rule for _, _, rule in ordered]
        self._claims = [rule.family == "claims" for rule in self.rules]
        names = [f"R{i}" for i in range(len(self.rules))]
        number = expand("{number}", ruleset.fragments, "fragment {number}")
        guard = numeral_guard(ruleset)
        members = _members(self.rules, names, number)
        self._names = names
        self._source = guard + f"(?:{'|'.join(source for source, _ in members)})"
        self.timeout: float | None = SCAN_TIMEOUT
        self._prefilter = None
        if prefilter.wanted() if guided is None else guided and prefilter.hyperscan is not None:
            rule_members = [k for k, (_, rule_indexes) in enumerate(members) for _ in rule_indexes]
            self._prefilter = prefilter.Prefilter.build([rule.source for rule in self.rules], rule_members,
                                                        self._source, [rule.id for rule in self.rules])
        if self._prefilter is None:
            self._group_names = tuple(g for g in _GROUPS if g in self.pattern.groupindex)
            return
        # Guided, each part is compiled alone and the whole alternation only if a text needs the plain scan.
        parts = [regex.compile(guard + f"(?:{source})", regex.V0) for source, _ in members]
        self._group_names = tuple(g for g in _GROUPS if any(g in part.groupindex for part in parts))
        self._members = [_Member(part, [self.rules[i] for i in rule_indexes], [names[i] for i in rule_indexes],
                                 self._group_names) for part, (_, rule_indexes) in zip(parts, members)]

    @functools.cached_property
    def pattern(self) -> regex.Pattern:
        """The whole alternation, which the plain scan runs (compiled when first needed: a guided scanner
        needs it only for a text hyperscan cannot read)."""
        return regex.compile(self._source, regex.V0)

    @functools.cached_property
    def _plain_groups(self) -> tuple[Callable, Callable]:
        """Pickers of the rule groups and the number groups from one tuple of all the alternation's groups."""
        index = self.pattern.groupindex
        return _picker([index[name] - 1 for name in self._names]), _picker([index[g] - 1 for g in self._group_names])

    @property
    def guided(self) -> bool:
        """Whether scans run the exact rules only where hyperscan says they can start."""
        return self._prefilter is not None

    def scan(self, text: str) -> Iterator[Candidate]:
        """Candidates in text order, found a block at a time."""
        blocks = None
        if self._prefilter is not None:
            try:
                blocks = self._guided_blocks(text)
            except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot carry to hyperscan
                pass
        for block in blocks if blocks is not None else self._plain_blocks(text):
            yield from block

    def _left(self, spent: float) -> float | None:
        """What is left of the timeout after `spent` seconds of scanning; TimeoutError when nothing is."""
        if self.timeout is None:
            return None
        if spent >= self.timeout:
            raise TimeoutError("regex timed out")
        return self.timeout - spent

    def _plain_blocks(self, text: str) -> Iterator[list[Candidate]]:
        """`finditer` over the whole alternation, BLOCK candidates at a time, each block a search of its own."""
        rules, claims, (rule_groups, number_groups), names = self.rules, self._claims, self._plain_groups, self._group_names
        position, spent, full = 0, 0.0, True
        while full:
            started = time.thread_time()
            block: list[Candidate] = []
            for match in self.pattern.finditer(text, position, timeout=self._left(spent)):
                start, end = match.span()
                if end == start:
                    continue
                found = match.groups()
                # Exactly one rule's group took part.
                index = next(i for i, group in enumerate(rule_groups(found)) if group is not None)
                groups = dict(zip(names, number_groups(found))) if claims[index] else _NO_GROUPS
                block.append(Candidate(rules[index], start, end, groups, claims[index]))
                if len(block) == BLOCK:
                    position = end  # where the search goes on: after a match that took text
                    break
            full = len(block) == BLOCK
            spent += time.thread_time() - started  # only this generator's own work: it runs between yields
            yield block

    def _guided_blocks(self, text: str) -> Iterator[list[Candidate]]:
        """What `finditer` over the whole alternation finds, trying at each place only the parts that can start there.

        Places come sorted by position, then by part (priority order), so the
        first part that matches at a place is the one the alternation takes;
        after a match, the search goes on from its end, as `finditer`'s does.
        Raises UnicodeEncodeError at once for a text hyperscan cannot read.
        """
        started = time.thread_time()
        starts, parts = self._prefilter.places(text)
        return self._guided_from(text, starts, parts, time.thread_time() - started)

    def _guided_from(self, text: str, starts: np.ndarray, parts: np.ndarray, spent: float) -> Iterator[list[Candidate]]:
        """The places are read as Python lists a window of _WINDOW places at a time: indexing numpy arrays place by
        place cost more than the match, and a 50 MB text may have ten million places, too many to hold as a list."""
        members, names, position = self._members, self._group_names, starts.dtype.type
        i, count = 0, len(starts)
        first, window_starts, window_parts = 0, [], []  # the window holds places first .. first + len(window_starts)
        while i < count:
            allowance = _Allowance(self, spent)
            block: list[Candidate] = []
            while i < count and len(block) < BLOCK:
                if i >= first + len(window_starts):  # i only grows: past the window, read the next one from i
                    first = i
                    window_starts, window_parts = starts[i : i + _WINDOW].tolist(), parts[i : i + _WINDOW].tolist()
                start, member = window_starts[i - first], members[window_parts[i - first]]
                match = member.pattern.match(text, start, timeout=allowance.left())
                if match is None:
                    i += 1
                    continue
                end = match.end()
                found = match.groups()
                # Exactly one rule's group took part.
                which = 0 if len(member.rules) == 1 else list(map(is_not, member.rule_groups(found), repeat(None))).index(True)
                claim = member.claims[which]
                groups = dict(zip(names, member.number_groups(found + (None,)))) if claim else _NO_GROUPS
                block.append(Candidate(member.rules[which], start, end, groups, claim))
                # the first place at or after the match's end: in the window, else past it (searched in the
                # offsets' own type: a Python int would make numpy search an int64 copy of them all)
                after = bisect_left(window_starts, end, i - first)
                i = first + after if after < len(window_starts) else int(starts.searchsorted(position(end)))
            spent = allowance.spent()
            yield block


class _Allowance:
    """What is left of a scan's time limit for each match of one block of the guided scan, read cheaply.

    The limit counts the scanning thread's CPU time, and reading that is a
    system call (0.4 µs, more than most matches take). A thread's CPU time
    cannot run ahead of the wall clock, so between exact readings the wall
    clock's lapse (0.04 µs to read) is counted as spent: a match is never
    given more than is left, and at most _READING_EVERY seconds less, since
    the CPU time is read again that often and whenever the estimate runs out.
    """

    __slots__ = ("_scanner", "_spent", "_started", "_left_then", "_read_at")

    def __init__(self, scanner: Scanner, spent: float):
        self._scanner, self._spent, self._started = scanner, spent, time.thread_time()
        self._read()

    def _read(self) -> None:
        self._left_then = self._scanner._left(self.spent())  # TimeoutError when nothing is left
        self._read_at = time.perf_counter()

    def left(self) -> float | None:
        """Seconds a match may take; None without a limit."""
        if self._left_then is None:
            return None
        lapse = time.perf_counter() - self._read_at
        if lapse >= _READING_EVERY or lapse >= self._left_then:
            self._read()
            lapse = 0.0
        return self._left_then - lapse

    def spent(self) -> float:
        """CPU seconds the scan has taken, this block's included (read exactly)."""
        return self._spent + time.thread_time() - self._started


def _members(rules: list[Rule], names: list[str], number: str | None) -> list[tuple[str, list[int]]]:
    """The parts of the alternation in order, each with the indexes of its rules, each rule in a group named for it.

    Rules that start with the `{number}` fragment and sit next to each other
    in priority order share one match of it: `{number}(?:unit1|unit2|...)`
    instead of `{number}unit1|{number}unit2|...`, so a number is read once,
    not once per unit (the scan's cost at every number). Without a `number`,
    every rule stands alone: the plain alternation tests compare against.
    """
    parts: list[tuple[str, list[int]]] = []
    run: list[tuple[int, str]] = []  # (rule index, what follows its number)

    def close_run() -> None:
        if len(run) > 1:
            parts.append((number + "(?:" + "|".join(f"(?P<{names[i]}>{rest})" for i, rest in run) + ")", [i for i, _ in run]))
        elif run:
            parts.append((f"(?P<{names[run[0][0]]}>{rules[run[0][0]].source})", [run[0][0]]))
        run.clear()

    for i, rule in enumerate(rules):
        rest = _after_number(rule.source, number) if number else None
        if rest is not None:
            run.append((i, rest))
            continue
        close_run()
        parts.append((f"(?P<{names[i]}>{rule.source})", [i]))
    close_run()
    return parts


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
    char = expand("|".join(f"{{{name}}}" for name in _NUMERAL_FRAGMENTS), ruleset.fragments, "numeral guard")
    return f"(?!(?<=[A-Za-z])[A-Za-z]|(?<={char})(?:{char}))"


def _picker(positions: list[int]):
    """Items at `positions` of a tuple, always as a tuple (itemgetter of one position returns the item)."""
    if len(positions) == 1:
        only = positions[0]
        return lambda items: (items[only],)
    return itemgetter(*positions) if positions else (lambda items: ())
