"""The year a figure refers to: the one place that decides it.

The order is the contract's (docs/claims.md section 7, "Year, in full") and is
written out, with the words it reads, at the head of rules/years.toml. The
document's time words were found once (context.DocumentContext.mentions);
here a claim only looks back over them and over its document's structure.
"""

from __future__ import annotations

import regex

from .attribution import ClaimContext
from .context import DocumentContext, DocumentReader, TimeMention, year_number

_GAP = regex.compile(r"\s*")


class YearResolver:
    def __init__(self, reader: DocumentReader):
        self.reader = reader

    def resolve(self, claim: ClaimContext, kind: str, document: DocumentContext,
                paired: tuple[list[tuple[int, int]], int] | None = None) -> int | None:
        """The claim's year, or None where the document does not say."""
        if paired is not None:  # 2021年、2022年分别新增X家和Y家: the year its item states (a comparison's is none)
            items, index = paired
            stated = [m.year for m in document.mentions_between(*items[index]) if m.role == "stated"]
            if stated:
                return stated[-1]
        policy = kind == "policy"
        scope_start = claim.sentence_start if policy else document.paragraph_at(claim.start)[0]
        before = document.mentions_between(scope_start, claim.start)
        base = _base_of(before, claim, document.text)
        if base is not None:
            return base.year
        if kind == "target":  # 总投资860亿元的《…行动计划（2025-2027年）》: the plan it is the figure of
            planned = self.reader.plan_after(document.text, claim.end, claim.clause_end)
            if planned is not None:
                return planned
        clause_before = [m for m in before if m.start >= claim.clause_start and m.role != "comparison"]
        if not clause_before:
            joined = self._joined(claim, document.text)
            if joined is not None:
                return joined
        month_seen = False
        for mention in reversed(before):
            if mention.role == "comparison":
                continue
            if mention.role == "month":
                month_seen = True
                continue
            if policy and mention.role not in ("stated", "period"):
                continue  # 上年度 in a criterion is the year before an application, not before the document
            if mention.role == "period":  # 近三年, 2018年以来: none; 2023年以来 in a text of 2023: this year so far
                return mention.year if mention.year is not None and mention.year == document.current_year else None
            if mention.span and kind == "actual":
                return None  # 2021—2023年，累计…: a span of years is no one year of a reported figure
            return mention.year  # a relative year without a date: None
        section = document.section_at(claim.start)
        if section is not None and section.states_year:
            return section.year
        if policy:
            if document.title_year is not None and not document.title_is_report and not document.title_is_plan:
                return document.title_year
        elif kind == "target" and document.title_is_report and document.title_year is not None:
            return document.title_year  # a work report's targets are for the year it is given in
        elif document.report_period is not None:
            return document.report_period
        if kind == "target":
            if document.title_is_plan and document.title_year is not None:
                return document.title_year
            planned = document.last_plan_year(claim.start)
            if planned is not None:
                return planned
        if month_seen and not policy:
            return document.date_year_for_month(next(m.end_month for m in reversed(before) if m.role == "month"))
        return None

    def _joined(self, claim: ClaimContext, text: str) -> int | None:
        """The year of a list the figure joins, written after it in its clause (纳入2023年度…目录)."""
        for pattern in self.reader.joined:
            match = pattern.match(text, claim.end, claim.clause_end)
            if match:
                return year_number(match.group("year"))
        return None


def _base_of(before: list[TimeMention], claim: ClaimContext, text: str) -> TimeMention | None:
    """A comparison written 比2015年的 right before the figure: the figure is the base, of that year."""
    if not before:
        return None
    last = before[-1]
    if last.role == "comparison" and last.base and last.year is not None:
        if _GAP.match(text, last.end, claim.start).end() == claim.start and not text.startswith("倍", claim.end - 1):
            return last
    return None
