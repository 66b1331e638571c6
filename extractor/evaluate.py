"""Score predicted claims against gold claims (docs/claims.md §6)."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS = [
    "doc", "start", "end", "text", "value", "value_max", "unit",
    "qualifier", "metric", "subject", "tier", "year", "kind",
]
REQUIRED = ("doc", "start", "end")
FIELDS = [
    "value", "value_max", "unit", "qualifier", "metric", "tier", "year",
    "kind", "subject",
]
# Below this char-F1 a matched subject is listed among the wrong fields.
SUBJECT_WRONG_BELOW = 0.5

# Gold keeps traditional units as written (docs/claims.md §7); scoring does not
# tell the two scripts apart.
_SIMPLIFY = str.maketrans(
    "戶項點個噸場條種輛萬億價臺張筆間隻組員",
    "户项点个吨场条种辆万亿价台张笔间只组员",
)
_QUOTES = "“”\"'‘’「」『』"


def load_gold(path: str | Path) -> pd.DataFrame:
    """Read one `.jsonl` file or every `*.jsonl` in a directory, in name order."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    records = [rec for file in files for rec in _read_jsonl(file)]
    frame = pd.DataFrame(records, columns=COLUMNS, dtype=object)
    # Keep None for missing optional fields; only offsets get a numeric dtype.
    return frame.astype({"start": "int64", "end": "int64"})


def _read_jsonl(file: Path) -> list[dict[str, Any]]:
    records = []
    with file.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{file}:{lineno}: invalid JSON: {exc.msg}") from None
            problem = _record_problem(rec)
            if problem:
                raise ValueError(f"{file}:{lineno}: {problem}")
            records.append({col: rec.get(col) for col in COLUMNS})
    return records


def _record_problem(rec: Any) -> str | None:
    if not isinstance(rec, dict):
        return "expected a JSON object"
    missing = [col for col in REQUIRED if col not in rec]
    if missing:
        return f"missing field(s): {', '.join(missing)}"
    if not all(isinstance(rec[col], int) for col in ("start", "end")):
        return "start and end must be integers"
    return None


@dataclass
class EvalResult:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    field_accuracy: dict[str, float | None]
    per_doc: pd.DataFrame
    misses: pd.DataFrame
    false_positives: pd.DataFrame
    wrong: pd.DataFrame


def score(pred: pd.DataFrame, gold: pd.DataFrame) -> EvalResult:
    """Match predictions to gold by span overlap, then compare fields on the pairs."""
    pred = _prepare(pred, "pred")
    gold = _prepare(gold, "gold")
    pairs = _match(pred, gold)
    matched_pred = {p for p, _ in pairs}
    matched_gold = {g for _, g in pairs}

    tp = len(pairs)
    precision, recall, f1 = _prf(tp, len(pred), len(gold))
    field_accuracy, wrong = _compare_fields(pred, gold, pairs)
    return EvalResult(
        tp=tp,
        fp=len(pred) - tp,
        fn=len(gold) - tp,
        precision=precision,
        recall=recall,
        f1=f1,
        field_accuracy=field_accuracy,
        per_doc=_per_doc(pred, gold, pairs),
        misses=gold.drop(index=list(matched_gold)).reset_index(drop=True),
        false_positives=pred.drop(index=list(matched_pred)).reset_index(drop=True),
        wrong=wrong,
    )


def _prepare(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Positional index (pairs refer to rows by position) and all contract columns."""
    missing = [col for col in COLUMNS if col not in frame.columns]
    if missing and len(frame):
        raise ValueError(f"{name} lacks column(s): {', '.join(missing)}")
    frame = frame.reset_index(drop=True)
    for col in missing:
        frame[col] = pd.Series(dtype=object)
    return frame


def _match(pred: pd.DataFrame, gold: pd.DataFrame) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: largest overlap, then closest start, then row order."""
    pred_by_doc = pred.groupby("doc", sort=False).groups
    pairs = []
    for doc, gold_rows in gold.groupby("doc", sort=False).groups.items():
        pred_rows = pred_by_doc.get(doc)
        if pred_rows is None:
            continue
        candidates = []
        for g in gold_rows:
            g_start, g_end = int(gold.at[g, "start"]), int(gold.at[g, "end"])
            for p in pred_rows:
                p_start, p_end = int(pred.at[p, "start"]), int(pred.at[p, "end"])
                overlap = min(g_end, p_end) - max(g_start, p_start)
                if overlap > 0:
                    candidates.append((-overlap, abs(g_start - p_start), g, p))
        used_pred, used_gold = set(), set()
        for _, _, g, p in sorted(candidates):
            if g not in used_gold and p not in used_pred:
                used_gold.add(g)
                used_pred.add(p)
                pairs.append((p, g))
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _per_doc(pred: pd.DataFrame, gold: pd.DataFrame, pairs: list[tuple[int, int]]) -> pd.DataFrame:
    n_gold = gold["doc"].value_counts()
    n_pred = pred["doc"].value_counts()
    n_tp = gold.loc[[g for _, g in pairs], "doc"].value_counts()
    rows = []
    for doc in sorted(set(n_gold.index) | set(n_pred.index)):
        counts = (int(n_tp.get(doc, 0)), int(n_pred.get(doc, 0)), int(n_gold.get(doc, 0)))
        precision, recall, f1 = _prf(*counts)
        rows.append({
            "doc": doc, "n_gold": counts[2], "n_pred": counts[1], "tp": counts[0],
            "precision": precision, "recall": recall, "f1": f1,
        })
    columns = ["doc", "n_gold", "n_pred", "tp", "precision", "recall", "f1"]
    return pd.DataFrame(rows, columns=columns)


def _compare_fields(
    pred: pd.DataFrame, gold: pd.DataFrame, pairs: list[tuple[int, int]]
) -> tuple[dict[str, float | None], pd.DataFrame]:
    """Per-field accuracy over matched pairs, and one row per wrong field."""
    scores: dict[str, list[float]] = {field: [] for field in FIELDS}
    wrong = []
    for p, g in sorted(pairs, key=lambda pair: pair[1]):
        for field in FIELDS:
            expected = _normalise(field, gold.at[g, field])
            predicted = _normalise(field, pred.at[p, field])
            points = _field_score(field, expected, predicted)
            scores[field].append(points)
            threshold = SUBJECT_WRONG_BELOW if field == "subject" else 1.0
            if points < threshold:
                wrong.append({
                    "doc": gold.at[g, "doc"], "start": int(gold.at[g, "start"]),
                    "end": int(gold.at[g, "end"]), "text": gold.at[g, "text"],
                    "field": field, "expected": expected, "predicted": predicted,
                })
    accuracy = {field: sum(s) / len(s) if s else None for field, s in scores.items()}
    columns = ["doc", "start", "end", "text", "field", "expected", "predicted"]
    # object dtype so a missing expected or predicted value shows as None, not NaN.
    frame = pd.DataFrame(wrong, columns=columns, dtype=object)
    return accuracy, frame.astype({"start": "int64", "end": "int64"})


def _is_null(x: Any) -> bool:
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def _normalise(field: str, x: Any) -> Any:
    """None for every flavour of missing; integral years as int; numbers as float."""
    if _is_null(x):
        return None
    if field in ("value", "value_max"):
        return _as_float(x)
    if field == "year":
        number = _as_float(x)
        return int(number) if isinstance(number, float) and number.is_integer() else x
    return x


def _as_float(x: Any) -> Any:
    try:
        return float(x)
    except (TypeError, ValueError):
        return x


def _field_score(field: str, expected: Any, predicted: Any) -> float:
    if field == "subject":
        return subject_f1(expected, predicted)
    if expected is None or predicted is None:
        return float(expected is predicted)
    if field in ("value", "value_max"):
        return float(_close(expected, predicted))
    if field == "unit":
        return float(str(expected).translate(_SIMPLIFY) == str(predicted).translate(_SIMPLIFY))
    return float(expected == predicted)


def _close(a: Any, b: Any) -> bool:
    """Relative 1e-9; absolute 1e-9 when either side is 0, where relative means exact."""
    if not (isinstance(a, float) and isinstance(b, float)):
        return a == b
    abs_tol = 1e-9 if a == 0 or b == 0 else 0.0
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=abs_tol)


def subject_f1(expected: Any, predicted: Any) -> float:
    """Character-multiset F1, blind to quotes and whitespace (both vary by source)."""
    gold_chars = Counter(_clean_subject(expected))
    pred_chars = Counter(_clean_subject(predicted))
    if not gold_chars and not pred_chars:
        return 1.0
    common = sum((gold_chars & pred_chars).values())
    if not common:
        return 0.0
    precision = common / sum(pred_chars.values())
    recall = common / sum(gold_chars.values())
    return 2 * precision * recall / (precision + recall)


def _clean_subject(x: Any) -> str:
    if _is_null(x):
        return ""
    return "".join(ch for ch in str(x) if ch not in _QUOTES and not ch.isspace())


def format_report(result: EvalResult, per_doc: bool = False, show_misses: bool = False) -> str:
    """Plain-text report; always ends with the three summary lines hooks read."""
    sections = []
    if per_doc:
        sections.append(_section("per document", result.per_doc))
    if show_misses:
        listed = ["doc", "start", "end", "text", "metric"]
        sections.append(_section("missed gold claims", result.misses[listed]))
        sections.append(_section("false positives", result.false_positives[listed]))
        sections.append(_section("wrong fields", result.wrong))
    fields = " ".join(
        f"{field}={_fmt(acc)}" for field, acc in result.field_accuracy.items()
    )
    summary = "\n".join([
        f"claims: gold={result.tp + result.fn} predicted={result.tp + result.fp} matched={result.tp}",
        f"spans: precision={result.precision:.3f} recall={result.recall:.3f} f1={result.f1:.3f}",
        f"fields: {fields}",
    ])
    return "\n\n".join(sections + [summary])


def _section(title: str, frame: pd.DataFrame) -> str:
    if frame.empty:
        return f"{title} (0): none"
    # Align CJK text by display width, not code points.
    with pd.option_context("display.unicode.east_asian_width", True):
        table = frame.to_string(index=False, float_format=lambda x: f"{x:.3f}")
    return f"{title} ({len(frame)}):\n{table}"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"
