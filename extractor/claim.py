"""A claim: one quantitative statement of a document, as the dataset holds it (docs/claims.md).

The engine makes them, the pipeline maps their spans back to the document,
and the dataset writes them; this module is all they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .subjects import Piece


@dataclass
class Claim:
    """One figure with its fields; offsets index the text the engine read (the pipeline maps them back)."""

    doc: str
    start: int
    end: int
    text: str
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    metric: str
    subject: str
    tier: str | None
    program: str | None
    year: int | None
    kind: str
    sentence: str
    sentence_start: int
    line: int
    rule: str
    is_repeat: bool = False
    subject_pieces: tuple[Piece, ...] = ()  # the subject as spans of `text` (and joining words): mapped back to the document
    indicator: str | None = None  # what is measured, one key however it is worded (indicators.py)
    period: str | None = None  # the finest period stated for the figure, starting with its year (periods.py)
