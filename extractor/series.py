"""Indicators' values over documents, years, periods and places: a tidy long table and a pivot.

A series is keyed by the claims' indicator (indicators.py: what is measured,
however worded) and kind and, when the documents table is known, by the
document's place (its division code, else its region), so 威海's 高新技术企业
of 2022 and of 2026 form one row. A key that leaves its tier, programme or
holder unsaid takes the only fuller key the other documents of its place hold. A claim that states no
year takes the year its document reports on, marked `year_source =
"document"`: a reply dated 2026年5月19日 whose figures are 截至2025年底 reports
on 2025 (see `reporting_years`), and that year as its period. Generic
indicators (企业) are left out.

Laid by period (`pivot(long, by="period")`), a column is one stretch of time
however it was written (一季度 and 1-3月 are both 2022-Q1, 1-12月 is the
year: periods.same_stretch), and the columns run in time order, by the day a
period ends, then the day it starts: 2022-Q1, 2022-03-31, 2022-H1, 2022-Q2,
2022-06-30, …, 2022-01/2022-09, 2022, 2022-12-31. A quarterly release's
cumulative flows (一季度, 上半年, 前三季度, 全年) and its balances at each
quarter's end (3月末 or 一季度末, 6月末 or 二季度末) so stand side by side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.table import Table
from rich.text import Text

from .cells import cell_text
from .display import format_claim
from .indicators import Indicator, indicator_rules, keyed_claims, resolve_keys, with_key_parts
from .periods import period_order, same_stretch
from .ruleset import RuleSet

INDEX = ["region", "region_code", "indicator", "metric", "program", "tier", "unit", "kind"]
SERIES_COLUMNS = INDEX + ["year", "period", "year_source", "value", "value_max", "qualifier", "text", "subject", "doc", "start", "end", "sentence"]
UNDATED = "undated"
UNPLACED = "unplaced"


def series(
    claims: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    subject: str | None = None,
    keep_repeats: bool = False,
    rules: str | Path | RuleSet | None = None,
) -> pd.DataFrame:
    """The long table (SERIES_COLUMNS): one row per claim, sorted by series, year, document and offset.

    `documents` (the dataset's documents table) gives each claim its place
    (region, region_code) and its document's date; a claim that states no
    year takes the year its document reports on (`reporting_years`).
    `subject` keeps the series whose indicator holds every word of it
    (高新技术企业 keeps 国家高新技术企业 and 新增高新技术企业).
    """
    indicators = indicator_rules(rules)
    frame = keyed_claims(claims, indicators, keep_repeats)
    every = frame
    region, code, dated = {}, {}, {}
    if documents is not None and len(documents):
        for row in documents.to_dict("records"):
            if isinstance(row.get("region"), str) and row["region"]:
                region[row["doc"]] = row["region"]
            if isinstance(row.get("region_code"), str) and row["region_code"]:
                code[row["doc"]] = row["region_code"]
            if isinstance(row.get("date"), str) and row["date"][:4].isdigit():
                dated[row["doc"]] = int(row["date"][:4])
    reporting = reporting_years(every, dated)
    frame = frame[~frame["generic"]].reset_index(drop=True)
    if subject is not None:
        head, holder = indicators.subject_words(subject)
        wanted = {head, *holder} - {""}
        words = {key: {p.head, *p.holder} for key in pd.unique(frame["indicator"]) for p in [Indicator.parse(key)]}
        frame = frame[frame["indicator"].map(lambda key: wanted <= words[key])].reset_index(drop=True)
    frame["region"] = frame["doc"].map(region).astype(object).where(lambda s: s.notna(), None)
    frame["region_code"] = frame["doc"].map(code).astype(object).where(lambda s: s.notna(), None)
    place = frame["region_code"].fillna(frame["region"]).fillna("")
    resolved = resolve_keys(frame["indicator"], place, frame["doc"], frame["generic"], indicators)
    frame = with_key_parts(frame.assign(indicator=resolved))
    stated = frame["year"].notna()
    from_document = frame["doc"].map(reporting)
    frame["year_source"] = np.where(stated, "claim", np.where(from_document.notna(), "document", None))
    frame["year"] = frame["year"].where(stated, from_document).astype("Int64")
    frame["period"] = frame["period"].where(stated, frame["year"].map(lambda year: None if pd.isna(year) else str(year)))
    frame = frame.sort_values(INDEX + ["year", "doc", "start"], kind="stable", na_position="last")
    out = frame[SERIES_COLUMNS].reset_index(drop=True)
    return out.astype({"start": "int64", "end": "int64"})


def reporting_years(claims: pd.DataFrame, dated: dict[str, int]) -> dict[str, int]:
    """The year each document reports on: the latest year its actual figures state, else its date's year.

    Years after the date's year are not counted (a forecast, a typo); a latest
    stated year more than one year before the date is history, so a dated
    document then reports on its date's year.
    """
    stated = claims.loc[(claims["kind"] == "actual") & claims["year"].notna(), ["doc", "year"]]
    stated = stated.assign(year=stated["year"].astype(int), date=stated["doc"].map(dated))
    stated = stated[stated["date"].isna() | (stated["year"] <= stated["date"])]
    out = dict(dated)
    for doc, latest in stated.groupby("doc")["year"].max().items():
        if doc not in dated or latest >= dated[doc] - 1:
            out[doc] = int(latest)
    return out


BY = ("subject", "period", "document", "region")
# Pivot by region: a row per indicator and year, a column per place.
_REGION_ROWS = [c for c in INDEX if c not in ("region", "region_code")] + ["year"]


def _region_labels(long: pd.DataFrame) -> pd.Series:
    """Each row's place as a column name: its region, with the code where two places share a name (朝阳区)."""
    names = long["region"].astype(object)
    codes = long["region_code"].astype(object)
    shared = long.dropna(subset=["region"]).groupby("region")["region_code"].nunique(dropna=False)
    twice = set(shared[shared > 1].index)
    return pd.Series([UNPLACED if not isinstance(n, str) else f"{n} ({c})" if n in twice and isinstance(c, str) else n
                      for n, c in zip(names, codes)], index=long.index, dtype=object)


def _columns(long: pd.DataFrame, by: str) -> tuple[pd.Series, list[str]]:
    """Each row's pivot column and the columns in order: years or periods in time order ("undated" last),
    documents by year and name, or places."""
    if by not in BY:
        raise ValueError(f"unknown pivot {by!r} (choose from {', '.join(BY)})")
    if by == "document":
        first = long.groupby("doc", sort=False)["year"].min()
        docs = sorted(first.index, key=lambda d: (pd.isna(first[d]), 0 if pd.isna(first[d]) else int(first[d]), d))
        return long["doc"].astype(str), docs
    if by == "region":
        labels = _region_labels(long)
        places = sorted(p for p in labels.unique() if p != UNPLACED) + ([UNPLACED] if (labels == UNPLACED).any() else [])
        return labels, places
    if by == "period":
        labels = long["period"].astype(object).map(lambda p: UNDATED if not isinstance(p, str) else same_stretch(p))
        periods = sorted((p for p in labels.unique() if p != UNDATED), key=period_order)
        return labels, periods + ([UNDATED] if (labels == UNDATED).any() else [])
    labels = long["year"].astype(object).map(lambda y: UNDATED if pd.isna(y) else str(y))
    years = sorted(y for y in labels.unique() if y != UNDATED) + ([UNDATED] if (labels == UNDATED).any() else [])
    return labels, years


def _rows_of(by: str) -> list[str]:
    return _REGION_ROWS if by == "region" else INDEX


def pivot(long: pd.DataFrame, by: str = "subject") -> pd.DataFrame:
    """The wide table: one row per series and a column per year ("undated" last), per period (in time order,
    one column for one stretch of time) or per document; by region, one row per indicator and year and a
    column per place.

    Where a series has more than one value in a cell, the cell holds the one
    stated last (by document and offset); the long table keeps them all.
    """
    labels, columns = _columns(long, by)
    rows = _rows_of(by)
    wide = long.assign(_column=labels).groupby(rows + ["_column"], dropna=False, sort=False)["value"].last().unstack("_column")
    wide = wide.reindex(columns=columns).reset_index()
    wide.columns.name = None
    return wide


def series_table(long: pd.DataFrame, wide: bool = True, by: str = "subject") -> Table:
    """The series as a rich table: the pivot (by year, period, document or place), or the long rows.

    A pivot cell lists every value of its column in document order (the file
    pivot keeps the last); a year taken from the document is marked *. The
    subject shown is the one its first claim is written with.
    """
    table = Table()
    if not wide:
        for name in ("region", "subject", "tier", "metric", "kind", "period", "value", "doc"):
            table.add_column(name, justify="right" if name in ("period", "value") else "left")
        for row in long.to_dict("records"):
            period = cell_text(row["period"]) + ("*" if row["year_source"] == "document" else "")
            value = format_claim(row["value"], row["value_max"], row["unit"], row["qualifier"])
            cells = (row["region"], row["subject"], row["tier"], row["metric"], row["kind"], period, value, row["doc"])
            table.add_row(*(Text(cell_text(c)) for c in cells))
        return table
    labels, columns = _columns(long, by)
    labelled = long.assign(_column=labels)
    heads = ("subject", "tier", "metric", "kind", "year") if by == "region" else ("region", "subject", "tier", "metric", "kind")
    for name in heads:
        table.add_column(name)
    for column in columns:
        table.add_column(column, justify="right")
    for _key, rows in labelled.groupby(_rows_of(by), dropna=False, sort=False):
        cells = {column: [] for column in columns}
        for row in rows.to_dict("records"):
            value = format_claim(row["value"], row["value_max"], row["unit"], row["qualifier"])
            mark = "*" if row["year_source"] == "document" else ""
            if by == "document" and isinstance(row["period"], str):
                value += f" ({row['period']}{mark})"
            else:
                value += mark
            cells[row["_column"]].append(value)
        first = rows.iloc[0]
        head = [cell_text(first[name]) + ("*" if name == "year" and (rows["year_source"] == "document").all() else "")
                for name in heads]
        table.add_row(*(Text(c) for c in head), *(Text(" / ".join(cells[c])) for c in columns))
    return table
