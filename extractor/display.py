"""Figures written for people to read, in two styles.

The report shows a value exactly as the dataset holds it, with thousands
separators (`3,000,000 元`), so a reviewer can check it against the text;
diff and series show it as Chinese texts write it (`300万元`, `3838.1亿元`), so
figures of two editions are easy to compare. A qualifier shows as a sign
before the value in both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from .cells import cell_text, is_missing
from .ruleset import builtin_ruleset

QUALIFIER_SIGNS = {"approx": "≈", "at_least": "≥", "more_than": ">", "at_most": "≤"}


# Units read as they are: a share, a multiple or a duration is never in 万 or 亿.
@lru_cache(maxsize=1)
def _plain_units() -> frozenset[str]:
    """Units whose figures are shown as written, never in 万 or 亿: those rules/units.toml marks `plain`."""
    return frozenset(unit for unit, entry in builtin_ruleset().table("units", "units").items() if entry["plain"])


def format_number(x: float) -> str:
    """Thousands separators, no float noise: 383810000000 → 383,810,000,000; 33.3333…→ 33.3333."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.2f}"


def format_exact(value: Any, value_max: Any, unit: Any) -> str:
    """A value (and the top of its range) exactly, with its base unit: 3,000,000 元, 1–2 条."""
    if is_missing(value):
        return ""
    shown = format_number(float(value))
    if not is_missing(value_max):
        shown += f"–{format_number(float(value_max))}"
    return f"{shown} {cell_text(unit)}".strip()


def format_readable(value: float, unit: str | None) -> str:
    """A value for reading: 1633家, 13.03万家, 3838.1亿元, 9.5%."""
    if value is None or pd.isna(value):
        return ""
    unit = unit or ""
    if unit not in _plain_units():
        for scale, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= scale:
                return f"{value / scale:.10g}{word}{unit}"
    return f"{value:.10g}{unit}"


def format_claim(value: float, value_max: float, unit: str | None, qualifier: str | None) -> str:
    """A claim's value with its qualifier as a sign: ≥2倍, >160场, 1–2条, 1633家."""
    if qualifier == "range" and not pd.isna(value_max):
        return f"{format_readable(value, None)}–{format_readable(value_max, unit)}"
    return QUALIFIER_SIGNS.get(qualifier, "") + format_readable(value, unit)
