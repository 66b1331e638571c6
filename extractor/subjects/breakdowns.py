"""A breakdown's items: each with its place and the measure it breaks down.

小微企业贷款主要投向甲市（3.1万亿元）、乙市（2.2万亿元） -> 甲市小微企业贷款;
A、B两项分别为18.2%和47.5% -> A, B; the metric is read from the measure.
"""

from __future__ import annotations

from ..attribution import ClaimContext
from .rules import SubjectRules
from .spans import CLAUSE_BREAK, RESPECTIVELY, STRIP, Earlier, Piece, Subject, before_bracket, stripped

# What separates the items of an inline breakdown from each other: list marks and the brackets around figures.
_ITEM_MARKS = " \t\u3000、，,（()）:：和及与與或"


class Breakdowns:
    """Items paired with a run of figures (A、B分别…) and items written before their figure after a verb of
    breakdown (主要投向甲市（3.1万亿元）、乙市…)."""

    def __init__(self, rules: SubjectRules):
        self.rules = rules

    def breakdown(self, ctx: ClaimContext, earlier: list[Earlier],
                   paired: tuple[list[tuple[int, int]], int] | None) -> Subject | None:
        """A breakdown's item with the measure it breaks down: paired in order with the items written before
        分别, or written right before its figure after a verb of breakdown (主要投向甲市（3.1万亿元）、乙市…)."""
        if paired is not None:
            found = self._paired(ctx, earlier, *paired)
            if found:
                return found
        return self._inline_item(ctx, earlier)

    def _paired(self, ctx: ClaimContext, earlier: list[Earlier], items: list[tuple[int, int]], place: int) -> Subject | None:
        """Item `place` of A、B分别…: A and B, each with what the list shares (the measure before a verb of
        breakdown, a measure written once after the last item, the noun a tier word stands for, the head of a
        first item for a bare measure after it) and what its run of figures is (分别占…, 分别比…高)."""
        text = ctx.text
        spans = list(items)
        measure_before = measure_after = None  # what the items share, written before the first or after the last
        first_start, first_end = spans[0]
        verb = self.rules.breakdown_verb.search(text, first_start, first_end)
        if verb:  # 新增小微企业贷款集中在东城市、西岭市，分别为…
            measure_before = self.rules.trim(text, first_start, verb.start())
            spans[0] = (verb.end(), first_end)
        last_start, last_end = spans[-1]
        count = self.rules.item_count.search(text, last_start, last_end)
        owned = text.find("的", last_start, last_end)
        if count:  # 信用贷款、中长期贷款两项分别为…; …两项政策减免税额分别为…
            measure_after = self.rules.trim(text, count.end(), last_end)
            spans[-1] = (last_start, count.start())
        elif (owned > last_start and "的" not in text[spans[0][0] : spans[0][1]]
              and not self.rules.generic_noun.match(text[owned + 1 : last_end].strip(STRIP))):
            measure_after = stripped(text, owned, last_end, STRIP)  # “小巨人”企业、专精特新企业的营收利润率分别…
            spans[-1] = (last_start, owned)
        else:
            shared = self.rules.shared_measure.search(text, last_start, last_end)
            first = self.rules.trim(text, *spans[0])
            if shared and shared.start() > last_start and not self.rules.shared_measure.search(text, *first):
                begin = shared.start()  # 高技术制造业、装备制造业增加值分别增长…
                head = self.rules.shared_head.search(text, last_start, begin)
                if head and head.start() > last_start and not self.rules.shared_head.search(text, *first):
                    begin = head.start()  # 电子信息、生物医药产业增加值
                measure_after = (begin, last_end)
                spans[-1] = (last_start, begin)
        cores = [self.rules.trim(text, start, end) for start, end in spans]
        if any(end - start < 1 or self.rules.date_prefix.fullmatch(text[start:end]) or self.rules.period_item.match(text[start:end])
               for start, end in cores):
            return None  # 2021年、2022年分别新增…, 比2月和上年同期分别低…: periods, not items
        core = cores[place]
        pieces: tuple[Piece, ...] = (core,)
        last, first = cores[-1], cores[0]
        front = self.rules.modifier_front.match(text[last[0] : last[1]])
        if place < len(cores) - 1 and front and self.rules.modifier_end.search(text, core[0], before_bracket(text, *core)):
            # 国家级、省级专精特新企业分别为…: a tier word stands for the last item's noun
            pieces = (core, (last[0] + front.end(), last[1]))
        elif place > 0 and self.rules.holder_measure.match(text[core[0] : core[1]]):
            head = self.rules.shared_measure.search(text, *first)
            if head and head.start() > first[0]:  # 涉农贷款余额、新增额分别… -> 涉农贷款新增额
                pieces = ((first[0], head.start()), core)
        measure = core  # an item with no measure around it is the measure itself (信用贷款、中长期贷款两项)
        for part in (measure_before, measure_after):
            if part is not None and part[1] > part[0]:
                pieces = (*pieces, part)
                measure = part
        run_measure, tail = self._run_words(ctx, earlier, items[-1][1], place)
        for part in (run_measure, tail):
            if part is not None:
                pieces = (*pieces, part)
        return Subject(pieces, measure=run_measure or measure)

    def _run_words(self, ctx: ClaimContext, earlier: list[Earlier], items_end: int,
                   place: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """What a paired run of figures is of its items, written before the run: the measure in a clause of
        its own after the items' (…两个领域，增加值分别占…), and 分别占全省的 (a share), 分别比规上企业高 (a
        comparison); None for either where it is not written or only says 为 or 增长."""
        text = ctx.text
        run_start = earlier[-place].start if place else ctx.start
        clause_start = start = max(items_end, ctx.sentence_start)
        for mark in CLAUSE_BREAK.finditer(text, clause_start, run_start):
            clause_start = start = mark.end()
        measure = None
        for mark in RESPECTIVELY.finditer(text, clause_start, run_start):
            start = mark.end()
            if clause_start > items_end:
                words = self.rules.trim(text, clause_start, mark.start())
                measure = words if words[1] > words[0] else None
        tail = self.rules.trim(text, start, run_start)
        return measure, tail if tail[1] > tail[0] and self.rules.run_word.match(text[tail[0] : tail[1]]) else None

    def _inline_item(self, ctx: ClaimContext, earlier: list[Earlier]) -> Subject | None:
        """甲市（3.1万亿元）、乙市（2.2万亿元） after 小微企业贷款主要投向: the item before the figure, then the measure."""
        text = ctx.text
        verb = None
        for verb in self.rules.breakdown_verb.finditer(text, ctx.sentence_start, ctx.start):
            pass
        if verb is None or CLAUSE_BREAK.search(text, verb.end(), ctx.start):
            return None
        clause_start = ctx.sentence_start
        for mark in CLAUSE_BREAK.finditer(text, ctx.sentence_start, verb.start()):
            clause_start = mark.end()
        measure = self.rules.trim(text, clause_start, verb.start())
        start = max(verb.end(), earlier[-1].end if earlier else verb.end())
        end = ctx.start
        while start < end and text[start] in _ITEM_MARKS:
            start += 1
        while end > start and text[end - 1] in _ITEM_MARKS:
            end -= 1
        item = self.rules.trim(text, start, end)
        if item[1] - item[0] < 1 or measure[1] - measure[0] < 2:
            return None
        return Subject((item, measure), measure=measure)
