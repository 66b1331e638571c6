"""The report's charts, drawn by matplotlib as inline SVG.

Text stays text in the SVG, so the browser draws Chinese labels with its own
fonts; colours match the highlights in the text. matplotlib is imported only
when a chart is drawn: it is slow to import and nothing else needs it.
"""

from __future__ import annotations

import html
import io
import warnings

import pandas as pd

from ..cells import is_missing
from ..display import format_number
from .analysis import ReportRules, enterprise_panels, target_pairs

# CJK fonts first so Chinese labels are measured with real glyphs where one is
# installed; the SVG keeps text as text, so the browser draws it with its fonts.
CHART_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "DejaVu Sans"]


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
    """A figure of its own, not pyplot's global one: nothing is shared between reports or threads."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _chart_style():
    """The charts' fonts and size, for the figures drawn inside it only."""
    import matplotlib

    return matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": CHART_FONTS, "font.size": 9})


def _money_label(x: float, _pos=None) -> str:
    """An axis tick in 万 and 亿, as the documents write money."""
    if x >= 1e8:
        return f"{x / 1e8:g}亿"
    if x >= 1e4:
        return f"{x / 1e4:g}万"
    return f"{x:g}"


def enterprise_chart(claims: pd.DataFrame, places: dict[str, str], rules: ReportRules) -> str | None:
    """Reported (actual) enterprise counts per programme and tier, one panel per document (analysis.enterprise_panels)."""
    panels, colours = enterprise_panels(claims, rules), rules.tier_colours
    if not panels:
        return None
    with _chart_style():
        figure = _figure(7.5, 0.9 + sum(0.26 * len(order) + 0.55 for _, order, _ in panels))
        axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": [len(order) + 1.2 for _, order, _ in panels]})[:, 0]
        for ax, (doc, order, best) in zip(axes, panels):
            labels = [f"{program} · {tier}" if tier else program for program, tier in order]
            values = [best[key] for key in order]
            ax.barh(range(len(order)), values, color=[colours[tier] for _, tier in order], height=0.7)
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
        handles = [Patch(color=colour, label=tier or "no tier") for tier, colour in colours.items() if tier in used]
        figure.legend(handles=handles, loc="outside upper center", ncols=len(handles), fontsize=8, frameon=False)
        return _svg(figure, "enterprise counts by programme and tier")


def money_chart(claims: pd.DataFrame, rules: ReportRules) -> str | None:
    """Every money claim in 元 on one log axis, a row per metric, coloured by kind."""
    money = rules.money_metrics
    rows = claims[claims["metric"].isin(money) & (claims["unit"] == "元")
                  & ~claims["is_repeat"].astype(bool) & (claims["value"] > 0)]
    if rows.empty:
        return None
    metrics = [m for m in money if (rows["metric"] == m).any()]
    with _chart_style():
        figure = _figure(7.5, 0.9 + 0.45 * len(metrics))
        ax = figure.subplots()
        for kind, colour in rules.kind_colours.items():
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


def target_chart(pairs: pd.DataFrame, rules: ReportRules) -> str | None:
    """Each programme's latest actual beside its largest target (analysis.target_pairs)."""
    if pairs.empty:
        return None
    with _chart_style():
        figure = _figure(7.5, 0.9 + 0.6 * len(pairs))
        ax = figure.subplots()
        ys = range(len(pairs))
        for offset, kind in ((-0.18, "actual"), (0.18, "target")):
            values = pairs[kind].tolist()
            ax.barh([y + offset for y in ys], values, height=0.34, color=rules.kind_colours[kind], label=kind)
            for y, value, year in zip(ys, values, pairs[f"{kind}_year"]):
                when = "" if is_missing(year) else f" ({int(year)})"
                ax.annotate(f"{format_number(value)}{when}", (value, y + offset), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=8)
        labels = [" · ".join(p for p in (r.program, r.tier, r.place) if p) + f" [{r.unit}]" for r in pairs.itertuples()]
        ax.set_yticks(list(ys), labels)
        ax.invert_yaxis()
        ax.margins(x=0.2)
        ax.legend(loc="lower right", fontsize=8)
        return _svg(figure, "targets against actuals")


def charts(claims: pd.DataFrame, places: dict[str, str], rules: ReportRules) -> list[tuple[str, str | None, str, str]]:
    """(title, svg or None, caption, what it means when there is nothing to draw) for each chart."""
    with warnings.catch_warnings():
        # Without a CJK font Chinese labels fall back; the browser still draws them.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="findfont")
        pairs = target_pairs(claims, places)
        return [
            ("Enterprise counts by programme and tier", enterprise_chart(claims, places, rules),
             "Actual enterprise counts whose subject names a programme, per document; bar colour is the tier "
             "(grey: no tier named). The largest count per programme and tier is shown; enterprises recommended "
             f"to apply ({', '.join(rules.candidate_words)}) are left out.",
             "No actual enterprise count names a programme."),
            ("Money claims by metric", money_chart(claims, rules),
             "Every amount in 元 (repeats of a printed-twice text left out), coloured by kind: "
             "actual figures, targets, and policy caps or thresholds.", "No money claim in 元."),
            ("Targets against actuals", target_chart(pairs, rules),
             "Programmes with both a target and an actual for the same place, tier, metric and unit: the latest "
             "actual against the largest target. Check the subjects: a target for new enterprises is not a stock.",
             "No programme has both a target and an actual for the same place, tier, metric and unit."),
        ]
