"""Which figures changed between two versions of a text, two documents or two runs.

Claims are aligned in stages; each stage pairs only what the earlier ones left:

1. text: when the two documents are versions of one text (the same bytes, or
   difflib finds most characters in common), an old span is carried over to
   the new text and paired with the claim it lands on, so a figure edited in
   place (305 -> 306) is `changed`, not `removed` + `added`;
2. sentence: the same claim text in the same sentence (a moved paragraph);
3. key: the indicator (indicators.py: metric, programme, tier, unit and the
   head and holder of the subject, however worded) and the kind, first with
   the same period, then the same year, then in order; within a key the n-th claim pairs with the
   n-th, never every one with every one. A key that leaves its tier,
   programme or holder unsaid takes the only fuller key of the other side.

Stage 1 is alignment.py (its settings in rules/diff.toml), stages 2 and 3
and the pairing of documents are keys.py (the indicator's words in
rules/indicators.toml); sources.py loads a side, a dataset or documents.
This module runs the stages and lays the pairs out as rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rich.table import Table
from rich.text import Text

from .alignment import text_pairs, text_rules
from .display import format_readable
from .indicators import indicator_rules, plain
from .keys import STAGES, keyed_sides, match_in_order
from .ruleset import RuleSet

STATUSES = ("changed", "added", "removed", "unchanged")
KEY_COLUMNS = ["indicator", "metric", "program", "tier", "unit", "kind"]
SIDE_FIELDS = ["doc", "start", "end", "text", "subject", "value", "value_max", "qualifier", "year", "period", "sentence"]
DIFF_COLUMNS = (
    ["status", "aligned_by"] + KEY_COLUMNS
    + [f"old_{f}" for f in SIDE_FIELDS] + [f"new_{f}" for f in SIDE_FIELDS]
    + ["change_abs", "change_rel", "changed_fields"]
)
# Fields whose difference makes an aligned pair `changed` (a reworded subject
# with the same indicator is not a change).
COMPARED = ["value", "value_max", "unit", "qualifier", "year", "period", "metric", "program", "indicator", "tier", "kind"]
# A period is compared as the stretch of time it names: 一季度 and 1-3月 are no change.
_COMPARED_AS = {"period": "period_key"}


# ---------------------------------------------------------------- the diff


def diff(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    old_texts: dict[str, str] | None = None,
    new_texts: dict[str, str] | None = None,
    old_documents: pd.DataFrame | None = None,
    new_documents: pd.DataFrame | None = None,
    keep_repeats: bool = False,
    rules: str | Path | RuleSet | None = None,
) -> pd.DataFrame:
    """One row per aligned pair, added or removed claim (DIFF_COLUMNS), changed first.

    `old_texts`/`new_texts` map a document name to its text; with them, two
    versions of one text are aligned by position as well as by key. Documents
    pair by name; of the others, one document left on each side pair with
    each other, within a region when the documents tables (`old_documents`,
    `new_documents`) give regions, and claims pair only within a region.
    """
    o, n, pairs = keyed_sides(old, new, old_documents, new_documents, indicator_rules(rules), keep_repeats)
    found = [text_pairs(o, n, pairs, old_texts or {}, new_texts or {}, text_rules(rules)).assign(aligned_by="text")]
    taken_o, taken_n = np.zeros(len(o), bool), np.zeros(len(n), bool)
    for name, columns in STAGES:
        taken_o[found[-1]["o"].to_numpy()] = True
        taken_n[found[-1]["n"].to_numpy()] = True
        left_o, left_n = o[~taken_o], n[~taken_n]
        if name == "key":  # a generic indicator (企业) says too little to pair figures by
            left_o, left_n = left_o[~left_o["generic"]], left_n[~left_n["generic"]]
        found.append(match_in_order(left_o, left_n, columns).assign(aligned_by=name))
    matched = pd.concat(found, ignore_index=True)
    return _rows(o, n, matched)


def _side(frame: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """The rows `ids` of a side (missing ids give empty rows), positionally aligned."""
    return frame.reindex(ids.to_numpy()).reset_index(drop=True)


def _differs(a: pd.Series, b: pd.Series, numeric: bool) -> np.ndarray:
    if numeric:
        x, y = a.astype("float64").to_numpy(), b.astype("float64").to_numpy()
        same = (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-9 * np.abs(x))
        return ~same
    missing_a, missing_b = a.isna().to_numpy(), b.isna().to_numpy()
    equal = (a.astype(object).to_numpy() == b.astype(object).to_numpy())
    return ~((missing_a & missing_b) | (~missing_a & ~missing_b & equal))


def _rows(o: pd.DataFrame, n: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    removed = o.loc[~o["ord"].isin(matched["o"]), "ord"]
    added = n.loc[~n["ord"].isin(matched["n"]), "ord"]
    ids = pd.concat([
        matched.assign(o=matched["o"].astype("float64"), n=matched["n"].astype("float64")),
        pd.DataFrame({"o": removed.astype("float64"), "n": np.nan, "aligned_by": None}),
        pd.DataFrame({"o": np.nan, "n": added.astype("float64"), "aligned_by": None}),
    ], ignore_index=True)
    old_rows, new_rows = _side(o, ids["o"]), _side(n, ids["n"])
    has_old, has_new = ids["o"].notna().to_numpy(), ids["n"].notna().to_numpy()
    out = pd.DataFrame({"aligned_by": ids["aligned_by"].to_numpy()})
    for column in KEY_COLUMNS:
        out[column] = new_rows[column].where(has_new, old_rows[column])
    for field in SIDE_FIELDS:
        out[f"old_{field}"] = old_rows[field]
        out[f"new_{field}"] = new_rows[field]
    both = has_old & has_new
    differing = {f: _differs(old_rows[_COMPARED_AS.get(f, f)], new_rows[_COMPARED_AS.get(f, f)], f in ("value", "value_max")) & both
                 for f in COMPARED}
    names = np.full(len(out), "", dtype=object)
    for field, mask in differing.items():
        names = names + np.where(mask, field + ",", "")
    changed = names != ""
    out["changed_fields"] = pd.Series(names, dtype=object).str.rstrip(",").replace("", None)
    out["status"] = np.select([both & changed, both, has_new], ["changed", "unchanged", "added"], "removed")
    same_unit = both & (old_rows["unit"].astype(object).to_numpy() == new_rows["unit"].astype(object).to_numpy())
    change = np.where(same_unit, new_rows["value"].to_numpy(float) - old_rows["value"].to_numpy(float), np.nan)
    base = old_rows["value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_abs"] = change
        out["change_rel"] = np.where(base != 0, change / np.abs(base), np.nan)
    for side in ("old", "new"):
        for field in ("start", "end", "year"):
            out[f"{side}_{field}"] = out[f"{side}_{field}"].astype("Int64")
        for field in ("doc", "text", "subject", "qualifier", "period", "sentence"):
            out[f"{side}_{field}"] = plain(out[f"{side}_{field}"])
    for column in ["aligned_by"] + KEY_COLUMNS:
        out[column] = plain(out[column])
    rank = out["status"].map({s: i for i, s in enumerate(STATUSES)})
    pair = old_rows["pair"].where(has_old, new_rows["pair"])
    out = out.assign(_rank=rank, _pair=pair, _o=old_rows["ord"], _n=new_rows["ord"])
    out = out.sort_values(["_rank", "_pair", "_o", "_n"], kind="stable", na_position="last")
    return out[DIFF_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- display


def _side_cell(row, side: str) -> str:
    if pd.isna(row[f"{side}_start"]):
        return ""
    period = row[f"{side}_period"]
    return f"{row[f'{side}_text']}" + (f" ({period})" if isinstance(period, str) else "")


def diff_table(rows: pd.DataFrame) -> Table:
    """The diff as a rich table: status, subject, tier, metric, old and new as written, change."""
    table = Table(show_lines=False)
    many_docs = rows["old_doc"].nunique() > 1 or rows["new_doc"].nunique() > 1
    for name in ["status"] + (["doc"] if many_docs else []) + ["subject", "tier", "metric", "old", "new", "change"]:
        table.add_column(name, justify="right" if name in ("old", "new", "change") else "left")
    colours = {"changed": "yellow", "added": "green", "removed": "red", "unchanged": "dim"}
    for row in rows.to_dict("records"):
        subject = row["new_subject"] if row["new_subject"] is not None else row["old_subject"]
        change = ""
        if not pd.isna(row["change_abs"]) and row["change_abs"] != 0:
            change = format_readable(row["change_abs"], row["unit"])
            change = ("+" if row["change_abs"] > 0 else "") + change
            if not pd.isna(row["change_rel"]):
                change += f" ({row['change_rel']:+.1%})"
        doc = [row["new_doc"] or row["old_doc"]] if many_docs else []
        cells = [*doc, subject, row["tier"], row["metric"], _side_cell(row, "old"), _side_cell(row, "new"), change]
        table.add_row(Text(row["status"], style=colours[row["status"]]), *(Text(c or "") for c in cells))
    return table
