"""The extraction pipeline for one document text.

read the document once (context: paragraphs, sections, date, report period,
time words) -> scan (claims and non-claims in one pass) -> values and units
-> per sentence, each claim's fields, each decided in one place: qualifier
(qualifiers), metric and programme (attribution), subject (subjects), kind
(kinds), tier (tiers), year and period (years) -> headlines that restate a figure of the story
-> the indicator key of each claim (indicators).
Offsets always index the text exactly as given: nothing is rewritten.

Claims come out one sentence at a time (Extractor.iter_claims), so a document
of a million claims never holds them all: a claim needs only the sentences
before it, and a headline only waits for the figure it restates.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

import regex

from .attribution import Attributor, ClaimContext
from .claim import Claim
from .context import DocumentReader
from .contextmodel import DocumentContext
from .indicators import IndicatorRules
from .kinds import KindResolver
from .metadata import read_metadata
from .numerals import MAX_LENGTH, NumeralError
from .qualifiers import QualifierReader
from .ruleset import RuleSet, load_ruleset
from .scanner import Candidate, Scanner
from .subjects import Earlier, SubjectResolver
from .tablemodel import Table
from .tables import TableCell, TableReader
from .tiers import TierResolver
from .values import Reading, ValueReader
from .years import YearResolver

# Items of an enumeration: only a list mark between one claim's end and the next one's start.
_ENUMERATION_GAP = regex.compile(r"\s*(?:、|和|及|与|與|或|，)\s*$")
# The items a run of figures is paired with, written before 分别 (2021年、2022年分别新增…; 国家级、省级…分别为…).
_RESPECTIVELY = regex.compile(r"(?:分别|分別)")
_LIST_SEPARATOR = regex.compile(r"、|和|及|与|與|(?<=[”」])(?=[“「])")
_CLAUSE_BREAK = regex.compile(r"[，,；;。：:\n]")
# Claims a headline's figure may wait for the body figure it restates; beyond, it keeps its own kind and year
# (the claims after it wait with it, to come out in order).
HEADLINE_WAIT = 10_000


@dataclass(frozen=True)
class _Found:
    """A scanned claim with its value, before its fields are decided."""

    candidate: Candidate
    reading: Reading
    ctx: ClaimContext


class Extractor:
    """A compiled rule set, ready to extract claims from any number of texts."""

    def __init__(self, ruleset: RuleSet | str | Path | None = None):
        self.ruleset = ruleset if isinstance(ruleset, RuleSet) else load_ruleset(ruleset)
        self.scanner = Scanner(self.ruleset)
        self.values = ValueReader(self.ruleset)
        self.qualifiers = QualifierReader(self.ruleset)
        self.attributor = Attributor(self.ruleset)
        self.subjects = SubjectResolver(self.ruleset)
        self.reader = DocumentReader(self.ruleset)
        self.kinds = KindResolver(self.ruleset)
        self.tiers = TierResolver(self.ruleset, self.attributor.program)
        self.years = YearResolver(self.reader)
        self.tables = TableReader(self.ruleset, self.values, self.attributor)
        self.indicators = IndicatorRules(self.ruleset)

    def metadata(self, text: str) -> dict[str, str | None]:
        return read_metadata(text, self.ruleset)

    def extract(self, text: str, doc: str = "text", metadata: dict | None = None,
                tables: list[Table] | None = None) -> list[Claim]:
        """The claims of `text` in text order; `tables` are its tables when already found (tables.py)."""
        return list(self.iter_claims(text, doc, metadata, tables))

    def iter_claims(self, text: str, doc: str = "text", metadata: dict | None = None, tables: list[Table] | None = None,
                    unread: list[tuple[int, int]] | None = None) -> Iterator[Claim]:
        """The claims of `text` in text order, a sentence at a time.

        The span of every number too long to read exactly (over MAX_LENGTH
        characters) is added to `unread`: it gives no claim, but a note.
        """
        metadata = metadata if metadata is not None else self.metadata(text)
        cells = self.tables.read(text, self.tables.find(text) if tables is None else tables, metadata.get("title") or "")
        document = self.reader.read(text, metadata)
        claims = _restate_headlines(self._claims(document, doc, cells, unread), document, self.values)
        if cells:  # claims come in text order; a stable merge puts a text claim before a cell at the same place
            claims = heapq.merge(claims, sorted(self._cell_claims(doc, cells, document), key=lambda claim: claim.start),
                                 key=lambda claim: claim.start)
        for claim in _mark_repeats(claims):
            claim.indicator = self.indicators.indicator(claim.metric, claim.program, claim.tier, claim.unit, claim.subject)
            yield claim

    def _claims(self, document: DocumentContext, doc: str, cells: list[TableCell],
                unread: list[tuple[int, int]] | None) -> Iterator[Claim]:
        last = None
        for sentence in self._sentences(self._found(document, cells, unread)):
            claims = self._sentence_claims(sentence, document, doc, last)
            if claims:
                last = claims[-1]
            yield from claims

    def _found(self, document: DocumentContext, cells: list[TableCell],
               unread: list[tuple[int, int]] | None) -> Iterator[_Found]:
        text, segments = document.text, document.segments
        cell_starts, cell_ends = [cell.start for cell in cells], [cell.end for cell in cells]
        for candidate in self.scanner.scan(text):
            if not candidate.is_claim or _overlaps(cell_starts, cell_ends, candidate.start, candidate.end):
                continue  # a table's cell is read with its table
            try:
                reading = self.values.read(candidate)
            except NumeralError:  # a number we cannot read exactly is left out, never guessed
                number = (candidate.groups.get("num") or "") + (candidate.groups.get("mult") or "")
                if unread is not None and len(number) > MAX_LENGTH:
                    unread.append((candidate.start, candidate.end))
                continue
            sentence_start, sentence_end = segments.sentence_at(candidate.start)
            clause_start, clause_end = self.attributor.clause_bounds(text, candidate.start, candidate.end, sentence_start,
                                                                     sentence_end)
            ctx = ClaimContext(text, candidate.start, candidate.end, sentence_start, sentence_end, clause_start, clause_end)
            yield _Found(candidate, reading, ctx)

    @staticmethod
    def _sentences(found: Iterable[_Found]) -> Iterator[list[_Found]]:
        """Claims grouped by sentence (they come in text order, so a sentence's claims are contiguous)."""
        group: list[_Found] = []
        for item in found:
            if group and group[0].ctx.sentence_start != item.ctx.sentence_start:
                yield group
                group = []
            group.append(item)
        if group:
            yield group

    def _sentence_claims(self, sentence: list[_Found], document: DocumentContext, doc: str,
                         before_sentence: Claim | None) -> list[Claim]:
        """The claims of one sentence, each reading the ones before it."""
        text = document.text
        runs = _runs(text, sentence)
        paired = _paired_items(text, sentence, runs)
        claims: list[Claim] = []
        earlier: list[Earlier] = []
        tiers_before: list[tuple[int, int, str | None]] = []  # (start, end, tier) of the claims before it
        for index, item in enumerate(sentence):
            ctx, reading = item.ctx, item.reading
            previous = claims[-1] if claims else None
            listed = previous if runs[index][0] > 0 else None  # the figure before it in its list (X、Y和Z)
            qualifier = self.qualifiers.resolve(text, ctx, reading.qualifier, listed.qualifier if listed else None)
            fixed_metric = item.candidate.rule["metric"]
            metric = self.attributor.metric(ctx, reading.unit_class, fixed_metric)
            found = self.subjects.resolve(ctx, document, earlier, reading.unit_class, metric, paired[index])
            if found.measure is not None and not fixed_metric:  # a breakdown's figures measure what it breaks down
                metric = self.attributor.metric_in(text, *found.measure, reading.unit_class) or metric
            if metric == "count" and self.subjects.counts_firms(text, found, reading.unit):
                metric = "enterprise_count"  # 培育5-6个百亿级企业: firms, whatever the measure word
            elif found.proportion and not fixed_metric:
                metric = "share"  # 约四成中小企业认为…上升: a share of firms, whatever verb follows
            earlier.append(Earlier(ctx.start, ctx.end, found, reading.unit_class, metric))
            subject = found.words(text)
            kind = self.kinds.resolve(ctx, metric, qualifier, reading.unit_class, document,
                                      previous.kind if previous else None, previous.end if previous else None)
            qualifier = self.qualifiers.for_kind(qualifier, kind, text, ctx.start, ctx.clause_start)
            paragraph_start = document.paragraph_at(ctx.start)[0]
            in_paragraph = before_sentence if before_sentence is not None and before_sentence.start >= paragraph_start else None
            tier = self.tiers.resolve(ctx, found.own_words(text), found.inherited, kind, reading.unit_class, paired[index], runs[index][0],
                                      tiers_before, in_paragraph.tier if in_paragraph is not None else None)
            tiers_before.append((ctx.start, ctx.end, tier))
            year, period = self.years.resolve(ctx, kind, document, paired[index])
            kind = self.kinds.for_year(kind, year, document)
            claims.append(Claim(
                doc=doc, start=ctx.start, end=ctx.end, text=text[ctx.start : ctx.end],
                value=reading.value, value_max=reading.value_max, unit=reading.unit, qualifier=qualifier,
                metric=metric, subject=subject, tier=tier, program=self.attributor.program(subject),
                year=year, kind=kind,
                sentence=text[ctx.sentence_start : ctx.sentence_end], sentence_start=ctx.sentence_start,
                line=document.segments.line_of(ctx.start), rule=item.candidate.rule.id, subject_pieces=found.pieces,
                period=period,
            ))
        return claims

    def _cell_claims(self, doc: str, cells: list[TableCell], document: DocumentContext) -> list[Claim]:
        """Claims of table cells: a cell's sentence is its row."""
        text = document.text
        return [
            Claim(
                doc=doc, start=cell.start, end=cell.end, text=text[cell.start : cell.end], value=cell.value, value_max=None,
                unit=cell.unit, qualifier=cell.qualifier, metric=cell.metric, subject=cell.subject,
                tier=self.tiers.tier_in(cell.subject), program=self.attributor.program(cell.subject), year=cell.year,
                kind=cell.kind, sentence=text[cell.row_start : cell.row_end], sentence_start=cell.row_start,
                line=document.segments.line_of(cell.start), rule="table.cell", period=cell.period,
            )
            for cell in cells
        ]


def _runs(text: str, sentence: list[_Found]) -> list[tuple[int, int]]:
    """(place in its run, length of its run) of each claim: a run is claims apart only by list marks (X、Y和Z)."""
    places = []
    for index, item in enumerate(sentence):
        follows = index > 0 and _ENUMERATION_GAP.match(text, sentence[index - 1].ctx.end, item.ctx.start) is not None
        places.append(places[-1] + 1 if follows else 0)
    lengths = [0] * len(places)
    index = len(places) - 1
    while index >= 0:
        length = places[index] + 1
        for member in range(index - places[index], index + 1):
            lengths[member] = length
        index -= length
    return list(zip(places, lengths))


def _paired_items(text: str, sentence: list[_Found], runs: list[tuple[int, int]]) -> list[tuple[list[tuple[int, int]], int] | None]:
    """The list each claim is paired with and its place in it: items written before 分别 (A、B分别为X、Y), one per
    figure of a run as long.

    Later runs of the sentence with as many figures pair with the same items
    (…分别为X、Y，占比为P、Q); figures are never items (…分别占53%、28%，分别拉动…: the
    list before the first 分别), though one may stand before the items (前三的行业分别为A、B和C).
    None where the claim is paired with nothing.
    """
    paired: list[tuple[list[tuple[int, int]], int] | None] = [None] * len(sentence)
    items: list[tuple[int, int]] = []
    for index, item in enumerate(sentence):
        place, length = runs[index]
        if place == 0:
            found = _items_before(text, item.ctx)
            if found and not any(found[1][0] < other.ctx.end and other.ctx.start < found[-1][1]
                                 or found[0][1] - 2 <= other.ctx.end <= found[0][1] for other in sentence):
                items = found
        if length >= 2 and len(items) == length:
            paired[index] = (items, place)
    return paired


def _items_before(text: str, ctx: ClaimContext) -> list[tuple[int, int]]:
    """The spans of the items of a list written before 分别 in the claim's sentence (back to the previous
    clause when its own has one item: 对国家级…、省级…企业，分别给予)."""
    respectively = None
    for match in _RESPECTIVELY.finditer(text, ctx.sentence_start, ctx.start):
        respectively = match
    if respectively is None:
        return []
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, ctx.sentence_start, respectively.start())]
    clause_start = breaks[-1] if breaks else ctx.sentence_start
    items = _split_items(text, clause_start, respectively.start())
    if len(items) < 2 and breaks:
        items = _split_items(text, breaks[-2] if len(breaks) >= 2 else ctx.sentence_start, clause_start)
    return items if len(items) >= 2 else []


def _split_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans between the list marks of text[start:end] that hold something."""
    spans, position = [], start
    for mark in _LIST_SEPARATOR.finditer(text, start, end):
        spans.append((position, mark.start()))
        position = mark.end()
    spans.append((position, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _restate_headlines(claims: Iterable[Claim], document: DocumentContext, values: ValueReader) -> Iterator[Claim]:
    """A headline or subhead restates a figure of its story: it takes the kind, year and period of the first body
    claim of the same value and unit class, before or after it.

    A headline claim whose figure the body has not given yet waits for it,
    and the claims after it wait too, so they come out in order; after
    HEADLINE_WAIT claims it goes out as it is. The body's figures are
    remembered (as kind, year and period) only while a headline line lies ahead.
    """
    last_headline = max(document.headline_lines, default=-1)
    body: dict[tuple[Decimal, str], tuple[str, int | None, str | None]] = {}
    waiting: dict[tuple[Decimal, str], list[Claim]] = {}  # headline claims by the figure they wait for
    held: deque[Claim] = deque()  # from the first waiting headline claim on
    for claim in claims:
        key = (claim.value, values.unit_class(None, claim.unit))
        if document.is_headline(claim.start):
            if key in body:
                claim.kind, claim.year, claim.period = body[key]
            else:
                waiting.setdefault(key, []).append(claim)
        else:
            if key not in body and (claim.start <= last_headline or key in waiting):
                body[key] = (claim.kind, claim.year, claim.period)
            for headline in waiting.pop(key, []):
                headline.kind, headline.year, headline.period = claim.kind, claim.year, claim.period
        if not waiting and not held:
            yield claim
            continue
        held.append(claim)
        while held and (len(held) > HEADLINE_WAIT or not _waits(held[0], waiting, values)):
            _give_up(held[0], waiting, values)
            yield held.popleft()
    yield from held


def _waits(claim: Claim, waiting: dict[tuple[Decimal, str], list[Claim]], values: ValueReader) -> bool:
    return any(headline is claim for headline in waiting.get((claim.value, values.unit_class(None, claim.unit)), ()))


def _give_up(claim: Claim, waiting: dict[tuple[Decimal, str], list[Claim]], values: ValueReader) -> None:
    """A headline claim that goes out before its body figure came keeps its own kind, year and period."""
    key = (claim.value, values.unit_class(None, claim.unit))
    if key in waiting:
        waiting[key] = [headline for headline in waiting[key] if headline is not claim]
        if not waiting[key]:
            del waiting[key]


def _mark_repeats(claims: Iterable[Claim]) -> Iterator[Claim]:
    """The same claim text in the same sentence already seen earlier in the document (a page that prints its body twice).

    Each sentence text is kept once, however often it repeats, and each claim only as (sentence, offset, text).
    """
    sentences: dict[str, int] = {}
    seen: set[tuple[int, int, str]] = set()
    for claim in claims:
        key = (sentences.setdefault(claim.sentence, len(sentences)), claim.start - claim.sentence_start, claim.text)
        claim.is_repeat = key in seen
        seen.add(key)
        yield claim


def _overlaps(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint spans given by `starts` and `ends`."""
    index = bisect.bisect_left(ends, start + 1)
    return index < len(starts) and starts[index] < end
