"""What a reader knows of a whole document before reading any one figure: the DocumentReader.

A `DocumentContext` (contextmodel.py) is built once per document and read by every field
resolver (year, kind, tier): its sentences and paragraphs, its headings and
the sections they open, its lists and their lead lines, its own date, the
period of a report it names in its title or lead sentence, the plans it names,
and every word that places a figure in time, with what it says below the year
(6月末, 二季度, 1-5月份: periods.py). The words live in rules/ (structure.toml,
years.toml, periods.toml, kinds.toml); this module only lays them over the
text, once, so that a claim's resolvers look things up instead of re-reading.
"""

from __future__ import annotations

import bisect
import datetime

import regex

from .contextmodel import DocumentContext, Section, TimeMention
from .periods import PeriodForms, PeriodShape
from .prefilter import RuleMatches
from .ruleset import Rule, RuleError, RuleSet, expand, words_pattern
from .segments import Segments

_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12, "两": 2, "兩": 2}
# A paragraph's line stops in the middle of a sentence when it ends in text, not in a mark that ends a sentence or a heading.
_OPEN_END = regex.compile(r"[\p{Han}0-9A-Za-z%‰“‘（(《、，,]$")
_ROLES_SCANNED = ("comparison", "period", "stated", "relative", "following", "month", "whole_year")
_SENTENCE_MARK_END = regex.compile(r"[。！？!?]$")
_SENTENCE_MARK = regex.compile(r"[。，,；;：:]")  # a line without any is a headline or a subhead, not a sentence
_OPENING_NAME = regex.compile(r"[《「]")


def year_number(text: str) -> int:
    """2023 from 2023 or 二〇二三."""
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in text))


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_MONTHS.get(text, 12)


class DocumentReader:
    """The structure and year rules of one rule set, compiled once, read over each document."""

    def __init__(self, ruleset: RuleSet):
        heading, bullet, list_lead, lead_line, named_plan = (
            ruleset.rule(f"structure.{name}") for name in ("heading", "bullet", "list_lead", "lead_line", "named_plan"))
        self.heading_max = ruleset.table("structure", "heading_max")
        self.lead_max = ruleset.table("structure", "lead_max")
        self._levels = [regex.compile(pattern) for pattern in heading["levels"]]
        self._item = heading.pattern
        self._bullet = bullet.pattern
        self._list_lead = list_lead.pattern
        self._lead_line = lead_line.pattern
        self._named_plan = named_plan.pattern
        self._plan_title = regex.compile(words_pattern(named_plan["plan_titles"]) or "(?!)")

        kinds = ruleset.tables["kinds"]
        self._heading_kinds = [(kind, regex.compile(words_pattern(kinds[f"{kind}_headings"]) or "(?!)"))
                               for kind in ("target", "policy", "actual")]
        self._topic_heading = regex.compile(kinds["topic_heading"])
        self._target_cue = regex.compile(expand("{target_cue}", ruleset.fragments, "target cue"), regex.V0)
        self._announced_target = regex.compile(expand("{paragraph_target_cue}", ruleset.fragments, "paragraph target cue"),
                                               regex.V0)

        years = ruleset.family("years")
        scanned = [rule for rule in years if rule["role"] in _ROLES_SCANNED]
        for rule in years:
            if rule["role"] not in (*_ROLES_SCANNED, "joined", "report_title", "report_lead") or rule.pattern is None:
                raise RuleError(f"{rule.path}: rule {rule.id!r}: needs a pattern and a role")
        self._year_rules = scanned
        self._year_matches = RuleMatches([rule.pattern for rule in scanned], [rule.source for rule in scanned],
                                         [rule.id for rule in scanned])
        self._relative = [(rule.pattern, rule["shift"]) for rule in scanned if rule["role"] == "relative"]
        self._report_title = [(rule.pattern, rule["shift"]) for rule in years if rule["role"] == "report_title"]
        self._report_lead = [rule.pattern for rule in years if rule["role"] == "report_lead"]
        self.joined = [rule.pattern for rule in years if rule["role"] == "joined"]
        self._stated = next((rule.pattern for rule in years if rule["role"] == "stated"), regex.compile("(?!)"))
        self.periods = PeriodForms(ruleset)

    # -- the document ---------------------------------------------------------
    def read(self, text: str, metadata: dict | None = None) -> DocumentContext:
        metadata = metadata or {}
        segments = Segments.of(text)
        date = _date(metadata.get("date"))
        title = metadata.get("title") or ""
        paragraph_starts, paragraph_ends = self._paragraphs(text, segments)
        mentions = self._mentions(text, date, paragraph_starts)
        stated = [m.year for m in mentions if m.role == "stated" and text[max(0, m.start - 1) : m.start] not in ("到", "至")]
        current_year = date.year if date else (max(stated) if stated else None)
        title_stated = list(self._stated.finditer(title))
        title_year = year_number(title_stated[-1].group("year")) if title_stated else None
        title_is_plan = bool(self._plan_title.search(title))
        report_shift = next((shift for pattern, shift in reversed(self._report_title) if pattern.search(title)), None)
        title_is_report = report_shift is not None and not title_is_plan
        report_period = title_year + report_shift if title_is_report and title_year else None
        report_shape = self._stated_shape(title_stated[-1]) if report_period is not None and report_shift == 0 else None
        if report_period is None:
            report_period, report_shape = self._lead_report(text, segments, title, date)
        plan_ends, plan_years = self._plans(text)
        return DocumentContext(
            text=text, segments=segments, date=date, title=title,
            paragraph_starts=paragraph_starts, paragraph_ends=paragraph_ends,
            sections=self._sections(text, segments, mentions, current_year),
            mentions=mentions, current_year=current_year, report_period=report_period, report_shape=report_shape,
            title_year=title_year,
            title_is_plan=title_is_plan, title_is_report=title_is_report,
            plan_ends=plan_ends, plan_years=plan_years,
            headline_lines=self._headlines(text, segments, title),
            target_cues=tuple(match.start() for match in self._announced_target.finditer(text)),
        )

    def stated_years(self, words: str) -> list[int]:
        """The years `words` state, in order (a range: its end year)."""
        return [year_number(match.group("year")) for match in self._stated.finditer(words)]

    def _stated_shape(self, stated: regex.Match) -> PeriodShape | None:
        """What a stated year's words say after its 年 (2022年6月末 -> the end of June)."""
        return self.periods.read(stated.string, stated.end("year"), stated.end())

    def heading_kind(self, line: str) -> str | None:
        """target, policy or actual: the kind word a heading or lead line names last (2023年工作情况及2024年工作打算 -> target);
        none for a heading that names a topic (一、关于完善扶持政策的建议)."""
        if self._topic_heading.search(line):
            return None
        found, at = None, -1
        for kind, pattern in self._heading_kinds:
            for match in pattern.finditer(line):
                if match.start() > at:
                    found, at = kind, match.start()
        if found is None and self._target_cue.search(line):
            return "target"
        return found

    # -- pieces ---------------------------------------------------------------
    def _paragraphs(self, text: str, segments: Segments) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Lines, a long line that stops mid-sentence joined with the next line that is not empty."""
        starts, ends = [], []
        joining = False
        for index, start in enumerate(segments.line_starts):
            end = segments.line_starts[index + 1] - 1 if index + 1 < len(segments.line_starts) else len(text)
            line = text[start:end].strip()
            if not line:
                continue
            if joining and not self._item.search(line) and not self._bullet.search(line):
                ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
            joining = len(line) > self.heading_max and bool(_OPEN_END.search(line))
        return tuple(starts), tuple(ends)

    def _mentions(self, text: str, date: datetime.date | None, paragraph_starts: tuple[int, ...]) -> list[TimeMention]:
        found: list[TimeMention] = []
        for rule, match in self._time_words(text):
            role = rule["role"]
            year = end_month = shape = None
            if role == "stated":
                year = year_number(match.group("year"))
                shape = self._stated_shape(match)
            elif role == "relative":
                year = date.year + rule["shift"] if date else None
                shape = self.periods.read(text, match.start(), match.end())  # 去年底
            elif role == "comparison":
                year = self._comparison_year(match, date)
                inner = list(self._stated.finditer(text, match.start(), match.end()))
                shape = self._stated_shape(inner[-1]) if inner else None  # 比2021年6月末的: the base's own period
            elif role == "following":
                paragraph = paragraph_starts[bisect.bisect_right(paragraph_starts, match.start()) - 1] if paragraph_starts else 0
                earlier = next((m.year for m in reversed(found) if m.start >= paragraph and m.year is not None
                                and m.role in ("stated", "relative", "following")), None)
                year = earlier + 1 if earlier is not None else None
            elif role == "period" and "year" in rule.pattern.groupindex and match.group("year"):
                year = year_number(match.group("year"))  # 2022年以来: the year it runs from
            elif role == "month":
                if rule["end_month"]:
                    end_month = rule["end_month"]
                else:
                    written = match.group("month_to") or match.group("month")
                    end_month = _month_number(written) * (3 if rule["quarter"] else 1)
                # A month rule reads back from its 月 (the number sits in a lookbehind): its words start at the number.
                begin = match.start("month") if "month" in match.re.groupindex and match.start("month") >= 0 else match.start()
                shape = self.periods.read(text, begin, match.end())
            elif role == "whole_year":  # 全年 after 12月份: the figure is the year's again, not the month's
                shape = self.periods.read(text, match.start(), match.end())
            found.append(TimeMention(match.start(), match.end(), role, year, end_month,
                                     base=role == "comparison" and bool(match.group("base")),
                                     span=role == "stated" and bool(match.group("from")), shape=shape))
        return found

    def _time_words(self, text: str) -> list[tuple[Rule, regex.Match]]:
        """The time words of `text` in order, as one alternation of the rules would read them: the leftmost
        first, at one place the earlier rule (比2019年 before 2019年), none inside another. Each rule scans
        on its own (a single alternation of them all is about twice as slow; hyperscan's one pass says where
        each can start), then the matches are merged."""
        found = sorted(((match.start(), order, match.end(), self._year_rules[order], match)
                        for order, match in self._year_matches.matches(text)), key=lambda item: item[:2])
        kept, end = [], 0
        for start, _, stop, rule, match in found:
            if start >= end:
                kept.append((rule, match))
                end = stop
        return kept

    def _comparison_year(self, match: regex.Match, date: datetime.date | None) -> int | None:
        """The base year a comparison writes out (比2015年的 -> 2015, 比上年的 -> the date's year - 1), else None."""
        stated = self.stated_years(match.group())
        if stated:
            return stated[-1]
        word = match.group("relative")
        if date is None or not word:
            return None
        return next((date.year + shift for pattern, shift in self._relative if pattern.fullmatch(word)), None)

    def _lead_report(self, text: str, segments: Segments, title: str,
                     date: datetime.date | None) -> tuple[int | None, PeriodShape | None]:
        """The period of a report or a source named in the lead sentence (the first sentence of the body):
        its year and the part of it the words after the year name (发布2017年四季度…, 今年1-5月，…)."""
        for start, end in zip(segments.sentence_starts, segments.sentence_ends):
            sentence = text[start:end].strip()
            if not sentence or (title and sentence.replace(" ", "") in title.replace(" ", "")):
                continue
            if len(sentence) <= self.heading_max and not _SENTENCE_MARK_END.search(sentence):
                continue  # a headline, a dateline, a label
            for pattern in self._report_lead:
                match = pattern.search(sentence)
                if match and match.group("year"):
                    stated = self._stated.match(sentence, match.start("year"))
                    return year_number(match.group("year")), self._stated_shape(stated) if stated else None
                if match and date is not None:  # 今年1-5月，…: the year of the document's date
                    year = next((date.year + shift for relative, shift in self._relative
                                 if relative.fullmatch(match.group("relative"))), None)
                    return year, self.periods.read(sentence, match.end("relative"), match.end())
            return None, None
        return None, None

    def plan_after(self, text: str, start: int, end: int) -> int | None:
        """The end year of a plan named right after a figure in its clause (…860亿元的《…计划（2025-2027年）》)."""
        opening = _OPENING_NAME.search(text, start, min(end, start + 6))
        match = self._named_plan.match(text, opening.start()) if opening else None
        if match is None or not self._plan_title.search(match.group("name")):
            return None
        stated = self.stated_years(match.group("name"))
        return max(stated) if stated else None

    def _plans(self, text: str) -> tuple[list[int], list[int]]:
        ends, years = [], []
        for match in self._named_plan.finditer(text):
            name = match.group("name")
            if self._plan_title.search(name):
                stated = self.stated_years(name)
                if stated:
                    ends.append(match.end())
                    years.append(max(stated))
        return ends, years

    def _headlines(self, text: str, segments: Segments, title: str) -> frozenset[int]:
        """The title's line and subheads: short lines with no sentence mark, before or among the first paragraphs."""
        found = set()
        for index, start in enumerate(segments.line_starts):
            end = segments.line_starts[index + 1] - 1 if index + 1 < len(segments.line_starts) else len(text)
            line = text[start:end].strip()
            if not line or len(line) > self.heading_max:
                continue
            if (title and line.replace(" ", "") in title.replace(" ", "")) or (
                    not _SENTENCE_MARK.search(line) and not self._item.search(line) and not self._bullet.search(line)):
                found.add(start)
        return frozenset(found)

    @staticmethod
    def _year_of_line(mentions: list[TimeMention], starts: list[int], span: tuple[int, int],
                      current_year: int | None) -> tuple[bool, int | None, PeriodShape | None]:
        """(whether a heading or lead line states a year or a period, the year, the part of it the line names):
        its last such word decides the year, a month or quarter after it the part (一、今年上半年工作情况)."""
        lo, hi = bisect.bisect_left(starts, span[0]), bisect.bisect_left(starts, span[1])
        line = mentions[lo:hi]
        at = next((i for i in range(len(line) - 1, -1, -1) if line[i].role in ("stated", "period", "relative")), None)
        if at is None:
            return False, None, None
        last = line[at]
        month = next((m for m in reversed(line[at + 1 :]) if m.role == "month" and m.shape is not None), None)
        shape = month.shape if month is not None else last.shape
        if last.role == "period":  # 2018年以来: none; 2023年以来 in a text of 2023: this year so far
            return True, last.year if last.year is not None and last.year == current_year else None, None
        return True, last.year, shape

    def _sections(self, text: str, segments: Segments, mentions: list[TimeMention], current_year: int | None) -> list[Section]:
        """Every heading, list and lead line, in order: what its figures are and the year they take.

        A heading's year is the one stated by the innermost heading above
        (itself included) that states one, and likewise its kind; a heading
        closes the sections of its own level and deeper, so 二、下一步工作 ends
        一、2023年工作情况 but （一）… does not. A list (bullets, or numbered items
        after a plain line ending in a colon) takes a kind and a year from its
        lead line and gives the section back after it. A lead line (a short
        sentence with a kind word that ends in a colon or states a year:
        会议部署了2025年工作。) holds until the next heading or lead line.
        """
        found: list[Section] = []
        above: list[_Heading] = []  # (level, kind, states a year, year, part of the year) of the open headings
        starts = [mention.start for mention in mentions]

        def year_of(span: tuple[int, int]) -> tuple[bool, int | None, PeriodShape | None]:
            return self._year_of_line(mentions, starts, span, current_year)

        lead, lead_span = "", (0, 0)  # the last line that is neither empty nor a list item
        lead_line_at = -1  # where the last lead line's section starts
        list_level = 0  # the heading level of a numbered list's items (a number of an outer level ends the list)
        enclosing: Section | None = None  # the section a list interrupts, while in one
        for index, start in enumerate(segments.line_starts):
            end = segments.line_starts[index + 1] - 1 if index + 1 < len(segments.line_starts) else len(text)
            line = text[start:end].strip()
            if not line:
                continue
            level = next((i for i, pattern in enumerate(self._levels) if pattern.search(line)), None)
            if self._is_list_item(line, level, lead, list_level if enclosing is not None else None):
                if enclosing is None:
                    list_level = level if level is not None else len(self._levels)
                    # A list right after a lead line is what that line announced: the section before it comes back after.
                    led = bool(found) and found[-1].start == lead_line_at
                    back = 2 if led else 1
                    enclosing = found[-back] if len(found) >= back else Section(start, None, False, None)
                    states, year, shape = year_of(lead_span)
                    found.append(Section(start, self.heading_kind(lead) or enclosing.kind, states or enclosing.states_year,
                                         year if states else enclosing.year, shape if states else enclosing.shape))
                continue
            if enclosing is not None:  # the list has ended
                found.append(Section(start, enclosing.kind, enclosing.states_year, enclosing.year, enclosing.shape))
                enclosing = None
            lead, lead_span = line, (start, end)
            if len(line) > self.heading_max:
                continue
            if level is not None:
                while above and above[-1][0] >= level:
                    above.pop()
                above.append((level, self.heading_kind(line), *year_of((start, end))))
                found.append(_open_section(above, start))
                continue
            section = self._lead_line_section(line, (start, end), above, year_of)
            if section is not None:
                found.append(section)
                lead_line_at = start
        return found

    def _is_list_item(self, line: str, level: int | None, lead: str, list_level: int | None) -> bool:
        """A bullet; or a numbered line after a plain lead line ending in a colon; or, in a list (`list_level`
        the level of its items), a number of that level or deeper: one of an outer level ends the list."""
        if self._bullet.search(line):
            return True
        if list_level is not None:
            return level is not None and level >= list_level
        return level is not None and bool(self._list_lead.search(lead)) and not any(
            pattern.search(lead) for pattern in self._levels)

    def _lead_line_section(self, line: str, span: tuple[int, int], above: list[_Heading], year_of) -> Section | None:
        """The section a lead line opens: a short line with a kind word that states a year or ends in a colon."""
        if len(line) > self.lead_max or not self._lead_line.search(line):
            return None
        kind = self.heading_kind(line)
        states, year, shape = year_of(span)
        if kind is None or not (states or self._list_lead.search(line)):
            return None
        outer = _open_section(above, span[0])
        return Section(span[0], kind, states or outer.states_year, year if states else outer.year,
                       shape if states else outer.shape)


_Heading = tuple[int, str | None, bool, int | None, PeriodShape | None]


def _open_section(above: list[_Heading], start: int) -> Section:
    """The section the open headings make: the innermost kind and the innermost year stated, with its part of the year."""
    states, year, shape = next(((s, y, p) for _, _, s, y, p in reversed(above) if s), (False, None, None))
    kind = next((k for _, k, _, _, _ in reversed(above) if k), None)
    return Section(start, kind, states, year, shape)


def _date(iso: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None
