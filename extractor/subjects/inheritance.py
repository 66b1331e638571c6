"""A clause with no subject of its own: the previous figure's, or what its sentence or paragraph counts.

同比增长7.93%; 其中国家级9家; 较上年提高2个百分点 of a share, 高于全省增速3个百分点 of a growth rate;
高新技术企业队伍壮大。截至2021年底，全市共有300家 -> 高新技术企业.
"""

from __future__ import annotations

import bisect

import regex

from ..attribution import ClaimContext
from ..contextmodel import DocumentContext
from .rules import SubjectRules
from .spans import CLAUSE_BREAK, Earlier, Subject, drop_front, narrowed, span

# A clause this short with no noun of its own (国家级备案, 新认定) names a kind of the previous count's thing.
_MODIFIER_MAX = 6
# A clause this short with no noun (已办结) does that to the previous count's noun.
_DOING_MAX = 4
# A subset of the previous figure's thing, written between it and the claim: …，其中，X…
_SUBSET = regex.compile(r"其中")


class Inheritance:
    """Subjects taken over from an earlier figure of the sentence, or from the thing the paragraph counts."""

    def __init__(self, rules: SubjectRules):
        self.rules = rules

    def inherited(self, text: str, raw_start: int, ctx_start: int, start: int, end: int, earlier: list[Earlier],
                   unit_class: str, metric: str) -> Subject | None:
        """A clause with no subject of its own (同比增长7.93%, 总数达到360家, 居全省前5位, 由3%降至1%) continues
        the previous figure's subject (a growth rate: the last quantity's); a count that names no noun of its
        own (其中国家级9家, 当年新认定14家, 其中专版108家) counts the previous count's thing."""
        previous = earlier[-1].subject
        words = text[start:end]
        if unit_class == "points":
            difference = self._difference(text, start, end, earlier)
            if difference is not None:
                return difference
        kept = self.rules.kept_word.search(text, raw_start, ctx_start) if end - start < 2 else None
        if kept and unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class:
            # 新增…企业1000家，累计超4000家: the same thing, counted since the start
            front = self.rules.kept_front.match(previous.words(text))
            return Subject((kept.span(), *drop_front(previous.pieces, front.end() if front else 0)), inherited=True,
                           measure=previous.measure)
        if end - start < 2 or self.rules.inherit.match(words):
            if metric == "growth_rate":
                quantities = [item for item in earlier if item.unit_class not in ("percent", "points")]
                if quantities:
                    quantity = quantities[-1]
                    pieces = quantity.subject.pieces
                    if quantity.subject.number is not None:
                        pieces = (*pieces, quantity.subject.number)  # 授信户数…，同比增长13%: as it was written
                    elif quantity.unit_class in ("firm_count", "count") and not self.rules.counted_quantity.search(
                            quantity.subject.words(text)):
                        pieces = (*pieces, "数量")  # the quantity that grows is the number of firms
                    return Subject(pieces, inherited=True)
            return Subject(previous.pieces, inherited=True, number=previous.number)
        if self.rules.continuation.match(words):  # 数量同比增长144%, 占全部企业数量的99%: of the quantity itself
            quantities = [item for item in earlier if item.unit_class not in ("percent", "points")]
            base = quantities[-1].subject if unit_class in ("percent", "points") and quantities else previous
            if base.words(text).endswith(words):  # …占比80%，占比80-90%的: the same share again
                return Subject(base.pieces, inherited=True)
            return Subject((*base.pieces, (start, end)), inherited=True)
        counted = self.rules.counted_noun.get(unit_class, self.rules.counted_noun["other"])
        if (unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class and end - start <= _MODIFIER_MAX
                and not counted.search(words) and (self.rules.modifier_front.search(words) or self.rules.kept_prefix.search(words)
                                                   or _SUBSET.search(text, earlier[-1].end, start))):
            # a tier of its own replaces the previous thing's: 省级…企业46家，其中国家级9家 -> 国家级…企业
            front = self.rules.modifier_front.match(previous.words(text)) if self.rules.modifier_front.search(words) else None
            return Subject(((start, end), *drop_front(previous.pieces, front.end() if front else 0)), inherited=True,
                           measure=previous.measure)
        if (unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class and end - start <= _DOING_MAX
                and not counted.search(words)):
            head = self.rules.last_head.search(previous.words(text))  # 收集问题633个，已办结200个 -> 办结问题
            if head:
                return Subject(((start, end), *drop_front(previous.pieces, head.start())), inherited=True,
                               measure=previous.measure)
        names_own = counted.search(words) if unit_class in ("firm_count", "count") else self.rules.shared_measure.search(words)
        if _SUBSET.search(text, earlier[-1].end, start) and earlier[-1].unit_class == unit_class and not names_own:
            # 制造业中长期贷款余额增长54%，其中，高技术制造业增长159% -> 高技术制造业中长期贷款余额
            narrowed_at = narrowed(words, previous.words(text))
            if narrowed_at:
                return Subject(((start, end), *drop_front(previous.pieces, narrowed_at)), inherited=True)
        return None

    def _difference(self, text: str, start: int, end: int, earlier: list[Earlier]) -> Subject | None:
        """A difference in points is of the figure before it: a share or a rate itself (占比…，较上年提高1.9个
        百分点); a growth rate's 增速, with what it is compared with (增长18%，高于全省平均增速6个百分点)."""
        words = text[start:end]
        compared = bool(self.rules.comparison.match(words))
        if end - start >= 2 and not compared and not self.rules.inherit.match(words):
            return None
        before = [item for item in earlier if item.unit_class not in ("duration", "rank")]
        if not before or before[-1].unit_class != "percent":
            return None
        previous = before[-1]
        if previous.metric != "growth_rate":
            return Subject(previous.subject.pieces, inherited=True)
        pieces = previous.subject.pieces
        if not self.rules.growth_named.search(previous.subject.words(text)):
            pieces = (*pieces, "增速")
        return Subject((*pieces, (start, end)) if compared else pieces, inherited=True)

    def counted_in_context(self, ctx: ClaimContext, document: DocumentContext, unit_class: str) -> Subject | None:
        """What a clause with no words counts: the thing its sentence named before it, else the last its
        paragraph named (高新技术企业队伍持续壮大。截至2021年底，全市共有300家), nearest first.
        The whole clauses between two breaks are read once per document (`_named_before`), so a paragraph of
        thousands of bare figures costs one pass, not one per figure."""
        kind = "firm_count" if unit_class == "firm_count" else "other"
        paragraph_start = document.paragraph_at(ctx.start)[0]
        breaks = document.lookups.get("clause_breaks")
        if breaks is None:
            breaks = document.lookups["clause_breaks"] = [match.end() for match in CLAUSE_BREAK.finditer(ctx.text)]
        first = bisect.bisect_right(breaks, paragraph_start)  # the paragraph's breaks before the clause: first..last
        last = bisect.bisect_right(breaks, ctx.clause_start) - 1
        if last < first:
            return self._counted_in_clause(ctx.text, kind, paragraph_start, ctx.clause_start)
        found = self._counted_in_clause(ctx.text, kind, breaks[last], ctx.clause_start)
        if found is None:
            found = self._named_before(ctx.text, document, breaks, kind, first, last)
        return found or self._counted_in_clause(ctx.text, kind, paragraph_start, breaks[first])

    def _named_before(self, text: str, document: DocumentContext, breaks: list[int], kind: str, first: int,
                      last: int) -> Subject | None:
        """The counted thing of the nearest whole clause between breaks `first` and `last` that names one.
        `nearest[i]` is the index of the nearest such clause ending at or before break first + i + 1."""
        found, nearest = document.lookups.setdefault(("counted", kind, first), ({}, []))
        for index in range(first + len(nearest), last):
            subject = self._counted_in_clause(text, kind, breaks[index], breaks[index + 1])
            if subject is not None:
                found[index] = subject
            nearest.append(index if subject is not None else nearest[-1] if nearest else -1)
        index = nearest[last - 1 - first] if last > first else -1
        return found[index] if index >= first else None

    def _counted_in_clause(self, text: str, kind: str, clause_start: int, clause_end: int) -> Subject | None:
        skip = self.rules.context_skip.match(text[clause_start:clause_end])
        found = self.rules.counted_phrase[kind].search(text, clause_start + (skip.end() if skip else 0), clause_end)
        if found:  # 高新技术企业队伍持续壮大 -> 高新技术企业
            words = self.rules.trim(text, *found.span())
            if words[1] - words[0] >= 2:  # what it counts is named there: so is the measure (孵化器 are no firms)
                return Subject(span(*words), inherited=True, measure=words)
        return None
