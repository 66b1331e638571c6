"""Tables in text: where they are (layout, in code here) and what their cells claim (language, rules/tables.toml).

A statistics table's cell says nothing by itself: `4448243` takes its unit
from the unit line (单位:万元), its subject from the row label and the measure
of the row above it (#食品制造业 under 工业总产值), its year and period from the
column header (2022年1-12月, 上年同期). The sentence rules cannot see any of that, so tables are read
here and the engine drops the scan's candidates inside the cells read
(CLAIMS.md section 7 says how a cell is written down).

Tables reach us in four layouts, all of them text:
- one row a line, cells apart by a tab (HTML and Word tables as the readers
  write them, empty cells kept), by `|`, or by runs of two or more spaces (a
  table typed into a text file: one space never parts cells, it may sit
  inside a label or a number);
- one cell a line (a web table flattened by copying): after header lines
  written the same way, a label line and then one line per figure.
A table needs a header and rows of bare numbers, so prose, numbered lists and
figures with words around them are never tables; their numbers are left to
the sentence rules.

A table's rows, cells and caption are kept relative to its start, so a table
found in the original text serves the normalised copy too, which leaves table
regions as written (a tab or a line break between two cells must never join
them into one number).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from .attribution import Attributor, ClaimContext
from .numerals import MULTIPLIERS
from .periods import PeriodForms, PeriodShape, period_text
from .ruleset import RuleSet, expand, words_pattern
from .values import ValueReader

Span = tuple[int, int]  # [start, end), relative to the table's start once in a Table

_LINE_BREAK = regex.compile(r"\n")
_TAB = regex.compile(r"\t")
_PIPE = regex.compile(r"[|｜]")
_SPACE_GAP = regex.compile(r"[ \u3000]{2,}|\u3000")  # two spaces or an ideographic space part two cells
_MARKDOWN_RULE = regex.compile(r"^[\s|｜:：\-—]+$")  # |---|:---:|
_YEAR_CELL = regex.compile(r"^(?:19|20)\d{2}\s*年?$")
_YEAR = regex.compile(r"(?:19|20)\d{2}(?=\s*年|$|[^\d])")
_YEAR_WITH_NIAN = regex.compile(r"((?:19|20)\d{2})\s*年")
_PARENTHETICAL = regex.compile(r"\s*[(（][^()（）]*[)）]")
_BLANKS = regex.compile(r"[ \t\u3000]+")
_ASCII = str.maketrans("０１２３４５６７８９．，－−–", "0123456789.,---")
_SENTENCE_END = ("。", "；", ";")
_MAX_ROW = 2000  # characters: a longer line is prose (or a page written on one line)
_MAX_LABEL = 40  # characters, blanks left out, of a flattened table's label or header line
_MAX_CAPTION = 60
_CAPTION_LINES = 4
# Rows of figures a table needs: a spaced or flattened table is the easier to
# mistake, so it needs two; a table the readers wrote with tabs needs one.
_MIN_ROWS = {"tab": 1, "pipe": 1, "spaces": 2, "lines": 2}


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
class TableCell:
    """What one numeric cell claims, at the text's own offsets."""

    start: int
    end: int
    value: Decimal
    unit: str
    unit_class: str
    metric: str
    subject: str
    year: int | None
    period: str | None
    kind: str
    qualifier: str
    row_start: int
    row_end: int


@dataclass(frozen=True)
class _Line:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def at(self, span: Span) -> str:
        return self.text[span[0] - self.start : span[1] - self.start]

    def body(self) -> Span:
        """The line's span without leading and trailing blanks."""
        start, end = _strip(self.text, 0, len(self.text))
        return self.start + start, self.start + end


class _Lines(list):
    """The lines of a text, looked up by offset."""

    def __init__(self, lines):
        super().__init__(lines)
        self.starts = [line.start for line in self]

    def index_at(self, offset: int) -> int:
        """The index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


@dataclass(frozen=True)
class _Column:
    words: str  # the header without its unit and blanks
    unit: tuple[str, Decimal] | None
    is_growth: bool
    is_target: bool
    is_previous: bool
    is_policy: bool
    is_cap: bool
    is_units: bool
    year: int | None
    shape: PeriodShape | None  # the part of the year the header names (1-12月, 上年末)


class TableReader:
    """The compiled table rules of a rule set: finds tables and reads their numeric cells."""

    def __init__(self, ruleset: RuleSet, values: ValueReader, attributor: Attributor):
        self.values = values
        self.attributor = attributor
        rules = {rule.id: rule for rule in ruleset.family("tables")}

        def pattern(rule_id: str) -> regex.Pattern:
            return rules[rule_id].pattern if rule_id in rules else regex.compile("(?!)")

        def words(rule_id: str) -> frozenset[str]:
            return frozenset(data(rule_id, "words", []))

        def data(rule_id: str, key: str, default):
            return rules[rule_id].get(key, default) if rule_id in rules else default

        self._number = pattern("table.cell")
        self._no_data = words("table.no_data")
        self._stubs = frozenset(_BLANKS.sub("", word) for word in words("table.stub_header"))
        self._serials = words("table.serial_header")
        self._totals = words("table.total_row")
        self._unit_line = pattern("table.unit_line")
        self._header_unit = pattern("table.header_unit")
        self._sub_row = pattern("table.sub_row")
        self._measure = pattern("table.measure")
        self._scope = pattern("table.scope")
        self._period = pattern("table.period_header")
        self._previous = pattern("table.previous_year")
        self._growth = pattern("table.growth_header")
        self._target = pattern("table.target_header")
        self._policy = pattern("table.policy_header")
        self._caps = tuple(data("table.policy_header", "caps", []))
        self._count_suffix = pattern("table.count_header")
        self._stem_ending = regex.compile(data("table.scope", "stem_ending", "(?!)"))
        self._unit_columns = frozenset(_BLANKS.sub("", word) for word in words("table.unit_column"))
        self._counted_units: dict[str, str] = dict(ruleset.table("tables", "counted_units") or {})
        units = "|".join(
            expand(f"{{{name}}}", ruleset.fragments, "table units")
            for name in ("currency", "percent_sign", "pct_point", "count_unit")
            if name in ruleset.fragments
        )
        self._periods = PeriodForms(ruleset)
        self._written_unit = regex.compile(rf"^(?P<mult>{words_pattern(list(MULTIPLIERS))})?(?P<unit>{units}|‰|倍)$")

    # -- layout ---------------------------------------------------------------
    def find(self, text: str) -> list[Table]:
        """Every table in `text`, in text order."""
        if "\n" not in text:
            return []
        lines = _Lines(_Line(start, line) for start, line in _lines(text))
        found = sorted(self._delimited(lines) + self._flattened(lines), key=lambda table: table.start)
        tables: list[Table] = []
        for table in found:  # one layout a region: the first to start wins an overlap
            if not tables or table.start >= tables[-1].end:
                tables.append(table)
        return tables

    def _split(self, line: _Line) -> tuple[str, list[Span]] | None:
        """(layout, cell spans) of a line that parts cells by tabs, bars or runs of spaces; None for any other line.

        A markdown rule line (|---|---|) gives no cells but keeps its table going.
        """
        text = line.text
        if len(text) > _MAX_ROW:
            return None
        if "\t" in text:
            layout, pieces = "tab", _pieces(text, _TAB)
        elif _PIPE.search(text):
            if _MARKDOWN_RULE.match(text):
                return "pipe", []
            layout, pieces = "pipe", _pieces(text, _PIPE)
            stripped = text.strip()
            pieces = pieces[1 if stripped[:1] in "|｜" else 0 : -1 if stripped[-1:] in "|｜" else None]
        elif _SPACE_GAP.search(text.strip(" \u3000")):
            layout, pieces = "spaces", [piece for piece in _pieces(text, _SPACE_GAP) if piece[0] < piece[1]]
        else:
            return None
        cells = [(line.start + s, line.start + e) for s, e in (_strip(text, *piece) for piece in pieces)]
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
        if _BLANKS.sub("", texts[0]) in self._stubs and all(_YEAR_CELL.match(t) for t in filled[1:]):
            return True
        return not any(self._is_value(t) for t in filled)

    def _has_figures(self, texts: list[str]) -> bool:
        return any(self._is_number(t) for t in texts[1:]) and not self._is_header(texts)

    def _delimited(self, lines: _Lines) -> list[Table]:
        """Tables of one row a line: runs of lines parted the same way (blank lines between them allowed)."""
        tables: list[Table] = []
        run: list[tuple[_Line, list[Span]]] = []
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

    def _tables_in_run(self, run: list[tuple[_Line, list[Span]]], layout: str, lines: _Lines) -> list[Table]:
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
            serial = _BLANKS.sub("", texts[i][0]) in self._serials
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

    def _row(self, line: _Line, cells: list[Span]) -> Row:
        label, values = cells[0], cells[1:]
        return Row(label, tuple(cell if cell[0] < cell[1] else None for cell in values), (line.start + _indent(line.text), cells[-1][1]), _indent(line.text))

    def _table(self, layout: str, first: _Line, header_rows: list[list[Span]], rows: list[Row], lines: _Lines) -> Table:
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
        return self._relative(layout, first.start + _indent(first.text), columns, rows, lines)

    def _aligned(self, row: Row, width: int, headers: list[Span], lines: _Lines) -> Row:
        """A spaced row with fewer figures than columns, each figure under the header it stands below.

        Typed tables leave an empty cell blank, so the figures of a short row
        are placed by where they stand: under the header their characters
        overlap most, else the nearest. Two figures under one header leave
        the row as it is.
        """
        cells = [cell for cell in row.cells if cell is not None]
        if len(cells) >= width:
            return row
        ranges = [_columns_of(span, lines) for span in headers]
        placed: list[Span | None] = [None] * width
        for cell in cells:
            start, end = _columns_of(cell, lines)
            best = max(range(width), key=lambda c: (min(end, ranges[c][1]) - max(start, ranges[c][0]),
                                                    -abs((start + end) - (ranges[c][0] + ranges[c][1]))))
            if placed[best] is not None:
                return row
            placed[best] = cell
        return replace(row, cells=tuple(placed))

    def _flattened(self, lines: _Lines) -> list[Table]:
        """Tables flattened one cell a line: header lines, then a label line and its figures, row after row."""
        kinds: list[tuple[str, _Line]] = []
        for line in lines:
            body = line.text.strip(" \t\u3000\r")
            if not body:
                continue
            if self._is_value(body):
                kinds.append(("value", line))
            elif len(_BLANKS.sub("", body)) <= _MAX_LABEL and not body.endswith(_SENTENCE_END + ("：", ":")):
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

    def _flattened_at(self, kinds: list[tuple[str, _Line]], i: int, lines: _Lines) -> tuple[Table | None, int]:
        """The flattened table whose first row is the label kinds[i], if there is one; and where to look next."""
        groups: list[tuple[_Line, list[_Line]]] = []  # (label, figures)
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
        header_lines: _Lines | None = None
        stub: _Line | None = None
        if self._is_header([first_label.text.strip()] + [line.text.strip() for line in first_figures]):
            stub, header_lines, groups = first_label, first_figures, groups[1:]  # 指标 / 2021 / 2022: a header of years
        while groups and not groups[-1][1]:
            groups.pop()
        if len(groups) < _MIN_ROWS["lines"]:
            return None, max(j, i + 1)
        width = max(len(figures) for _, figures in groups)
        if header_lines is None:
            # The header is the lines just above the first row: one per column, maybe after a stub (项目).
            above: list[_Line] = []
            back = i - 1
            while back >= 0 and kinds[back][0] == "label" and len(above) <= width:
                above.append(kinds[back][1])
                back -= 1
            above.reverse()
            header_lines = above[-width:] if len(above) >= width else []
            if len(above) > width and _BLANKS.sub("", above[0].text) in self._stubs:
                stub = above[0]
        if len(header_lines) < width or (width == 1 and stub is None):
            return None, j  # one figure a row is a table only under a stub header (区名), not a numbered list
        counts = [len(figures) for _, figures in groups]
        rows = [
            Row(label.body(), tuple(f.body() for f in figures) if _placed(counts, index, width) else (),
                (label.body()[0], (figures or [label])[-1].body()[1]), _indent(label.text))
            for index, (label, figures) in enumerate(groups)
        ]
        first = stub or header_lines[0]
        columns = [[line.body()] for line in header_lines[:width]]
        return self._relative("lines", first.body()[0], columns, rows, lines), j

    def _relative(self, layout: str, start: int, columns: list[list[Span]], rows: list[Row], lines: _Lines) -> Table:
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

    def _caption(self, start: int, lines: _Lines) -> list[Span]:
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

    # -- reading --------------------------------------------------------------
    def read(self, text: str, tables: list[Table], title: str = "") -> list[TableCell]:
        """What every numeric cell of `tables` (found in `text`) claims, in text order."""
        return [cell for table in tables for cell in self._read(text, table, title)]

    def _read(self, text: str, table: Table, title: str) -> list[TableCell]:
        def at(span: Span) -> str:
            return text[table.start + span[0] : table.start + span[1]]

        caption = [at(span) for span in table.caption]
        table_unit = None
        for line in caption:
            stated = self._unit_line.search(line)
            if stated:
                table_unit = self._unit(stated.group("unit"))
        columns = [self._column(" ".join(at(span) for span in spans)) for spans in table.header]
        table_year = self._table_year(columns, caption, title)
        shapes = self._column_shapes(columns, caption, title)
        scope = next((found.group() for found in (self._scope.search(line) for line in caption + [title]) if found), None)

        labels = [self._label(at(row.label)) for row in table.rows]
        measures = [self._column_measure(column) for column in columns]
        table_measure = next((measure for measure in measures if measure), "")  # what a change or last year's column is of
        top = min(row.indent for row in table.rows)
        row_units: list[tuple[str, Decimal] | None] = []  # the unit each row's figures are in
        row_measures: list[str | None] = []  # the measure each row's figures are of: its own or its owner's
        cells: list[TableCell] = []
        unit_column = next((index for index, column in enumerate(columns) if column.is_units), None)
        owners = _Owners()
        for index, row in enumerate(table.rows):
            label, marked, row_unit, row_year = labels[index]
            if row_unit is None and unit_column is not None and unit_column < len(row.cells) and row.cells[unit_column]:
                row_unit = self._unit(at(row.cells[unit_column]))  # 指标 | 单位 | 本月: the row's unit in a column of its own
            is_total = label in self._totals
            names_measure = bool(label) and not is_total and self._names_measure(label)
            is_sub = marked or row.indent > top
            owner = owners.owner(row.indent, marked, is_sub) if is_sub or not names_measure else None
            if label and not marked:
                owners.add(index, row.indent, names_measure)
            if row_unit is None and owner is not None:
                row_unit = row_units[owner]  # a sub-row is in its measure's unit
            parent = None if names_measure or owner is None else row_measures[owner]
            row_units.append(row_unit)
            row_measures.append(_PARENTHETICAL.sub("", label) if names_measure else parent)
            for column, measure, shape, span in zip(columns, measures, shapes, row.cells):
                if span is None:
                    continue
                number = self._number.match(at(span))
                if number is None:
                    continue
                measure = measure or table_measure
                unit = column.unit or (("%", Decimal(1)) if column.is_growth else None) or row_unit or table_unit
                if unit is None and measure:
                    unit = self._counted_unit(measure)
                if unit is None:
                    continue  # a figure whose unit the table never states is left out, never guessed
                base, factor = unit
                unit_class = self.values.unit_class(None, base)
                subject = self._subject(label, is_total, names_measure, parent, measure, scope)
                year = column.year or row_year or table_year
                if column.is_previous and column.year is None and year is not None:
                    year -= 1
                kind = "target" if column.is_target else ("policy" if column.is_policy else "actual")
                cells.append(TableCell(
                    start=table.start + span[0],
                    end=table.start + span[1],
                    value=_value(number) * (factor if unit_class not in ("percent", "points") else 1),
                    unit=base,
                    unit_class=unit_class,
                    metric=self._metric(subject, column.words, unit_class),
                    subject=subject,
                    year=year,
                    period=period_text(year, None if kind == "policy" else shape),
                    kind=kind,
                    qualifier="at_most" if column.is_cap else "exact",
                    row_start=table.start + row.span[0],
                    row_end=table.start + row.span[1],
                ))
        return cells

    def _table_year(self, columns: list[_Column], caption: list[str], title: str) -> int | None:
        """The year of columns that state none (本年, 同比增长): the latest a column states, else the caption's, else the title's."""
        stated = [column.year for column in columns if column.year is not None]
        if stated:
            return max(stated)
        for line in reversed(caption):
            years = _YEAR_WITH_NIAN.findall(line)
            if years:
                return int(years[-1])
        years = _YEAR_WITH_NIAN.findall(title)
        return max(int(year) for year in years) if years else None

    def _column_shapes(self, columns: list[_Column], caption: list[str], title: str) -> list[PeriodShape | None]:
        """The part of its year each column's cells cover: the header's own (1-12月, 上年末); for a column that
        states no year (上年同期, 同比增长), that of the nearest column to its left naming one of the table's own
        year; else the caption's or the title's (2023年1-6月…主要指标)."""
        table_shape = next((shape for shape in map(self._periods.read, reversed(caption)) if shape), None)
        if table_shape is None:
            table_shape = self._periods.read(title)
        shapes, left = [], None
        for column in columns:
            shape = column.shape or (left if column.year is None else None) or table_shape
            if column.shape is not None and not column.is_previous:
                left = column.shape
            shapes.append(shape)
        return shapes

    def _unit(self, written: str) -> tuple[str, Decimal] | None:
        """(base unit, multiplier) of a written unit: 万元 -> (元, 10000), % -> (%, 1), 家 -> (家, 1); None if it is no unit."""
        match = self._written_unit.match(_BLANKS.sub("", written))
        if match is None:
            return None
        unit = match.group("unit")
        factor = Decimal(MULTIPLIERS[match.group("mult")]) if match.group("mult") else Decimal(1)
        return self.values.base_unit.get(unit, unit), factor

    def _column(self, header: str) -> _Column:
        """What a column header says: its unit, whether it holds changes, goals or last year's figures, and its year."""
        unit = None
        found = self._header_unit.search(header)
        if found and (unit := self._unit(found.group("unit"))) is not None:
            header = header[: found.start()] + header[found.end() :]
        years = _YEAR.findall(header)
        return _Column(
            words=_BLANKS.sub("", header),
            unit=unit,
            is_growth=self._growth.search(header) is not None,
            is_target=self._target.search(header) is not None,
            is_previous=self._previous.search(header) is not None,
            is_policy=(policy := self._policy.search(header)) is not None,
            is_cap=policy is not None and any(cap in header for cap in self._caps),
            is_units=_BLANKS.sub("", header) in self._unit_columns,
            year=int(years[-1]) if years else None,
            shape=self._periods.read(header),
        )

    def _column_measure(self, column: _Column) -> str:
        """The thing a column header counts or measures (企业数 -> 企业), or '' for a period, a change, a goal or a policy's term."""
        if column.is_growth or column.is_previous or column.is_target or column.is_units or column.is_policy:
            return ""  # a policy's term is about its recipient, the row (CLAIMS.md section 7)
        words = self._period.sub("", column.words)
        if len(words) < 2:
            return ""
        counted = self._count_suffix.sub("", words)
        return counted if len(counted) >= 2 else words

    def _counted_unit(self, measure: str) -> tuple[str, Decimal] | None:
        """The measure word documents use for the thing a count header names (企业 -> 家)."""
        for thing, unit in self._counted_units.items():
            if measure.endswith(thing):
                return unit, Decimal(1)
        return None

    def _label(self, written: str) -> tuple[str, bool, tuple[str, Decimal] | None, int | None]:
        """(label without its marker, unit and blanks; whether a sub-row marker opens it; the unit it states; the year it is)."""
        label = written.strip(" \t\u3000")
        marker = self._sub_row.match(label)
        marked = bool(marker and marker.group())
        if marked:
            label = label[marker.end() :]
        unit = None
        found = self._header_unit.search(label)
        if found and (unit := self._unit(found.group("unit"))) is not None:
            label = label[: found.start()]
        year = None
        if _YEAR_CELL.match(label.strip()):  # a row of a year (年份 | 企业数): the label is its period
            year, label = int(label.strip()[:4]), ""
        return _BLANKS.sub("", label), marked, unit, year

    def _names_measure(self, label: str) -> bool:
        return self._measure.search(_PARENTHETICAL.sub("", label)) is not None

    def _subject(self, label: str, is_total: bool, names_measure: bool, parent: str | None, measure: str, scope: str | None) -> str:
        """The row label, with the measure it belongs to where it names none (CLAIMS.md section 7)."""
        if names_measure:
            return _scoped(label, scope, self._stem_ending)
        base = parent or measure
        if is_total or not label:
            return base or label
        return label if not base or label.endswith(base) else label + base

    def _metric(self, subject: str, header: str, unit_class: str) -> str:
        """The metric of the cue nearest the end of the subject and the column header (rules/metrics.toml)."""
        words = (subject + header)[-self.attributor.window_before :] + "0"
        end = len(words)
        return self.attributor.metric(ClaimContext(words, end - 1, end, 0, end, 0, end), unit_class, None)


class _Owners:
    """Which row an item or a sub-row belongs to, as the rows are read top down.

    A marked or indented sub-row belongs to the nearest unmarked row above it
    that is less deep; an item at the top level (金属制品业 under 工业总产值 in a
    table that lost its indentation) to the nearest unmarked row above it, no
    deeper, that names a measure. Each stack keeps only the rows a later row
    can still belong to (a row hides the deeper rows above it), so a lookup is
    one bisection, however long the table.
    """

    def __init__(self):
        self._rows: tuple[list[int], list[int]] = ([], [])  # (indents, row indexes) of unmarked rows
        self._measures: tuple[list[int], list[int]] = ([], [])  # the same, of those that name a measure

    def owner(self, indent: int, marked: bool, is_sub: bool) -> int | None:
        if is_sub:
            indents, indexes = self._rows
            found = bisect.bisect_left(indents, indent + (1 if marked else 0)) - 1
        else:
            indents, indexes = self._measures
            found = bisect.bisect_right(indents, indent) - 1
        return indexes[found] if found >= 0 else None

    def add(self, index: int, indent: int, names_measure: bool) -> None:
        """An unmarked row with a label, read."""
        for indents, indexes in (self._rows, self._measures) if names_measure else (self._rows,):
            while indents and indents[-1] >= indent:
                indents.pop()
                indexes.pop()
            indents.append(indent)
            indexes.append(index)


def _scoped(label: str, scope: str | None, stem_ending: regex.Pattern) -> str:
    """A top-level measure with the population its table's title names: 工业总产值 in a 规模以上工业企业 table -> 规模以上工业总产值."""
    if not scope or scope[:2] in label:
        return label
    stem = stem_ending.sub("", scope)
    for size in range(len(stem) - 1, 1, -1):  # the stem's end the label starts with (工业), written once
        if label.startswith(stem[-size:]):
            return stem[:-size] + label
    return scope + label


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


def _value(number: regex.Match) -> Decimal:
    value = Decimal(number.group("num").translate(_ASCII).replace(",", ""))
    return -value if number.group("sign") not in (None, "+") else value


def _lines(text: str):
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield start, text[start : match.start()]
        start = match.end()
    yield start, text[start:]


def _pieces(text: str, separator: regex.Pattern) -> list[Span]:
    spans, start = [], 0
    for match in separator.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in " \u3000\t\r":
        start += 1
    while end > start and text[end - 1] in " \u3000\t\r":
        end -= 1
    return start, end


def _columns_of(span: Span, lines: _Lines) -> Span:
    """The display columns a span of one line takes (a Chinese character two, as a monospaced font draws it)."""
    line = lines[lines.index_at(span[0])]
    start = _width(line.text[: span[0] - line.start])
    return start, start + _width(line.text[span[0] - line.start : span[1] - line.start])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _indent(text: str) -> int:
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
