"""What the cells of a table claim (the words are in rules/tables.toml; where tables are: tablelayout.py).

A statistics table's cell says nothing by itself: `4448243` takes its unit
from the unit line (单位:万元), its subject from the row label and the measure
of the row above it (#食品制造业 under 工业总产值), its year and period from the
column header (2022年1-12月, 上年同期). The sentence rules cannot see any of that, so tables are read
here and the engine drops the scan's candidates inside the cells read
(CLAIMS.md section 7 says how a cell is written down).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

import regex

from .attribution import Attributor, ClaimContext
from .numerals import multiplier_powers
from .periods import PeriodForms, PeriodShape, period_text
from .ruleset import RuleSet, expand, words_pattern
from .tablelayout import TableFinder
from .tablemodel import BLANKS, YEAR_CELL, Span, Table
from .values import ValueReader

_YEAR = regex.compile(r"(?:19|20)\d{2}(?=\s*年|$|[^\d])")
_YEAR_WITH_NIAN = regex.compile(r"((?:19|20)\d{2})\s*年")
_PARENTHETICAL = regex.compile(r"\s*[(（][^()（）]*[)）]")
_ASCII = str.maketrans("０１２３４５６７８９．，－−–", "0123456789.,---")


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
    """The compiled table rules of a rule set: finds tables (TableFinder) and reads their numeric cells."""

    def __init__(self, ruleset: RuleSet, values: ValueReader, attributor: Attributor):
        self.values = values
        self.attributor = attributor
        rules = {rule.id: rule for rule in ruleset.family("tables")}

        def pattern(rule_id: str) -> regex.Pattern:
            return rules[rule_id].pattern

        def words(rule_id: str) -> frozenset[str]:
            return frozenset(rules[rule_id]["words"])

        self.finder = TableFinder(ruleset)
        self._number = pattern("table.cell")
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
        self._caps = tuple(rules["table.policy_header"]["caps"])
        self._count_suffix = pattern("table.count_header")
        self._stem_ending = regex.compile(rules["table.scope"]["stem_ending"])
        self._unit_columns = frozenset(BLANKS.sub("", word) for word in words("table.unit_column"))
        self._counted_units: dict[str, str] = dict(ruleset.table("tables", "counted_units"))
        units = "|".join(expand(f"{{{name}}}", ruleset.fragments, "table units")
                         for name in ("currency", "percent_sign", "pct_point", "count_unit"))
        self._periods = PeriodForms(ruleset)
        self._powers = multiplier_powers(ruleset)
        self._written_unit = regex.compile(rf"^(?P<mult>{words_pattern(list(self._powers))})?(?P<unit>{units}|‰|倍)$")

    def find(self, text: str) -> list[Table]:
        """Every table in `text`, in text order (tablelayout.py)."""
        return self.finder.find(text)

    def read(self, text: str, tables: list[Table], title: str = "") -> list[TableCell]:
        """What every numeric cell of `tables` (found in `text`) claims, in text order."""
        return [cell for table in tables for cell in self._read(text, table, title)]

    def _read(self, text: str, table: Table, title: str) -> list[TableCell]:
        def at(span: Span) -> str:
            return text[table.start + span[0] : table.start + span[1]]

        columns, table_unit, table_year, shapes, scope = self._header(at, table, title)
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
                number = self._number.match(at(span)) if span is not None else None
                if number is None:
                    continue
                measure = measure or table_measure
                unit = self._cell_unit(column, row_unit, table_unit, measure)
                if unit is None:
                    continue  # a figure whose unit the table never states is left out, never guessed
                base, factor = unit
                unit_class = self.values.unit_class(None, base)
                subject = self._subject(label, is_total, names_measure, parent, measure, scope)
                year = _cell_year(column, row_year, table_year)
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

    def _header(self, at, table: Table, title: str) -> tuple[list[_Column], tuple[str, Decimal] | None, int | None,
                                                           list[PeriodShape | None], str | None]:
        """What a table's caption and header say: its columns, the unit its unit line states (单位：万元), its year,
        the part of the year each column covers, and the population its caption or the title names (规模以上工业企业)."""
        caption = [at(span) for span in table.caption]
        table_unit = None
        for line in caption:
            stated = self._unit_line.search(line)
            if stated:
                table_unit = self._unit(stated.group("unit"))
        columns = [self._column(" ".join(at(span) for span in spans)) for spans in table.header]
        scope = next((found.group() for found in (self._scope.search(line) for line in caption + [title]) if found), None)
        return columns, table_unit, self._table_year(columns, caption, title), self._column_shapes(columns, caption, title), scope

    def _cell_unit(self, column: _Column, row_unit: tuple[str, Decimal] | None, table_unit: tuple[str, Decimal] | None,
                   measure: str) -> tuple[str, Decimal] | None:
        """A cell's unit: its column's (% for a change), its row's, its table's, else the measure word of what it counts."""
        unit = column.unit or (("%", Decimal(1)) if column.is_growth else None) or row_unit or table_unit
        return self._counted_unit(measure) if unit is None and measure else unit

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
        match = self._written_unit.match(BLANKS.sub("", written))
        if match is None:
            return None
        unit = match.group("unit")
        factor = Decimal(10) ** self._powers[match.group("mult")] if match.group("mult") else Decimal(1)
        return self.values.base_unit.get(unit, unit), factor

    def _column(self, header: str) -> _Column:
        """What a column header says: its unit, whether it holds changes, goals or last year's figures, and its year."""
        unit = None
        found = self._header_unit.search(header)
        if found and (unit := self._unit(found.group("unit"))) is not None:
            header = header[: found.start()] + header[found.end() :]
        years = _YEAR.findall(header)
        return _Column(
            words=BLANKS.sub("", header),
            unit=unit,
            is_growth=self._growth.search(header) is not None,
            is_target=self._target.search(header) is not None,
            is_previous=self._previous.search(header) is not None,
            is_policy=(policy := self._policy.search(header)) is not None,
            is_cap=policy is not None and any(cap in header for cap in self._caps),
            is_units=BLANKS.sub("", header) in self._unit_columns,
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
        if YEAR_CELL.match(label.strip()):  # a row of a year (年份 | 企业数): the label is its period
            year, label = int(label.strip()[:4]), ""
        return BLANKS.sub("", label), marked, unit, year

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


def _cell_year(column: _Column, row_year: int | None, table_year: int | None) -> int | None:
    """The column's year, else the row's, else the table's; last year's column that states none is the year before."""
    year = column.year or row_year or table_year
    return year - 1 if column.is_previous and column.year is None and year is not None else year


def _scoped(label: str, scope: str | None, stem_ending: regex.Pattern) -> str:
    """A top-level measure with the population its table's title names: 工业总产值 in a 规模以上工业企业 table -> 规模以上工业总产值."""
    if not scope or scope[:2] in label:
        return label
    stem = stem_ending.sub("", scope)
    for size in range(len(stem) - 1, 1, -1):  # the stem's end the label starts with (工业), written once
        if label.startswith(stem[-size:]):
            return stem[:-size] + label
    return scope + label


def _value(number: regex.Match) -> Decimal:
    value = Decimal(number.group("num").translate(_ASCII).replace(",", ""))
    return -value if number.group("sign") not in (None, "+") else value
