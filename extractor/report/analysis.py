"""What the report shows, worked out from the claims: gold marks, rows, places, chart figures.

Kept apart from drawing and markup so the figures a chart or a row shows can
be tested as data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cells import cell_text, is_missing
from ..dataset import enums
from ..evaluate import score
from ..ruleset import RuleSet, builtin_ruleset


@dataclass(frozen=True)
class ReportRules:
    """What the report reads from a rule set: each closed list in order with its colours, the money metrics,
    and the words that mark an enterprise count as candidates (rules/subjects.toml `candidate_words`)."""

    enums: dict[str, list[str]]
    metric_colours: dict[str, str]
    tier_colours: dict[str | None, str]  # and grey for a figure of no tier
    kind_colours: dict[str, str]
    money_metrics: list[str]
    candidate_words: list[str]

    @classmethod
    def of(cls, ruleset: RuleSet | None = None) -> ReportRules:
        """The report's view of `ruleset` (the built-in rules by default), so `--rules` colours its own lists."""
        ruleset = ruleset or builtin_ruleset()
        lists = ruleset.closed_lists
        return cls(
            enums=enums(ruleset),
            metric_colours={metric["name"]: metric["colour"] for metric in lists["metric"]},
            tier_colours={tier["name"]: tier["colour"] for tier in lists["tier"]} | {None: "#757575"},
            kind_colours={kind["name"]: kind["colour"] for kind in lists["kind"]},
            money_metrics=[metric["name"] for metric in lists["metric"] if metric["money"]],
            candidate_words=list(ruleset.table("subjects", "candidate_words")),
        )


@dataclass
class GoldMarks:
    """Gold status of each claim, the gold claims missed, and the scores in one line."""

    status: list[str | None]  # per claim: "ok", "fp", or None where the document has no gold
    misses: pd.DataFrame
    summary: str


def mark_gold(claims: pd.DataFrame, gold: pd.DataFrame, docs: list[str]) -> GoldMarks:
    """Score only the documents that have gold, so the rest are not all false positives."""
    ignored = sorted(set(gold["doc"]) - set(docs))
    gold = gold[gold["doc"].isin(docs)]
    scored_docs = set(gold["doc"])
    pred = claims.assign(_row=range(len(claims)))
    pred = pred[pred["doc"].isin(scored_docs)]
    result = score(pred, gold)
    false_positives = set(result.false_positives["_row"])
    status = [
        None if doc not in scored_docs else "fp" if i in false_positives else "ok"
        for i, doc in enumerate(claims["doc"])
    ]
    summary = (
        f"Gold: {result.tp + result.fn} claims in {len(scored_docs)} of {len(docs)} documents; "
        f"matched {result.tp}, missed {result.fn}, false positives {result.fp}; "
        f"precision {result.precision:.3f}, recall {result.recall:.3f}, F1 {result.f1:.3f}."
    )
    if ignored:
        summary += f" Gold for {len(ignored)} document(s) not in this dataset was ignored."
    return GoldMarks(status, result.misses, summary)


def document_places(documents: pd.DataFrame) -> dict[str, str]:
    """Each document's place as the charts name it: the division's standard name and code (威海市 371000), or its name alone."""
    empty = pd.Series([None] * len(documents), dtype=object)
    regions, codes = documents.get("region", empty), documents.get("region_code", empty)
    return {str(doc): " ".join(part for part in (cell_text(region), cell_text(code)) if part)
            for doc, region, code in zip(documents["doc"], regions, codes)}


def target_pairs(claims: pd.DataFrame, places: dict[str, str]) -> pd.DataFrame:
    """Programme figures that have both a target and an actual for the same place.

    Keyed by place (the document's division, else the document), programme, tier,
    metric and unit; the latest actual (largest on a tie) meets the largest target.
    """
    rows = claims[claims["program"].notna() & claims["kind"].isin(["actual", "target"]) & ~claims["is_repeat"].astype(bool)]
    found: dict[tuple, dict] = {}
    for row in rows.to_dict("records"):
        doc = str(row["doc"])
        key = (places.get(doc) or doc, str(row["program"]), cell_text(row["tier"]), str(row["metric"]), str(row["unit"]))
        year = -1 if is_missing(row["year"]) else int(row["year"])
        slot = found.setdefault(key, {})
        rank = (year, row["value"]) if row["kind"] == "actual" else (row["value"], year)
        if row["kind"] not in slot or rank > slot[row["kind"]][0]:
            slot[row["kind"]] = (rank, float(row["value"]), None if year < 0 else year)
    records = [
        {"place": key[0], "program": key[1], "tier": key[2] or None, "metric": key[3], "unit": key[4],
         "actual": slot["actual"][1], "actual_year": slot["actual"][2],
         "target": slot["target"][1], "target_year": slot["target"][2]}
        for key, slot in sorted(found.items()) if "actual" in slot and "target" in slot
    ]
    columns = ["place", "program", "tier", "metric", "unit", "actual", "actual_year", "target", "target_year"]
    return pd.DataFrame(records, columns=columns)


def is_candidate(row: dict, candidate_words: list[str]) -> bool:
    """Whether the subject or the few characters before the claim say the enterprises only applied (推荐, 申报)."""
    sentence, start = cell_text(row.get("sentence")), int(row["start"]) - int(row.get("sentence_start") or 0)
    around = sentence[max(0, start - 6):max(0, start)] + cell_text(row.get("subject"))
    return any(word in around for word in candidate_words)


def enterprise_panels(claims: pd.DataFrame, rules: ReportRules) -> list[tuple[str, list[tuple], dict[tuple, float]]]:
    """Reported (actual) enterprise counts per programme and tier: (doc, (programme, tier) in order, largest count) per document.

    A document can give the same programme and tier more than once (a stock and
    this year's additions); the largest counts. Candidates (enterprises that
    only applied, rules/subjects.toml `candidate_words`) are left out.
    """
    rows = claims[(claims["metric"] == "enterprise_count") & (claims["kind"] == "actual")
                  & claims["program"].notna() & ~claims["is_repeat"].astype(bool)]
    rows = rows[pd.array([not is_candidate(row, rules.candidate_words) for row in rows.to_dict("records")], dtype=bool)]
    programs, tiers = rules.enums["program"], rules.enums["tier"]
    panels = []
    for doc, group in rows.groupby(rows["doc"].astype(str), sort=False):
        best: dict[tuple, float] = {}
        for program, tier, value in zip(group["program"], group["tier"], group["value"]):
            key = (str(program), None if is_missing(tier) else str(tier))
            best[key] = max(best.get(key, 0.0), float(value))
        order = sorted(best, key=lambda k: (programs.index(k[0]), -1 if k[1] is None else tiers.index(k[1])))
        panels.append((doc, order, best))
    return panels


@dataclass
class Entry:
    """One table row: a claim (c…) or a missed gold claim (g…)."""

    id: str
    row: dict
    gold: str | None  # "ok", "fp", "miss", or None where nothing was scored

    @property
    def doc(self) -> str:
        return str(self.row["doc"])

    @property
    def mark(self) -> str | None:
        return self.gold if self.gold in ("fp", "miss") else None


def table_entries(claims: pd.DataFrame, gold: GoldMarks | None) -> list[Entry]:
    """The table's rows: every claim, then every missed gold claim."""
    status = gold.status if gold is not None else [None] * len(claims)
    entries = [Entry(f"c{i}", row, st) for i, (row, st) in enumerate(zip(claims.to_dict("records"), status))]
    if gold is not None:
        entries += [Entry(f"g{i}", row, "miss") for i, row in enumerate(gold.misses.to_dict("records"))]
    return entries
