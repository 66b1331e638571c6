"""The report page: each document's text with its claims highlighted, beside a filterable table.

The page is one self-contained file (templates/report.html with styles,
script, charts and the side panel's data inline), so it opens offline and can
be shared as it is. The markup is escaped here, in one place.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ..cells import cell_text, is_missing, json_value
from ..dataset import _atomic_write, load_dataset
from ..display import QUALIFIER_SIGNS, format_exact
from ..evaluate import load_gold
from ..ruleset import load_ruleset
from ..texts import DocText, dataset_texts, documents_of_claims
from .analysis import Entry, GoldMarks, ReportRules, document_places, mark_gold, table_entries
from .charts import charts

NONE = "-"  # filter value of an empty tier or gold status
# The table stays narrow: the qualifier shows as a sign before the value, the
# rule and programme in the row's tooltip and the side panel.
TABLE_FIELDS = ["text", "value", "metric", "subject", "tier", "year", "kind"]
PANEL_FIELDS = ["text", "start", "end", "unit", "qualifier", "metric", "subject", "tier", "program", "year", "period", "kind", "rule", "line"]
GOLD_LABELS = {"ok": "matched", "fp": "false positive", "miss": "missed"}


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
    """What write_report wrote, for the command's summary line."""

    documents: int
    claims: int
    texts_missing: int
    misses: int | None
    false_positives: int | None


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


def _tooltip(row: dict, status: str | None) -> str:
    """A highlight's title: every field a reviewer checks, one line each."""
    lines = [
        f"{cell_text(row.get('text'))} = {format_exact(row.get('value'), row.get('value_max'), row.get('unit'))} ({cell_text(row.get('qualifier'))})",
        f"metric {cell_text(row.get('metric'))} · kind {cell_text(row.get('kind'))}",
        f"subject {cell_text(row.get('subject'))}",
        f"tier {cell_text(row.get('tier')) or '—'} · programme {cell_text(row.get('program')) or '—'} · year {cell_text(row.get('year')) or '—'}",
        f"rule {cell_text(row.get('rule')) or 'gold'}",
    ]
    if status == "fp":
        lines.append("FALSE POSITIVE: no gold claim overlaps it")
    elif status == "miss":
        lines.append("MISSED: a gold claim the extractor did not find")
    return "\n".join(lines)


def _attr(x: Any) -> str:
    """A cell as an HTML attribute value."""
    return html.escape(cell_text(x), quote=True)


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _json_script(data: Any) -> str:
    """JSON that cannot close the <script> element holding it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _spans(entries: list[Entry], texts: dict[str, DocText], coloured: dict[str, str]) -> tuple[dict[str, list[Span]], dict[str, int]]:
    """Highlights per document, and per document the count of entries whose offsets do not hold their text."""
    spans: dict[str, list[Span]] = {}
    off_text: dict[str, int] = {}
    for entry in entries:
        text = texts[entry.doc].text if entry.doc in texts else None
        if text is None:
            continue
        row = entry.row
        start, end = int(row["start"]), int(row["end"])
        if not (0 <= start < end <= len(text)) or (not is_missing(row.get("text")) and text[start:end] != row["text"]):
            off_text[entry.doc] = off_text.get(entry.doc, 0) + 1
            continue
        metric = cell_text(row.get("metric"))
        spans.setdefault(entry.doc, []).append(Span(entry.id, start, end, metric if metric in coloured else "other",
                                                    entry.mark, _tooltip(row, entry.gold)))
    return spans, off_text


def _table_row(entry: Entry, doc_index: dict[str, int], shown: bool, with_gold: bool) -> str:
    """One claim's row, with the values its filters match as data- attributes."""
    row = entry.row
    label = GOLD_LABELS.get(entry.gold, NONE)
    filters = {"doc": entry.doc, "metric": cell_text(row.get("metric")), "tier": cell_text(row.get("tier")) or NONE,
               "kind": cell_text(row.get("kind")), "gold": label}
    cells = [f'<td class="doc" title="{_attr(entry.doc)}">{doc_index.get(entry.doc, "?")}</td>']
    for name in TABLE_FIELDS:
        if name == "metric":
            metric = _attr(row.get("metric"))
            cells.append(f'<td class="metric"><span class="chip m-{metric}"></span>{metric}</td>')
            continue
        if name == "value":
            sign = QUALIFIER_SIGNS.get(cell_text(row.get("qualifier")), "")
            value = f"{sign} {format_exact(row.get('value'), row.get('value_max'), row.get('unit'))}".strip()
        else:
            value = cell_text(row.get(name))
        cells.append(f'<td class="{name}">{html.escape(value)}</td>')
    if with_gold:
        cells.append(f'<td class="gold">{html.escape(label if entry.gold else "")}</td>')
    classes = " ".join(c for c in (entry.mark, None if shown else "unshown") if c)
    hint = f"qualifier {cell_text(row.get('qualifier'))} · programme {cell_text(row.get('program')) or '—'} · rule {cell_text(row.get('rule')) or 'gold'}"
    data = " ".join(f'data-{k}="{_attr(v)}"' for k, v in filters.items())
    return f'<tr id="row-{entry.id}" class="{classes}" tabindex="0" title="{_attr(hint)}" {data}>{"".join(cells)}</tr>'


def _panel(entry: Entry, doc_index: dict[str, int], shown: bool) -> dict:
    """What the side panel shows for an entry (the page's script reads it as JSON)."""
    row = entry.row
    return {
        "d": doc_index.get(entry.doc), "doc": entry.doc, "shown": shown, "gold": entry.gold,
        **{k: json_value(row.get(k)) for k in PANEL_FIELDS},
        "value": format_exact(row.get("value"), row.get("value_max"), row.get("unit")),
    }


def _document(i: int, meta: dict, text: DocText, spans: list[Span], n_claims: int, off_text: int) -> str:
    """A document's section: its facts, why any claim is not highlighted, and its text with the highlights."""
    doc = str(meta["doc"])
    facts = [f"#{i}", doc] + [cell_text(meta.get(k)) for k in ("region", "region_code", "issuer", "date", "doc_number") if cell_text(meta.get(k))]
    facts.append(f"{n_claims} claims")
    notes = []
    if cell_text(meta.get("status")) not in ("", "ok"):
        notes.append(f"Not extracted ({cell_text(meta.get('status'))}): {cell_text(meta.get('error'))}")
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
    """A filter's drop-down; the page's script matches its value against the rows' data- attributes."""
    labels = labels or {}
    options = ['<option value="">all</option>'] + [
        f'<option value="{_attr(v)}">{html.escape(labels.get(v, v))}</option>' for v in values
    ]
    return f'<label>{name} <select data-filter="{name}">{"".join(options)}</select></label>'


def _filters(claims: pd.DataFrame, docs: list[str], with_gold: bool, enums: dict[str, list[str]]) -> str:
    """The filters, offering only values the claims hold, in the enums' order."""
    present = {column: set(claims[column].dropna().astype(str)) for column in ("metric", "tier", "kind")}
    selects = [
        _select("doc", docs, {d: f"#{i} {d}" for i, d in enumerate(docs)}),
        _select("metric", [m for m in enums["metric"] if m in present["metric"]]),
        _select("tier", [t for t in enums["tier"] if t in present["tier"]] + [NONE], {NONE: "(none)"}),
        _select("kind", [k for k in enums["kind"] if k in present["kind"]]),
    ]
    if with_gold:
        selects.append(_select("gold", list(GOLD_LABELS.values()) + [NONE], {NONE: "(no gold)"}))
    return "".join(selects)


def _legend(claims: pd.DataFrame, with_gold: bool, metrics: list[str]) -> str:
    """The colour of each metric the claims hold, and the gold marks when scored."""
    present = set(claims["metric"].dropna().astype(str))
    legend = "".join(f'<span class="key"><span class="chip m-{m}"></span>{m}</span>' for m in metrics if m in present)
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
    rules: ReportRules | None = None,
) -> str:
    """The whole page as one HTML string; lists, colours and words from `rules` (the built-in rules by default)."""
    rules = rules or ReportRules.of()
    docs = list(documents["doc"].astype(str))
    doc_index = {doc: i for i, doc in enumerate(docs)}
    places = document_places(documents)
    entries = table_entries(claims, gold)
    spans, off_text = _spans(entries, texts, rules.metric_colours)
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
        for name, svg, caption, empty in charts(claims, places, rules)
    ]
    kinds = claims["kind"].astype(str).value_counts()
    summary = f"{len(docs)} documents, {len(claims)} claims (" + ", ".join(f"{kinds.get(k, 0)} {k}" for k in rules.enums["kind"]) + ")."
    headers = ["#"] + TABLE_FIELDS + (["gold"] if gold is not None else [])
    parts = {
        "title": html.escape(title),
        "summary": html.escape(summary),
        "gold_summary": f'<p class="gold-summary">{html.escape(gold.summary)}</p>' if gold is not None else "",
        "metric_css": "\n".join(f".m-{m} {{ --c: {c}; }}" for m, c in rules.metric_colours.items()),
        "charts": "".join(figures),
        "filters": _filters(claims, docs, gold is not None, rules.enums),
        "legend": _legend(claims, gold is not None, rules.enums["metric"]),
        "total": str(len(entries)),
        "headers": "".join(f"<th>{h}</th>" for h in headers),
        "rows": "\n".join(rows),
        "documents": "\n".join(sections),
        "data": _json_script({e.id: _panel(e, doc_index, e.id in shown) for e in entries}),
    }
    template = resources.files("extractor").joinpath("templates/report.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


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
    report_rules = ReportRules.of(load_ruleset(rules) if rules is not None else None)
    claims, documents, folder = load_report_inputs(dataset)
    texts = dataset_texts(folder, documents)
    marks = mark_gold(claims, load_gold(gold), list(documents["doc"].astype(str))) if gold is not None else None
    page = render_report(claims, documents, texts, marks, title=f"Claims review: {dataset}", rules=report_rules)
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
