"""What a subject read in its own clause leaves out: the holder of a bare measure, the policy that brings
relief, the measure of an item growing in parallel, the whole a share is of.

科技型企业…获贷率为48% -> 科技型企业获贷率; …政策，新增减税14亿元 -> …政策新增减税.
"""

from __future__ import annotations

from dataclasses import replace

import regex

from ..attribution import ClaimContext
from .rules import SubjectRules
from .spans import CLAUSE_BREAK, DIGIT, Earlier, Subject, drop_front, take_front

# An item growing in parallel with the one before is a short name (制造业, 民营企业), not a clause.
_ITEM_MAX = 12
# The holder a sentence opens with is a short noun phrase; a longer run is a clause of its own.
_HOLDER_MAX = 20
# A bracketed gloss: its words explain the subject, they do not make it a share (首贷率（首次获贷户数占比）).
_BRACKETED = regex.compile(r"[（(][^（()）]*[)）]")


class Holders:
    """Adds to a subject read in the claim's own clause what the sentence around it says of it."""

    def __init__(self, rules: SubjectRules):
        self.rules = rules

    def with_holder(self, ctx: ClaimContext, earlier: list[Earlier], subject: Subject) -> Subject:
        """A bare measure (营业收入, 获贷率, 户均专利, 拉动经济增长) keeps its holder: one written after a
        threshold, the count it is listed with, the firms the sentence counted first, the thing of an amount
        before it (涉农贷款余额…，新增额…), else the first holder of the nearest clause that names one
        (科技型中小企业…，获贷率为46%)."""
        text = ctx.text
        first = subject.pieces[0] if subject.pieces else None
        if not isinstance(first, tuple):
            return subject
        words = subject.words(text)
        measured = self.rules.holder_measure.match(text[first[0] : first[1]]) or self.rules.holder_measure_end.search(words)
        # 主营业务收入占规上工业企业比重: the firms after 占 are what it is compared with, not its holder
        if not self.rules.needs_holder.search(words) and (not measured or self.rules.holder_noun.search(self.rules.share_word.split(words)[0])):
            return subject
        after = self.rules.holder_after.match(text, ctx.end, ctx.clause_end)
        if after:  # 营业收入过亿元的工业企业: the holder written after the threshold
            return Subject((self.rules.trim(text, *after.span("holder")), *subject.pieces), measure=subject.measure)
        if earlier and earlier[-1].unit_class in ("firm_count", "count") and not CLAUSE_BREAK.search(
                text, earlier[-1].end, first[0]):  # 引进产业项目126个、总投资830亿元: the count it is listed with
            return Subject((*earlier[-1].subject.pieces, *subject.pieces), measure=subject.measure)
        for item in earlier:  # 规上工业企业1241家，实现营业收入…: the firms counted first (not a subset after 其中)
            if item.unit_class == "firm_count" and self.rules.holder_noun.search(item.subject.words(text)):
                return Subject((*item.subject.pieces, *subject.pieces), measure=subject.measure)
        for item in reversed(earlier):  # 涉农贷款余额1.8万亿元，…，新增额… -> 涉农贷款新增额
            words = item.subject.words(text)
            head = self.rules.shared_measure.search(words)
            if item.unit_class == "money" and head and head.start() >= 2:
                return Subject((*take_front(item.subject.pieces, head.start()), *subject.pieces), measure=subject.measure)
        marks = [mark.end() for mark in CLAUSE_BREAK.finditer(text, ctx.sentence_start, ctx.clause_start)]
        for clause_start, clause_end in zip(reversed([ctx.sentence_start] + marks[:-1]), reversed(marks)):
            found = self.rules.holder_phrase.match(text, clause_start, clause_end)
            if found:  # 科技型中小企业融资覆盖面持续扩大，获贷率为46%: the holder its sentence named last
                holder = self.rules.trim(text, found.start(), found.end())
                if (2 <= holder[1] - holder[0] <= _HOLDER_MAX and not DIGIT.search(text, *holder)
                        and not self.rules.urging.match(text[holder[0] : holder[1]])):  # not 大力支持企业…: a call, no holder
                    return Subject((holder, *subject.pieces), measure=subject.measure)
        return subject

    def with_policy(self, ctx: ClaimContext, earlier: list[Earlier], subject: Subject) -> Subject:
        """Relief a policy brings (“六税两费”减半征收政策，新增减税降费9.2亿元): the policy named in the clause
        before, with the relief."""
        text = ctx.text
        words = subject.words(text)
        if not self.rules.relief.search(words) or self.rules.policy_end.search(words):
            return subject
        since = max(ctx.sentence_start, earlier[-1].end if earlier else 0)
        marks = [mark.end() for mark in CLAUSE_BREAK.finditer(text, since, ctx.clause_start)]
        if not marks:
            return subject
        clause = self.rules.trim(text, marks[-2] if len(marks) >= 2 else since, marks[-1] - 1)
        if clause[1] - clause[0] < 2 or not self.rules.policy_end.search(text, *clause) or DIGIT.search(text, *clause):
            return subject
        return replace(subject, pieces=(clause, *subject.pieces))

    def parallel_measure(self, text: str, earlier: list[Earlier], subject: Subject) -> Subject:
        """采矿业增加值下降2.6%，制造业增长8.1% -> 制造业增加值: an item growing in parallel with the one before
        takes the measure that one named, when it names none."""
        words = subject.words(text)
        if (not words or len(words) > _ITEM_MAX or self.rules.shared_measure.search(words) or self.rules.holder_measure.match(words)
                or self.rules.needs_holder.search(words)
                or self.rules.holder_noun.search(words) and not self.rules.holder_noun.search(words[-2:])):
            return subject
        for item in reversed(earlier):
            if item.unit_class == "percent" and item.metric == "growth_rate":
                measure = self.rules.shared_measure.search(item.subject.words(text))
                if measure and measure.start() > 0:
                    return replace(subject, pieces=(*subject.pieces, *drop_front(item.subject.pieces, measure.start())))
                return subject
        return subject

    def quantity_named(self, text: str, subject: Subject, metric: str) -> Subject:
        """A share names what it is a share of: 中小企业占全部企业数量 -> …的比重; the words of a gloss in
        brackets are not read (首贷率（首次获贷户数占比） is a rate, not a share of it)."""
        if metric != "share":
            return subject
        words = subject.words(text)
        unglossed = _BRACKETED.sub("", words)
        if not self.rules.share_word.search(unglossed) or self.rules.share_named.search(unglossed):
            return subject
        return replace(subject, pieces=(*subject.pieces, "比重" if words.endswith("的") else "的比重"))
