"""The tier a figure belongs to (国家级, 省级, 市级 …): the one place that decides it.

The tier word comes from the figure's own designation first, then from the
designation its sentence named for it (rules/tiers.toml for the words):
  1. a list paired with its figures: 对国家级…、省级…企业分别奖励80万、20万 (a
     tier written once before a list holds for the items after it:
     国家级单项冠军企业、产品和“小巨人”企业分别给予…);
  2. its own list item: a population it is counted in (省级以上企业中新增…147家),
     else the nearest tier word before the number (the whole clause when the
     item closes a list with 等, or when the items before it are tier words:
     国家、省级人才), else one right after it (15个省级…项目) or after a verb of
     joining (入选国家重点支持名单);
  3. a subject taken from elsewhere: the previous figure's tier when the
     subject continues it, else the subject's own tier word;
  4. a subset (其中…) takes its whole's tier; a figure listed right after
     another with nothing of its own (25家…、31家…) and a figure with no noun
     of its own (本市占9席) go on with the previous figure's tier;
  5. a designation of its programme the sentence named without counting it
     (公布了第三批国家级单项冠军名单，…共有60家单项冠军企业入选), and for an
     amount the budget that pays it (中央财政下达资金2000万元，用于…奖补1800万元);
  6. a comparison clause (…营收利润率，超过…2倍) and a policy's amount
     (对新认定的国家级…企业，一次性奖励60万元): the tier word of the sentence
     before it (a policy's: since its recipient, the last 对).
`全省`, `全市` name places, not tiers; a ministry (工信部) is no tier either.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

import regex

from .attribution import ClaimContext
from .ruleset import RuleSet, words_pattern

# The marks that end a comma clause, searched backwards from a number: the nearest is the last before it.
_COMMA_BREAK_BEFORE = regex.compile(r"[，,；;。：:\n]", regex.REVERSE)
# A tier word right after one of these is a place (全省, 我市, 本区), not a tier.
_PLACE_BEFORE = frozenset("全我本该該各")
_MEMO_SIZE = 65_536  # words remembered by tier_in (a subject or list item: a few dozen characters)
_PIECE = regex.compile(r"[^，,；;。：:、\n]+")
_SUBSET = regex.compile(r"其中")
_POPULATION = regex.compile(r"(?:企业|企業|产品|產品|项目|項目|名单|名單)中")
_COMPARISON_START = regex.compile(r"\s*(?:超过|超過|高于|高於|低于|低於|高出|低出|比|较|較|相当于|相當於)")
_RECIPIENT = regex.compile(r"(?:对|對)(?!象|接|于|於|外|标|標|照|比|应|應)|凡")
# A policy or a fund a policy amount belongs to, named before its recipient (落实好市“未来工厂”奖补政策，对…).
_POLICY_NAMED = regex.compile(r"政策|资金|資金|奖补|獎補|专项|專項|基金|财政|財政")
# A recipient named without 对: 获得国家科学技术进步奖的企业，一等奖奖励50万元.
_RECIPIENT_NAMED = regex.compile(r"的[^，,；;。：:、\n]{0,20}(?:企业|企業|单位|單位|机构|機構|项目|項目)$")
_JOIN = regex.compile(r"[^，,；;。：:\n]{0,24}?(?:入选|入選|纳入|納入|获评|獲評|评为|評為|认定为|認定為|列入|成为|成為|晋级|晉級|升级为|升級為)")
# A government's budget that pays an amount (中央财政, 省级财政, 市财政).
_PAYER = regex.compile(r"(?:中央|国家|國家|省级|省級|省|市级|市級|市|县级|縣級|区级|區級)(?:财政|財政)")
_ITEM_BREAK = regex.compile(r"[；;]")
_LIST = regex.compile(r"名单|名單|目录|目錄|榜单|榜單|名录|名錄")
_COUNTED = ("firm_count", "count")  # figures that count members of a programme
_AFTER_UNIT = 3  # a tier word this close after the number modifies the noun it counts (15个省级…项目)


class TierResolver:
    def __init__(self, ruleset: RuleSet, program: Callable[[str], str | None]):
        self.program = program  # the programme a subject's words name (attribution)
        self.rules = [(rule.pattern, rule["tier"]) for rule in ruleset.family("tiers")]
        # One search for any tier word first: most clauses name none, and then no rule need run.
        self._any = regex.compile("|".join(f"(?:{p.pattern})" for p, _ in self.rules) or "(?!)", regex.V0)
        self.tier_in = functools.lru_cache(maxsize=_MEMO_SIZE)(self._tier_in)  # subjects and list items repeat
        self._head_noun = re.compile(words_pattern(ruleset.table("subjects", "head_nouns")) or "(?!)")

    def resolve(self, claim: ClaimContext, subject: str, inherited: bool, kind: str, unit_class: str,
                paired: tuple[list[tuple[int, int]], int] | None, run_place: int,
                earlier: list[tuple[int, int, str | None]], previous_in_paragraph: str | None) -> str | None:
        """`earlier`: (start, end, tier) of the claims before it in its sentence; `previous_in_paragraph`:
        the tier of the last claim of the paragraph's earlier sentences."""
        text = claim.text
        if paired is not None:
            found = self._paired([text[start:end] for start, end in paired[0]], paired[1])
            if found is not None:
                return found
        comma_start = self._comma_clause_start(claim)
        if kind == "policy":  # 对新认定的国家级…企业，市财政奖励50万元: the recipient's designation, not the payer's
            recipient = self._last_recipient(claim, comma_start)
            if recipient is not None and not any(recipient < end <= claim.start for _, end, _ in earlier):
                found = self.nearest(text, recipient, comma_start, from_end=True)
                if found is not None:
                    return found
        found = self._own(claim, comma_start, earlier)
        if found is not None:
            return found
        previous_tier = earlier[-1][2] if earlier else None
        if inherited and earlier:
            return previous_tier
        found = self.tier_in(subject)
        if found is not None:
            return found
        subset = None
        for match in _SUBSET.finditer(text, claim.sentence_start, claim.start):
            subset = match
        if subset is not None:  # 其中…: the whole it is part of
            whole = [tier for start, end, tier in earlier if end <= subset.start()]
            return whole[-1] if whole else previous_in_paragraph
        before = text[claim.clause_start : claim.start]
        if earlier and run_place > 0 and not before.strip():
            return previous_tier
        if earlier and not self._head_noun.search(before) and not self._head_noun.search(text[claim.end : claim.clause_end]) \
                and not self.program(before):
            return previous_tier  # 本市占9席, 居全省首位: the designation goes on
        program = self.program(subject) if unit_class in _COUNTED else None
        found = self._named_designation(text, claim.sentence_start, comma_start, earlier, program,
                                        unit_class, paid=unit_class == "money" or kind == "policy")
        if found is not None:
            return found
        if _COMPARISON_START.match(text, comma_start, claim.start):
            return self.nearest(text, claim.sentence_start, comma_start, from_end=True)
        if kind == "policy":
            return self._recipient_tier(claim, comma_start, earlier)
        return None

    def _tier_in(self, words: str) -> str | None:
        """The tier word nearest the end of `words` (a subject, a list item)."""
        return self.nearest(words, 0, len(words), from_end=True)

    def nearest(self, text: str, start: int, end: int, from_end: bool, within: int | None = None) -> str | None:
        """The tier of the tier word nearest `end` (or `start`), a longer word first at one place; places (全省) passed over."""
        if start >= end or not self._any.search(text, start, end):
            return None
        best: tuple[int, int, str] | None = None
        for pattern, tier in self.rules:
            for match in pattern.finditer(text, start, end):
                if match.start() > 0 and text[match.start() - 1] in _PLACE_BEFORE:
                    continue
                distance = end - match.end() if from_end else match.start() - start
                if within is not None and distance > within:
                    continue
                key = (distance, -len(match.group()))
                if best is None or key < best[:2]:
                    best = (*key, tier)
        return best[2] if best else None

    # -- steps ----------------------------------------------------------------
    def _paired(self, items: list[str], index: int) -> str | None:
        """The tier of the item paired with the figure; a tier written once holds for the items after it."""
        tiers = [self.tier_in(item) for item in items]
        if not any(tiers):
            return None
        for i in range(1, len(tiers)):
            tiers[i] = tiers[i] or tiers[i - 1]
        return tiers[index]

    def _own(self, claim: ClaimContext, comma_start: int, earlier: list[tuple[int, int, str | None]]) -> str | None:
        """The tier of the claim's own list item, or of the words right after the number."""
        text = claim.text
        item_start = claim.clause_start
        if "等" in text[item_start : claim.start] or (  # 省级以上…、众创空间等载体77家: the list's tier word
                text[item_start - 1 : item_start] == "、"
                and self.nearest(text, comma_start, item_start - 1, from_end=True, within=0) is not None):
            item_start = comma_start  # 国家、省级人才工程: a list of tier words
        population = None
        for match in _POPULATION.finditer(text, item_start, claim.start):
            population = match
        if population is not None:  # 省级以上专精特新企业中新增市“未来工厂”培育企业147家
            found = self.nearest(text, item_start, population.end(), from_end=True)
            counted = [tier for start, _, tier in earlier if item_start <= start < population.start()]
            if found is not None or counted:  # 22家培育类企业中杭州占12家: the population's own tier
                return found if found is not None else counted[-1]
        # Not past a figure before it in its item when it names a programme of its own:
        # 国家级单项冠军企业12家和“小巨人”企业40家 (but 省厅公布的最佳应用4个及优秀案例3个).
        floor = max([item_start] + [end for _, end, _ in earlier if end <= claim.start])
        if floor > item_start and not self.program(text[floor : claim.start]):
            floor = item_start
        found = self.nearest(text, floor, claim.start, from_end=True)
        if found is None:
            found = self.nearest(text, claim.end, min(claim.clause_end, claim.end + 2 * _AFTER_UNIT), from_end=False,
                                 within=_AFTER_UNIT)
        if found is None:
            joined = _JOIN.match(text, claim.end, claim.clause_end)
            if joined:
                found = self.nearest(text, joined.end(), claim.clause_end, from_end=False)
                if found is None:  # 公布了省级…名单，我市186家企业入选: the list the sentence named
                    found = self._list_named(text, claim.sentence_start, comma_start)
        return found

    def _list_named(self, text: str, start: int, end: int) -> str | None:
        """The tier of the last list the sentence names before `end` (省级专精特新中小企业名单)."""
        found = None
        for piece in _PIECE.finditer(text, start, end):
            if _LIST.search(piece.group()):
                found = self.tier_in(piece.group()) or found
        return found

    def _named_designation(self, text: str, start: int, end: int, earlier: list[tuple[int, int, str | None]],
                           program: str | None, unit_class: str, paid: bool) -> str | None:
        """The tier of the last designation of the same programme the sentence names before `end` without
        counting it there (公布了第三批国家级单项冠军名单，…共有60家单项冠军企业入选); for an amount or a
        policy's rate (`paid`), the budget that pays it (中央财政下达资金2000万元，用于…奖补1800万元)."""
        found = None
        for piece in _PIECE.finditer(text, start, end):
            words = piece.group()
            tier = self.tier_in(words)
            if tier is None:
                continue
            counted = any(piece.start() < claim_end <= piece.end() for _, claim_end, _ in earlier)
            if not counted and program is not None and unit_class in _COUNTED and self.program(words) == program:
                found = tier
            elif paid:
                payer = _PAYER.search(words)
                if payer is not None:
                    found = self.tier_in(payer.group()) or found
        return found

    def _recipient_tier(self, claim: ClaimContext, comma_start: int, earlier: list[tuple[int, int, str | None]]) -> str | None:
        """A policy's amount: the tier word since its recipient (the last 对), else, when no other figure
        comes before that 对, of the policy or fund named just before (落实好市“未来工厂”奖补政策，对评定的企业分别给予…)
        or of a recipient named without 对 (获得国家科学技术进步奖的企业，一等奖奖励50万元): the nearest
        clause before it that holds no figure, within its item (after the last ；)."""
        text = claim.text
        recipient = self._last_recipient(claim, comma_start)
        if recipient is not None:
            found = self.nearest(text, recipient, comma_start, from_end=True)
            if found is not None or any(end <= recipient for _, end, _ in earlier):
                return found
        item_start = claim.sentence_start
        for match in _ITEM_BREAK.finditer(text, claim.sentence_start, comma_start):
            item_start = match.end()
        pieces = list(_PIECE.finditer(text, item_start, recipient if recipient is not None else comma_start))
        for piece in reversed(pieces):
            if any(piece.start() < end <= piece.end() for _, end, _ in earlier):
                continue  # 一等奖奖励50万元，二等奖奖励40万元: past the other amounts
            words = piece.group()
            return self.tier_in(words) if _POLICY_NAMED.search(words) or _RECIPIENT_NAMED.search(words) else None
        return None

    def _last_recipient(self, claim: ClaimContext, end: int) -> int | None:
        """Where the last 对 of the claim's sentence before `end` stands, if any."""
        recipient = None
        for match in _RECIPIENT.finditer(claim.text, claim.sentence_start, end):
            recipient = match.start()
        return recipient

    @staticmethod
    def _comma_clause_start(claim: ClaimContext) -> int:
        """Just after the last comma-clause mark in the claim's sentence before it (its sentence's start if none)."""
        found = _COMMA_BREAK_BEFORE.search(claim.text, claim.sentence_start, claim.start)
        return found.end() if found else claim.sentence_start
