"""What a document is to its readers once read: its sections, its time words and the lookups per claim.

context.py's DocumentReader builds a DocumentContext once per document; the
field resolvers (years, kinds, tiers) look things up in it per claim.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field

from .periods import PeriodShape
from .segments import Segments


@dataclass(frozen=True)
class TimeMention:
    """A word that places figures in time (rules/years.toml): its span, role and the year it stands for."""

    start: int
    end: int
    role: str  # comparison, period, stated, relative, following, month or whole_year
    year: int | None  # stated, relative, following: the year; a comparison: its base year when one is written
    end_month: int | None = None  # month: the last month the words cover (一季度 -> 3, 1-7月 -> 7)
    base: bool = False  # a comparison written 比…的: the figure right after it is the base itself
    span: bool = False  # a range of years (2021—2023年): a goal's end year, no one year of a reported figure
    shape: PeriodShape | None = None  # what it says below the year (6月末, 一季度, 1-5月); None: the year (2023年, 今年)


@dataclass(frozen=True)
class Section:
    """A stretch under one heading, list lead or lead line: what its figures are and the year they take."""

    start: int
    kind: str | None  # target, policy or actual, as its heading or lead says; None when it says nothing
    states_year: bool  # its heading or lead states a year or a period (then `year` may be None)
    year: int | None
    shape: PeriodShape | None = None  # the part of the year it states (一、2023年上半年工作情况 -> the first half)


@dataclass
class DocumentContext:
    """A document as a reader holds it in mind: read once, looked up per claim."""

    text: str
    segments: Segments
    date: datetime.date | None
    title: str
    paragraph_starts: tuple[int, ...]
    paragraph_ends: tuple[int, ...]
    sections: list[Section]
    mentions: list[TimeMention]
    current_year: int | None  # the year the document is written in: its date's, else the last year it states (not a goal's)
    report_period: int | None  # the year of a report named in the title or the lead sentence
    report_shape: PeriodShape | None  # and the part of that year it covers (2022年二季度…报告, 今年1-5月，…)
    title_year: int | None  # the last year the title states (a range: its end)
    title_is_plan: bool
    title_is_report: bool
    plan_ends: list[int]  # where each plan the text names with its years ends, in order
    plan_years: list[int]  # and its end year
    headline_lines: frozenset[int]  # starts of the title line and of subheads: lines that restate figures of the story
    target_cues: tuple[int, ...]  # where a goal is announced (力争, 到2025年，, 目标是): it governs the rest of its paragraph
    # What a resolver works out once per document on first need (subjects/inheritance.py: the clause breaks and what the
    # clauses between them count), so that a figure's lookup does not reread its paragraph.
    lookups: dict = field(default_factory=dict, repr=False, compare=False)
    _section_starts: list[int] = field(default_factory=list)
    _mention_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._section_starts = [section.start for section in self.sections]
        self._mention_starts = [mention.start for mention in self.mentions]

    @property
    def year(self) -> int | None:
        """The year of the document's own date."""
        return self.date.year if self.date else None

    def paragraph_at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.paragraph_starts, offset) - 1
        if index < 0:
            return 0, len(self.text)
        return self.paragraph_starts[index], self.paragraph_ends[index]

    def section_at(self, offset: int) -> Section | None:
        index = bisect.bisect_right(self._section_starts, offset) - 1
        return self.sections[index] if index >= 0 else None

    def mentions_between(self, start: int, end: int) -> list[TimeMention]:
        """The time words that end within [start, end), in order."""
        lo = bisect.bisect_left(self._mention_starts, start)
        hi = bisect.bisect_left(self._mention_starts, end)
        return [mention for mention in self.mentions[lo:hi] if mention.end <= end]

    def last_plan_year(self, offset: int) -> int | None:
        """The end year of the last plan the text names before `offset`."""
        index = bisect.bisect_right(self.plan_ends, offset) - 1
        return self.plan_years[index] if index >= 0 else None

    def has_target_cue(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.target_cues, start)
        return index < len(self.target_cues) and self.target_cues[index] < end

    def date_year_for_month(self, end_month: int | None) -> int | None:
        """The year of a month or quarter written without one: the date's, or the year before for a month still to come."""
        if self.date is None:
            return None
        if end_month is not None and end_month > self.date.month:
            return self.date.year - 1
        return self.date.year

    def is_headline(self, offset: int) -> bool:
        index = bisect.bisect_right(self.segments.line_starts, offset) - 1
        return index >= 0 and self.segments.line_starts[index] in self.headline_lines
