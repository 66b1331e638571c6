"""The subject of a claim: the order in which its readers are asked (see the package's docstring)."""

from __future__ import annotations

from dataclasses import replace

import regex

from ..attribution import ClaimContext
from ..contextmodel import DocumentContext
from ..ruleset import RuleSet
from .breakdowns import Breakdowns
from .holders import Holders
from .inheritance import Inheritance
from .rules import SubjectRules
from .spans import CLAUSE_BREAK, DIGIT, RESPECTIVELY, STRIP, Earlier, Piece, Subject, before_figure, span, stripped

# A subject does not reach back past a year inside it: 省厅公布的2022年度最佳应用 -> 最佳应用.
_AFTER_LAST_YEAR = regex.compile(r"^.*(?:19|20)\d{2}\s*年度?(?:以来|以來)?(?=[^，,；;。]{2,}$)")
# 对首次认定的企业，一次性给予50万元: the recipient named before the amount.
_RECIPIENT = regex.compile(r"(?:对|對)(?P<who>[^，,；;。：:对對]{2,40}?)[，,][^，,；;。]{0,10}$")
# Items of a list that share one figure are names, not clauses (电力、热力、燃气及水生产和供应业增长5.4%).
_LIST_ITEM_MARK = regex.compile(r"、")
_LIST_ITEM_MAX = 10
# The longest subject read from a clause's own words (a list of items may be long; a run-on clause is cut).
_PHRASE_MAX = 40
# The previous figure was the first of a list of counted nouns: 12个特色产业集群和30条重点产业链.
_LIST_MARK_END = regex.compile(r"(?:、|和|及|与|與|以及)$")
# Where the base of a rate ends: 按担保总额的1%, 按担保总额，给予1%.
_BASE_CLAUSE_END = regex.compile(r"[，,；;：:]")


class SubjectResolver:
    """The subject rules of one rule set, compiled once, and the order they are asked in."""

    def __init__(self, ruleset: RuleSet):
        self.rules = SubjectRules(ruleset)
        self.breakdowns = Breakdowns(self.rules)
        self.holders = Holders(self.rules)
        self.inheritance = Inheritance(self.rules)

    def resolve(self, ctx: ClaimContext, document: DocumentContext, earlier: list[Earlier], unit_class: str,
                metric: str, paired: tuple[list[tuple[int, int]], int] | None) -> Subject:
        """The subject of a claim, given the figures before it in its sentence and the list it is paired with."""
        subject = self.breakdowns.breakdown(ctx, earlier, paired) or self._clause_subject(ctx, document, earlier, unit_class, metric)
        if not subject.inherited and not subject.counted_noun:
            own = subject.pieces
            subject = self.holders.with_policy(ctx, earlier, self.holders.with_holder(ctx, earlier, subject))
            if subject.pieces != own:
                subject = replace(subject, own=own)
        if unit_class in ("percent", "points"):
            subject = self.holders.quantity_named(ctx.text, subject, metric)
            if unit_class == "percent" and metric == "growth_rate" and not subject.inherited:
                subject = self.holders.parallel_measure(ctx.text, earlier, subject)
        if not subject:  # never empty: the words before the number as written
            words = stripped(ctx.text, max(ctx.clause_start, earlier[-1].end if earlier else 0), ctx.start, STRIP)
            subject = Subject(span(*words)) if words[1] > words[0] else Subject(span(*stripped(
                ctx.text, ctx.end, ctx.clause_end, STRIP)))
        return subject

    def _clause_subject(self, ctx: ClaimContext, document: DocumentContext, earlier: list[Earlier], unit_class: str,
                        metric: str) -> Subject:
        """The subject from the claim's own clause, else from the figure before it, else from its sentence and paragraph."""
        text = ctx.text
        since = earlier[-1].end if earlier else ctx.sentence_start
        raw_start = start = _own_words_start(ctx, since)
        year = _AFTER_LAST_YEAR.match(text[start : ctx.start])
        start, end = self.rules.trim(text, start + (year.end() if year else 0), ctx.start)
        number = None
        if unit_class in ("firm_count", "count"):  # 授信户数5935万户 -> 授信户: the thing counted, not its number
            found = self.rules.number_word.search(text, start, end)
            if found and found.start() - start >= 2:
                number = (found.start() + (1 if found.group() in ("户数", "戶數") else 0), end)
                end = number[0]
        if unit_class == "rank":  # 活动成效排名六区第二: the thing ranked, not the ranking
            listed = self._ranking_list(text, start, ctx)
            if listed is not None:
                return listed
            cut = self.rules.rank_verb.search(text, start, end)
            if cut:
                ranked = self.rules.trim(text, start, cut.start())
                start, end = ranked if ranked[1] - ranked[0] >= 2 else stripped(text, start, cut.start(), STRIP)
        elif metric == "rate":  # 省级财政按其年度贷款发放额的1‰, 按担保总额，给予1%的补贴: the base of the rate
            base = self._rate_base_words(text, since, ctx.start)
            if base is not None:
                start, end = base
        if "等" in text[start : end - 2] and text[ctx.clause_start - 1 : ctx.clause_start] == "、":
            # the last item of a list closed by 等 (…、众创空间等创业创新载体77家): the noun after 等
            start = text.rindex("等", start, end - 2) + 1
        if end - start < 2:
            # 对首次认定的企业，一次性给予50万元奖励: the recipient named since the previous figure
            recipient = _RECIPIENT.search(text, since, ctx.start)
            if recipient:
                return Subject(span(*self.rules.trim(text, *recipient.span("who"))))
        if metric == "subsidy" and not self.rules.holder_noun.search(text, start, end):
            # 对在科创板上市的企业，区财政给予500万元奖励: a subsidy's subject is its recipient, not its payer
            recipient = self._recipient_clause(text, ctx.sentence_start, ctx.clause_start)
            if recipient is not None:
                return Subject(span(*recipient))
        following = self._following_noun(ctx, earlier, unit_class, metric, raw_start, start, end)
        if following:
            return following
        if earlier:
            inherited = self.inheritance.inherited(text, raw_start, ctx.start, start, end, earlier, unit_class, metric)
            if inherited:
                return inherited
        if end - start < 2:
            return self._without_own_words(ctx, document, unit_class)
        start = stripped(text, max(start, end - _PHRASE_MAX), end, STRIP)[0]
        listed = self._listed_prefix(text, earlier, unit_class, start, end, number[1] if number else ctx.start)
        return Subject((*listed, *self._without_inner_verb(text, start, end)), number=number)

    def _without_own_words(self, ctx: ClaimContext, document: DocumentContext, unit_class: str) -> Subject:
        """A clause with no words before its number: the words after it, else what its sentence or paragraph counts."""
        after = self.rules.trim(ctx.text, ctx.end, ctx.clause_end)
        after = (after[0], min(after[1], after[0] + 20))
        if after[1] - after[0] < 2 and unit_class in ("firm_count", "count"):
            found = self.inheritance.counted_in_context(ctx, document, unit_class)
            if found:
                return found
        return Subject(span(*after))

    def _without_inner_verb(self, text: str, start: int, end: int) -> tuple[Piece, ...]:
        """民营经济实现增加值 -> 民营经济增加值: a holder and its measure, without the verb between them."""
        inner = self.rules.inner_verb.search(text, start, end)
        if inner is None or inner.start() == start or not self.rules.holder_measure.match(text[inner.end() : end]):
            return span(start, end)
        return ((start, inner.start()), (inner.end(), end))

    def _listed_prefix(self, text: str, earlier: list[Earlier], unit_class: str, start: int, end: int,
                       number: int) -> tuple[Piece, ...]:
        """累计培育A 300家和B 1500家，C 1万家: the verb before the first item holds for the items listed after
        it, when they name only their thing (no verb of their own: 累计建成A 516家，培育B 1633家 -> 培育B)."""
        if (not earlier or text[earlier[-1].end : start].strip(STRIP + "和及与與以上以下左右多余")
                or stripped(text, start, number, STRIP)[1] != end or self.rules.kept_front.match(text[start:end])
                or self.rules.own_verb_front.match(text[start:end])):
            return ()
        for item in reversed(earlier):
            if item.unit_class != unit_class or item.subject.inherited:
                return ()
            first = item.subject.pieces[0] if item.subject.pieces else None
            if isinstance(first, tuple):  # the nearest item's verb holds, or none does
                kept = self.rules.kept_front.match(text[first[0] : first[1]])
                return ((first[0], first[0] + kept.end()),) if kept else ()
        return ()

    def _following_noun(self, ctx: ClaimContext, earlier: list[Earlier], unit_class: str, metric: str, raw_start: int,
                        start: int, end: int) -> Subject | None:
        """A number before a noun counts it (推荐44家企业申报, 实施15个省级数字化转型项目, 为595家企业提供担保,
        16个集群和50条产业链): the noun phrase after the unit, with a 新增 or 累计 written before the number,
        and what they do after it (for a bare 企业, or when a verb of doing ends the noun)."""
        text = ctx.text
        if unit_class == "percent" and end - start <= 3 and not self.rules.change_verb.search(text, raw_start, ctx.start):
            return self._share_of_following(ctx)
        if unit_class not in self.rules.prenominal_classes:
            return None
        phrase_after = self.rules.money_noun_phrase if unit_class == "money" else self.rules.head_noun_phrase
        stop = self.rules.noun_stop.search(text, ctx.end, ctx.clause_end)  # 58家骨干企业获得…贷款: not to the 贷款
        following = phrase_after.match(text, ctx.end, stop.start() if stop else ctx.clause_end)
        if not following:
            return None
        raw_end = stripped(text, raw_start, ctx.start, STRIP)[1]
        listed = bool(earlier) and earlier[-1].subject.counted_noun and bool(_LIST_MARK_END.search(text, raw_start, raw_end))
        if not (end - start <= 3 or listed or self.rules.verb_before_number.search(text, start, end)
                or self.rules.verb_before_number.search(text, raw_start, raw_end)):
            return None
        noun = following.span("noun")
        pieces: tuple[Piece, ...] = (noun,)
        kept = self.rules.kept_prefix.search(text, start, end)
        if kept:  # 累计培育1500家…企业: the prefix stays (docs/claims.md §7)
            pieces = (kept.span(), noun)
        # 推动27家企业开展智能化改造 -> 开展智能化改造的企业; 4家担保公司获得补助资金 -> 获得补助资金的担保公司
        generic = bool(self.rules.generic_noun.match(text[noun[0] : noun[1]]))
        doing = self._doing(text, noun[1], ctx.clause_end) if stop or generic else None
        if doing is not None and (generic or doing[1] - doing[0] > 2):  # not a bare verb: 36个单项冠军产品入选
            return Subject((*pieces[:-1], doing, "的", noun), counted_noun=True)
        return Subject(pieces, counted_noun=True)

    def _doing(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """What the things a number counts do, written after them: 企业开展智能化改造; 为3.5万家企业减轻负担7091万元
        -> 减轻负担 (not 384家企业出口总额达1217亿元: a measure of the firms, with its own figure)."""
        doing = stripped(text, start, before_figure(text, start, end), STRIP + "了等")
        if doing[1] - doing[0] < 2 or self.rules.trailing.search(text[doing[0] : doing[1]]):
            return None
        return doing

    def _share_of_following(self, ctx: ClaimContext) -> Subject | None:
        """A share of firms written before them (约四成中小企业盼政府拓宽融资渠道, 40%的企业…): the firms that
        do so, as a proportion."""
        text = ctx.text
        following = self.rules.first_noun_phrase.match(text, ctx.end, ctx.clause_end)
        if not following:
            return None
        noun = following.span("noun")
        doing = self._doing(text, noun[1], ctx.clause_end)
        pieces: tuple[Piece, ...] = (doing, "的", noun) if doing is not None else (noun,)
        return Subject((*pieces, "比例"), proportion=True)

    def _recipient_clause(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The nearest clause before `end` that names a recipient (对…企业，; …上市的，; 获得…奖的企业，), passing
        over conditions (视任务完成情况，) and the clauses of figures paid to others (一等奖奖励50万元，二等奖奖励…)."""
        marks = [mark.end() for mark in CLAUSE_BREAK.finditer(text, start, end)]
        for clause_start, clause_end in zip(reversed([start] + marks[:-1]), reversed(marks)):
            skip = self.rules.context_skip.match(text[clause_start : clause_end - 1])  # 六、对…企业，
            begin = clause_start + (skip.end() if skip else 0)
            found = self.rules.recipient.match(text[begin : clause_end - 1])
            if found:
                return self.rules.trim(text, begin + found.start("who"), begin + found.end("who"))
        return None

    def _ranking_list(self, text: str, start: int, ctx: ClaimContext) -> Subject | None:
        """A place on a list (进入财富世界500强, 位列“全球工程机械50强”): the list, named with its size."""
        if not self.rules.list_rank.search(text[ctx.start : ctx.end]):
            return None
        joined = None
        for joined in self.rules.joins_list.finditer(text, start, ctx.start):
            pass
        if joined is None:
            return None
        name = stripped(text, joined.end(), ctx.start, STRIP + "“”\"「」")
        return Subject(((name[0], ctx.start), (ctx.start, ctx.end))) if name[1] > name[0] else None

    def _rate_base_words(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The base a rate is paid on, written after 按 since the previous figure: to the end of its clause
        (按符合条件的担保总额，给予1%), else to the 的 before the rate (按担保总额的1%)."""
        base = None
        for base in self.rules.rate_base.finditer(text, start, end):
            pass
        if base is None:
            return None
        stop = _BASE_CLAUSE_END.search(text, base.end(), end)
        last_of = text.rfind("的", base.end(), end)
        words = self.rules.trim(text, base.end(), stop.start() if stop else (last_of if last_of > base.end() else end))
        return words if words[1] - words[0] >= 2 else None

    def counts_firms(self, text: str, subject: Subject, unit: str) -> bool:
        """Whether a count in 个 counts firms: the noun after it names them (培育5-6个百亿级企业)."""
        return unit in self.rules.firm_units and subject.counted_noun and bool(self.rules.firm_head.search(subject.words(text)))


def _short_items(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is items of a list (电力、热力、), not clauses of their own (…不高于…水平、): each
    short and without a number."""
    items = [item for item in _LIST_ITEM_MARK.split(text[start:end]) if item.strip(STRIP)]
    return bool(items) and all(len(item) <= _LIST_ITEM_MAX and not DIGIT.search(item) for item in items)


def _list_start(text: str, ctx: ClaimContext) -> int:
    """Where the list the claim's clause closes begins: after the last clause mark that is not a list mark."""
    start = ctx.sentence_start
    for mark in CLAUSE_BREAK.finditer(text, ctx.sentence_start, ctx.clause_start):
        start = mark.end()
    return start


def _own_words_start(ctx: ClaimContext, since: int) -> int:
    """Where a claim's own words begin: after the figure before it in its clause, unless that figure is part of
    them (营业收入过亿元的工业企业), or at the start of a list whose items share the figure."""
    text = ctx.text
    start = max(ctx.clause_start, since)
    if text[start : ctx.start].lstrip().startswith("的"):  # 营业收入过亿元的工业企业: the earlier number is part of it
        return ctx.clause_start
    if text[ctx.clause_start - 1 : ctx.clause_start] == "、" and since <= _list_start(text, ctx) and (
            RESPECTIVELY.search(text, start, ctx.start) or _short_items(text, _list_start(text, ctx), ctx.clause_start)):
        # 电力、热力及水生产和供应业增长5.4%, 对A、B分别给予最高50万元: one figure for every item of the list
        return _list_start(text, ctx)
    return start
