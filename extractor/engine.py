"""The extraction pipeline for one document text.

scan (claims and non-claims in one pass) -> values and units -> qualifiers
-> attribution (metric, subject, tier, programme, year, kind) -> claims.
Offsets always index the text exactly as given: nothing is rewritten.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import regex

from .attribution import Attributor, Context, clause_bounds, year_number
from .metadata import read_metadata
from .numerals import MAX_LENGTH, NumeralError
from .qualifiers import QualifierReader
from .ruleset import RuleSet, load_ruleset
from .scanner import Scanner
from .segments import Segments
from .values import ValueReader

# Items of an enumeration share the qualifier written before the first one:
# 分别给予最高200万元、100万元和100万元.
_ENUMERATION_GAP = regex.compile(r"\s*(?:、|和|及|与|與|或|，)\s*$")  # matched from a claim's end to the next one's start
_TITLE_YEAR = regex.compile(r"(?:19|20)\d{2}")
_REPORT_TITLE = regex.compile(r"公报|公報|统计|統計|年报|年報|报告|報告|白皮书|白皮書")
_LOOKS_BACK = regex.compile(r"政府工作报告|政府工作報告")


@dataclass
class Claim:
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


class Extractor:
    """A compiled rule set, ready to extract claims from any number of texts."""

    def __init__(self, ruleset: RuleSet | str | Path | None = None):
        self.ruleset = ruleset if isinstance(ruleset, RuleSet) else load_ruleset(ruleset)
        self.scanner = Scanner(self.ruleset)
        self.values = ValueReader(self.ruleset)
        self.qualifiers = QualifierReader(self.ruleset)
        self.attributor = Attributor(self.ruleset)

    def metadata(self, text: str) -> dict[str, str | None]:
        return read_metadata(text, self.ruleset)

    def extract(self, text: str, doc: str = "text", metadata: dict | None = None) -> list[Claim]:
        return list(self.iter_claims(text, doc, metadata))

    def iter_claims(self, text: str, doc: str = "text", metadata: dict | None = None,
                    unread: list[tuple[int, int]] | None = None) -> Iterator[Claim]:
        """The claims of `text` in order, one at a time, so a large document's claims need not all be held at once.

        The span of every number too long to read exactly (over MAX_LENGTH
        characters) is added to `unread`: it gives no claim, but a note.
        """
        metadata = metadata if metadata is not None else self.metadata(text)
        doc_year = int(metadata["date"][:4]) if metadata.get("date") else None
        title_year, report_year = _title_years(metadata.get("title") or "")
        is_plan = self.attributor.is_plan(metadata.get("title") or "")
        segments = Segments.of(text)
        sections = self.attributor.sections(text, segments)
        section_starts = [section.start for section in sections]
        plan_ends, plan_years = self.attributor.named_plans(text)
        breaks = self.attributor.clause_break

        last: Claim | None = None
        sentence_ids: dict[str, int] = {}  # each sentence text once, however often the document repeats it
        seen: set[tuple[int, int, str]] = set()  # (sentence, offset in it, text) of the claims so far
        previous_end = 0
        enumeration: list[str] = []  # recipients still to pair with amounts of 分别给予X、Y、Z
        in_sentence: list[tuple[str, str]] = []  # (subject, unit class) of the sentence's claims so far
        current_sentence = -1
        for candidate in self.scanner.scan(text):
            if not candidate.is_claim:
                continue
            try:
                reading = self.values.read(candidate)
            except NumeralError:  # a number we cannot read exactly is left out, never guessed
                number = (candidate.groups.get("num") or "") + (candidate.groups.get("mult") or "")
                if unread is not None and len(number) > MAX_LENGTH:
                    unread.append((candidate.start, candidate.end))
                continue
            start, end = candidate.start, candidate.end
            sentence_start, sentence_end = segments.sentence_at(start)
            clause_start, clause_end = clause_bounds(text, start, end, sentence_start, sentence_end, breaks)
            ctx = Context(text, start, end, sentence_start, sentence_end, clause_start, clause_end)

            # Only a list mark between this claim and the previous one: the next item of an enumeration.
            follows_list_mark = last is not None and _ENUMERATION_GAP.match(text, previous_end, start) is not None
            qualifier = reading.qualifier or self.qualifiers.after(text, end) or self.qualifiers.before(text, start, sentence_start)
            if qualifier is None and follows_list_mark:
                qualifier = last.qualifier if last.qualifier != "range" else None
            qualifier = qualifier or "exact"

            metric = self.attributor.metric(ctx, reading.unit_class, candidate.rule.get("metric"))
            floor = previous_end if previous_end > clause_start else clause_start
            previous = last if last is not None and last.sentence_start == sentence_start else None
            if sentence_start != current_sentence:  # claims come in text order, so a sentence's claims are contiguous
                current_sentence, in_sentence = sentence_start, []
            subject, inherited = self.attributor.subject(ctx, floor, in_sentence, reading.unit_class)
            if enumeration and follows_list_mark:
                subject = enumeration.pop(0)
            else:
                enumeration = self.attributor.enumeration_items(ctx)
                if enumeration:
                    subject = enumeration.pop(0)
            follows_previous = previous is not None and follows_list_mark
            tier = self.attributor.tier(ctx, reach_back=self.attributor.is_enumerated(ctx, follows_previous))
            if tier is None and inherited:
                tier = previous.tier
            if tier is None:  # a subject taken from elsewhere in the sentence keeps its designation
                tier = self.attributor.tier_in(subject)
            index = bisect.bisect_right(section_starts, start) - 1
            section = sections[index] if index >= 0 else None
            in_target = (section is not None and section.is_target) or is_plan
            kind = self.attributor.kind(ctx, metric, qualifier, "target" if in_target else "actual")
            if section is not None and section.year is not None:  # 一、2023年工作情况
                default_year = section.year
            else:
                default_year = report_year if report_year else (title_year if kind == "target" else None)
                plan = bisect.bisect_right(plan_ends, start) - 1
                if default_year is None and kind == "target" and plan >= 0:  # the plan the text named last
                    default_year = plan_years[plan]
            sentence = text[sentence_start:sentence_end]
            claim_text = text[start:end]
            repeat_key = (sentence_ids.setdefault(sentence, len(sentence_ids)), start - sentence_start, claim_text)
            last = Claim(
                doc=doc,
                start=start,
                end=end,
                text=claim_text,
                value=reading.value,
                value_max=reading.value_max,
                unit=reading.unit,
                qualifier=qualifier,
                metric=metric,
                subject=subject,
                tier=tier,
                program=self.attributor.program(subject),
                year=self.attributor.year(ctx, doc_year, default_year),
                kind=kind,
                sentence=sentence,
                sentence_start=sentence_start,
                line=segments.line_of(start),
                rule=candidate.rule.id,
                is_repeat=repeat_key in seen,
            )
            seen.add(repeat_key)
            in_sentence.append((subject, self.values.unit_class(None, reading.unit)))
            previous_end = end
            yield last


def _title_years(title: str) -> tuple[int | None, int | None]:
    """(end year of a plan named in the title, period year of a report title)."""
    years = [year_number(y) for y in _TITLE_YEAR.findall(title)]
    if not years:
        return None, None
    end_year = max(years)
    if _REPORT_TITLE.search(title):
        return end_year, end_year - 1 if _LOOKS_BACK.search(title) else end_year
    return end_year, None
