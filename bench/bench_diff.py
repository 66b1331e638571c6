"""Benchmark: diff two datasets of 100,000 claims each, against a plain pandas merge.

The old dataset has 1,000 documents of 100 claims with subjects, units and
metrics drawn from the sample documents' claims. The new one keeps half the
documents byte for byte (same sha256: aligned by offset) and edits the other
half (no texts: aligned by key): 10% of their values change, 5% of their
claims go, 5% come, and quotes change style. The baseline is an outer merge on
the raw key columns, measured in the same run; the ratio is diff / baseline.

A second pair of datasets goes through the text alignment, as two extracted
datasets (whose texts are saved) do: copies of the sample documents, half
byte for byte and half with every seventh number raised by one, with their
texts, about as many claims as the first.

    python bench/bench_diff.py [--claims 100000] [--repeat 3]

Writes bench/results/diff-<date>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from extractor import diff, extract_paths, extract_text
from extractor.dataset import CLAIM_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PER_DOC = 100
KEY = ["doc", "metric", "program", "subject", "tier", "unit", "kind", "year"]


def synthetic(n_claims: int, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An old and a new dataset of about `n_claims` claims each, built from the seeds' claims."""
    rng = random.Random(seed)
    templates = extract_paths([ROOT / "seeds"]).to_dict("records")
    old_rows, new_rows = [], []
    for d in range(n_claims // PER_DOC):
        doc = f"{d:06d}.txt"
        edited = d % 2 == 1
        position = 0
        for i in range(PER_DOC):
            row = dict(rng.choice(templates), doc=doc, doc_sha256=f"sha-{d}", is_repeat=False)
            row["value"] = float(rng.randint(1, 5000))
            row["year"] = rng.choice([None, 2021, 2022, 2023, 2024, 2025])
            row["start"], row["end"] = position, position + len(row["text"])
            row["sentence"] = f"{row['subject']}{row['text']}#{d}-{i}"
            position = row["end"] + rng.randint(5, 60)
            old_rows.append(row)
            if not edited:
                new_rows.append(dict(row))
                continue
            draw = rng.random()
            if draw < 0.05:
                continue  # removed
            new = dict(row, doc_sha256=f"sha-{d}-v2")
            new["subject"] = str(new["subject"]).replace("“", '"').replace("”", '"')
            new["sentence"] = new["sentence"] + "。"
            if draw < 0.15:
                new["value"] = row["value"] + rng.randint(1, 100)
            new_rows.append(new)
            if draw > 0.95:
                extra = dict(rng.choice(templates), doc=doc, doc_sha256=f"sha-{d}-v2", is_repeat=False)
                extra.update(start=position + 1, end=position + 1 + len(extra["text"]), sentence=f"added {d}-{i}")
                new_rows.append(extra)
    frames = [pd.DataFrame(rows, columns=CLAIM_COLUMNS).astype({"year": "Int64"}) for rows in (old_rows, new_rows)]
    return frames[0], frames[1]


def versions(n_claims: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, str]]:
    """Copies of the sample documents, every other one edited (every seventh number + 1), with their texts."""
    counter = iter(range(1, 10**9))
    samples = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        edited = re.sub(r"\d+", lambda m: str(int(m.group()) + 1) if next(counter) % 7 == 0 else m.group(), text)
        samples.append((text, edited, extract_text(text, doc="x"), extract_text(edited, doc="x")))
    old, new, old_texts, new_texts, size, d = [], [], {}, {}, 0, 0
    while size < n_claims:
        text, edited, claims, edited_claims = samples[d % len(samples)]
        doc, changed = f"{d:06d}.txt", d % 2 == 1
        old.append(claims.assign(doc=doc, doc_sha256=f"sha-{d}"))
        new.append((edited_claims if changed else claims).assign(doc=doc, doc_sha256=f"sha-{d}" + ("-v2" if changed else "")))
        old_texts[doc], new_texts[doc] = text, edited if changed else text
        size, d = size + len(claims), d + 1
    return pd.concat(old, ignore_index=True), pd.concat(new, ignore_index=True), old_texts, new_texts


def best_of(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    old, new = synthetic(args.claims)
    baseline, merged = best_of(args.repeat, lambda: old.merge(new, on=KEY, how="outer", indicator=True))
    seconds, rows = best_of(args.repeat, lambda: diff(old, new))
    text_old, text_new, old_texts, new_texts = versions(args.claims)
    text_baseline, _ = best_of(args.repeat, lambda: text_old.merge(text_new, on=KEY, how="outer", indicator=True))
    text_seconds, text_rows = best_of(args.repeat, lambda: diff(text_old, text_new, old_texts=old_texts, new_texts=new_texts))
    result = {
        "benchmark": "diff",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "machine": platform.machine(),
        "old_claims": len(old),
        "new_claims": len(new),
        "diff_seconds": round(seconds, 3),
        "baseline": "pandas outer merge on doc, metric, program, subject, tier, unit, kind, year",
        "baseline_seconds": round(baseline, 3),
        "ratio_to_baseline": round(seconds / baseline, 2),
        "baseline_rows": len(merged),
        "statuses": {k: int(v) for k, v in rows["status"].value_counts().items()},
        "aligned_by": {k: int(v) for k, v in rows["aligned_by"].value_counts().items()},
        "texts": {
            "documents": len(old_texts),
            "old_claims": len(text_old),
            "new_claims": len(text_new),
            "diff_seconds": round(text_seconds, 3),
            "baseline_seconds": round(text_baseline, 3),
            "ratio_to_baseline": round(text_seconds / text_baseline, 2),
            "statuses": {k: int(v) for k, v in text_rows["status"].value_counts().items()},
            "aligned_by": {k: int(v) for k, v in text_rows["aligned_by"].value_counts().items()},
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"diff-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"-> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
