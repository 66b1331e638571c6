"""Which figures changed between two versions of a text, two documents or two runs.

Claims are aligned in stages; each stage pairs only what the earlier ones left:

1. text: when the two documents are versions of one text (the same bytes, or
   difflib finds most characters in common), an old span is carried over to
   the new text and paired with the claim it lands on, so a figure edited in
   place (305 -> 306) is `changed`, not `removed` + `added`;
2. sentence: the same claim text in the same sentence (a moved paragraph);
3. key: the indicator (indicators.py: metric, programme, tier, unit and the
   head and holder of the subject, however worded) and the kind, first with
   the same year, then in order; within a key the n-th claim pairs with the
   n-th, never every one with every one. A key that leaves its tier,
   programme or holder unsaid takes the only fuller key of the other side.

Text-alignment settings live in rules/diff.toml; the indicator's words in
rules/indicators.toml.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from rich.table import Table
from rich.text import Text

from .dataset import load_dataset
from .display import format_readable
from .documents import find_inputs, read_document
from .indicators import indicator_rules, keyed_claims, plain, resolve_keys, with_key_parts
from .pipeline import extract_documents, get_extractor
from .ruleset import RuleSet, load_ruleset
from .texts import dataset_texts, documents_of_claims

STATUSES = ("changed", "added", "removed", "unchanged")
KEY_COLUMNS = ["indicator", "metric", "program", "tier", "unit", "kind"]
SIDE_FIELDS = ["doc", "start", "end", "text", "subject", "value", "value_max", "qualifier", "year", "sentence"]
DIFF_COLUMNS = (
    ["status", "aligned_by"] + KEY_COLUMNS
    + [f"old_{f}" for f in SIDE_FIELDS] + [f"new_{f}" for f in SIDE_FIELDS]
    + ["change_abs", "change_rel", "changed_fields"]
)
# Fields whose difference makes an aligned pair `changed` (a reworded subject
# with the same indicator is not a change).
COMPARED = ["value", "value_max", "unit", "qualifier", "year", "metric", "program", "indicator", "tier", "kind"]
_SEP = "\x1f"
_FAR = np.int64(1) << 40  # offsets of different document pairs never meet


@dataclass(frozen=True)
class TextRules:
    """Text-alignment settings read from rules/diff.toml."""

    min_similarity: float
    max_block_chars: int


@lru_cache(maxsize=8)
def _text_rules(directory: str | None) -> TextRules:
    return text_rules_of(load_ruleset(directory))


def text_rules(rules: str | Path | RuleSet | None = None) -> TextRules:
    """The TextRules of a rules directory (the built-in rules/ by default), read once per process."""
    if isinstance(rules, RuleSet):
        return text_rules_of(rules)
    return _text_rules(str(Path(rules).resolve()) if rules is not None else None)


def text_rules_of(ruleset: RuleSet) -> TextRules:
    text = ruleset.table("diff", "text") or {}
    return TextRules(
        min_similarity=float(text.get("min_similarity", 0.5)),
        max_block_chars=int(text.get("max_block_chars", 20000)),
    )


# ---------------------------------------------------------------- inputs


@dataclass
class Side:
    """One side of a diff: its claims, the texts they index (where known) and its documents table.

    `missing_texts` says why a document's text could not be found: its claims
    then align by sentence and key only, never by position.
    """

    claims: pd.DataFrame
    texts: dict[str, str]
    documents: pd.DataFrame | None
    missing_texts: dict[str, str] = field(default_factory=dict)


def _dataset_folder(path: Path) -> Path | None:
    """The dataset folder `path` names: a claims file, a dataset folder (single files or parts) or its claims/ parts."""
    if path.is_file() and path.suffix in (".parquet", ".csv", ".jsonl"):
        return path.parent
    if not path.is_dir():
        return None
    if any((path / f"claims.{s}").exists() for s in ("parquet", "csv", "jsonl")) or any((path / "claims").glob("*.parquet")):
        return path
    return path.parent if any(path.glob("part-*.parquet")) else None


def load_side(path: str | Path, rules: str | Path | None = None) -> Side:
    """A document, a folder of documents (extracted now) or a dataset folder or claims file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    folder = _dataset_folder(path)
    if folder is not None:
        claims = load_dataset(path)
        try:
            documents = load_dataset(folder, table="documents")
        except FileNotFoundError:
            documents = None
        found = dataset_texts(folder, documents_of_claims(claims) if documents is None else documents)
        texts = {doc: t.text for doc, t in found.items() if t.text is not None}
        return Side(claims, texts, documents, {doc: t.note for doc, t in found.items() if t.note})
    paths = find_inputs([path])
    if not paths:
        raise ValueError(f"{path}: no documents (.txt) and no dataset (claims.parquet, .csv or .jsonl)")
    result = extract_documents(paths, get_extractor(rules))
    texts = {}
    for item in paths:
        document = read_document(item)
        if document.status == "ok":
            texts[document.doc] = document.text
    return Side(result.claims, texts, result.documents)


# ---------------------------------------------------------------- text alignment


_PIECE = re.compile(r"[^\n\r。；！？]*[\n\r。；！？]|[^\n\r。；！？]+$")


def _pieces(text: str) -> list[str]:
    """The text cut after every line end and sentence end; the pieces join back to the text."""
    return _PIECE.findall(text)


def align_texts(old: str, new: str, max_block_chars: int = 20000) -> tuple[np.ndarray, float]:
    """Blocks (equal, i1, i2, j1, j2) covering both texts, and the share of characters in common.

    Sentences (cut after line ends and 。；！？) are aligned first and the
    characters of changed sentences after, so a long document costs little
    more than its edits; stretches longer than `max_block_chars` are left
    unaligned (difflib is quadratic).
    """
    old_lines, new_lines = _pieces(old), _pieces(new)
    old_at = np.concatenate([[0], np.cumsum([len(x) for x in old_lines], dtype=np.int64)])
    new_at = np.concatenate([[0], np.cumsum([len(x) for x in new_lines], dtype=np.int64)])
    blocks = []
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in lines.get_opcodes():
        i1, i2, j1, j2 = int(old_at[a1]), int(old_at[a2]), int(new_at[b1]), int(new_at[b2])
        if tag == "replace" and max(i2 - i1, j2 - j1) <= max_block_chars:
            blocks.extend(_align_chars(old, new, i1, i2, j1, j2))
        else:
            blocks.append((tag == "equal", i1, i2, j1, j2))
    if not blocks:
        return np.zeros((0, 5), dtype=np.int64), 1.0
    array = np.array(blocks, dtype=np.int64)
    same = int(((array[:, 2] - array[:, 1]) * array[:, 0]).sum())
    return array, 2 * same / (len(old) + len(new))


def _align_chars(old: str, new: str, i1: int, i2: int, j1: int, j2: int) -> list[tuple]:
    """Blocks of old[i1:i2] against new[j1:j2]: common head and tail first, difflib on the middle only."""
    head = len(os.path.commonprefix([old[i1:i2], new[j1:j2]]))
    tail = len(os.path.commonprefix([old[i1 + head:i2][::-1], new[j1 + head:j2][::-1]]))
    a1, a2, b1, b2 = i1 + head, i2 - tail, j1 + head, j2 - tail
    chars = difflib.SequenceMatcher(None, old[a1:a2], new[b1:b2], autojunk=False)
    blocks = [(True, i1, a1, j1, b1)] if head else []
    blocks.extend((t == "equal", a1 + x1, a1 + x2, b1 + y1, b1 + y2) for t, x1, x2, y1, y2 in chars.get_opcodes())
    return blocks + ([(True, a2, i2, b2, j2)] if tail else [])


def map_spans(starts: np.ndarray, ends: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Old spans carried to the new text: (start, end, exact). A deleted span maps to an empty one.

    `exact` says the whole span lies in one unchanged stretch of text.
    """
    equal, i1, i2, j1, j2 = (blocks[:, k] for k in range(5))
    ks = np.clip(np.searchsorted(i2, starts, side="right"), 0, len(blocks) - 1)
    ke = np.clip(np.searchsorted(i1, ends, side="left") - 1, 0, len(blocks) - 1)
    new_starts = np.where(equal[ks] == 1, j1[ks] + starts - i1[ks], j1[ks])
    new_ends = np.where(equal[ke] == 1, j1[ke] + ends - i1[ke], j2[ke])
    exact = (equal[ks] == 1) & (ks == ke)
    return new_starts, np.maximum(new_ends, new_starts), exact


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


def _carried_spans(o: pd.DataFrame, n: pd.DataFrame, pairs, old_texts, new_texts, keys: TextRules) -> pd.DataFrame:
    """Old spans carried into the paired new text: the same bytes keep their offsets, an edited text is aligned."""
    partner = {pair: new_doc for _old_doc, new_doc, pair in pairs}
    new_sha = n.drop_duplicates("doc").set_index("doc")["sha"]
    paired = o[o["pair"].isin(partner)]
    partner_doc = paired["pair"].map(partner)
    same = (paired["sha"] != "").to_numpy() & (paired["sha"].to_numpy() == partner_doc.map(new_sha).to_numpy())
    kept = paired[same]
    columns = [[kept[c].to_numpy(np.int64) for c in ("ord", "pair", "start", "end")] + [np.ones(len(kept), bool)]]
    edited = paired[~same]
    ords, pair_ids, starts, ends = (edited[c].to_numpy(np.int64) for c in ("ord", "pair", "start", "end"))
    for old_doc, at in edited.groupby("doc", sort=False).indices.items():
        new_doc = partner[int(pair_ids[at[0]])]
        if old_doc not in old_texts or new_doc not in new_texts:
            continue
        blocks, similarity = align_texts(old_texts[old_doc], new_texts[new_doc], keys.max_block_chars)
        if similarity < keys.min_similarity or not len(blocks):
            continue
        columns.append([ords[at], pair_ids[at], *map_spans(starts[at], ends[at], blocks)])
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in zip(("o", "pair", "ms", "me", "exact"), zip(*columns))})


def _text_candidates(o: pd.DataFrame, n: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """Every new claim each carried span overlaps; away from unchanged text only claims of the same unit."""
    lo_at = spans["pair"].to_numpy(np.int64) * _FAR + spans["ms"].to_numpy(np.int64)
    hi_at = spans["pair"].to_numpy(np.int64) * _FAR + spans["me"].to_numpy(np.int64)
    targets = n[n["pair"].isin(spans["pair"].unique())]
    starts = targets["pair"].to_numpy(np.int64) * _FAR + targets["start"].to_numpy(np.int64)
    order = np.argsort(starts, kind="stable")
    starts = starts[order]
    ends = (targets["pair"].to_numpy(np.int64) * _FAR + targets["end"].to_numpy(np.int64))[order]
    longest = int((targets["end"] - targets["start"]).max()) if len(targets) else 0
    lo = np.searchsorted(starts, lo_at - longest, side="left")
    counts = np.maximum(np.searchsorted(starts, hi_at, side="left") - lo, 0)
    which = np.repeat(np.arange(len(spans)), counts)
    index = np.repeat(lo, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    overlap = np.minimum(hi_at[which], ends[index]) - np.maximum(lo_at[which], starts[index])
    old_ids, new_ids = spans["o"].to_numpy()[which], targets["ord"].to_numpy()[order][index]
    same_unit = o["unit"].to_numpy()[old_ids] == n["unit"].to_numpy()[new_ids]
    keep = (overlap > 0) & (spans["exact"].to_numpy(bool)[which] | same_unit)
    return pd.DataFrame({"o": old_ids[keep], "n": new_ids[keep], "overlap": overlap[keep]})


def _one_to_one(candidates: pd.DataFrame) -> pd.DataFrame:
    """Largest overlap first, each claim used once."""
    ordered = candidates.sort_values(["overlap", "o", "n"], ascending=[False, True, True], kind="stable")
    used_o, used_n, chosen = set(), set(), []
    for o, n in zip(ordered["o"].tolist(), ordered["n"].tolist()):
        if o not in used_o and n not in used_n:
            used_o.add(o)
            used_n.add(n)
            chosen.append((o, n))
    return pd.DataFrame(chosen, columns=["o", "n"], dtype="int64")


def _match_in_order(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Pair the n-th old claim with the n-th new claim of each group of equal `columns`."""
    left = old[columns + ["ord"]].sort_values("ord")
    right = new[columns + ["ord"]].sort_values("ord")
    left = left.assign(rank=left.groupby(columns, sort=False, dropna=False).cumcount())
    right = right.assign(rank=right.groupby(columns, sort=False, dropna=False).cumcount())
    matched = left.merge(right, on=columns + ["rank"], suffixes=("_o", "_n"))
    return pd.DataFrame({"o": matched["ord_o"].to_numpy(), "n": matched["ord_n"].to_numpy()}, dtype="int64")


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
    indicators = indicator_rules(rules)
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
    keys = text_rules(rules)

    spans = _carried_spans(o, n, pairs, old_texts or {}, new_texts or {}, keys)
    found = [_one_to_one(_text_candidates(o, n, spans)).assign(aligned_by="text")]
    taken_o, taken_n = np.zeros(len(o), bool), np.zeros(len(n), bool)
    stages = [("sentence", ["pair", "sentence", "text"]), ("key", ["pair", "key", "year_key"]), ("key", ["pair", "key"])]
    for name, columns in stages:
        taken_o[found[-1]["o"].to_numpy()] = True
        taken_n[found[-1]["n"].to_numpy()] = True
        left_o, left_n = o[~taken_o], n[~taken_n]
        if name == "key":  # a generic indicator (企业) says too little to pair figures by
            left_o, left_n = left_o[~left_o["generic"]], left_n[~left_n["generic"]]
        found.append(_match_in_order(left_o, left_n, columns).assign(aligned_by=name))
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
    differing = {f: _differs(old_rows[f], new_rows[f], f in ("value", "value_max")) & both for f in COMPARED}
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
        for field in ("doc", "text", "subject", "qualifier", "sentence"):
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
    year = row[f"{side}_year"]
    return f"{row[f'{side}_text']}" + (f" ({year})" if not pd.isna(year) else "")


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
