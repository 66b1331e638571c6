"""Attribution: what a claim measures (metric) and in which programme. These
read the claim's own sentence and clause; the word lists live in rules/
(metrics, programs). Subject, tier, kind and year have modules of their own
(subjects, tiers, kinds, years).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import regex

from .ruleset import RuleError, RuleSet, words_pattern

_MEMO_SIZE = 65_536  # subjects remembered by program (a few dozen characters each)
_CHARACTER_CLASS = regex.compile(r"\[(?:[^\]\\]|\\.)+\]")


@dataclass(frozen=True)
class ClaimContext:
    """Where a claim sits: its span, its sentence and its clause (offsets into `text`)."""

    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    clause_start: int
    clause_end: int


class Attributor:
    def __init__(self, ruleset: RuleSet):
        metrics = ruleset.family("metrics")
        # Where no cue is found, the metric of the unit class (rules/units.toml).
        self.class_metric = {unit_class["name"]: unit_class["metric"] for unit_class in ruleset.closed_lists["unit_class"]}
        self.after_penalty = ruleset.table("metrics", "after_penalty")
        self.window_before = ruleset.table("metrics", "window_before")
        self.window_after = ruleset.table("metrics", "window_after")
        self._metric_cues: dict[str, tuple[regex.Pattern, dict[str, tuple[int, str]]]] = {}
        for unit_class in {u for rule in metrics for u in rule["units"]}:
            by_word: dict[str, tuple[int, str]] = {}
            for order, rule in enumerate(metrics):
                if unit_class in rule["units"]:
                    for word in rule["words"]:
                        # a pass-over word (提高至: a level, not a change) hides the shorter cue in it
                        by_word.setdefault(word, (order, None if rule["pass_over"] else rule["metric"]))
            if by_word:
                self._metric_cues[unit_class] = (re.compile(words_pattern(list(by_word))), by_word)

        # Characters that end a claim's clause (rules/subjects.toml): the clause a metric cue and a subject are read in.
        breaks = ruleset.table("subjects", "clause_breaks")
        if not _CHARACTER_CLASS.fullmatch(breaks):
            raise RuleError(f"{ruleset.directory}/subjects.toml: clause_breaks must be one class of characters ([…]), "
                            f"not {breaks!r}")
        self._clause_break = regex.compile(breaks)
        # The same characters searched backwards from a number: the last break before it in one step, not every
        # break of its sentence before it (one character each, so the nearest is the last a forward search finds).
        self._clause_break_before = regex.compile(breaks, regex.REVERSE)
        self.program_rules = [(rule.pattern, rule["program"]) for rule in ruleset.family("programs")]
        # memoised: subjects repeat
        self.program = functools.lru_cache(maxsize=_MEMO_SIZE)(self._program)

    # -- metric ---------------------------------------------------------------
    def metric(self, ctx: ClaimContext, unit_class: str, fixed: str | None) -> str:
        """The metric of the cue nearest the number; see rules/metrics.toml.

        All cues of a unit class form one alternation, longest first, so a
        cue inside a longer one (资金 in 融资金额) is never read on its own.
        """
        if fixed:
            return fixed
        cues = self._metric_cues.get(unit_class)
        if cues is None:
            return self.class_metric[unit_class]
        pattern, by_word = cues
        lo = max(ctx.sentence_start, ctx.start - self.window_before)
        hi = min(ctx.clause_end, ctx.end + self.window_after)
        best: tuple[int, int, str] | None = None
        for match in pattern.finditer(ctx.text, lo, ctx.start):
            order, metric = by_word[match.group()]
            key = (ctx.start - match.end(), order)
            if metric and (best is None or key < best[:2]):
                best = (*key, metric)
        for match in pattern.finditer(ctx.text, ctx.end, hi):
            order, metric = by_word[match.group()]
            if metric is None:
                continue
            key = (match.start() - ctx.end + self.after_penalty, order)
            if best is None or key < best[:2]:
                best = (*key, metric)
            break
        return best[2] if best else self.class_metric[unit_class]

    def metric_in(self, text: str, start: int, end: int, unit_class: str) -> str | None:
        """The metric of the cue nearest the end of text[start:end] (the measure a breakdown's items share:
        贷款 in 小微企业贷款主要投向…), or None where those words name none."""
        cues = self._metric_cues.get(unit_class)
        if cues is None:
            return None
        pattern, by_word = cues
        found = None
        for match in pattern.finditer(text, start, end):
            metric = by_word[match.group()][1]
            if metric is not None:
                found = metric
        return found

    # -- programme -----------------------------------------------------------
    def _program(self, subject: str) -> str | None:
        """The first programme (most specific first) whose words the subject names."""
        return next((program for pattern, program in self.program_rules if pattern.search(subject)), None)


    # -- clause ---------------------------------------------------------------
    def clause_bounds(self, text: str, start: int, end: int, sentence_start: int, sentence_end: int) -> tuple[int, int]:
        """The clause around [start, end): from the last break before it to the first after it, within the sentence."""
        before = self._clause_break_before.search(text, sentence_start, start)
        after = self._clause_break.search(text, end, sentence_end)
        return before.end() if before else sentence_start, after.start() if after else sentence_end
