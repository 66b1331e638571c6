"""Attribution: what a claim measures (metric), of what (subject) and in
which programme. These read the claim's own sentence and clause; the word
lists live in rules/ (metrics, subjects, programs). Tier, kind and year read
the whole document and have modules of their own (tiers, kinds, years).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from .ruleset import RuleSet, words_pattern

# A subject does not reach back past a year inside it: 省厅公布的2022年度最佳应用 -> 最佳应用.
_AFTER_LAST_YEAR = regex.compile(r"^.*(?:19|20)\d{2}\s*年度?(?:以来|以來)?(?=[^，,；;。]{2,}$)")
# 对A、B和C分别给予: the recipients of an enumeration of amounts.
_RESPECTIVELY = regex.compile(r"(?:对|對|为|為)(?P<items>[^，,；;。：:对對]{2,80}?)[，,]?\s*(?:分别|分別)[^，,；;。]{0,8}$")
_RECIPIENT = regex.compile(r"(?:对|對)(?P<who>[^，,；;。：:对對]{2,40}?)[，,][^，,；;。]{0,10}$")
_LIST_SEPARATOR = regex.compile(r"、|和|及|与|與|(?<=[”」])(?=[“「])")


@dataclass(frozen=True)
class ClaimContext:
    """Where a claim sits: its span, its sentence and its clause (offsets into `text`)."""

    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    clause_start: int
    clause_end: int


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
        # 规模以上 is a threshold, not the 规模 of the quantity before: 规模以上工业增加值 starts a subject of its own.
        self._continuation = re.compile(f"^(?:{words_pattern(subjects.get('continuation', []))})(?!以上|以下)")
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
        self.program_rules = [(rule.pattern, rule.get("program")) for rule in ruleset.family("programs")]

    # -- metric ---------------------------------------------------------------
    def metric(self, ctx: ClaimContext, unit_class: str, fixed: str | None) -> str:
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
    def subject(self, ctx: ClaimContext, earlier: list[tuple[int, str, str]], unit_class: str,
                recipients: list[str], listed: bool) -> tuple[str, bool]:
        """(subject, inherited) of a claim, given (end, subject, unit class) of the earlier claims of its sentence.

        The recipients of 对A、B和C分别给予X、Y、Z pair one by one with the
        amounts of the list (`recipients` holds those still to pair; `listed`:
        the claim follows the previous one with only a list mark between).
        """
        subject, inherited = self._subject(ctx, earlier, unit_class)
        if not (recipients and listed):
            recipients[:] = self.enumeration_items(ctx)
        return (recipients.pop(0) if recipients else subject), inherited

    def _subject(self, ctx: ClaimContext, earlier: list[tuple[int, str, str]], unit_class: str) -> tuple[str, bool]:
        """(subject, inherited), from the claim's clause; see rules/subjects.toml.

        In order: a recipient named since the previous figure (对…企业，给予50万元); a number that modifies the noun after it
        (推荐44家企业申报, 实施15个省级数字化转型项目) takes that noun phrase; a
        clause with no subject of its own (同比增长7.93%, 总数达到360家,
        居全省前5位) continues the previous claim's subject (a growth rate: the
        last quantity's); otherwise the words before the number.
        """
        since = earlier[-1][0] if earlier else ctx.sentence_start
        previous = [(subject, unit) for _, subject, unit in earlier]
        raw = ctx.text[max(ctx.clause_start, since) : ctx.start]
        if raw.lstrip().startswith("的"):  # 营业收入过亿元的工业企业: the earlier number is part of it
            raw = ctx.text[ctx.clause_start : ctx.start]
        phrase = self.trim(_AFTER_LAST_YEAR.sub("", raw))
        if "等" in phrase[:-2] and ctx.text[ctx.clause_start - 1 : ctx.clause_start] == "、":
            # the last item of a list closed by 等 (…、众创空间等创业创新载体77家): the noun after 等
            phrase = phrase[phrase.rindex("等", 0, len(phrase) - 2) + 1 :]
        if len(phrase) < 2:
            # 对首次认定的企业，一次性给予50万元奖励: the recipient named since the previous figure
            recipient = _RECIPIENT.search(ctx.text, since, ctx.start)
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

    def enumeration_items(self, ctx: ClaimContext) -> list[str]:
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

    # -- programme -----------------------------------------------------------
    def program(self, subject: str) -> str | None:
        """The first programme (most specific first) whose words the subject names."""
        for pattern, program in self.program_rules:
            if pattern.search(subject):
                return program
        return None


def clause_bounds(text: str, start: int, end: int, sentence_start: int, sentence_end: int, breaks: regex.Pattern) -> tuple[int, int]:
    """The clause around [start, end): from the last break before it to the first after it, within the sentence."""
    clause_start = sentence_start
    for match in breaks.finditer(text, sentence_start, start):
        clause_start = match.end()
    match = breaks.search(text, end, sentence_end)
    clause_end = match.start() if match else sentence_end
    return clause_start, clause_end
