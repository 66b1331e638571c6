"""A table found in a text, as spans: its region, caption, header and rows; and the lines of a text by offset.

tablelayout.py finds tables and tables.py reads their cells; both speak of
them in these terms. Spans are [start, end) character offsets, relative to
the table's start once in a Table, so a table found in the original text
serves the normalised copy too.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, replace

import regex

Span = tuple[int, int]  # [start, end), relative to the table's start once in a Table

BLANKS = regex.compile(r"[ \t\u3000]+")
YEAR_CELL = regex.compile(r"^(?:19|20)\d{2}\s*年?$")
_LINE_BREAK = regex.compile(r"\n")


@dataclass(frozen=True)
class Row:
    """A row: its label, one cell per value column (None: empty), its whole text, its indentation."""

    label: Span
    cells: tuple[Span | None, ...]
    span: Span
    indent: int


@dataclass(frozen=True)
class Table:
    """A table in a text: its region, the lines above its header, the header of each value column, its rows."""

    start: int
    end: int
    layout: str  # tab, pipe, spaces or lines
    caption: tuple[Span, ...]
    header: tuple[tuple[Span, ...], ...]  # per value column, top header row first
    rows: tuple[Row, ...]

    def moved(self, start: int) -> "Table":
        """The same table at another offset: its place in a normalised copy, which leaves tables as they are."""
        return replace(self, start=start, end=start + self.end - self.start)


@dataclass(frozen=True)
class Line:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def at(self, span: Span) -> str:
        return self.text[span[0] - self.start : span[1] - self.start]

    def body(self) -> Span:
        """The line's span without leading and trailing blanks."""
        start, end = strip_span(self.text, 0, len(self.text))
        return self.start + start, self.start + end


class Lines(list):
    """The lines of a text, looked up by offset."""

    def __init__(self, lines):
        super().__init__(lines)
        self.starts = [line.start for line in self]

    def index_at(self, offset: int) -> int:
        """The index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


def text_lines(text: str):
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield start, text[start : match.start()]
        start = match.end()
    yield start, text[start:]


def split_spans(text: str, separator: regex.Pattern) -> list[Span]:
    spans, start = [], 0
    for match in separator.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def strip_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \u3000\t\r":
        start += 1
    while end > start and text[end - 1] in " \u3000\t\r":
        end -= 1
    return start, end


def display_columns(span: Span, lines: Lines) -> Span:
    """The display columns a span of one line takes (a Chinese character two, as a monospaced font draws it)."""
    line = lines[lines.index_at(span[0])]
    start = display_width(line.text[: span[0] - line.start])
    return start, start + display_width(line.text[span[0] - line.start : span[1] - line.start])


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def leading_width(text: str) -> int:
    """Display columns of a line's leading blanks (an ideographic space takes two)."""
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\u3000":
            width += 2
        else:
            break
    return width
