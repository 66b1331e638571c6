"""Where the tables of a text are: their layout, found in code (their cells are read in tables.py).

Tables reach us in four layouts, all of them text:
- one row a line, cells apart by a tab (HTML and Word tables as the readers
  write them, empty cells kept), by `|`, or by runs of two or more spaces (a
  table typed into a text file: one space never parts cells, it may sit
  inside a label or a number);
- one cell a line (a web table flattened by copying): after header lines
  written the same way, a label line and then one line per figure.
A table needs a header and rows of bare numbers, so prose, numbered lists and
figures with words around them are never tables; their numbers are left to
the sentence rules. The normalised copy leaves table regions as written (a
tab or a line break between two cells must never join them into one number).
"""

from __future__ import annotations

from dataclasses import replace

import regex

from .ruleset import RuleSet
from .tablemodel import (BLANKS, YEAR_CELL, Line, Lines, Row, Span, Table, display_columns, leading_width, split_spans, strip_span,
                         text_lines)

_TAB = regex.compile(r"\t")
_PIPE = regex.compile(r"[|｜]")
_SPACE_GAP = regex.compile(r"[ \u3000]{2,}|\u3000")  # two spaces or an ideographic space part two cells
_MARKDOWN_RULE = regex.compile(r"^[\s|｜:：\-—]+$")  # |---|:---:|
_SENTENCE_END = ("。", "；", ";")
_MAX_ROW = 2000  # characters: a longer line is prose (or a page written on one line)
_MAX_LABEL = 40  # characters, blanks left out, of a flattened table's label or header line
_MAX_CAPTION = 60
_CAPTION_LINES = 4
# Rows of figures a table needs: a spaced or flattened table is the easier to
# mistake, so it needs two; a table the readers wrote with tabs needs one.
_MIN_ROWS = {"tab": 1, "pipe": 1, "spaces": 2, "lines": 2}


class TableFinder:
    """Finds the tables of a text with a rule set's words for cells and headers (rules/tables.toml)."""

    def __init__(self, ruleset: RuleSet):
        self._number = ruleset.rule("table.cell").pattern
        self._no_data = frozenset(ruleset.rule("table.no_data")["words"])
        self._stubs = frozenset(BLANKS.sub("", word) for word in ruleset.rule("table.stub_header")["words"])
        self._serials = frozenset(ruleset.rule("table.serial_header")["words"])

    def find(self, text: str) -> list[Table]:
        """Every table in `text`, in text order."""
        if "\n" not in text:
            return []
        lines = Lines(Line(start, line) for start, line in text_lines(text))
        found = sorted(self._delimited(lines) + self._flattened(lines), key=lambda table: table.start)
        tables: list[Table] = []
        for table in found:  # one layout a region: the first to start wins an overlap
            if not tables or table.start >= tables[-1].end:
                tables.append(table)
        return tables

    def _split(self, line: Line) -> tuple[str, list[Span]] | None:
        """(layout, cell spans) of a line that parts cells by tabs, bars or runs of spaces; None for any other line.

        A markdown rule line (|---|---|) gives no cells but keeps its table going.
        """
        text = line.text
        if len(text) > _MAX_ROW:
            return None
        if "\t" in text:
            layout, pieces = "tab", split_spans(text, _TAB)
        elif _PIPE.search(text):
            if _MARKDOWN_RULE.match(text):
                return "pipe", []
            layout, pieces = "pipe", split_spans(text, _PIPE)
            stripped = text.strip()
            pieces = pieces[1 if stripped[:1] in "|｜" else 0 : -1 if stripped[-1:] in "|｜" else None]
        elif _SPACE_GAP.search(text.strip(" \u3000")):
            layout, pieces = "spaces", [piece for piece in split_spans(text, _SPACE_GAP) if piece[0] < piece[1]]
        else:
            return None
        cells = [(line.start + s, line.start + e) for s, e in (strip_span(text, *piece) for piece in pieces)]
        return (layout, cells) if len(cells) >= 2 else None

    def _is_number(self, text: str) -> bool:
        return self._number.match(text) is not None

    def _is_value(self, text: str) -> bool:
        """What a row of figures holds in a cell: a number or a no-data mark."""
        return text in self._no_data or self._is_number(text)

    def _is_header(self, texts: list[str]) -> bool:
        """A header row: two or more cells of words and no figure, or a stub (指标) above years (2021, 2022)."""
        filled = [t for t in texts if t]
        if len(filled) < 2:
            return False
        if BLANKS.sub("", texts[0]) in self._stubs and all(YEAR_CELL.match(t) for t in filled[1:]):
            return True
        return not any(self._is_value(t) for t in filled)

    def _has_figures(self, texts: list[str]) -> bool:
        return any(self._is_number(t) for t in texts[1:]) and not self._is_header(texts)

    def _delimited(self, lines: Lines) -> list[Table]:
        """Tables of one row a line: runs of lines parted the same way (blank lines between them allowed)."""
        tables: list[Table] = []
        run: list[tuple[Line, list[Span]]] = []
        layout = None
        for line in lines:
            if not line.text.strip():
                continue
            split = self._split(line)
            if split is not None and split[0] == layout:
                run.append((line, split[1]))
                continue
            if run:
                tables.extend(self._tables_in_run(run, layout, lines))
            run, layout = ([(line, split[1])], split[0]) if split else ([], None)
        if run:
            tables.extend(self._tables_in_run(run, layout, lines))
        return tables

    def _tables_in_run(self, run: list[tuple[Line, list[Span]]], layout: str, lines: Lines) -> list[Table]:
        """The tables of a run of parted lines, each from its header rows to its last row of figures."""
        texts = [[line.at(cell) for cell in cells] for line, cells in run]
        tables: list[Table] = []
        i = 0
        while i < len(run):
            if not self._is_header(texts[i]):
                i += 1
                continue
            headers = [i]
            j = i + 1
            while j < len(run) and self._is_header(texts[j]):
                headers.append(j)
                j += 1
            serial = BLANKS.sub("", texts[i][0]) in self._serials
            rows: list[Row] = []
            last_figures = 0
            while j < len(run):
                if self._has_figures(texts[j]):
                    last_figures = len(rows) + 1
                elif self._is_header(texts[j]) and last_figures:
                    break  # the header of the next table
                line, cells = run[j]
                if cells:
                    rows.append(self._row(line, cells[1:] if serial else cells))
                j += 1
            rows = rows[:last_figures]
            if len(rows) >= _MIN_ROWS[layout]:
                header_cells = [run[h][1][1:] if serial else run[h][1] for h in headers]
                tables.append(self._table(layout, run[i][0], header_cells, rows, lines))
            i = j  # a header inside the lines read would find the same rows: go on after them
        return tables

    def _row(self, line: Line, cells: list[Span]) -> Row:
        label, values = cells[0], cells[1:]
        margin = leading_width(line.text)
        return Row(label, tuple(cell if cell[0] < cell[1] else None for cell in values), (line.start + margin, cells[-1][1]), margin)

    def _table(self, layout: str, first: Line, header_rows: list[list[Span]], rows: list[Row], lines: Lines) -> Table:
        """A delimited table, its header cells laid over its value columns.

        A header row with a cell for the label column too (指标 | 本年 | 上年)
        starts one column earlier than one without (| 本年 | 上年 typed with a
        blank corner); a shorter last header row is laid from the right. In an
        upper header row (2023年 over 1-6月 | 增长) an empty cell takes the cell
        to its left: the readers write a merged cell once, then empty cells.
        """
        width = max(len(row.cells) for row in rows)
        columns: list[list[Span]] = [[] for _ in range(width)]
        for number, cells in enumerate(header_rows):
            offset = len(cells) - width  # cells before the value columns: the stub (or a stub split by spaces)
            upper = number < len(header_rows) - 1
            if offset < 0 and upper:
                continue
            merged = None
            for column in range(width):
                index = column + offset
                if not 0 <= index < len(cells):
                    continue
                cell = cells[index]
                if cell[0] < cell[1]:
                    merged = cell
                elif upper and merged is not None:
                    cell = merged  # an upper header cell merged across columns is written once, then left empty
                else:
                    continue
                columns[column].append(cell)
        if layout == "spaces" and all(columns):
            rows = [self._aligned(row, width, [column[-1] for column in columns], lines) for row in rows]
        return self._relative(layout, first.start + leading_width(first.text), columns, rows, lines)

    def _aligned(self, row: Row, width: int, headers: list[Span], lines: Lines) -> Row:
        """A spaced row with fewer figures than columns, each figure under the header it stands below.

        Typed tables leave an empty cell blank, so the figures of a short row
        are placed by where they stand: under the header their characters
        overlap most, else the nearest. Two figures under one header leave
        the row as it is.
        """
        cells = [cell for cell in row.cells if cell is not None]
        if len(cells) >= width:
            return row
        ranges = [display_columns(span, lines) for span in headers]
        placed: list[Span | None] = [None] * width
        for cell in cells:
            start, end = display_columns(cell, lines)
            best = max(range(width), key=lambda c: (min(end, ranges[c][1]) - max(start, ranges[c][0]),
                                                    -abs((start + end) - (ranges[c][0] + ranges[c][1]))))
            if placed[best] is not None:
                return row
            placed[best] = cell
        return replace(row, cells=tuple(placed))

    def _flattened(self, lines: Lines) -> list[Table]:
        """Tables flattened one cell a line: header lines, then a label line and its figures, row after row."""
        kinds: list[tuple[str, Line]] = []
        for line in lines:
            body = line.text.strip(" \t\u3000\r")
            if not body:
                continue
            if self._is_value(body):
                kinds.append(("value", line))
            elif len(BLANKS.sub("", body)) <= _MAX_LABEL and not body.endswith(_SENTENCE_END + ("：", ":")):
                kinds.append(("label", line))
            else:
                kinds.append(("prose", line))
        tables: list[Table] = []
        i = 0
        while i < len(kinds):
            table, i = self._flattened_at(kinds, i, lines)
            if table is not None:
                tables.append(table)
        return tables

    def _flattened_at(self, kinds: list[tuple[str, Line]], i: int, lines: Lines) -> tuple[Table | None, int]:
        """The flattened table whose first row is the label kinds[i], if there is one; and where to look next."""
        groups: list[tuple[Line, list[Line]]] = []  # (label, figures)
        j = i
        while j < len(kinds) and kinds[j][0] == "label":
            k = j + 1
            while k < len(kinds) and kinds[k][0] == "value":
                k += 1
            figures = [line for _, line in kinds[j + 1 : k]]
            if not figures:
                # A label without figures inside a table (按行业分) is a section row; anywhere else the table has ended.
                if groups and k + 1 < len(kinds) and kinds[k][0] == "label" and kinds[k + 1][0] == "value":
                    groups.append((kinds[j][1], []))
                    j = k
                    continue
                break
            groups.append((kinds[j][1], figures))
            j = k
        if not groups:
            return None, i + 1
        first_label, first_figures = groups[0]
        header_lines: Lines | None = None
        stub: Line | None = None
        if self._is_header([first_label.text.strip()] + [line.text.strip() for line in first_figures]):
            stub, header_lines, groups = first_label, first_figures, groups[1:]  # 指标 / 2021 / 2022: a header of years
        while groups and not groups[-1][1]:
            groups.pop()
        if len(groups) < _MIN_ROWS["lines"]:
            return None, max(j, i + 1)
        width = max(len(figures) for _, figures in groups)
        if header_lines is None:
            # The header is the lines just above the first row: one per column, maybe after a stub (项目).
            above: list[Line] = []
            back = i - 1
            while back >= 0 and kinds[back][0] == "label" and len(above) <= width:
                above.append(kinds[back][1])
                back -= 1
            above.reverse()
            header_lines = above[-width:] if len(above) >= width else []
            if len(above) > width and BLANKS.sub("", above[0].text) in self._stubs:
                stub = above[0]
        if len(header_lines) < width or (width == 1 and stub is None):
            return None, j  # one figure a row is a table only under a stub header (区名), not a numbered list
        counts = [len(figures) for _, figures in groups]
        rows = [
            Row(label.body(), tuple(f.body() for f in figures) if _placed(counts, index, width) else (),
                (label.body()[0], (figures or [label])[-1].body()[1]), leading_width(label.text))
            for index, (label, figures) in enumerate(groups)
        ]
        first = stub or header_lines[0]
        columns = [[line.body()] for line in header_lines[:width]]
        return self._relative("lines", first.body()[0], columns, rows, lines), j

    def _relative(self, layout: str, start: int, columns: list[list[Span]], rows: list[Row], lines: Lines) -> Table:
        """A Table: the caption lines above `start` joined to its region, every span made relative to the region's start."""
        caption = self._caption(start, lines)
        origin = caption[0][0] if caption else start

        def rel(span: Span) -> Span:
            return span[0] - origin, span[1] - origin

        return Table(
            start=origin,
            end=max(row.span[1] for row in rows),
            layout=layout,
            caption=tuple(rel(span) for span in caption),
            header=tuple(tuple(rel(span) for span in column) for column in columns),
            rows=tuple(Row(rel(r.label), tuple(rel(c) if c else None for c in r.cells), rel(r.span), r.indent) for r in rows),
        )

    def _caption(self, start: int, lines: Lines) -> list[Span]:
        """The short lines just above a table (its title, its unit line), up to a sentence, a figure or another table's row."""
        index = lines.index_at(start)
        caption: list[Span] = []
        for line in reversed(lines[max(0, index - 2 * _CAPTION_LINES) : index]):
            body = line.text.strip(" \t\u3000\r")
            if not body:
                continue
            if (len(caption) == _CAPTION_LINES or len(body) > _MAX_CAPTION or body.endswith(_SENTENCE_END)
                    or self._is_value(body) or "\t" in body or _PIPE.search(body)):
                break
            caption.append(line.body())
        caption.reverse()
        return caption


def _placed(counts: list[int], index: int, width: int) -> bool:
    """Whether the figures of a flattened row can be placed under their headers.

    An empty cell leaves no line, so a short row cannot say which column it
    lacks. Where a row next to it is as short (a ratio and its sub-rows,
    none with a growth), the columns the block leaves empty are its last ones
    and its figures fill the first; a short row alone is left out.
    """
    count = counts[index]
    if count == width:
        return True
    return any(0 <= other < len(counts) and counts[other] == count for other in (index - 1, index + 1))
