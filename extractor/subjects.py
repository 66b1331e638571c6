"""The subject of a figure: what it counts or measures, in the document's own words (docs/claims.md §7).

A subject is read from the words before the number in its clause, and from
further away where they say too little (the order is in `SubjectResolver.resolve`):
  1. a breakdown gives each item its place and the measure it breaks down
     (小微企业贷款主要投向甲市（3.1万亿元）、乙市（2.2万亿元） -> 甲市小微企业贷款;
     A、B两项分别为18.2%和47.5% -> A, B), the metric read from the measure;
  2. a clause's own words, trimmed; for a rank, the thing ranked (not 排名…); for a
     rate, its base (按…的50%); for a subsidy, its recipient (对…，, …上市的，);
  3. a number before a noun counts that noun (培育5-6个百亿级企业 -> 百亿级企业), keeping
     a 新增 or 累计 before it and what the firms do (27家企业开展改造 -> 开展改造的企业);
  4. a clause with no subject of its own continues the previous figure's (同比增长7.93%;
     其中国家级9家; 较上年提高2个百分点 of a share, 高于全省增速3个百分点 of a growth rate);
  5. a clause with no words at all takes what its sentence or paragraph counts
     (高新技术企业队伍壮大。截至2021年底，全市共有300家 -> 高新技术企业);
  6. a bare measure keeps its holder (科技型企业…获贷率为48% -> 科技型企业获贷率), and relief
     the policy that brings it (…政策，新增减税14亿元).
A subject is a sequence of spans of the text, with the few joining words the
text leaves out (的, 数量, 的比重), so the pipeline maps it back to the
document through the normaliser's offset map instead of searching for it.
The words live in rules/subjects.toml.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

import regex

from .attribution import ClaimContext
from .context import DocumentContext
from .ruleset import RuleSet, words_pattern

# A piece of a subject: a span (start, end) of the text, or words the text does not hold.
Piece = tuple[int, int] | str
_STRIP = " \t\u3000、，,"
# A subject does not reach back past a year inside it: 省厅公布的2022年度最佳应用 -> 最佳应用.
_AFTER_LAST_YEAR = regex.compile(r"^.*(?:19|20)\d{2}\s*年度?(?:以来|以來)?(?=[^，,；;。]{2,}$)")
# 对首次认定的企业，一次性给予50万元: the recipient named before the amount.
_RECIPIENT = regex.compile(r"(?:对|對)(?P<who>[^，,；;。：:对對]{2,40}?)[，,][^，,；;。]{0,10}$")
_CLAUSE_BREAK = regex.compile(r"[，,；;。！？!?：:\n]")
_RESPECTIVELY = regex.compile(r"分别|分別|分列")
# What separates the items of an inline breakdown from each other: list marks and the brackets around figures.
_ITEM_MARKS = " \t\u3000、，,（()）:：和及与與或"
# A clause this short with no noun of its own (国家级备案, 新认定) names a kind of the previous count's thing.
_MODIFIER_MAX = 6
# A clause this short with no noun (已办结) does that to the previous count's noun.
_DOING_MAX = 4
# Items of a list that share one figure are names, not clauses (电力、热力、燃气及水生产和供应业增长5.4%).
_LIST_ITEM_MARK = regex.compile(r"、")
_LIST_ITEM_MAX = 10
# The longest subject read from a clause's own words (a list of items may be long; a run-on clause is cut).
_PHRASE_MAX = 40
# An item growing in parallel with the one before is a short name (制造业, 民营企业), not a clause.
_ITEM_MAX = 12
# The holder a sentence opens with is a short noun phrase; a longer run is a clause of its own.
_HOLDER_MAX = 20
_DIGIT = regex.compile(r"\d")
# A figure after a counted noun, outside a quoted name (位列“全球工程机械50强”).
_FIGURE_OUTSIDE_QUOTES = regex.compile(r"(?:“[^“”]*”|\"[^\"]*\"|「[^「」]*」)(*SKIP)(*FAIL)|\d")
# A subset of the previous figure's thing, written between it and the claim: …，其中，X…
_SUBSET = regex.compile(r"其中")
# The previous figure was the first of a list of counted nouns: 12个特色产业集群和30条重点产业链.
_LIST_MARK_END = regex.compile(r"(?:、|和|及|与|與|以及)$")
# Where the base of a rate ends: 按担保总额的1%, 按担保总额，给予1%.
_BASE_CLAUSE_END = regex.compile(r"[，,；;：:]")
_BRACKETED_END = regex.compile(r"[（(][^（()）]*[)）]$")
# A bracketed gloss: its words explain the subject, they do not make it a share (首贷率（首次获贷户数占比）).
_BRACKETED = regex.compile(r"[（(][^（()）]*[)）]")


@dataclass(frozen=True)
class Subject:
    """A claim's subject as pieces of the text. `inherited`: taken over from an earlier figure;
    `measure`: the span naming what is measured where that is not beside the number (a breakdown's shared
    measure, the thing a paragraph counts): the metric reads it;
    `counted_noun`: the noun right after the number, which the number counts; `proportion`: a share of the
    things named after it (四成中小企业认为…); `own`: the pieces read in the claim's own clause, where words
    from elsewhere in the sentence were added (a holder, a policy): the tier reads those only."""

    pieces: tuple[Piece, ...] = ()
    inherited: bool = False
    measure: tuple[int, int] | None = None
    counted_noun: bool = False
    proportion: bool = False
    own: tuple[Piece, ...] | None = None
    number: tuple[int, int] | None = None  # the 数量 or 数 a count's subject left out (授信户数): its growth names it

    def words(self, text: str) -> str:
        return _words(text, self.pieces)

    def own_words(self, text: str) -> str:
        return _words(text, self.own if self.own is not None else self.pieces)

    def __bool__(self) -> bool:
        return any((p[1] > p[0]) if isinstance(p, tuple) else p for p in self.pieces)


@dataclass(frozen=True)
class Earlier:
    """A figure before the claim in its sentence: its span, subject, unit class and metric."""

    start: int
    end: int
    subject: Subject
    unit_class: str
    metric: str


def _span(start: int, end: int) -> tuple[Piece, ...]:
    return ((start, end),) if end > start else ()


class SubjectResolver:
    """The subject rules of one rule set, compiled once."""

    def __init__(self, ruleset: RuleSet):
        subjects = ruleset.tables["subjects"]
        breakdown, holder, context, counted, rank, rate_base, growth, share, recipient, policy, difference = (
            ruleset.rule(f"subject.{name}") for name in ("breakdown", "holder", "context", "counted_noun", "rank", "rate_base",
                                                        "growth_of_count", "share_of", "recipient", "policy", "difference"))

        def words(items: list[str]) -> str:
            return words_pattern(items) or "(?!)"

        def pattern(rule, key: str) -> regex.Pattern:
            return regex.compile(rule[key])

        # The clause's own words, trimmed (top-level lists). Word lists are plain literals: the standard
        # `re` engine finds them several times faster than `regex`.
        self._leading = re.compile(f"^(?:{words(subjects['leading'])})")
        self._trailing = re.compile(f"(?:{words(subjects['trailing'])})$")
        self._unbroken = re.compile(f"^(?:{words(subjects['unbroken'])})")
        self._date_prefix = regex.compile(subjects["frame_prefix"])
        # 规模以上 is a threshold, not the 规模 of the quantity before: 规模以上工业增加值 starts a subject of its own.
        self._continuation = re.compile(f"^(?:{words(subjects['continuation'])})(?!以上|以下)")
        self._inherit = re.compile(f"^(?:{words(subjects['inherit'])})")
        self.prenominal_classes = set(subjects["prenominal_classes"])
        skip, heads = words(subjects["after_unit_skip"]), subjects["head_nouns"]
        self._verb_before_number = re.compile(f"(?:{words(subjects['verbs_before_number'])})$")
        # An item that opens with a verb of its own (培育, 建成; not a one-character 有 or 为, which open names too)
        # does not take the verb of the list before it.
        self._own_verb_front = re.compile(
            f"^(?:{words([verb for verb in subjects['verbs_before_number'] if len(verb) >= 2])})")

        def noun_phrase(nouns: list[str]) -> regex.Pattern:
            return regex.compile(rf"(?:{skip})?(?P<noun>[^，,；;。：:\n、\p{{N}}]{{0,24}}(?:{words(nouns)}))")

        self._head_noun_phrase = noun_phrase(heads)
        # An amount heads a loan or a quota as well (1200亿元支农支小再贷款); a count does not.
        self._money_noun_phrase = noun_phrase(heads + subjects["money_head_nouns"])
        self._last_head = re.compile(f"(?:{words(heads)})$")

        # subject.breakdown
        self._breakdown_verb = regex.compile(words(breakdown["verbs"]))
        self._item_count = pattern(breakdown, "item_count")
        self._period_item = pattern(breakdown, "period_items")
        self._shared_measure = re.compile(f"(?:{words(breakdown['shared_measures'])})$")
        self._shared_head = re.compile(f"(?:{words(breakdown['shared_heads'])})$")
        self._run_word = re.compile(f"^(?:{words(breakdown['run_words'])})")
        modifiers = words(breakdown["modifiers"])
        self._modifier_end = re.compile(f"(?:{modifiers})$")
        self._modifier_front = re.compile(f"^(?:{modifiers})+")

        # subject.holder
        holders = words(holder["holders"])
        self._holder_noun = re.compile(holders)
        self._holder_measure = re.compile(f"^(?:{words(holder['measures'])})")
        self._holder_measure_end = re.compile(f"(?:{words(holder['measures_ending'])})$")
        self._needs_holder = pattern(holder, "always")
        self._urging = re.compile(f"^(?:{words(holder['urging'])})")
        self._inner_verb = regex.compile(words(holder["inner_verbs"]))
        # A clause's words up to its first holder (科技型小微企业 in 科技型小微企业融资覆盖面持续扩大).
        self._holder_phrase = regex.compile(rf"[^，,；;。！？!?：:\n]*?(?:{holders})+")
        self._holder_after = regex.compile(rf"(?:{holder['after']})(?P<holder>[^，,；;。：:\n]{{0,20}}?(?:{holders})+)")
        # The first noun a share is of, right after it: 四成中小企业认为…, 40%的企业….
        self._first_noun_phrase = regex.compile(rf"(?:以上|以下|左右|多)?的?(?P<noun>[^，,；;。：:\n、\p{{N}}的]{{0,12}}?(?:{holders}))")

        # subject.context: the longest run of a clause's words, without a number, that ends in a noun a figure can count.
        firm_heads = words(context["firm_heads"])
        self._counted_phrase = {
            "firm_count": regex.compile(rf"[^，,；;。！？!?：:\n\p{{N}}]*(?:{firm_heads})"),
            "other": regex.compile(rf"[^，,；;。！？!?：:\n\p{{N}}]*(?:{words(heads)})"),
        }
        self._counted_noun = {"firm_count": re.compile(firm_heads), "other": re.compile(words(heads))}
        self._context_skip = pattern(context, "skip")

        # subject.counted_noun
        kept = words(counted["kept_prefixes"])
        self._kept_prefix = re.compile(f"(?:{kept})$")
        self._kept_front = re.compile(f"^(?:{kept})")
        self._kept_word = re.compile(kept)
        self._noun_stop = re.compile(words(counted["noun_stops"]))
        self._change_verb = regex.compile(words(counted["change_verbs"]))
        self._generic_noun = re.compile(f"^(?:{words(counted['generic_nouns'])})$")
        self._firm_head = re.compile(f"(?:{words(counted['firm_heads'])})$")
        self._firm_units = frozenset(counted["firm_units"])

        self._recipient = recipient.pattern or regex.compile("(?!)")
        self._relief = pattern(policy, "relief")
        self._policy_end = pattern(policy, "policy_end")
        self._rank_verb = rank.pattern or regex.compile("(?!)")
        self._list_rank = pattern(rank, "list_rank")
        self._joins_list = regex.compile(words(rank["joins_list"]))
        self._rate_base = rate_base.pattern or regex.compile("(?!)")
        self._comparison = difference.pattern or regex.compile("(?!)")
        self._growth_named = re.compile(f"(?:{words(difference['growth_words'])})$")
        self._counted_quantity = re.compile(f"(?:{words(growth['already'])})$")
        self._number_word = re.compile(f"(?:{words(growth['number_words'])})$")
        self._share_word = pattern(share, "share_word")
        self._share_named = re.compile(f"(?:{words(share['already'])})$")

    # -- the subject ------------------------------------------------------------
    def resolve(self, ctx: ClaimContext, document: DocumentContext, earlier: list[Earlier], unit_class: str,
                metric: str, paired: tuple[list[tuple[int, int]], int] | None) -> Subject:
        """The subject of a claim, given the figures before it in its sentence and the list it is paired with."""
        subject = self._breakdown(ctx, earlier, paired) or self._clause_subject(ctx, document, earlier, unit_class, metric)
        if not subject.inherited and not subject.counted_noun:
            own = subject.pieces
            subject = self._with_policy(ctx, earlier, self._with_holder(ctx, earlier, subject))
            if subject.pieces != own:
                subject = replace(subject, own=own)
        if unit_class in ("percent", "points"):
            subject = self._quantity_named(ctx.text, subject, metric)
            if unit_class == "percent" and metric == "growth_rate" and not subject.inherited:
                subject = self._parallel_measure(ctx.text, earlier, subject)
        if not subject:  # never empty: the words before the number as written
            words = _stripped(ctx.text, max(ctx.clause_start, earlier[-1].end if earlier else 0), ctx.start, _STRIP)
            subject = Subject(_span(*words)) if words[1] > words[0] else Subject(_span(*_stripped(
                ctx.text, ctx.end, ctx.clause_end, _STRIP)))
        return subject

    def _clause_subject(self, ctx: ClaimContext, document: DocumentContext, earlier: list[Earlier], unit_class: str,
                        metric: str) -> Subject:
        """The subject from the claim's own clause, else from the figure before it, else from its sentence and paragraph."""
        text = ctx.text
        since = earlier[-1].end if earlier else ctx.sentence_start
        start = max(ctx.clause_start, since)
        if text[start : ctx.start].lstrip().startswith("的"):  # 营业收入过亿元的工业企业: the earlier number is part of it
            start = ctx.clause_start
        elif text[ctx.clause_start - 1 : ctx.clause_start] == "、" and since <= _list_start(text, ctx) and (
                _RESPECTIVELY.search(text, start, ctx.start) or _short_items(text, _list_start(text, ctx), ctx.clause_start)):
            # 电力、热力及水生产和供应业增长5.4%, 对A、B分别给予最高50万元: one figure for every item of the list
            start = _list_start(text, ctx)
        year = _AFTER_LAST_YEAR.match(text[start : ctx.start])
        raw_start = start
        start, end = self.trim(text, start + (year.end() if year else 0), ctx.start)
        number = None
        if unit_class in ("firm_count", "count"):  # 授信户数5935万户 -> 授信户: the thing counted, not its number
            found = self._number_word.search(text, start, end)
            if found and found.start() - start >= 2:
                number = (found.start() + (1 if found.group() in ("户数", "戶數") else 0), end)
                end = number[0]
        if unit_class == "rank":  # 活动成效排名六区第二: the thing ranked, not the ranking
            listed = self._ranking_list(text, start, ctx)
            if listed is not None:
                return listed
            cut = self._rank_verb.search(text, start, end)
            if cut:
                ranked = self.trim(text, start, cut.start())
                start, end = ranked if ranked[1] - ranked[0] >= 2 else _stripped(text, start, cut.start(), _STRIP)
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
                return Subject(_span(*self.trim(text, *recipient.span("who"))))
        if metric == "subsidy" and not self._holder_noun.search(text, start, end):
            # 对在科创板上市的企业，区财政给予500万元奖励: a subsidy's subject is its recipient, not its payer
            recipient = self._recipient_clause(text, ctx.sentence_start, ctx.clause_start)
            if recipient is not None:
                return Subject(_span(*recipient))
        following = self._following_noun(ctx, earlier, unit_class, metric, raw_start, start, end)
        if following:
            return following
        if earlier:
            inherited = self._inherited(text, raw_start, ctx.start, start, end, earlier, unit_class, metric)
            if inherited:
                return inherited
        if end - start < 2:  # the words after the number, else what the sentence or paragraph counts
            after = self.trim(text, ctx.end, ctx.clause_end)
            after = (after[0], min(after[1], after[0] + 20))
            if after[1] - after[0] < 2 and unit_class in ("firm_count", "count"):
                found = self._counted_in_context(ctx, document, unit_class)
                if found:
                    return found
            return Subject(_span(*after))
        start = _stripped(text, max(start, end - _PHRASE_MAX), end, _STRIP)[0]
        listed = self._listed_prefix(text, earlier, unit_class, start, end, number[1] if number else ctx.start)
        return Subject((*listed, *self._without_inner_verb(text, start, end)), number=number)

    def _without_inner_verb(self, text: str, start: int, end: int) -> tuple[Piece, ...]:
        """民营经济实现增加值 -> 民营经济增加值: a holder and its measure, without the verb between them."""
        inner = self._inner_verb.search(text, start, end)
        if inner is None or inner.start() == start or not self._holder_measure.match(text[inner.end() : end]):
            return _span(start, end)
        return ((start, inner.start()), (inner.end(), end))

    def _listed_prefix(self, text: str, earlier: list[Earlier], unit_class: str, start: int, end: int,
                       number: int) -> tuple[Piece, ...]:
        """累计培育A 300家和B 1500家，C 1万家: the verb before the first item holds for the items listed after
        it, when they name only their thing (no verb of their own: 累计建成A 516家，培育B 1633家 -> 培育B)."""
        if (not earlier or text[earlier[-1].end : start].strip(_STRIP + "和及与與以上以下左右多余")
                or _stripped(text, start, number, _STRIP)[1] != end or self._kept_front.match(text[start:end])
                or self._own_verb_front.match(text[start:end])):
            return ()
        for item in reversed(earlier):
            if item.unit_class != unit_class or item.subject.inherited:
                return ()
            first = item.subject.pieces[0] if item.subject.pieces else None
            if isinstance(first, tuple):  # the nearest item's verb holds, or none does
                kept = self._kept_front.match(text[first[0] : first[1]])
                return ((first[0], first[0] + kept.end()),) if kept else ()
        return ()

    def _following_noun(self, ctx: ClaimContext, earlier: list[Earlier], unit_class: str, metric: str, raw_start: int,
                        start: int, end: int) -> Subject | None:
        """A number before a noun counts it (推荐44家企业申报, 实施15个省级数字化转型项目, 为595家企业提供担保,
        16个集群和50条产业链): the noun phrase after the unit, with a 新增 or 累计 written before the number,
        and what they do after it (for a bare 企业, or when a verb of doing ends the noun)."""
        text = ctx.text
        if unit_class == "percent" and end - start <= 3 and not self._change_verb.search(text, raw_start, ctx.start):
            return self._share_of_following(ctx)
        if unit_class not in self.prenominal_classes:
            return None
        phrase_after = self._money_noun_phrase if unit_class == "money" else self._head_noun_phrase
        stop = self._noun_stop.search(text, ctx.end, ctx.clause_end)  # 58家骨干企业获得…贷款: not to the 贷款
        following = phrase_after.match(text, ctx.end, stop.start() if stop else ctx.clause_end)
        if not following:
            return None
        raw_end = _stripped(text, raw_start, ctx.start, _STRIP)[1]
        listed = bool(earlier) and earlier[-1].subject.counted_noun and bool(_LIST_MARK_END.search(text, raw_start, raw_end))
        if not (end - start <= 3 or listed or self._verb_before_number.search(text, start, end)
                or self._verb_before_number.search(text, raw_start, raw_end)):
            return None
        noun = following.span("noun")
        pieces: tuple[Piece, ...] = (noun,)
        kept = self._kept_prefix.search(text, start, end)
        if kept:  # 累计培育1500家…企业: the prefix stays (docs/claims.md §7)
            pieces = (kept.span(), noun)
        # 推动27家企业开展智能化改造 -> 开展智能化改造的企业; 4家担保公司获得补助资金 -> 获得补助资金的担保公司
        generic = bool(self._generic_noun.match(text[noun[0] : noun[1]]))
        doing = self._doing(text, noun[1], ctx.clause_end) if stop or generic else None
        if doing is not None and (generic or doing[1] - doing[0] > 2):  # not a bare verb: 36个单项冠军产品入选
            return Subject((*pieces[:-1], doing, "的", noun), counted_noun=True)
        return Subject(pieces, counted_noun=True)

    def _doing(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """What the things a number counts do, written after them: 企业开展智能化改造; 为3.5万家企业减轻负担7091万元
        -> 减轻负担 (not 384家企业出口总额达1217亿元: a measure of the firms, with its own figure)."""
        doing = _stripped(text, start, _before_figure(text, start, end), _STRIP + "了等")
        if doing[1] - doing[0] < 2 or self._trailing.search(text[doing[0] : doing[1]]):
            return None
        return doing

    def _share_of_following(self, ctx: ClaimContext) -> Subject | None:
        """A share of firms written before them (约四成中小企业盼政府拓宽融资渠道, 40%的企业…): the firms that
        do so, as a proportion."""
        text = ctx.text
        following = self._first_noun_phrase.match(text, ctx.end, ctx.clause_end)
        if not following:
            return None
        noun = following.span("noun")
        doing = self._doing(text, noun[1], ctx.clause_end)
        pieces: tuple[Piece, ...] = (doing, "的", noun) if doing is not None else (noun,)
        return Subject((*pieces, "比例"), proportion=True)

    def _recipient_clause(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The nearest clause before `end` that names a recipient (对…企业，; …上市的，; 获得…奖的企业，), passing
        over conditions (视任务完成情况，) and the clauses of figures paid to others (一等奖奖励50万元，二等奖奖励…)."""
        marks = [mark.end() for mark in _CLAUSE_BREAK.finditer(text, start, end)]
        for clause_start, clause_end in zip(reversed([start] + marks[:-1]), reversed(marks)):
            skip = self._context_skip.match(text[clause_start : clause_end - 1])  # 六、对…企业，
            begin = clause_start + (skip.end() if skip else 0)
            found = self._recipient.match(text[begin : clause_end - 1])
            if found:
                return self.trim(text, begin + found.start("who"), begin + found.end("who"))
        return None

    def _ranking_list(self, text: str, start: int, ctx: ClaimContext) -> Subject | None:
        """A place on a list (进入财富世界500强, 位列“全球工程机械50强”): the list, named with its size."""
        if not self._list_rank.search(text[ctx.start : ctx.end]):
            return None
        joined = None
        for joined in self._joins_list.finditer(text, start, ctx.start):
            pass
        if joined is None:
            return None
        name = _stripped(text, joined.end(), ctx.start, _STRIP + "“”\"「」")
        return Subject(((name[0], ctx.start), (ctx.start, ctx.end))) if name[1] > name[0] else None

    def _rate_base_words(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The base a rate is paid on, written after 按 since the previous figure: to the end of its clause
        (按符合条件的担保总额，给予1%), else to the 的 before the rate (按担保总额的1%)."""
        base = None
        for base in self._rate_base.finditer(text, start, end):
            pass
        if base is None:
            return None
        stop = _BASE_CLAUSE_END.search(text, base.end(), end)
        last_of = text.rfind("的", base.end(), end)
        words = self.trim(text, base.end(), stop.start() if stop else (last_of if last_of > base.end() else end))
        return words if words[1] - words[0] >= 2 else None

    def _inherited(self, text: str, raw_start: int, ctx_start: int, start: int, end: int, earlier: list[Earlier],
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
        kept = self._kept_word.search(text, raw_start, ctx_start) if end - start < 2 else None
        if kept and unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class:
            # 新增…企业1000家，累计超4000家: the same thing, counted since the start
            front = self._kept_front.match(previous.words(text))
            return Subject((kept.span(), *_drop_front(previous.pieces, front.end() if front else 0)), inherited=True,
                           measure=previous.measure)
        if end - start < 2 or self._inherit.match(words):
            if metric == "growth_rate":
                quantities = [item for item in earlier if item.unit_class not in ("percent", "points")]
                if quantities:
                    quantity = quantities[-1]
                    pieces = quantity.subject.pieces
                    if quantity.subject.number is not None:
                        pieces = (*pieces, quantity.subject.number)  # 授信户数…，同比增长13%: as it was written
                    elif quantity.unit_class in ("firm_count", "count") and not self._counted_quantity.search(
                            quantity.subject.words(text)):
                        pieces = (*pieces, "数量")  # the quantity that grows is the number of firms
                    return Subject(pieces, inherited=True)
            return Subject(previous.pieces, inherited=True, number=previous.number)
        if self._continuation.match(words):  # 数量同比增长144%, 占全部企业数量的99%: of the quantity itself
            quantities = [item for item in earlier if item.unit_class not in ("percent", "points")]
            base = quantities[-1].subject if unit_class in ("percent", "points") and quantities else previous
            if base.words(text).endswith(words):  # …占比80%，占比80-90%的: the same share again
                return Subject(base.pieces, inherited=True)
            return Subject((*base.pieces, (start, end)), inherited=True)
        counted = self._counted_noun.get(unit_class, self._counted_noun["other"])
        if (unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class and end - start <= _MODIFIER_MAX
                and not counted.search(words) and (self._modifier_front.search(words) or self._kept_prefix.search(words)
                                                   or _SUBSET.search(text, earlier[-1].end, start))):
            # a tier of its own replaces the previous thing's: 省级…企业46家，其中国家级9家 -> 国家级…企业
            front = self._modifier_front.match(previous.words(text)) if self._modifier_front.search(words) else None
            return Subject(((start, end), *_drop_front(previous.pieces, front.end() if front else 0)), inherited=True,
                           measure=previous.measure)
        if (unit_class in ("firm_count", "count") and earlier[-1].unit_class == unit_class and end - start <= _DOING_MAX
                and not counted.search(words)):
            head = self._last_head.search(previous.words(text))  # 收集问题633个，已办结200个 -> 办结问题
            if head:
                return Subject(((start, end), *_drop_front(previous.pieces, head.start())), inherited=True,
                               measure=previous.measure)
        names_own = counted.search(words) if unit_class in ("firm_count", "count") else self._shared_measure.search(words)
        if _SUBSET.search(text, earlier[-1].end, start) and earlier[-1].unit_class == unit_class and not names_own:
            # 制造业中长期贷款余额增长54%，其中，高技术制造业增长159% -> 高技术制造业中长期贷款余额
            narrowed = _narrowed(words, previous.words(text))
            if narrowed:
                return Subject(((start, end), *_drop_front(previous.pieces, narrowed)), inherited=True)
        return None

    def _difference(self, text: str, start: int, end: int, earlier: list[Earlier]) -> Subject | None:
        """A difference in points is of the figure before it: a share or a rate itself (占比…，较上年提高1.9个
        百分点); a growth rate's 增速, with what it is compared with (增长18%，高于全省平均增速6个百分点)."""
        words = text[start:end]
        compared = bool(self._comparison.match(words))
        if end - start >= 2 and not compared and not self._inherit.match(words):
            return None
        before = [item for item in earlier if item.unit_class not in ("duration", "rank")]
        if not before or before[-1].unit_class != "percent":
            return None
        previous = before[-1]
        if previous.metric != "growth_rate":
            return Subject(previous.subject.pieces, inherited=True)
        pieces = previous.subject.pieces
        if not self._growth_named.search(previous.subject.words(text)):
            pieces = (*pieces, "增速")
        return Subject((*pieces, (start, end)) if compared else pieces, inherited=True)

    def _counted_in_context(self, ctx: ClaimContext, document: DocumentContext, unit_class: str) -> Subject | None:
        """What a clause with no words counts: the thing its sentence named before it, else the last its
        paragraph named (高新技术企业队伍持续壮大。截至2021年底，全市共有300家), nearest first.
        The whole clauses between two breaks are read once per document (`_named_before`), so a paragraph of
        thousands of bare figures costs one pass, not one per figure."""
        kind = "firm_count" if unit_class == "firm_count" else "other"
        paragraph_start = document.paragraph_at(ctx.start)[0]
        breaks = document.lookups.get("clause_breaks")
        if breaks is None:
            breaks = document.lookups["clause_breaks"] = [match.end() for match in _CLAUSE_BREAK.finditer(ctx.text)]
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
        skip = self._context_skip.match(text[clause_start:clause_end])
        found = self._counted_phrase[kind].search(text, clause_start + (skip.end() if skip else 0), clause_end)
        if found:  # 高新技术企业队伍持续壮大 -> 高新技术企业
            span = self.trim(text, *found.span())
            if span[1] - span[0] >= 2:  # what it counts is named there: so is the measure (孵化器 are no firms)
                return Subject(_span(*span), inherited=True, measure=span)
        return None

    # -- breakdowns -------------------------------------------------------------
    def _breakdown(self, ctx: ClaimContext, earlier: list[Earlier],
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
        verb = self._breakdown_verb.search(text, first_start, first_end)
        if verb:  # 新增小微企业贷款集中在东城市、西岭市，分别为…
            measure_before = self.trim(text, first_start, verb.start())
            spans[0] = (verb.end(), first_end)
        last_start, last_end = spans[-1]
        count = self._item_count.search(text, last_start, last_end)
        owned = text.find("的", last_start, last_end)
        if count:  # 信用贷款、中长期贷款两项分别为…; …两项政策减免税额分别为…
            measure_after = self.trim(text, count.end(), last_end)
            spans[-1] = (last_start, count.start())
        elif (owned > last_start and "的" not in text[spans[0][0] : spans[0][1]]
              and not self._generic_noun.match(text[owned + 1 : last_end].strip(_STRIP))):
            measure_after = _stripped(text, owned, last_end, _STRIP)  # “小巨人”企业、专精特新企业的营收利润率分别…
            spans[-1] = (last_start, owned)
        else:
            shared = self._shared_measure.search(text, last_start, last_end)
            first = self.trim(text, *spans[0])
            if shared and shared.start() > last_start and not self._shared_measure.search(text, *first):
                begin = shared.start()  # 高技术制造业、装备制造业增加值分别增长…
                head = self._shared_head.search(text, last_start, begin)
                if head and head.start() > last_start and not self._shared_head.search(text, *first):
                    begin = head.start()  # 电子信息、生物医药产业增加值
                measure_after = (begin, last_end)
                spans[-1] = (last_start, begin)
        cores = [self.trim(text, start, end) for start, end in spans]
        if any(end - start < 1 or self._date_prefix.fullmatch(text[start:end]) or self._period_item.match(text[start:end])
               for start, end in cores):
            return None  # 2021年、2022年分别新增…, 比2月和上年同期分别低…: periods, not items
        core = cores[place]
        pieces: tuple[Piece, ...] = (core,)
        last, first = cores[-1], cores[0]
        front = self._modifier_front.match(text[last[0] : last[1]])
        if place < len(cores) - 1 and front and self._modifier_end.search(text, core[0], _before_bracket(text, *core)):
            # 国家级、省级专精特新企业分别为…: a tier word stands for the last item's noun
            pieces = (core, (last[0] + front.end(), last[1]))
        elif place > 0 and self._holder_measure.match(text[core[0] : core[1]]):
            head = self._shared_measure.search(text, *first)
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
        for mark in _CLAUSE_BREAK.finditer(text, clause_start, run_start):
            clause_start = start = mark.end()
        measure = None
        for mark in _RESPECTIVELY.finditer(text, clause_start, run_start):
            start = mark.end()
            if clause_start > items_end:
                words = self.trim(text, clause_start, mark.start())
                measure = words if words[1] > words[0] else None
        tail = self.trim(text, start, run_start)
        return measure, tail if tail[1] > tail[0] and self._run_word.match(text[tail[0] : tail[1]]) else None

    def _inline_item(self, ctx: ClaimContext, earlier: list[Earlier]) -> Subject | None:
        """甲市（3.1万亿元）、乙市（2.2万亿元） after 小微企业贷款主要投向: the item before the figure, then the measure."""
        text = ctx.text
        verb = None
        for verb in self._breakdown_verb.finditer(text, ctx.sentence_start, ctx.start):
            pass
        if verb is None or _CLAUSE_BREAK.search(text, verb.end(), ctx.start):
            return None
        clause_start = ctx.sentence_start
        for mark in _CLAUSE_BREAK.finditer(text, ctx.sentence_start, verb.start()):
            clause_start = mark.end()
        measure = self.trim(text, clause_start, verb.start())
        start = max(verb.end(), earlier[-1].end if earlier else verb.end())
        end = ctx.start
        while start < end and text[start] in _ITEM_MARKS:
            start += 1
        while end > start and text[end - 1] in _ITEM_MARKS:
            end -= 1
        item = self.trim(text, start, end)
        if item[1] - item[0] < 1 or measure[1] - measure[0] < 2:
            return None
        return Subject((item, measure), measure=measure)

    # -- holders and quantities ---------------------------------------------------
    def _with_holder(self, ctx: ClaimContext, earlier: list[Earlier], subject: Subject) -> Subject:
        """A bare measure (营业收入, 获贷率, 户均专利, 拉动经济增长) keeps its holder: one written after a
        threshold, the count it is listed with, the firms the sentence counted first, the thing of an amount
        before it (涉农贷款余额…，新增额…), else the first holder of the nearest clause that names one
        (科技型中小企业…，获贷率为46%)."""
        text = ctx.text
        first = subject.pieces[0] if subject.pieces else None
        if not isinstance(first, tuple):
            return subject
        words = subject.words(text)
        measured = self._holder_measure.match(text[first[0] : first[1]]) or self._holder_measure_end.search(words)
        # 主营业务收入占规上工业企业比重: the firms after 占 are what it is compared with, not its holder
        if not self._needs_holder.search(words) and (not measured or self._holder_noun.search(self._share_word.split(words)[0])):
            return subject
        after = self._holder_after.match(text, ctx.end, ctx.clause_end)
        if after:  # 营业收入过亿元的工业企业: the holder written after the threshold
            return Subject((self.trim(text, *after.span("holder")), *subject.pieces), measure=subject.measure)
        if earlier and earlier[-1].unit_class in ("firm_count", "count") and not _CLAUSE_BREAK.search(
                text, earlier[-1].end, first[0]):  # 引进产业项目126个、总投资830亿元: the count it is listed with
            return Subject((*earlier[-1].subject.pieces, *subject.pieces), measure=subject.measure)
        for item in earlier:  # 规上工业企业1241家，实现营业收入…: the firms counted first (not a subset after 其中)
            if item.unit_class == "firm_count" and self._holder_noun.search(item.subject.words(text)):
                return Subject((*item.subject.pieces, *subject.pieces), measure=subject.measure)
        for item in reversed(earlier):  # 涉农贷款余额1.8万亿元，…，新增额… -> 涉农贷款新增额
            words = item.subject.words(text)
            head = self._shared_measure.search(words)
            if item.unit_class == "money" and head and head.start() >= 2:
                return Subject((*_take_front(item.subject.pieces, head.start()), *subject.pieces), measure=subject.measure)
        marks = [mark.end() for mark in _CLAUSE_BREAK.finditer(text, ctx.sentence_start, ctx.clause_start)]
        for clause_start, clause_end in zip(reversed([ctx.sentence_start] + marks[:-1]), reversed(marks)):
            found = self._holder_phrase.match(text, clause_start, clause_end)
            if found:  # 科技型中小企业融资覆盖面持续扩大，获贷率为46%: the holder its sentence named last
                holder = self.trim(text, found.start(), found.end())
                if (2 <= holder[1] - holder[0] <= _HOLDER_MAX and not _DIGIT.search(text, *holder)
                        and not self._urging.match(text[holder[0] : holder[1]])):  # not 大力支持企业…: a call, no holder
                    return Subject((holder, *subject.pieces), measure=subject.measure)
        return subject

    def _with_policy(self, ctx: ClaimContext, earlier: list[Earlier], subject: Subject) -> Subject:
        """Relief a policy brings (“六税两费”减半征收政策，新增减税降费9.2亿元): the policy named in the clause
        before, with the relief."""
        text = ctx.text
        words = subject.words(text)
        if not self._relief.search(words) or self._policy_end.search(words):
            return subject
        since = max(ctx.sentence_start, earlier[-1].end if earlier else 0)
        marks = [mark.end() for mark in _CLAUSE_BREAK.finditer(text, since, ctx.clause_start)]
        if not marks:
            return subject
        clause = self.trim(text, marks[-2] if len(marks) >= 2 else since, marks[-1] - 1)
        if clause[1] - clause[0] < 2 or not self._policy_end.search(text, *clause) or _DIGIT.search(text, *clause):
            return subject
        return replace(subject, pieces=(clause, *subject.pieces))

    def _parallel_measure(self, text: str, earlier: list[Earlier], subject: Subject) -> Subject:
        """采矿业增加值下降2.6%，制造业增长8.1% -> 制造业增加值: an item growing in parallel with the one before
        takes the measure that one named, when it names none."""
        words = subject.words(text)
        if (not words or len(words) > _ITEM_MAX or self._shared_measure.search(words) or self._holder_measure.match(words)
                or self._needs_holder.search(words)
                or self._holder_noun.search(words) and not self._holder_noun.search(words[-2:])):
            return subject
        for item in reversed(earlier):
            if item.unit_class == "percent" and item.metric == "growth_rate":
                measure = self._shared_measure.search(item.subject.words(text))
                if measure and measure.start() > 0:
                    return replace(subject, pieces=(*subject.pieces, *_drop_front(item.subject.pieces, measure.start())))
                return subject
        return subject

    def _quantity_named(self, text: str, subject: Subject, metric: str) -> Subject:
        """A share names what it is a share of: 中小企业占全部企业数量 -> …的比重; the words of a gloss in
        brackets are not read (首贷率（首次获贷户数占比） is a rate, not a share of it)."""
        if metric != "share":
            return subject
        words = subject.words(text)
        unglossed = _BRACKETED.sub("", words)
        if not self._share_word.search(unglossed) or self._share_named.search(unglossed):
            return subject
        return replace(subject, pieces=(*subject.pieces, "比重" if words.endswith("的") else "的比重"))

    def counts_firms(self, text: str, subject: Subject, unit: str) -> bool:
        """Whether a count in 个 counts firms: the noun after it names them (培育5-6个百亿级企业)."""
        return unit in self._firm_units and subject.counted_noun and bool(self._firm_head.search(subject.words(text)))

    # -- words ------------------------------------------------------------------
    def trim(self, text: str, start: int, end: int) -> tuple[int, int]:
        """[start, end) without framing dates, places and leading verbs at the front, or the verbs and
        qualifier words before a number at the back."""
        for _ in range(8):
            before = (start, end)
            start, end = _stripped(text, start, end, _STRIP)
            for prefix in (self._date_prefix, self._leading):
                if prefix is self._leading and self._unbroken.match(text[start:end]):
                    break  # 在保余额: a word of its own, not 在 and 保余额
                found = prefix.match(text[start:end])
                if found and found.end():
                    start, end = _stripped(text, start + found.end(), end, _STRIP)
            found = self._trailing.search(text[start:end])
            if found:
                end = start + found.start()
            if (start, end) == before:
                break
        return start, end


def _short_items(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is items of a list (电力、热力、), not clauses of their own (…不高于…水平、): each
    short and without a number."""
    items = [item for item in _LIST_ITEM_MARK.split(text[start:end]) if item.strip(_STRIP)]
    return bool(items) and all(len(item) <= _LIST_ITEM_MAX and not _DIGIT.search(item) for item in items)


def _list_start(text: str, ctx: ClaimContext) -> int:
    """Where the list the claim's clause closes begins: after the last clause mark that is not a list mark."""
    start = ctx.sentence_start
    for mark in _CLAUSE_BREAK.finditer(text, ctx.sentence_start, ctx.clause_start):
        start = mark.end()
    return start


def _words(text: str, pieces: tuple[Piece, ...]) -> str:
    return "".join(text[p[0] : p[1]] if isinstance(p, tuple) else p for p in pieces)


def _narrowed(item: str, whole: str) -> int:
    """Where the thing `item` narrows ends in `whole`, or 0: 高技术制造业 in 制造业中长期贷款余额 -> 3 (the rest,
    中长期贷款余额, is its measure); 电子信息制造业 in 高技术制造业增加值 -> 6."""
    for size in range(len(item), 1, -1):
        at = whole.find(item[-size:])
        if at >= 0 and at + size < len(whole):
            return at + size
    return 0


def _before_figure(text: str, start: int, end: int) -> int:
    """Where the first figure after `start` begins (a number outside a quoted name), or `end`."""
    figure = _FIGURE_OUTSIDE_QUOTES.search(text, start, end)
    return figure.start() if figure else end


def _before_bracket(text: str, start: int, end: int) -> int:
    """The end of text[start:end] before a bracketed remark that closes it: 国家级(不含水城区) -> 国家级."""
    bracket = _BRACKETED_END.search(text, start, end)
    return bracket.start() if bracket else end


def _take_front(pieces: tuple[Piece, ...], count: int) -> tuple[Piece, ...]:
    """The first `count` characters of `pieces`."""
    kept: list[Piece] = []
    for piece in pieces:
        if count <= 0:
            break
        size = piece[1] - piece[0] if isinstance(piece, tuple) else len(piece)
        kept.append(piece if size <= count else ((piece[0], piece[0] + count) if isinstance(piece, tuple) else piece[:count]))
        count -= size
    return tuple(kept)


def _stripped(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    """[start, end) without `chars` at either end."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _drop_front(pieces: tuple[Piece, ...], count: int) -> tuple[Piece, ...]:
    """`pieces` without their first `count` characters."""
    kept: list[Piece] = []
    for piece in pieces:
        size = piece[1] - piece[0] if isinstance(piece, tuple) else len(piece)
        if count >= size:
            count -= size
            continue
        if count:
            piece = (piece[0] + count, piece[1]) if isinstance(piece, tuple) else piece[count:]
            count = 0
        kept.append(piece)
    return tuple(kept)
