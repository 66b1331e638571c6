"""What diff pairs claims by, once position has paired what it can.

Documents pair by name; of the others, one left on each side pair, else one
on each side of a place. Within a document pair, claims pair by their key:
the indicator (indicators.py: what is measured, however worded) and the kind,
first with the same period, then the same year, then in order, never every one with every one. A
key that leaves its tier, programme or holder unsaid takes the only fuller
key of the other side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .indicators import IndicatorRules, keyed_claims, resolve_keys, with_key_parts
from .periods import same_stretch

_SEP = "\x1f"
# After pairing by position: the same claim text in the same sentence (a moved
# paragraph), then the key with the same period, then with the same year, then the key in order.
STAGES = [("sentence", ["pair", "sentence", "text"]), ("key", ["pair", "key", "period_key"]),
          ("key", ["pair", "key", "year_key"]), ("key", ["pair", "key"])]


def _regions(documents: pd.DataFrame | None) -> dict[str, str]:
    """Each document's place: its division code, else its region as written (a documents table of an older run)."""
    if documents is None or "region" not in documents:
        return {}
    codes = documents["region_code"] if "region_code" in documents else pd.Series([None] * len(documents))
    return {doc: code if isinstance(code, str) and code else region
            for doc, region, code in zip(documents["doc"], documents["region"], codes)
            if isinstance(code, str) and code or isinstance(region, str) and region}


def _pair_documents(old_docs: list[str], new_docs: list[str], old_region: dict, new_region: dict) -> tuple[dict, dict, list[tuple[str, str, int]]]:
    """Pair ids per document: same names pair; of the others, one document each side pair, else one each side of a region.

    Several left in a region share their region's pool; a region unknown is a
    region of its own, so without documents tables the leftovers share one
    pool. Two documents named one against the other always pair, whatever
    their regions; within folders, 威海's figures never pair with 葫芦岛's.
    """
    new_set = set(new_docs)
    old_pair, new_pair, pairs = {}, {}, []
    for doc in old_docs:
        if doc in new_set:
            old_pair[doc] = new_pair[doc] = len(pairs)
            pairs.append((doc, doc, len(pairs)))
    left = [d for d in old_docs if d not in old_pair], [d for d in new_docs if d not in new_pair]
    groups: dict = {}
    for side, region in ((0, old_region), (1, new_region)):
        for doc in left[side]:
            groups.setdefault(region.get(doc) if len(left[0]) + len(left[1]) > 2 else None, ([], []))[side].append(doc)
    next_id = len(pairs)
    for old_left, new_left in groups.values():
        if len(old_left) == 1 and len(new_left) == 1:
            pairs.append((old_left[0], new_left[0], next_id))
        old_pair.update((d, next_id) for d in old_left)
        new_pair.update((d, next_id) for d in new_left)
        next_id += 1
    return old_pair, new_pair, pairs


def keyed_sides(old: pd.DataFrame, new: pd.DataFrame, old_documents: pd.DataFrame | None,
                new_documents: pd.DataFrame | None, indicators: IndicatorRules, keep_repeats: bool):
    """Both sides' claims with their document pair, resolved indicator and keys; and the document pairs.

    A key resolves against both sides of its document pair at once, so an
    unsaid tier takes the only fuller key either side holds.
    """
    o, n = keyed_claims(old, indicators, keep_repeats), keyed_claims(new, indicators, keep_repeats)
    old_pair, new_pair, pairs = _pair_documents(
        list(dict.fromkeys(o["doc"])), list(dict.fromkeys(n["doc"])), _regions(old_documents), _regions(new_documents))
    o["pair"], n["pair"] = o["doc"].map(old_pair).astype("int64"), n["doc"].map(new_pair).astype("int64")
    both = pd.concat([o[["pair", "indicator", "generic"]], n[["pair", "indicator", "generic"]]], ignore_index=True)
    side = np.repeat(["old", "new"], [len(o), len(n)])
    resolved = resolve_keys(both["indicator"], both["pair"], pd.Series(side), both["generic"], indicators).to_numpy()
    o, n = with_key_parts(o.assign(indicator=resolved[: len(o)])), with_key_parts(n.assign(indicator=resolved[len(o):]))
    o["key"] = o["indicator"] + _SEP + o["kind"].fillna("").astype(str)
    n["key"] = n["indicator"] + _SEP + n["kind"].fillna("").astype(str)
    o["year_key"], n["year_key"] = o["year"].fillna(-1).astype("int64"), n["year"].fillna(-1).astype("int64")
    o["period_key"], n["period_key"] = _stretch_key(o["period"]), _stretch_key(n["period"])
    return o, n, pairs


def _stretch_key(periods: pd.Series) -> pd.Series:
    """One text for one stretch of time however it was written (一季度 2022-Q1 and 1-3月 2022-01/2022-03 pair),
    worked out once per distinct period; "" for none."""
    names = {period: same_stretch(period) for period in pd.unique(periods.dropna())}
    return periods.map(names).astype(object).fillna("")


def match_in_order(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Pair the n-th old claim with the n-th new claim of each group of equal `columns`."""
    left = old[columns + ["ord"]].sort_values("ord")
    right = new[columns + ["ord"]].sort_values("ord")
    left = left.assign(rank=left.groupby(columns, sort=False, dropna=False).cumcount())
    right = right.assign(rank=right.groupby(columns, sort=False, dropna=False).cumcount())
    matched = left.merge(right, on=columns + ["rank"], suffixes=("_o", "_n"))
    return pd.DataFrame({"o": matched["ord_o"].to_numpy(), "n": matched["ord_n"].to_numpy()}, dtype="int64")
