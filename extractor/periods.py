"""The period a figure refers to, finer than its year, as ISO-like text.

`2022` (a year), `2022-H1` (上半年), `2022-Q2` (二季度), `2022-06` (6月),
`2022-01/2022-05` (1-5月份, 前三季度 is `2022-01/2022-09`) and `2022-06-30`
(an as-of date: 6月末, 二季度末, 截至2022年6月底). What a time word says below
its year is read once, when a document is read (context.py), into a
`PeriodShape` by the forms of rules/periods.toml; years.py decides a figure's
year and the shape that goes with it, and `PeriodShape.text` writes the two as
one text, so a period always starts with its figure's year.

The functions at the end read such a text back as the days it covers, so diff
and series can put periods in order and take 一季度 (`2022-Q1`) and 1-3月
(`2022-01/2022-03`) for one stretch of time.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

import regex

from .ruleset import RuleError, RuleSet

_SHAPES = ("date", "month_end", "month", "months", "quarter", "quarter_end", "quarters", "half", "half_end", "year_end", "year")
_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class PeriodShape:
    """A stretch of a year, whatever the year: what a time word says below it."""

    unit: str  # date (a day), end (a month's last day), month, months, quarter, half or year (the whole year: 全年)
    first: int  # the month (date, end, month, months), the quarter or the half
    last: int = 0  # the day of a date; the last month of months

    def text(self, year: int) -> str:
        """The period of this shape in `year`: 2022-06-30, 2022-06, 2022-01/2022-05, 2022-Q2, 2022-H1, 2022."""
        if self.unit == "year":
            return f"{year:04d}"
        if self.unit == "date":
            if self.last > calendar.monthrange(year, self.first)[1]:  # 2月29日 of a year that has none
                return f"{year:04d}-{self.first:02d}"
            return f"{year:04d}-{self.first:02d}-{self.last:02d}"
        if self.unit == "end":
            return f"{year:04d}-{self.first:02d}-{calendar.monthrange(year, self.first)[1]:02d}"
        if self.unit == "month":
            return f"{year:04d}-{self.first:02d}"
        if self.unit == "months":
            return f"{year:04d}-{self.first:02d}/{year:04d}-{self.last:02d}"
        return f"{year:04d}-{'Q' if self.unit == 'quarter' else 'H'}{self.first}"


def period_text(year: int | None, shape: PeriodShape | None) -> str | None:
    """The period of a figure of `year`: the year itself where no shape is known, none without a year."""
    if year is None:
        return None
    return shape.text(year) if shape is not None else str(year)


class PeriodForms:
    """The forms of rules/periods.toml, compiled once: each reads one way of writing a stretch of a year."""

    def __init__(self, ruleset: RuleSet):
        self._forms: list[tuple[regex.Pattern, str, dict]] = []
        for rule in ruleset.family("periods"):
            shape = rule["shape"]
            if shape not in _SHAPES or rule.pattern is None:
                raise RuleError(f"{rule.path}: rule {rule.id!r}: needs a pattern and a shape among {', '.join(_SHAPES)}")
            self._forms.append((rule.pattern, shape, rule.data))

    def read(self, text: str, start: int = 0, end: int | None = None) -> PeriodShape | None:
        """The shape the first form finds in text[start:end] (leftmost; at one place the earlier form), or None."""
        end = len(text) if end is None else end
        found = None
        for pattern, shape, data in self._forms:
            match = pattern.search(text, start, end)
            if match is not None and (found is None or match.start() < found[0].start()):
                found = (match, shape, data)
        return _shape(*found) if found is not None else None


def _shape(match: regex.Match, shape: str, data: dict) -> PeriodShape | None:
    """The PeriodShape a form's match stands for; None for a month or a day no calendar has."""
    groups = match.groupdict()
    month = _number(groups.get("month")) or data["first_month"]
    month_to = _number(groups.get("month_to"))
    quarter = _number(groups.get("quarter"))
    half = data["half"].get(groups.get("half") or "", 0)
    if shape == "date":
        day = _number(groups.get("day"))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:  # a leap year: 2月29日 is a day
            return None
        return PeriodShape("date", month, day)
    if shape in ("month_end", "month"):
        return PeriodShape("end" if shape == "month_end" else "month", month) if 1 <= month <= 12 else None
    if shape == "months":
        if not 1 <= month <= month_to <= 12:
            return None
        return PeriodShape("month", month) if month == month_to else PeriodShape("months", month, month_to)
    if shape in ("quarter", "quarter_end", "quarters"):
        quarter_from = _number(groups.get("quarter_from")) or 1  # 二至三季度: from the second; 前三季度: from the first
        if not 1 <= quarter_from <= quarter <= 4:
            return None
        if shape == "quarter" or (shape == "quarters" and quarter_from == quarter):
            return PeriodShape("quarter", quarter)
        if shape == "quarter_end":
            return PeriodShape("end", 3 * quarter)
        return PeriodShape("months", 3 * quarter_from - 2, 3 * quarter)
    if shape in ("half", "half_end"):
        if half not in (1, 2):
            return None
        return PeriodShape("half", half) if shape == "half" else PeriodShape("end", 6 * half)
    if shape == "year":
        return PeriodShape("year", 0)
    return PeriodShape("end", 12)  # year_end


def _number(written: str | None) -> int:
    """1 to 31 written in Arabic or Chinese digits (06, 十一, 二十三, 两); 0 for none."""
    if not written:
        return 0
    if written.isdigit():
        return int(written)
    if "十" in written:
        tens, _, ones = written.partition("十")
        return 10 * (_CN_NUMBERS.get(tens, 1) if tens else 1) + _CN_NUMBERS.get(ones, 0)
    return _CN_NUMBERS.get(written, 0)


# -- reading a period back -------------------------------------------------------
_PERIOD = regex.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})(?:-(?P<day>\d{2}))?))?"
                        r"(?:/(?P<to_year>\d{4})-(?P<to_month>\d{2}))?$")


def period_bounds(period: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a period covers (an as-of date: that day twice); None for a text that is no period."""
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None:
        return None
    year = int(match["year"])
    try:
        if match["to_month"]:
            to_year, to_month = int(match["to_year"]), int(match["to_month"])
            return (datetime.date(year, int(match["month"]), 1),
                    datetime.date(to_year, to_month, calendar.monthrange(to_year, to_month)[1]))
        if match["day"]:
            day = datetime.date(year, int(match["month"]), int(match["day"]))
            return day, day
        if match["month"]:
            first, last = int(match["month"]), int(match["month"])
        elif match["quarter"]:
            last = 3 * int(match["quarter"][1])
            first = last - 2
        elif match["half"]:
            last = 6 * int(match["half"][1])
            first = last - 5
        else:
            first, last = 1, 12
        return datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1])
    except ValueError:
        return None


def same_stretch(period: str) -> str:
    """One text for one stretch of time however it was written: 2022-01/2022-03 -> 2022-Q1, 2022-01/2022-12 -> 2022.

    A stretch of whole months that is a year, a half, a quarter or one month
    takes that name; any other keeps its range, an as-of date its day.
    """
    bounds = period_bounds(period)
    if bounds is None:
        return period
    first, last = bounds
    if first == last or first.day != 1 or first.year != last.year:
        return period
    months = last.month - first.month + 1
    if months == 12:
        return str(first.year)
    if months == 6 and first.month in (1, 7):
        return f"{first.year}-H{last.month // 6}"
    if months == 3 and first.month % 3 == 1:
        return f"{first.year}-Q{last.month // 3}"
    if months == 1:
        return f"{first.year}-{first.month:02d}"
    return f"{first.year}-{first.month:02d}/{last.year}-{last.month:02d}"


def period_order(period: str) -> tuple:
    """Periods in time order: by the day they end, then the day they start (2022-H1, 2022-Q2, 2022-06, 2022-06-30)."""
    bounds = period_bounds(period)
    return (0, bounds[1], bounds[0], period) if bounds is not None else (1, datetime.date.max, datetime.date.max, str(period))
