"""Excel workbooks of a dataset, a diff or a series, for readers who open them in Excel.

One sheet per table, each with a bold header row that stays in view (frozen)
and carries filters, numbers written as numbers (so they sum and sort; a code
such as 371000 stays text), and columns as wide as their contents (Chinese
characters count double, long texts are capped). Written with xlsxwriter in
constant-memory mode, row by row, to a temporary file renamed into place; a
table longer than one sheet holds goes on over more sheets (claims, claims 2 …).
"""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

# Rows of a sheet, the header included (Excel's limit).
MAX_ROWS = 1_048_576
MAX_WIDTH = 60
MIN_WIDTH = 4
# Rows looked at to size a column: enough for its typical width, however long the table.
WIDTH_SAMPLE = 5000


def _display_width(text: str) -> int:
    """Columns the text takes in a Chinese font: two for every character but ASCII."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _kind(series: pd.Series) -> str:
    """How a column is written: int, float, bool or text (categoricals, strings and objects as text)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "text"


def _widths(frame: pd.DataFrame, kinds: list[str]) -> list[float]:
    """Each column's width in Excel's units: its header's or its widest value's (sampled), between MIN_WIDTH and MAX_WIDTH."""
    sample = frame.head(WIDTH_SAMPLE)
    widths = []
    for column, kind in zip(frame.columns, kinds):
        values = sample[column]
        cells = values[values.notna()]
        if kind == "float":
            shown = cells.map(lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:.10g}")
        else:
            shown = cells.astype(str)
        widest = max((_display_width(text) for text in shown), default=0)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, _display_width(str(column)), widest) + 2))
    return widths


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def write_workbook(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write each frame to a sheet of its name (over more sheets when it is longer than one holds)."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    try:
        workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                                  "strings_to_formulas": False, "strings_to_urls": False})
        styles = {
            "header": workbook.add_format({"bold": True, "bg_color": "#EDEDED", "bottom": 1}),
            "int": workbook.add_format({"num_format": "0"}),
            "whole": workbook.add_format({"num_format": "#,##0"}),
            "float": workbook.add_format({"num_format": "General"}),
        }
        for name, frame in sheets.items():
            _write_table(workbook, styles, name, frame)
        workbook.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_table(workbook, styles: dict, name: str, frame: pd.DataFrame) -> None:
    frame = frame.reset_index(drop=True)
    kinds = [_kind(frame[column]) for column in frame.columns]
    widths = _widths(frame, kinds)
    per_sheet = MAX_ROWS - 1
    parts = max(1, math.ceil(len(frame) / per_sheet))
    for part in range(parts):
        rows = frame.iloc[part * per_sheet:(part + 1) * per_sheet]
        sheet = workbook.add_worksheet(name if part == 0 else f"{name} {part + 1}")
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for col, column in enumerate(frame.columns):
            sheet.write_string(0, col, str(column), styles["header"])
        sheet.freeze_panes(1, 0)
        if len(frame.columns):
            sheet.autofilter(0, 0, max(len(rows), 1), len(frame.columns) - 1)
        columns = [_cells(rows[column], kind) for column, kind in zip(frame.columns, kinds)]
        for offset, values in enumerate(zip(*columns)):
            for col, (kind, value) in enumerate(zip(kinds, values)):
                if value is None:
                    continue
                if kind == "text":
                    sheet.write_string(offset + 1, col, value)
                elif kind == "bool":
                    sheet.write_boolean(offset + 1, col, value)
                elif kind == "int":
                    sheet.write_number(offset + 1, col, value, styles["int"])
                else:
                    sheet.write_number(offset + 1, col, value, styles["whole"] if value.is_integer() else styles["float"])


def _cells(series: pd.Series, kind: str) -> list:
    """A column's values as Python values to write, None where empty (NaN, NA, None, ±inf)."""
    if kind == "text":
        return [None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                for value in series.astype(object)]
    if kind == "bool":
        return [None if pd.isna(value) else bool(value) for value in series.astype(object)]
    values = series.astype("float64").to_numpy()
    finite = np.isfinite(values)
    if kind == "int":
        return [int(v) if ok else None for v, ok in zip(values, finite)]
    return [float(v) if ok else None for v, ok in zip(values, finite)]
