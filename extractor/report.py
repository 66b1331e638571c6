"""The HTML review report: every claim highlighted in its own document.

People check an extracted figure by seeing it in the text, so the report puts
each document's text beside a filterable table of its claims; a click on a row
scrolls the text to the claim. Charts compare programmes, tiers and money.
With gold claims it also marks misses and false positives for rule authors.
One self-contained file: styles, script and SVG charts are inline, so it opens
without network access.
"""

from __future__ import annotations

import html
import io
import json
import re
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import ENUMS, _atomic_write, load_dataset
from .evaluate import load_gold, score
from .ruleset import load_ruleset
from .texts import DocText, dataset_texts, documents_of_claims, find_text  # noqa: F401  (find_text: the report's API)

# Light backgrounds that keep black text readable; the charts use the same ones.
METRIC_COLOURS = {
    "enterprise_count": "#ffd54f", "subsidy": "#a5d6a7", "fund": "#80cbc4", "loan": "#90caf9",
    "credit": "#b39ddb", "financing": "#9fa8da", "revenue": "#ffab91", "tax_relief": "#c5e1a5",
    "money_other": "#bcaaa4", "growth_rate": "#f48fb1", "share": "#ce93d8", "rate": "#81d4fa",
    "multiple": "#e6ee9c", "count": "#ffe0b2", "duration": "#b0bec5", "rank": "#80deea",
    "other": "#e0e0e0",
}
TIER_COLOURS = {
    "national": "#c62828", "provincial": "#1565c0", "municipal": "#2e7d32",
    "provincial_plus": "#6a1b9a", "municipal_plus": "#ef6c00", None: "#757575",
}
KIND_COLOURS = {"actual": "#1565c0", "target": "#ef6c00", "policy": "#2e7d32"}
MONEY_METRICS = ["subsidy", "fund", "loan", "credit", "financing", "revenue", "tax_relief", "money_other"]
# CJK fonts first so Chinese labels are measured with real glyphs where one is
# installed; the SVG keeps text as text, so the browser draws it with its fonts.
CHART_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "DejaVu Sans"]
NONE = "-"  # filter value of an empty tier or gold status


@dataclass(frozen=True)
class Span:
    """One highlight: a claim (or a missed gold claim) at [start, end)."""

    id: str
    start: int
    end: int
    metric: str
    status: str | None  # "fp", "miss" or None
    tooltip: str


@dataclass
class ReportSummary:
    documents: int
    claims: int
    texts_missing: int
    misses: int | None
    false_positives: int | None


# ---------------------------------------------------------------- highlighting


def highlight(text: str, spans: list[Span]) -> str:
    """The text as escaped HTML with every span's characters inside <mark> pieces.

    Spans may overlap, nest or touch: the text is cut at every span boundary and
    each piece is one <mark> listing all the spans that cover it, so the markup
    never has to cross itself. Spans outside the text are left out.
    """
    spans = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end))
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    parts: list[str] = []
    active: list[Span] = []
    following = 0
    for a, b in zip(cuts, cuts[1:]):
        while following < len(spans) and spans[following].start <= a:
            active.append(spans[following])
            following += 1
        active = [s for s in active if s.end > a]
        piece = html.escape(text[a:b])
        if not active:
            parts.append(piece)
            continue
        # The innermost span gives the colour; a claim wins over a missed gold claim.
        covering = sorted(active, key=lambda s: (s.status == "miss", s.end - s.start, s.start))
        classes = ["hl", f"m-{covering[0].metric}"]
        classes += sorted({s.status for s in covering if s.status})
        if len(covering) > 1:
            classes.append("multi")
        starting = [s for s in covering if s.start == a]
        if starting:
            classes.append("edge")
        anchor = f' id="hl-{starting[0].id}"' if starting else ""
        ids = " ".join(s.id for s in covering)
        tooltip = html.escape("\n\n".join(s.tooltip for s in covering))
        parts.append(f'<mark class="{" ".join(classes)}" data-ids="{ids}"{anchor} title="{tooltip}">{piece}</mark>')
    return "".join(parts)


# ---------------------------------------------------------------- values


def _missing(x: Any) -> bool:
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def _text(x: Any) -> str:
    return "" if _missing(x) else str(x)


def format_number(x: float) -> str:
    """Thousands separators, no float noise: 383810000000 → 383,810,000,000; 33.3333…→ 33.3333."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.2f}"


def format_value(value: Any, value_max: Any, unit: Any) -> str:
    if _missing(value):
        return ""
    shown = format_number(float(value))
    if not _missing(value_max):
        shown += f"–{format_number(float(value_max))}"
    return f"{shown} {_text(unit)}".strip()


def _tooltip(row: dict, status: str | None) -> str:
    lines = [
        f"{_text(row.get('text'))} = {format_value(row.get('value'), row.get('value_max'), row.get('unit'))} ({_text(row.get('qualifier'))})",
        f"metric {_text(row.get('metric'))} · kind {_text(row.get('kind'))}",
        f"subject {_text(row.get('subject'))}",
        f"tier {_text(row.get('tier')) or '—'} · programme {_text(row.get('program')) or '—'} · year {_text(row.get('year')) or '—'}",
        f"rule {_text(row.get('rule')) or 'gold'}",
    ]
    if status == "fp":
        lines.append("FALSE POSITIVE: no gold claim overlaps it")
    elif status == "miss":
        lines.append("MISSED: a gold claim the extractor did not find")
    return "\n".join(lines)


# ---------------------------------------------------------------- gold


@dataclass
class GoldMarks:
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


# ---------------------------------------------------------------- charts


def _svg(figure, name: str) -> str:
    """The figure as inline SVG: text kept as text, ids salted per chart so they stay unique."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{html.escape(name)}" ', 1)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _chart_style():
    import matplotlib

    return matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": CHART_FONTS, "font.size": 9})


def _money_label(x: float, _pos=None) -> str:
    if x >= 1e8:
        return f"{x / 1e8:g}亿"
    if x >= 1e4:
        return f"{x / 1e4:g}万"
    return f"{x:g}"


def is_candidate(row: dict, candidate_words: list[str]) -> bool:
    """Whether the subject or the few characters before the claim say the enterprises only applied (推荐, 申报)."""
    sentence, start = _text(row.get("sentence")), int(row["start"]) - int(row.get("sentence_start") or 0)
    around = sentence[max(0, start - 6):max(0, start)] + _text(row.get("subject"))
    return any(word in around for word in candidate_words)


def enterprise_chart(claims: pd.DataFrame, places: dict[str, str], candidate_words: list[str]) -> str | None:
    """Reported (actual) enterprise counts per programme and tier, one panel per document.

    A document can give the same programme and tier more than once (a stock and
    this year's additions); the panel shows the largest. Candidates (enterprises
    that only applied, rules/subjects.toml `candidate_words`) are left out.
    """
    rows = claims[(claims["metric"] == "enterprise_count") & (claims["kind"] == "actual")
                  & claims["program"].notna() & ~claims["is_repeat"].astype(bool)]
    rows = rows[pd.array([not is_candidate(row, candidate_words) for row in rows.to_dict("records")], dtype=bool)]
    if rows.empty:
        return None
    programs, tiers = ENUMS["program"], ENUMS["tier"]
    panels = []
    for doc, group in rows.groupby(rows["doc"].astype(str), sort=False):
        best: dict[tuple, float] = {}
        for program, tier, value in zip(group["program"], group["tier"], group["value"]):
            key = (str(program), None if _missing(tier) else str(tier))
            best[key] = max(best.get(key, 0.0), float(value))
        order = sorted(best, key=lambda k: (programs.index(k[0]), -1 if k[1] is None else tiers.index(k[1])))
        panels.append((doc, order, best))
    with _chart_style():
        figure = _figure(7.5, 0.9 + sum(0.26 * len(order) + 0.55 for _, order, _ in panels))
        axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": [len(order) + 1.2 for _, order, _ in panels]})[:, 0]
        for ax, (doc, order, best) in zip(axes, panels):
            labels = [f"{program} · {tier}" if tier else program for program, tier in order]
            values = [best[key] for key in order]
            ax.barh(range(len(order)), values, color=[TIER_COLOURS[tier] for _, tier in order], height=0.7)
            for y, value in enumerate(values):
                ax.annotate(format_number(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
            ax.set_yticks(range(len(order)), labels)
            ax.invert_yaxis()
            ax.set_xscale("log")
            ax.set_title(f"{doc} ({places.get(doc, '')})" if places.get(doc) else doc, loc="left", fontsize=9)
        top = max(max(best.values()) for _, _, best in panels)
        axes[-1].set_xlim(0.8, top * 8)  # room for the largest bar's label
        axes[-1].set_xlabel("enterprises (log scale; largest count reported per programme and tier)")
        from matplotlib.patches import Patch

        used = {tier for _, order, _ in panels for _, tier in order}
        handles = [Patch(color=colour, label=tier or "no tier") for tier, colour in TIER_COLOURS.items() if tier in used]
        figure.legend(handles=handles, loc="outside upper center", ncols=len(handles), fontsize=8, frameon=False)
        return _svg(figure, "enterprise counts by programme and tier")


def money_chart(claims: pd.DataFrame) -> str | None:
    """Every money claim in 元 on one log axis, a row per metric, coloured by kind."""
    rows = claims[claims["metric"].isin(MONEY_METRICS) & (claims["unit"] == "元")
                  & ~claims["is_repeat"].astype(bool) & (claims["value"] > 0)]
    if rows.empty:
        return None
    metrics = [m for m in MONEY_METRICS if (rows["metric"] == m).any()]
    with _chart_style():
        figure = _figure(7.5, 0.9 + 0.45 * len(metrics))
        ax = figure.subplots()
        for kind, colour in KIND_COLOURS.items():
            chosen = rows[rows["kind"] == kind]
            if chosen.empty:
                continue
            ys = []
            for metric, rank in zip(chosen["metric"], chosen.groupby("metric", observed=True).cumcount()):
                ys.append(metrics.index(metric) + ((rank % 5) - 2) * 0.08)  # spread repeats, no randomness
            ax.scatter(chosen["value"], ys, color=colour, label=kind, s=22, alpha=0.8, edgecolors="white", linewidths=0.5)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(_money_label)
        ax.set_yticks(range(len(metrics)), metrics)
        ax.invert_yaxis()
        ax.set_xlabel("元 (log scale)")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
        return _svg(figure, "money claims by metric")


def document_places(documents: pd.DataFrame) -> dict[str, str]:
    """Each document's place as the charts name it: the division's standard name and code (威海市 371000), or its name alone."""
    empty = pd.Series([None] * len(documents), dtype=object)
    regions, codes = documents.get("region", empty), documents.get("region_code", empty)
    return {str(doc): " ".join(part for part in (_text(region), _text(code)) if part)
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
        key = (places.get(doc) or doc, str(row["program"]), _text(row["tier"]), str(row["metric"]), str(row["unit"]))
        year = -1 if _missing(row["year"]) else int(row["year"])
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


def target_chart(pairs: pd.DataFrame) -> str | None:
    if pairs.empty:
        return None
    with _chart_style():
        figure = _figure(7.5, 0.9 + 0.6 * len(pairs))
        ax = figure.subplots()
        ys = range(len(pairs))
        for offset, kind in ((-0.18, "actual"), (0.18, "target")):
            values = pairs[kind].tolist()
            ax.barh([y + offset for y in ys], values, height=0.34, color=KIND_COLOURS[kind], label=kind)
            for y, value, year in zip(ys, values, pairs[f"{kind}_year"]):
                when = "" if _missing(year) else f" ({int(year)})"
                ax.annotate(f"{format_number(value)}{when}", (value, y + offset), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=8)
        labels = [" · ".join(p for p in (r.program, r.tier, r.place) if p) + f" [{r.unit}]" for r in pairs.itertuples()]
        ax.set_yticks(list(ys), labels)
        ax.invert_yaxis()
        ax.margins(x=0.2)
        ax.legend(loc="lower right", fontsize=8)
        return _svg(figure, "targets against actuals")


def charts(claims: pd.DataFrame, places: dict[str, str], candidate_words: list[str]) -> list[tuple[str, str | None, str, str]]:
    """(title, svg or None, caption, what it means when there is nothing to draw) for each chart."""
    with warnings.catch_warnings():
        # Without a CJK font Chinese labels fall back; the browser still draws them.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="findfont")
        pairs = target_pairs(claims, places)
        return [
            ("Enterprise counts by programme and tier", enterprise_chart(claims, places, candidate_words),
             "Actual enterprise counts whose subject names a programme, per document; bar colour is the tier "
             "(grey: no tier named). The largest count per programme and tier is shown; enterprises recommended "
             f"to apply ({', '.join(candidate_words)}) are left out.",
             "No actual enterprise count names a programme."),
            ("Money claims by metric", money_chart(claims),
             "Every amount in 元 (repeats of a printed-twice text left out), coloured by kind: "
             "actual figures, targets, and policy caps or thresholds.", "No money claim in 元."),
            ("Targets against actuals", target_chart(pairs),
             "Programmes with both a target and an actual for the same place, tier, metric and unit: the latest "
             "actual against the largest target. Check the subjects: a target for new enterprises is not a stock.",
             "No programme has both a target and an actual for the same place, tier, metric and unit."),
        ]


# ---------------------------------------------------------------- page


def _attr(x: Any) -> str:
    return html.escape(_text(x), quote=True)


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _json_script(data: Any) -> str:
    """JSON that cannot close the <script> element holding it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(x: Any) -> Any:
    if _missing(x):
        return None
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x.item() if hasattr(x, "item") else x


TABLE_FIELDS = ["text", "value", "metric", "subject", "tier", "year", "kind"]
PANEL_FIELDS = ["text", "start", "end", "unit", "qualifier", "metric", "subject", "tier", "program", "year", "kind", "rule", "line"]
# The table stays narrow: the qualifier shows as a sign before the value, the
# rule and programme in the row's tooltip and the side panel.
QUALIFIER_SIGNS = {"approx": "≈", "at_least": "≥", "more_than": ">", "at_most": "≤"}
GOLD_LABELS = {"ok": "matched", "fp": "false positive", "miss": "missed"}


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


def _entries(claims: pd.DataFrame, gold: GoldMarks | None) -> list[Entry]:
    status = gold.status if gold is not None else [None] * len(claims)
    entries = [Entry(f"c{i}", row, st) for i, (row, st) in enumerate(zip(claims.to_dict("records"), status))]
    if gold is not None:
        entries += [Entry(f"g{i}", row, "miss") for i, row in enumerate(gold.misses.to_dict("records"))]
    return entries


def _spans(entries: list[Entry], texts: dict[str, DocText]) -> tuple[dict[str, list[Span]], dict[str, int]]:
    """Highlights per document, and per document the count of entries whose offsets do not hold their text."""
    spans: dict[str, list[Span]] = {}
    off_text: dict[str, int] = {}
    for entry in entries:
        text = texts[entry.doc].text if entry.doc in texts else None
        if text is None:
            continue
        row = entry.row
        start, end = int(row["start"]), int(row["end"])
        if not (0 <= start < end <= len(text)) or (not _missing(row.get("text")) and text[start:end] != row["text"]):
            off_text[entry.doc] = off_text.get(entry.doc, 0) + 1
            continue
        metric = _text(row.get("metric"))
        spans.setdefault(entry.doc, []).append(Span(entry.id, start, end, metric if metric in METRIC_COLOURS else "other",
                                                    entry.mark, _tooltip(row, entry.gold)))
    return spans, off_text


def _table_row(entry: Entry, doc_index: dict[str, int], shown: bool, with_gold: bool) -> str:
    row = entry.row
    label = GOLD_LABELS.get(entry.gold, NONE)
    filters = {"doc": entry.doc, "metric": _text(row.get("metric")), "tier": _text(row.get("tier")) or NONE,
               "kind": _text(row.get("kind")), "gold": label}
    cells = [f'<td class="doc" title="{_attr(entry.doc)}">{doc_index.get(entry.doc, "?")}</td>']
    for name in TABLE_FIELDS:
        if name == "metric":
            metric = _attr(row.get("metric"))
            cells.append(f'<td class="metric"><span class="chip m-{metric}"></span>{metric}</td>')
            continue
        if name == "value":
            sign = QUALIFIER_SIGNS.get(_text(row.get("qualifier")), "")
            value = f"{sign} {format_value(row.get('value'), row.get('value_max'), row.get('unit'))}".strip()
        else:
            value = _text(row.get(name))
        cells.append(f'<td class="{name}">{html.escape(value)}</td>')
    if with_gold:
        cells.append(f'<td class="gold">{html.escape(label if entry.gold else "")}</td>')
    classes = " ".join(c for c in (entry.mark, None if shown else "unshown") if c)
    hint = f"qualifier {_text(row.get('qualifier'))} · programme {_text(row.get('program')) or '—'} · rule {_text(row.get('rule')) or 'gold'}"
    data = " ".join(f'data-{k}="{_attr(v)}"' for k, v in filters.items())
    return f'<tr id="row-{entry.id}" class="{classes}" tabindex="0" title="{_attr(hint)}" {data}>{"".join(cells)}</tr>'


def _panel(entry: Entry, doc_index: dict[str, int], shown: bool) -> dict:
    """What the side panel shows for an entry (the page's script reads it as JSON)."""
    row = entry.row
    return {
        "d": doc_index.get(entry.doc), "doc": entry.doc, "shown": shown, "gold": entry.gold,
        **{k: _plain(row.get(k)) for k in PANEL_FIELDS},
        "value": format_value(row.get("value"), row.get("value_max"), row.get("unit")),
    }


def _document(i: int, meta: dict, text: DocText, spans: list[Span], n_claims: int, off_text: int) -> str:
    doc = str(meta["doc"])
    facts = [f"#{i}", doc] + [_text(meta.get(k)) for k in ("region", "region_code", "issuer", "date", "doc_number") if _text(meta.get(k))]
    facts.append(f"{n_claims} claims")
    notes = []
    if _text(meta.get("status")) not in ("", "ok"):
        notes.append(f"Not extracted ({_text(meta.get('status'))}): {_text(meta.get('error'))}")
    elif text.note:
        notes.append(f"{text.note} Its claims are listed in the table but not highlighted.")
    if off_text:
        notes.append(f"{off_text} claim(s) do not match this text at their offsets and are not highlighted.")
    body = f'<pre class="text">{highlight(text.text, spans)}</pre>' if text.text is not None else ""
    return (
        f'<section class="doc" id="doc-{i}" data-doc="{_attr(doc)}"><h3>{_attr(meta.get("title") or doc)}</h3>'
        f'<p class="meta">{" · ".join(html.escape(f) for f in facts)}</p>'
        + "".join(_note(note) for note in notes)
        + body + "</section>"
    )


def _select(name: str, values: list[str], labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    options = ['<option value="">all</option>'] + [
        f'<option value="{_attr(v)}">{html.escape(labels.get(v, v))}</option>' for v in values
    ]
    return f'<label>{name} <select data-filter="{name}">{"".join(options)}</select></label>'


def _filters(claims: pd.DataFrame, docs: list[str], with_gold: bool) -> str:
    present = {column: set(claims[column].dropna().astype(str)) for column in ("metric", "tier", "kind")}
    selects = [
        _select("doc", docs, {d: f"#{i} {d}" for i, d in enumerate(docs)}),
        _select("metric", [m for m in ENUMS["metric"] if m in present["metric"]]),
        _select("tier", [t for t in ENUMS["tier"] if t in present["tier"]] + [NONE], {NONE: "(none)"}),
        _select("kind", [k for k in ENUMS["kind"] if k in present["kind"]]),
    ]
    if with_gold:
        selects.append(_select("gold", list(GOLD_LABELS.values()) + [NONE], {NONE: "(no gold)"}))
    return "".join(selects)


def _legend(claims: pd.DataFrame, with_gold: bool) -> str:
    present = set(claims["metric"].dropna().astype(str))
    legend = "".join(f'<span class="key"><span class="chip m-{m}"></span>{m}</span>' for m in ENUMS["metric"] if m in present)
    if with_gold:
        legend += ('<span class="key"><mark class="hl m-other fp">12家</mark> false positive</span>'
                   '<span class="key"><mark class="hl m-other miss">12家</mark> missed gold claim</span>')
    return legend


def render_report(
    claims: pd.DataFrame,
    documents: pd.DataFrame,
    texts: dict[str, DocText],
    gold: GoldMarks | None = None,
    title: str = "Claims review",
    candidate_words: tuple[str, ...] | list[str] = (),
) -> str:
    """The whole page as one HTML string; `candidate_words` as rules/subjects.toml gives them."""
    docs = list(documents["doc"].astype(str))
    doc_index = {doc: i for i, doc in enumerate(docs)}
    places = document_places(documents)
    entries = _entries(claims, gold)
    spans, off_text = _spans(entries, texts)
    shown = {span.id for doc_spans in spans.values() for span in doc_spans}
    # Document order, and a missed gold claim among the claims at its place.
    entries.sort(key=lambda e: (doc_index.get(e.doc, len(docs)), int(e.row["start"]), e.id[0]))
    rows = [_table_row(e, doc_index, e.id in shown, gold is not None) for e in entries]
    n_claims = claims["doc"].astype(str).value_counts()
    sections = [
        _document(i, meta, texts.get(doc, DocText(doc, None)), spans.get(doc, []), int(n_claims.get(doc, 0)), off_text.get(doc, 0))
        for i, (doc, meta) in enumerate(zip(docs, documents.to_dict("records")))
    ]
    figures = [
        f"<figure><h3>{html.escape(name)}</h3>{svg or _note('Nothing to draw: ' + empty)}"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for name, svg, caption, empty in charts(claims, places, list(candidate_words))
    ]
    kinds = claims["kind"].astype(str).value_counts()
    summary = f"{len(docs)} documents, {len(claims)} claims (" + ", ".join(f"{kinds.get(k, 0)} {k}" for k in ENUMS["kind"]) + ")."
    headers = ["#"] + TABLE_FIELDS + (["gold"] if gold is not None else [])
    parts = {
        "title": html.escape(title),
        "summary": html.escape(summary),
        "gold_summary": f'<p class="gold-summary">{html.escape(gold.summary)}</p>' if gold is not None else "",
        "metric_css": "\n".join(f".m-{m} {{ --c: {c}; }}" for m, c in METRIC_COLOURS.items()),
        "charts": "".join(figures),
        "filters": _filters(claims, docs, gold is not None),
        "legend": _legend(claims, gold is not None),
        "total": str(len(entries)),
        "headers": "".join(f"<th>{h}</th>" for h in headers),
        "rows": "\n".join(rows),
        "documents": "\n".join(sections),
        "data": _json_script({e.id: _panel(e, doc_index, e.id in shown) for e in entries}),
    }
    template = resources.files("extractor").joinpath("templates/report.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


# ---------------------------------------------------------------- files


def load_report_inputs(dataset: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """Claims, documents (built from the claims when the table is absent) and the dataset folder."""
    dataset = Path(dataset)
    claims = load_dataset(dataset)
    folder = dataset if dataset.is_dir() else dataset.parent
    try:
        documents = load_dataset(folder, table="documents")
    except FileNotFoundError:
        documents = documents_of_claims(claims)
    return claims, documents, folder


def write_report(dataset: str | Path, out: str | Path, gold: str | Path | None = None,
                 rules: str | Path | None = None) -> ReportSummary:
    """Read a dataset (and gold), find the texts, and write the report atomically; word lists come from `rules`."""
    candidate_words = load_ruleset(rules).table("subjects", "candidate_words") or []
    claims, documents, folder = load_report_inputs(dataset)
    texts = dataset_texts(folder, documents)
    marks = mark_gold(claims, load_gold(gold), list(documents["doc"].astype(str))) if gold is not None else None
    page = render_report(claims, documents, texts, marks, title=f"Claims review: {dataset}", candidate_words=candidate_words)
    out = Path(out)

    def write(tmp: str) -> None:
        Path(tmp).write_text(page, encoding="utf-8")
        Path(tmp).chmod(0o644)  # a page to share, unlike the private temporary file

    _atomic_write(out, write)
    missing = sum(1 for t in texts.values() if t.text is None)
    return ReportSummary(
        documents=len(documents), claims=len(claims), texts_missing=missing,
        misses=None if marks is None else len(marks.misses),
        false_positives=None if marks is None else marks.status.count("fp"),
    )
