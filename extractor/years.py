"""The year a figure refers to, and its period: the one place that decides them.

The order is the contract's (docs/claims.md section 7, "Year, in full") and is
written out, with the words it reads, at the head of rules/years.toml. The
document's time words were found once (context.DocumentContext.mentions);
here a claim only looks back over them and over its document's structure.

The period (periods.py) is decided with the year, so the two always agree:
what the words that gave the year say below it (2022年6月末, the title's
2022年二季度), made finer by the last month, quarter or half written after
them and before the figure in its paragraph (2022年，…二季度末，… ->
2022-06-30). A `policy` figure's period is its year (rules/periods.toml).
"""

from __future__ import annotations

import regex

from .attribution import ClaimContext
from .context import DocumentContext, DocumentReader, TimeMention, year_number
from .periods import PeriodShape, period_text

_GAP = regex.compile(r"\s*")


class YearResolver:
    def __init__(self, reader: DocumentReader):
        self.reader = reader

    def resolve(self, claim: ClaimContext, kind: str, document: DocumentContext,
                paired: tuple[list[tuple[int, int]], int] | None = None) -> tuple[int | None, str | None]:
        """The claim's year and period (periods.py), both None where the document does not say."""
        year, shape = self._year_and_shape(claim, kind, document, paired)
        return year, period_text(year, None if kind == "policy" else shape)

    def _year_and_shape(self, claim: ClaimContext, kind: str, document: DocumentContext,
                        paired: tuple[list[tuple[int, int]], int] | None) -> tuple[int | None, PeriodShape | None]:
        item_month = None
        if paired is not None:  # 2021年、2022年分别新增X家和Y家: the year its item states (a comparison's is none)
            items, index = paired
            in_item = document.mentions_between(*items[index])
            stated = [m for m in in_item if m.role == "stated"]
            if stated:
                return stated[-1].year, stated[-1].shape
            item_month = next((m for m in reversed(in_item) if m.role == "month"), None)  # 6月末、9月末分别为X、Y
        policy = kind == "policy"
        scope_start = claim.sentence_start if policy else document.paragraph_at(claim.start)[0]
        before = document.mentions_between(scope_start, claim.start)
        base = _base_of(before, claim, document.text)
        if base is not None:
            return base.year, base.shape
        if kind == "target":  # 总投资860亿元的《…行动计划（2025-2027年）》: the plan it is the figure of
            planned = self.reader.plan_after(document.text, claim.end, claim.clause_end)
            if planned is not None:
                return planned, None
        clause_before = [m for m in before if m.start >= claim.clause_start and m.role != "comparison"]
        if not clause_before:
            joined = self._joined(claim, document.text)
            if joined is not None:
                return joined, None
        # The last month, quarter or half before the figure and after the words that give its year makes its period
        # finer, unless 全年 comes after it (12月份…，全年…: the year again).
        month = item_month
        for mention in reversed(before):
            if mention.role == "comparison":
                continue
            if mention.role in ("month", "whole_year"):
                if month is None:
                    month = mention
                continue
            if policy and mention.role not in ("stated", "period"):
                continue  # 上年度 in a criterion is the year before an application, not before the document
            if mention.role == "period":  # 近三年, 2018年以来: none; 2023年以来 in a text of 2023: this year so far
                if mention.year is not None and mention.year == document.current_year:
                    return mention.year, _finer(month, None)
                return None, None
            if mention.span and kind == "actual":
                return None, None  # 2021—2023年，累计…: a span of years is no one year of a reported figure
            return mention.year, _finer(month, mention.shape)  # a relative year without a date: None
        return self._from_document(claim, kind, document, before, month, item_month)


    @staticmethod
    def _from_document(claim: ClaimContext, kind: str, document: DocumentContext, before: list[TimeMention],
                       month: TimeMention | None, item_month: TimeMention | None) -> tuple[int | None, PeriodShape | None]:
        """Where no time word before the figure gives its year: its section's, the document's (by kind), else the
        last month written before it in the document's year."""
        policy = kind == "policy"
        section = document.section_at(claim.start)
        if section is not None and section.states_year:
            return section.year, _finer(month, section.shape)
        if policy:
            if document.title_year is not None and not document.title_is_report and not document.title_is_plan:
                return document.title_year, None
        elif kind == "target" and document.title_is_report and document.title_year is not None:
            return document.title_year, _finer(month, None)  # a work report's targets are for the year it is given in
        elif document.report_period is not None:
            return document.report_period, _finer(month, document.report_shape)
        if kind == "target":
            if document.title_is_plan and document.title_year is not None:
                return document.title_year, _finer(month, None)
            planned = document.last_plan_year(claim.start)
            if planned is not None:
                return planned, _finer(month, None)
        last_month = next((m for m in reversed(before) if m.role == "month"), item_month)
        if last_month is not None and not policy:  # month is set too: the last month, or 全年 after it
            return document.date_year_for_month(last_month.end_month), month.shape
        return None, None

    def _joined(self, claim: ClaimContext, text: str) -> int | None:
        """The year of a list the figure joins, written after it in its clause (纳入2023年度…目录)."""
        for pattern in self.reader.joined:
            match = pattern.match(text, claim.end, claim.clause_end)
            if match:
                return year_number(match.group("year"))
        return None


def _finer(month: TimeMention | None, shape: PeriodShape | None) -> PeriodShape | None:
    """The part of the year a month, quarter or half written after the year's words names, else what those words name."""
    return month.shape if month is not None and month.shape is not None else shape


def _base_of(before: list[TimeMention], claim: ClaimContext, text: str) -> TimeMention | None:
    """A comparison written 比2015年的 right before the figure: the figure is the base, of that year."""
    if not before:
        return None
    last = before[-1]
    if last.role == "comparison" and last.base and last.year is not None:
        if _GAP.match(text, last.end, claim.start).end() == claim.start and not text.startswith("倍", claim.end - 1):
            return last
    return None
