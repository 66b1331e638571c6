"""The HTML review report: every claim highlighted in its own document.

People check an extracted figure by seeing it in the text, so the report puts
each document's text beside a filterable table of its claims; a click on a row
scrolls the text to the claim. Charts compare programmes, tiers and money.
With gold claims it also marks misses and false positives for rule authors.
One self-contained file: styles, script and SVG charts are inline, so it opens
without network access.

analysis.py works out what is shown (gold marks, rows, places, chart
figures), charts.py draws the charts, page.py assembles the page and writes
it; the texts come from texts.py, as diff's do.
"""

from ..texts import DocText, find_text
from .analysis import GoldMarks, ReportRules, document_places, enterprise_panels, mark_gold, target_pairs
from .charts import enterprise_chart, money_chart, target_chart
from .page import ReportSummary, Span, highlight, load_report_inputs, render_report, write_report

__all__ = [
    "DocText", "GoldMarks", "ReportRules", "ReportSummary", "Span", "document_places", "enterprise_chart", "enterprise_panels",
    "find_text", "highlight", "load_report_inputs", "mark_gold", "money_chart", "render_report", "target_chart",
    "target_pairs", "write_report",
]
