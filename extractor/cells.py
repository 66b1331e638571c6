"""One cell of a dataset row, read as plain Python.

A row from `DataFrame.to_dict("records")` holds None, NaN or pd.NA where a
field is empty, depending on the column's dtype; the report, series and the
indicator keys read cells one at a time and must treat all three alike.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """Whether a cell is empty: None, NaN or pd.NA (a string never is)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def cell_text(value: Any) -> str:
    """A cell as text: '' where it is empty."""
    return "" if is_missing(value) else str(value)


def json_value(value: Any) -> Any:
    """A cell as a JSON scalar: None where empty, a whole float as an int, numpy scalars as Python ones."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value.item() if hasattr(value, "item") else value
