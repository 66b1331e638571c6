"""Claims of two versions of one text paired by position.

When two documents are versions of one text, an old claim's span is carried
over to the new text and paired with the claim it lands on, so a figure
edited in place (305 -> 306) is one change, not a removal and an addition.
The same bytes keep their offsets; an edited text is aligned with difflib,
sentences first and the characters of changed sentences after, and counts as
a version only when enough of it aligns (rules/diff.toml).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .ruleset import RuleSet, per_rule_set

_FAR = np.int64(1) << 40  # offsets of different document pairs never meet


@dataclass(frozen=True)
class TextRules:
    """Text-alignment settings read from rules/diff.toml."""

    min_similarity: float
    max_block_chars: int


@per_rule_set
def text_rules(ruleset: RuleSet) -> TextRules:
    """The TextRules of a rule set or a rules folder (the built-in rules by default), read once per process."""
    text = ruleset.table("diff", "text")
    return TextRules(min_similarity=float(text["min_similarity"]), max_block_chars=text["max_block_chars"])


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


def _carried_spans(o: pd.DataFrame, n: pd.DataFrame, pairs, old_texts, new_texts, rules: TextRules) -> pd.DataFrame:
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
        blocks, similarity = align_texts(old_texts[old_doc], new_texts[new_doc], rules.max_block_chars)
        if similarity < rules.min_similarity or not len(blocks):
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


def text_pairs(o: pd.DataFrame, n: pd.DataFrame, pairs, old_texts: dict[str, str], new_texts: dict[str, str],
               rules: TextRules) -> pd.DataFrame:
    """Claim pairs (o, n) by position: each old span carried into its paired new text meets the claim it overlaps most."""
    return _one_to_one(_text_candidates(o, n, _carried_spans(o, n, pairs, old_texts, new_texts, rules)))
