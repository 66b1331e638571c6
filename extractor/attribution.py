"""Attribution: what a claim measures (metric), of what (subject), at which
tier and programme, for which year, and whether it is reported, targeted or
set by a policy. Every decision reads the claim's own sentence and clause;
the word lists live in rules/ (metrics, subjects, tiers, programs, kinds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from .ruleset import RuleError, RuleSet, expand, words_pattern
from .segments import Segments

# A year a figure is compared with (比2015年, 与2015年6月相比, 是2018年的2.4倍) is not its year.
_YEAR = regex.compile(
    r"(?<![比较較与與同是])(?:(?P<from>(?:19|20)\d{2})\s*年?\s*[-–—~至到]\s*)?(?P<year>(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})\s*年(?!代|\s*(?:之后|之後|以后|以後|之前|以前))"
)
# A subject does not reach back past a year inside it: 省厅公布的2022年度最佳应用 -> 最佳应用.
_AFTER_LAST_YEAR = regex.compile(r"^.*(?:19|20)\d{2}\s*年度?(?:以来|以來)?(?=[^，,；;。]{2,}$)")
_SINCE = regex.compile(r"\G\s*(?:以来|以來)")
# 对A、B和C分别给予: the recipients of an enumeration of amounts.
_RESPECTIVELY = regex.compile(r"(?:对|對|为|為)(?P<items>[^，,；;。：:对對]{2,80}?)[，,]?\s*(?:分别|分別)[^，,；;。]{0,8}$")
_RECIPIENT = regex.compile(r"(?:对|對)(?P<who>[^，,；;。：:对對]{2,40}?)[，,][^，,；;。]{0,10}$")
_LIST_SEPARATOR = regex.compile(r"、|和|及|与|與|(?<=[”」])(?=[“「])")
# 目前, 今年 and 去年 need the document's own date. 上年度 in a criterion means the
# year before an application, not before the document, so it is not read.
_RELATIVE_YEAR = regex.compile(r"(?<![比较較与與同])(?:截至目前|截止目前|目前|今年|本年|年内|年內|去年)")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


@dataclass
class Context:
    """Where a claim sits: its span, its sentence and its clause (offsets into `text`)."""

    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    clause_start: int
    clause_end: int


@dataclass(frozen=True)
class Section:
    """Where a heading line or a bullet list starts, whether its figures are targets, the year they take (None: none stated)."""

    start: int
    is_target: bool
    year: int | None


def year_number(text: str) -> int:
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in text))


class Attributor:
    def __init__(self, ruleset: RuleSet):
        metrics = ruleset.family("metrics")
        self.metric_defaults: dict[str, str] = dict(ruleset.table("metrics", "defaults") or {})
        self.after_penalty = int(ruleset.table("metrics", "after_penalty") or 3)
        self.window_before = int(ruleset.table("metrics", "window_before") or 40)
        self.window_after = int(ruleset.table("metrics", "window_after") or 12)
        self._metric_cues: dict[str, tuple[regex.Pattern, dict[str, tuple[int, str]]]] = {}
        for unit_class in {u for rule in metrics for u in rule.get("units", [])}:
            by_word: dict[str, tuple[int, str]] = {}
            for order, rule in enumerate(metrics):
                if unit_class in rule.get("units", []):
                    for word in rule.get("words", []):
                        # a pass-over word (提高至: a level, not a change) hides the shorter cue in it
                        by_word.setdefault(word, (order, None if rule.get("pass_over") else rule.get("metric")))
            if by_word:
                self._metric_cues[unit_class] = (re.compile(words_pattern(list(by_word))), by_word)

        subjects = ruleset.tables.get("subjects", {})
        # Word lists are plain literals: the standard `re` engine finds them several times faster than `regex`.
        self._leading = re.compile(f"^(?:{words_pattern(subjects.get('leading', []))})")
        self._trailing = re.compile(f"(?:{words_pattern(subjects.get('trailing', []))})$")
        self.clause_break = regex.compile(subjects.get("clause_breaks", r"[，,；;。：:\n]"))
        self._continuation = re.compile(f"^(?:{words_pattern(subjects.get('continuation', []))})")
        self._inherit = re.compile(f"^(?:{words_pattern(subjects.get('inherit', []))})")
        self.prenominal_classes = set(subjects.get("prenominal_classes", []))
        skip, heads = words_pattern(subjects.get("after_unit_skip", [])), subjects.get("head_nouns", [])

        def noun_phrase(nouns: list[str]) -> regex.Pattern:
            return regex.compile(rf"(?:{skip})?(?P<noun>[^，,；;。：:\n、\p{{N}}]{{0,24}}(?:{words_pattern(nouns)}))")

        self._head_noun_phrase = noun_phrase(heads)
        # An amount heads a loan or a quota as well (3000亿元疫情防控专项再贷款); a count does not.
        self._money_noun_phrase = noun_phrase(heads + subjects.get("money_head_nouns", []))
        self._verb_before_number = re.compile(f"(?:{words_pattern(subjects.get('verbs_before_number', []))})$")
        self._date_prefix = regex.compile(subjects.get("frame_prefix", "^$"))
        self.tier_rules = [(rule.pattern, rule.get("tier")) for rule in ruleset.family("tiers")]
        # One search for any tier word first: most clauses name none, and then no rule need run.
        self._any_tier = regex.compile("|".join(f"(?:{p.pattern})" for p, _ in self.tier_rules) or "(?!)", regex.V0)
        self._place_before_tier = regex.compile(r"[全我本该該各]$")
        self.program_rules = [(rule.pattern, rule.get("program")) for rule in ruleset.family("programs")]

        self.kind_rules = ruleset.family("kinds")
        for rule in self.kind_rules:
            unknown = set(rule.get("scope", [])) - {"clause", "sentence", "after"}
            if unknown or rule.pattern is None:
                raise RuleError(f"{rule.path}: rule {rule.id!r}: needs a pattern and scopes among clause, sentence, after")
        self._kind_checks = [
            (rule.pattern, rule.get("metrics"), rule.get("qualifiers"), rule.get("scope", ["sentence"]), rule.get("kind"))
            for rule in self.kind_rules
        ]
        headings = ruleset.table("kinds", "target_headings") or []
        self._target_heading = re.compile(words_pattern(headings)) if headings else None
        self._heading_levels = [regex.compile(pattern) for pattern in ruleset.table("kinds", "heading_levels") or []]
        plan_titles = ruleset.table("kinds", "plan_titles") or []
        self._plan_title = re.compile(words_pattern(plan_titles)) if plan_titles else None
        self._named_plan = regex.compile(ruleset.table("kinds", "named_plan") or "(?!)")
        self._bullet = regex.compile(ruleset.table("kinds", "bullet_pattern") or "(?!)")
        cue = expand("{target_cue}", ruleset.fragments, "target cue") if "target_cue" in ruleset.fragments else "(?!)"
        self._target_cue = regex.compile(cue, regex.V0)

    # -- metric ---------------------------------------------------------------
    def metric(self, ctx: Context, unit_class: str, fixed: str | None) -> str:
        """The metric of the cue nearest the number; see rules/metrics.toml.

        All cues of a unit class form one alternation, longest first, so a
        cue inside a longer one (资金 in 融资金额) is never read on its own.
        """
        if fixed:
            return fixed
        cues = self._metric_cues.get(unit_class)
        if cues is None:
            return self.metric_defaults.get(unit_class, "other")
        pattern, by_word = cues
        lo = max(ctx.sentence_start, ctx.start - self.window_before)
        hi = min(ctx.clause_end, ctx.end + self.window_after)
        best: tuple[int, int, str] | None = None
        for match in pattern.finditer(ctx.text, lo, ctx.start):
            order, metric = by_word[match.group()]
            key = (ctx.start - match.end(), order)
            if metric and (best is None or key < best[:2]):
                best = (*key, metric)
        for match in pattern.finditer(ctx.text, ctx.end, hi):
            order, metric = by_word[match.group()]
            if metric is None:
                continue
            key = (match.start() - ctx.end + self.after_penalty, order)
            if best is None or key < best[:2]:
                best = (*key, metric)
            break
        return best[2] if best else self.metric_defaults.get(unit_class, "other")

    # -- subject --------------------------------------------------------------
    def subject(self, ctx: Context, floor: int, previous: list[tuple[str, str]], unit_class: str) -> tuple[str, bool]:
        """(subject, inherited), from the claim's clause; see rules/subjects.toml.

        `previous` holds (subject, unit class) of the earlier claims of the
        sentence. In order: a number that modifies the noun after it
        (推荐44家企业申报, 实施15个省级数字化转型项目) takes that noun phrase; a
        clause with no subject of its own (同比增长7.93%, 总数达到360家,
        居全省前5位) continues the previous claim's subject (a growth rate: the
        last quantity's); otherwise the words before the number.
        """
        raw = ctx.text[max(ctx.clause_start, floor) : ctx.start]
        if raw.lstrip().startswith("的"):  # 营业收入过亿元的工业企业: the earlier number is part of it
            raw = ctx.text[ctx.clause_start : ctx.start]
        phrase = self.trim(_AFTER_LAST_YEAR.sub("", raw))
        if "等" in phrase[:-2] and ctx.text[ctx.clause_start - 1 : ctx.clause_start] == "、":
            # the last item of a list closed by 等 (…、众创空间等创业创新载体77家): the noun after 等
            phrase = phrase[phrase.rindex("等", 0, len(phrase) - 2) + 1 :]
        if len(phrase) < 2 and not previous:
            # 对首次认定的企业，一次性给予50万元奖励: the recipient named earlier in the sentence
            recipient = _RECIPIENT.search(ctx.text, ctx.sentence_start, ctx.start)
            if recipient:
                return self.trim(recipient.group("who")), False
        phrase_after = self._money_noun_phrase if unit_class == "money" else self._head_noun_phrase
        following = phrase_after.match(ctx.text, ctx.end, ctx.clause_end)
        if following and unit_class in self.prenominal_classes:
            if len(phrase) <= 3 or self._verb_before_number.search(phrase):
                return following.group("noun"), False
        if previous:
            if len(phrase) < 2 or self._inherit.match(phrase):
                if unit_class in ("percent", "points"):
                    quantities = [subject for subject, cls in previous if cls not in ("percent", "points")]
                    if quantities:
                        return quantities[-1], True
                return previous[-1][0], True
            if self._continuation.match(phrase):
                return previous[-1][0] + phrase, True
        if not phrase:
            return self.trim(ctx.text[ctx.end : ctx.clause_end])[:20], False
        return phrase[-30:], False

    def enumeration_items(self, ctx: Context) -> list[str]:
        """The recipients of 对A、B和C分别给予X、Y、Z, one per amount, or [] when not that shape."""
        before = ctx.text[ctx.sentence_start : ctx.start]
        match = _RESPECTIVELY.search(before)
        if not match:
            return []
        items = [self.trim(item) for item in _LIST_SEPARATOR.split(match.group("items"))]
        return [item for item in items if item]

    def trim(self, phrase: str) -> str:
        """Drop framing dates, places and leading verbs, and the verbs and qualifier words before a number."""
        phrase = phrase.strip(" \t\u3000、")
        for _ in range(8):
            before = phrase
            phrase = self._date_prefix.sub("", phrase).strip(" \t\u3000，,")
            phrase = self._leading.sub("", phrase)
            phrase = self._trailing.sub("", phrase)
            if phrase == before:
                break
        return phrase.strip(" \t\u3000")

    # -- tier and programme ----------------------------------------------------
    def tier(self, ctx: Context, reach_back: bool) -> str | None:
        """The tier word of the claim's own list item, else (an enumerated amount) of its sentence.

        The nearest tier word before the number in its own item (between 、)
        wins, then one after it (入选国家重点支持名单). A claim with no subject of
        its own (an amount in 分别给予最高200万元、100万元) reads the nearest tier
        word before it in its sentence.
        """
        found = self._nearest_tier(ctx.text, ctx.clause_start, ctx.start, from_end=True)
        if found is None:
            found = self._nearest_tier(ctx.text, ctx.end, ctx.clause_end, from_end=False)
        if found is None and reach_back:
            found = self._nearest_tier(ctx.text, ctx.sentence_start, ctx.start, from_end=True)
        return found

    def tier_in(self, words: str) -> str | None:
        """The tier word nearest the end of `words` (a subject)."""
        return self._nearest_tier(words, 0, len(words), from_end=True)

    def is_enumerated(self, ctx: Context, follows_previous: bool) -> bool:
        """An amount of an enumeration (分别给予最高200万元、100万元), not an item with its own subject."""
        before = ctx.text[ctx.clause_start : ctx.start]
        return "分别" in before or "分別" in before or (follows_previous and not before.strip())

    def _nearest_tier(self, text: str, start: int, end: int, from_end: bool) -> str | None:
        if not self._any_tier.search(text, start, end):
            return None
        best: tuple[int, int, str] | None = None
        for pattern, tier in self.tier_rules:
            for match in pattern.finditer(text, start, end):
                if self._place_before_tier.search(text[max(0, match.start() - 1) : match.start()]):
                    continue
                distance = end - match.end() if from_end else match.start() - start
                key = (distance, -len(match.group()))
                if best is None or key < best[:2]:
                    best = (*key, tier)
        return best[2] if best else None

    def program(self, subject: str) -> str | None:
        """The first programme (most specific first) whose words the subject names."""
        for pattern, program in self.program_rules:
            if pattern.search(subject):
                return program
        return None

    # -- year -----------------------------------------------------------------
    def year(self, ctx: Context, doc_year: int | None, default_year: int | None) -> int | None:
        """The last year stated in the sentence before the claim, carried forward."""
        prefix = ctx.text[ctx.sentence_start : ctx.start]
        found: tuple[int, int | None] | None = None
        for match in _YEAR.finditer(prefix):
            since = _SINCE.search(prefix, match.end()) and prefix[max(0, match.start() - 1) : match.start()] in ("自", "从", "從")
            found = (match.end(), None if since else year_number(match.group("year")))
        for match in _RELATIVE_YEAR.finditer(prefix):
            if found is None or match.end() > found[0]:
                shift = -1 if match.group() == "去年" else 0
                found = (match.end(), doc_year + shift if doc_year else None)
        if found is not None:
            return found[1]
        return default_year

    # -- kind -----------------------------------------------------------------
    def kind(self, ctx: Context, metric: str, qualifier: str, default: str) -> str:
        """The kind of the first rule of rules/kinds.toml that fires, else `default`."""
        scopes = {
            "clause": ctx.text[ctx.clause_start : ctx.start],
            "sentence": ctx.text[ctx.sentence_start : ctx.start],
            "after": ctx.text[ctx.end : ctx.clause_end],
        }
        for pattern, metrics, qualifiers, rule_scopes, kind in self._kind_checks:
            if metrics and metric not in metrics:
                continue
            if qualifiers and qualifier not in qualifiers:
                continue
            if any(pattern.search(scopes[scope]) for scope in rule_scopes):
                return kind
        return default

    def is_plan(self, title: str) -> bool:
        return bool(self._plan_title and self._plan_title.search(title))

    def named_plans(self, text: str) -> tuple[list[int], list[int]]:
        """(end offsets, end years) of the plans the text names with their years (《…行动计划(2023-2025年)》), in order."""
        ends, years = [], []
        for match in self._named_plan.finditer(text):
            name = match.group("name")
            if self._plan_title and self._plan_title.search(name):
                stated = [year_number(year.group("year")) for year in _YEAR.finditer(name)]
                if stated:
                    ends.append(match.end())
                    years.append(max(stated))
        return ends, years

    def sections(self, text: str, segments: Segments) -> list[Section]:
        """Every heading line and bullet list, in order: whether it holds targets, and its figures' year.

        A heading's year is the one stated by the innermost heading above
        (itself included) that states one; a heading closes the sections of its
        own level and deeper, so 二、下一步工作 ends 一、2023年工作情况 but （一）… does
        not. A bullet list (——…) takes a target cue and a year from its lead, the
        line before it (主要目标为到2025年，…), and gives the section back after it.
        """
        found: list[Section] = []
        above: list[tuple[int, bool, int | None]] = []  # (level, states a year, the year) of the open headings
        lead = ""  # the last line that is neither empty nor a bullet
        enclosing: Section | None = None  # the section a bullet list interrupts, while in one
        for start in segments.line_starts:
            line_end = text.find("\n", start)
            line = text[start : line_end if line_end >= 0 else len(text)]
            if self._bullet.search(line):
                if enclosing is None:
                    enclosing = found[-1] if found else Section(start, False, None)
                    states, year = _heading_year(lead)
                    is_target = enclosing.is_target or bool(self._target_cue.search(lead))
                    found.append(Section(start, is_target, year if states else enclosing.year))
                continue
            if not line.strip():
                continue
            if enclosing is not None:  # the list has ended
                found.append(Section(start, enclosing.is_target, enclosing.year))
                enclosing = None
            lead = line
            if len(line) > 40:
                continue
            level = next((i for i, pattern in enumerate(self._heading_levels) if pattern.search(line)), None)
            if level is None:
                continue
            while above and above[-1][0] >= level:
                above.pop()
            above.append((level, *_heading_year(line)))
            year = next((year for _, states, year in reversed(above) if states), None)
            is_target = bool(self._target_heading and self._target_heading.search(line))
            found.append(Section(start, is_target, year))
        return found


def _heading_year(line: str) -> tuple[bool, int | None]:
    """(whether the heading states a year, the year): its last year, none for 2018年以来 (a period, not a year)."""
    last = None
    for last in _YEAR.finditer(line):
        pass
    if last is None:
        return False, None
    return True, None if _SINCE.match(line, last.end()) else year_number(last.group("year"))


def clause_bounds(text: str, start: int, end: int, sentence_start: int, sentence_end: int, breaks: regex.Pattern) -> tuple[int, int]:
    """The clause around [start, end): from the last break before it to the first after it, within the sentence."""
    clause_start = sentence_start
    for match in breaks.finditer(text, sentence_start, start):
        clause_start = match.end()
    match = breaks.search(text, end, sentence_end)
    clause_end = match.start() if match else sentence_end
    return clause_start, clause_end
