"""Whether a figure is reported (actual), a goal (target) or set by a policy: the one place that decides it.

Cues around the claim come first (rules/kinds.toml, in order: the first rule
that fires wins); then what the document says around it: a figure glossed in
brackets right after another (20%（160万元）) is of its kind; the section's
heading, list lead or lead line; a goal announced earlier in the paragraph
(力争…。…); a plan's title; else actual. Once the year is known, a figure
of a year after the document's date is a goal.
"""

from __future__ import annotations

import regex

from .attribution import ClaimContext
from .contextmodel import DocumentContext
from .ruleset import RuleError, RuleSet

_SCOPES = {"clause", "sentence", "after", "rest"}
# Only an opening bracket between two figures: the second glosses the first (20%（160万元）).
_GLOSS = regex.compile(r"\s*[（(]\s*")


class KindResolver:
    def __init__(self, ruleset: RuleSet):
        self._checks = []
        for rule in ruleset.family("kinds"):
            scopes = rule["scope"]
            if set(scopes) - _SCOPES or rule.pattern is None:
                raise RuleError(f"{rule.path}: rule {rule.id!r}: needs a pattern and scopes among {', '.join(sorted(_SCOPES))}")
            self._checks.append((rule.pattern, frozenset(rule["metrics"]), frozenset(rule["qualifiers"]),
                                 frozenset(rule["units"]), tuple(scopes), rule["kind"]))
        self._applicable: dict[tuple[str, str, str], list[tuple[regex.Pattern, tuple[str, ...], str]]] = {}

    def _rules_for(self, metric: str, qualifier: str, unit_class: str) -> list[tuple[regex.Pattern, tuple[str, ...], str]]:
        """The rules that apply to a claim of this metric, qualifier and unit class, in order: (pattern, scopes, kind).
        Worked out once per combination (62 over the bench and development documents): testing every rule for
        every claim cost more than the searches."""
        key = (metric, qualifier, unit_class)
        found = self._applicable.get(key)
        if found is None:
            found = self._applicable[key] = [
                (pattern, scopes, kind) for pattern, metrics, qualifiers, units, scopes, kind in self._checks
                if not ((metrics and metric not in metrics) or (qualifiers and qualifier not in qualifiers)
                        or (units and unit_class not in units))]
        return found

    def resolve(self, claim: ClaimContext, metric: str, qualifier: str, unit_class: str, document: DocumentContext,
                previous_kind: str | None, previous_end: int | None) -> str:
        """`previous_kind`, `previous_end`: the claim before it in its sentence, if any."""
        text = claim.text
        if previous_end is not None and _GLOSS.fullmatch(text, previous_end, claim.start):
            return previous_kind
        scopes = {
            "clause": text[claim.clause_start : claim.start],
            "sentence": text[claim.sentence_start : claim.start],
            "after": text[claim.end : claim.clause_end],
            "rest": text[claim.end : claim.sentence_end],
        }
        for pattern, rule_scopes, kind in self._rules_for(metric, qualifier, unit_class):
            for scope in rule_scopes:
                if pattern.search(scopes[scope]):
                    return kind
        section = document.section_at(claim.start)
        if section is not None and section.kind is not None:
            return section.kind
        if document.has_target_cue(document.paragraph_at(claim.start)[0], claim.sentence_start):
            return "target"  # 力争到2027年，…。推动企业上云，覆盖率达到90%。
        if document.title_is_plan:
            return "target"
        return "actual"

    @staticmethod
    def for_year(kind: str, year: int | None, document: DocumentContext) -> str:
        """A reported figure of a year after the document's date is a goal (明年，…增长15%以上)."""
        if kind == "actual" and year is not None and document.year is not None and year > document.year:
            return "target"
        return kind
