"""The subject rules of one rule set (rules/subjects.toml), compiled once.

Word lists are plain literals: the standard `re` engine finds them several
times faster than `regex`, which compiles what needs its syntax (\\p{N},
the rules' own patterns).
"""

from __future__ import annotations

import re

import regex

from ..ruleset import Rule, RuleSet, words_pattern
from .spans import STRIP, stripped


def _words(items: list[str]) -> str:
    return words_pattern(items) or "(?!)"


def _pattern(rule: Rule, key: str) -> regex.Pattern:
    return regex.compile(rule[key])


def _own_pattern(rule: Rule) -> regex.Pattern:
    return rule.pattern or regex.compile("(?!)")


class SubjectRules:
    """The compiled words and patterns of every subject rule, one group per rule of rules/subjects.toml."""

    def __init__(self, ruleset: RuleSet):
        def rule(name: str) -> Rule:
            return ruleset.rule(f"subject.{name}")

        subjects = ruleset.tables["subjects"]
        self._clause_words(subjects)
        self._breakdown(rule("breakdown"))
        self._holder(rule("holder"))
        self._context(rule("context"), subjects["head_nouns"])
        self._counted_noun(rule("counted_noun"))
        self._other_rules(rule)

    def _clause_words(self, subjects: dict) -> None:
        """The clause's own words, trimmed (the file's top-level lists)."""
        self.leading = re.compile(f"^(?:{_words(subjects['leading'])})")
        self.trailing = re.compile(f"(?:{_words(subjects['trailing'])})$")
        self.unbroken = re.compile(f"^(?:{_words(subjects['unbroken'])})")
        self.date_prefix = regex.compile(subjects["frame_prefix"])
        # 规模以上 is a threshold, not the 规模 of the quantity before: 规模以上工业增加值 starts a subject of its own.
        self.continuation = re.compile(f"^(?:{_words(subjects['continuation'])})(?!以上|以下)")
        self.inherit = re.compile(f"^(?:{_words(subjects['inherit'])})")
        self.prenominal_classes = set(subjects["prenominal_classes"])
        skip, heads = _words(subjects["after_unit_skip"]), subjects["head_nouns"]
        self.verb_before_number = re.compile(f"(?:{_words(subjects['verbs_before_number'])})$")
        # An item that opens with a verb of its own (培育, 建成; not a one-character 有 or 为, which open names too)
        # does not take the verb of the list before it.
        self.own_verb_front = re.compile(
            f"^(?:{_words([verb for verb in subjects['verbs_before_number'] if len(verb) >= 2])})")

        def noun_phrase(nouns: list[str]) -> regex.Pattern:
            return regex.compile(rf"(?:{skip})?(?P<noun>[^，,；;。：:\n、\p{{N}}]{{0,24}}(?:{_words(nouns)}))")

        self.head_noun_phrase = noun_phrase(heads)
        # An amount heads a loan or a quota as well (1200亿元支农支小再贷款); a count does not.
        self.money_noun_phrase = noun_phrase(heads + subjects["money_head_nouns"])
        self.last_head = re.compile(f"(?:{_words(heads)})$")

    def _breakdown(self, breakdown: Rule) -> None:
        self.breakdown_verb = regex.compile(_words(breakdown["verbs"]))
        self.item_count = _pattern(breakdown, "item_count")
        self.period_item = _pattern(breakdown, "period_items")
        self.shared_measure = re.compile(f"(?:{_words(breakdown['shared_measures'])})$")
        self.shared_head = re.compile(f"(?:{_words(breakdown['shared_heads'])})$")
        self.run_word = re.compile(f"^(?:{_words(breakdown['run_words'])})")
        modifiers = _words(breakdown["modifiers"])
        self.modifier_end = re.compile(f"(?:{modifiers})$")
        self.modifier_front = re.compile(f"^(?:{modifiers})+")

    def _holder(self, holder: Rule) -> None:
        holders = _words(holder["holders"])
        self.holder_noun = re.compile(holders)
        self.holder_measure = re.compile(f"^(?:{_words(holder['measures'])})")
        self.holder_measure_end = re.compile(f"(?:{_words(holder['measures_ending'])})$")
        self.needs_holder = _pattern(holder, "always")
        self.urging = re.compile(f"^(?:{_words(holder['urging'])})")
        self.inner_verb = regex.compile(_words(holder["inner_verbs"]))
        # A clause's words up to its first holder (科技型小微企业 in 科技型小微企业融资覆盖面持续扩大).
        self.holder_phrase = regex.compile(rf"[^，,；;。！？!?：:\n]*?(?:{holders})+")
        self.holder_after = regex.compile(rf"(?:{holder['after']})(?P<holder>[^，,；;。：:\n]{{0,20}}?(?:{holders})+)")
        # The first noun a share is of, right after it: 四成中小企业认为…, 40%的企业….
        self.first_noun_phrase = regex.compile(rf"(?:以上|以下|左右|多)?的?(?P<noun>[^，,；;。：:\n、\p{{N}}的]{{0,12}}?(?:{holders}))")

    def _context(self, context: Rule, heads: list[str]) -> None:
        """The longest run of a clause's words, without a number, that ends in a noun a figure can count."""
        firm_heads = _words(context["firm_heads"])
        self.counted_phrase = {
            "firm_count": regex.compile(rf"[^，,；;。！？!?：:\n\p{{N}}]*(?:{firm_heads})"),
            "other": regex.compile(rf"[^，,；;。！？!?：:\n\p{{N}}]*(?:{_words(heads)})"),
        }
        self.counted_noun = {"firm_count": re.compile(firm_heads), "other": re.compile(_words(heads))}
        self.context_skip = _pattern(context, "skip")

    def _counted_noun(self, counted: Rule) -> None:
        kept = _words(counted["kept_prefixes"])
        self.kept_prefix = re.compile(f"(?:{kept})$")
        self.kept_front = re.compile(f"^(?:{kept})")
        self.kept_word = re.compile(kept)
        self.noun_stop = re.compile(_words(counted["noun_stops"]))
        self.change_verb = regex.compile(_words(counted["change_verbs"]))
        self.generic_noun = re.compile(f"^(?:{_words(counted['generic_nouns'])})$")
        self.firm_head = re.compile(f"(?:{_words(counted['firm_heads'])})$")
        self.firm_units = frozenset(counted["firm_units"])

    def _other_rules(self, rule) -> None:
        """subject.recipient, policy, rank, rate_base, difference, growth_of_count and share_of."""
        policy, rank, difference = rule("policy"), rule("rank"), rule("difference")
        growth, share = rule("growth_of_count"), rule("share_of")
        self.recipient = _own_pattern(rule("recipient"))
        self.relief = _pattern(policy, "relief")
        self.policy_end = _pattern(policy, "policy_end")
        self.rank_verb = _own_pattern(rank)
        self.list_rank = _pattern(rank, "list_rank")
        self.joins_list = regex.compile(_words(rank["joins_list"]))
        self.rate_base = _own_pattern(rule("rate_base"))
        self.comparison = _own_pattern(difference)
        self.growth_named = re.compile(f"(?:{_words(difference['growth_words'])})$")
        self.counted_quantity = re.compile(f"(?:{_words(growth['already'])})$")
        self.number_word = re.compile(f"(?:{_words(growth['number_words'])})$")
        self.share_word = _pattern(share, "share_word")
        self.share_named = re.compile(f"(?:{_words(share['already'])})$")

    def trim(self, text: str, start: int, end: int) -> tuple[int, int]:
        """[start, end) without framing dates, places and leading verbs at the front, or the verbs and
        qualifier words before a number at the back."""
        for _ in range(8):
            before = (start, end)
            start, end = stripped(text, start, end, STRIP)
            for prefix in (self.date_prefix, self.leading):
                if prefix is self.leading and self.unbroken.match(text[start:end]):
                    break  # 在保余额: a word of its own, not 在 and 保余额
                found = prefix.match(text[start:end])
                if found and found.end():
                    start, end = stripped(text, start + found.end(), end, STRIP)
            found = self.trailing.search(text[start:end])
            if found:
                end = start + found.start()
            if (start, end) == before:
                break
        return start, end

