"""Attribution: what a claim measures (metric), of what (subject), at which
tier and programme, for which year, and whether it is reported, targeted or
set by a policy. Every decision reads the claim's own sentence and clause;
the word lists live in rules/ (metrics, subjects, tiers, programs, kinds).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .ruleset import RuleSet, words_pattern
from .segments import Segments

_YEAR = regex.compile(
    r"(?:(?P<from>(?:19|20)\d{2})\s*年?\s*[-–—~至到]\s*)?(?P<year>(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})\s*年(?!代)"
)
_RELATIVE_YEAR = regex.compile(r"截至目前|截止目前|目前|今年|本年|年内|年內|去年|上年度|上一年")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


@dataclass
class Context:
    """Where a claim sits: its sentence and clause, and the claims before it."""

    text: str
    segments: Segments
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    clause_start: int
    clause_end: int


def year_number(text: str) -> int:
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in text))


class Attributor:
    def __init__(self, ruleset: RuleSet):
        metrics = ruleset.family("metrics")
        self.metric_defaults: dict[str, str] = dict(ruleset.table("metrics", "defaults") or {})
        self.after_penalty = int(ruleset.table("metrics", "after_penalty") or 3)
        self.window_before = int(ruleset.table("metrics", "window_before") or 40)
        self.window_after = int(ruleset.table("metrics", "window_after") or 12)
        self.metric_rules = [(rule, set(rule.get("units", [])), int(rule.get("bonus", 0))) for rule in metrics]

        subjects = ruleset.tables.get("subjects", {})
        self._leading = regex.compile(f"^(?:{words_pattern(subjects.get('leading', []))})")
        self._trailing = regex.compile(f"(?:{words_pattern(subjects.get('trailing', []))})$")
        self._clause_break = regex.compile(subjects.get("clause_breaks", r"[，,；;。：:\n]"))
        self._date_prefix = regex.compile(
            r"^(?:自|从|從|截至|截止|至|到|在)?\s*(?:(?:19|20)\d{2}\s*年(?:度)?(?:\s*\d{1,2}(?:\s*[-–—~至到]\s*\d{1,2})?\s*月(?:份)?)?(?:底|末|初|以来|以來|前|上半年|下半年|全年)?|\d{1,2}(?:\s*[-–—~至到]\s*\d{1,2})?月(?:份)?(?:底|末)?)"
        )

        self.tier_rules = [(rule.pattern, rule.get("tier")) for rule in ruleset.family("tiers")]
        self._place_before_tier = regex.compile(r"[全我本该該各]$")
        self.program_rules = [(rule.pattern, rule.get("program")) for rule in ruleset.family("programs")]

        self.kind_rules = ruleset.family("kinds")
        headings = ruleset.table("kinds", "target_headings") or []
        self._target_heading = regex.compile(words_pattern(headings)) if headings else None
        self._heading = regex.compile(ruleset.table("kinds", "heading_pattern") or r"^$")

    # -- metric ---------------------------------------------------------------
    def metric(self, ctx: Context, unit_class: str, fixed: str | None) -> str:
        if fixed:
            return fixed
        text = ctx.text
        lo = max(ctx.sentence_start, ctx.start - self.window_before)
        hi = min(ctx.sentence_end, ctx.end + self.window_after)
        before, after = text[lo : ctx.start], text[ctx.end : hi]
        best: tuple[float, int, str] | None = None
        for order, (rule, units, bonus) in enumerate(self.metric_rules):
            if unit_class not in units:
                continue
            for match in rule.pattern.finditer(before):
                distance = len(before) - match.end() - bonus
                if best is None or (distance, order) < best[:2]:
                    best = (distance, order, rule.get("metric"))
            match = rule.pattern.search(after)
            if match:
                distance = match.start() + self.after_penalty - bonus
                if best is None or (distance, order) < best[:2]:
                    best = (distance, order, rule.get("metric"))
        if best is not None:
            return best[2]
        return self.metric_defaults.get(unit_class, "other")

    # -- subject --------------------------------------------------------------
    def subject(self, ctx: Context, floor: int) -> str:
        """The words before the number in its clause, trimmed; else the noun after it."""
        phrase = ctx.text[max(ctx.clause_start, floor) : ctx.start]
        phrase = self.trim(phrase)
        if len(phrase) >= 2:
            return phrase[-30:]
        following = self.trim(ctx.text[ctx.end : ctx.clause_end])
        return (phrase + following)[:30] if following else phrase

    def trim(self, phrase: str) -> str:
        phrase = phrase.strip(" \t\u3000、")
        for _ in range(8):
            before = phrase
            phrase = self._date_prefix.sub("", phrase).strip(" \t\u3000，,")
            phrase = self._leading.sub("", phrase)
            phrase = self._trailing.sub("", phrase)
            if phrase == before:
                break
        return phrase.strip(" \t\u3000")

    # -- tier and programme ----------------------------------------------------
    def tier(self, ctx: Context, subject: str) -> str | None:
        clause = ctx.text[ctx.clause_start : ctx.clause_end]
        anchor = ctx.start - ctx.clause_start
        best: tuple[int, int, str] | None = None
        for pattern, tier in self.tier_rules:
            for match in pattern.finditer(clause):
                if self._place_before_tier.search(clause, 0, match.start()) and match.start() > 0:
                    continue
                if match.start() < anchor:
                    distance = anchor - match.end()
                else:
                    distance = match.start() - (ctx.end - ctx.clause_start) + self.after_penalty
                key = (distance, -len(match.group()))
                if best is None or key < best[:2]:
                    best = (*key, tier)
        return best[2] if best else None

    def program(self, subject: str) -> str | None:
        for pattern, program in self.program_rules:
            if pattern.search(subject):
                return program
        return None

    # -- year -----------------------------------------------------------------
    def year(self, ctx: Context, doc_year: int | None, default_year: int | None) -> int | None:
        """The last year stated in the sentence before the claim, carried forward."""
        prefix = ctx.text[ctx.sentence_start : ctx.start]
        found: tuple[int, int | None] | None = None
        for match in _YEAR.finditer(prefix):
            found = (match.end(), year_number(match.group("year")))
        for match in _RELATIVE_YEAR.finditer(prefix):
            if found is None or match.end() > found[0]:
                shift = -1 if match.group() in ("去年", "上年度", "上一年") else 0
                found = (match.end(), doc_year + shift if doc_year else None)
        if found is not None:
            return found[1]
        return default_year

    # -- kind -----------------------------------------------------------------
    def kind(self, ctx: Context, metric: str, qualifier: str, in_target_section: bool) -> str:
        sentence_before = ctx.text[ctx.sentence_start : ctx.start]
        clause_before = ctx.text[ctx.clause_start : ctx.start]
        for rule in self.kind_rules:
            metrics = rule.get("metrics")
            qualifiers = rule.get("qualifiers")
            if metrics and metric not in metrics:
                continue
            if qualifiers and qualifier not in qualifiers:
                continue
            kind = rule.get("kind")
            if kind == "target":
                if rule.pattern.search(clause_before):
                    return "target"
                continue
            if rule.pattern.search(sentence_before):
                return kind
        for rule in self.kind_rules:
            if rule.get("kind") == "target" and rule.pattern.search(sentence_before):
                return "target"
        return "target" if in_target_section else "actual"

    def target_sections(self, text: str, segments: Segments) -> list[tuple[int, bool]]:
        """(line start, is target) for every heading line, in order."""
        marks = []
        for start in segments.line_starts:
            line_end = text.find("\n", start)
            line = text[start : line_end if line_end >= 0 else len(text)]
            if len(line) > 40 or not self._heading.search(line):
                continue
            is_target = bool(self._target_heading and self._target_heading.search(line))
            marks.append((start, is_target))
        return marks


def clause_bounds(text: str, start: int, end: int, sentence_start: int, sentence_end: int, breaks: regex.Pattern) -> tuple[int, int]:
    clause_start = sentence_start
    for match in breaks.finditer(text, sentence_start, start):
        clause_start = match.end()
    match = breaks.search(text, end, sentence_end)
    clause_end = match.start() if match else sentence_end
    return clause_start, clause_end
