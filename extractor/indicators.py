"""The indicator key: what a claim measures, one key however a text words it.

Two editions of a release word one indicator differently (制造业中长期贷款余额 /
中长期制造业贷款余额). The key ignores word order, brackets and their glosses,
quotes and the words that only frame, and is built from the claim's metric,
programme, tier and unit and the head and holder of its subject:
`metric|program|tier|unit|head|holder`, the holder's words in character order
joined by `+` (`loan|||元|贷款余额|中长期+制造业`). The words are
rules/indicators.toml. The engine gives every claim its key; diff and series
align claims on it, and `resolve_keys` lets a key that leaves its tier,
programme or holder unsaid take the only fuller key of its group.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import regex

from .cells import cell_text
from .normalize import to_simplified
from .ruleset import RuleSet, per_rule_set

SEPARATOR = "|"
JOIN = "+"
# The parts a key may leave unsaid, which `resolve_keys` may fill in.
UNSAID = ("program", "tier", "holder")
# The claim columns diff and series read.
REQUIRED = ["doc", "start", "end", "text", "value", "unit", "qualifier", "metric", "subject", "tier", "program", "year", "kind", "sentence"]


@dataclass(frozen=True)
class Indicator:
    """A key's parts; `holder` is its words in character order."""

    metric: str
    program: str
    tier: str
    unit: str
    head: str
    holder: tuple[str, ...]

    @property
    def key(self) -> str:
        return SEPARATOR.join((self.metric, self.program, self.tier, self.unit, self.head, JOIN.join(self.holder)))

    @classmethod
    def parse(cls, key: str) -> Indicator:
        metric, program, tier, unit, head, holder = key.split(SEPARATOR)
        return cls(metric, program, tier, unit, head, tuple(holder.split(JOIN)) if holder else ())

    def fills(self, other: Indicator) -> int | None:
        """How many unsaid parts of `other` this key fills, agreeing on everything else; None if it does not specialise it."""
        if (self.metric, self.unit, self.head) != (other.metric, other.unit, other.head) or self == other:
            return None
        filled = 0
        for part in UNSAID:
            mine, theirs = getattr(self, part), getattr(other, part)
            if theirs:
                if mine != theirs:
                    return None
            elif mine:
                filled += 1
        return filled


class IndicatorRules:
    """The words of rules/indicators.toml, compiled once: cut a subject into its head and holder."""

    def __init__(self, ruleset: RuleSet):
        key = ruleset.table("indicators", "key")
        self.drop = {ord(c): None for c in key["drop"]}
        brackets = key["brackets"]
        self.brackets = (regex.compile("|".join(f"{regex.escape(a)}[^{regex.escape(a + b)}]*{regex.escape(b)}" for a, b in brackets))
                         if brackets else None)
        meaning: dict[str, str | None] = {}  # a word -> the word it stands for; None: dropped
        for word in key["words"]:
            meaning[word] = word
        for group in key["same"]:
            for word in group:
                meaning[word] = group[0]
        for word in key["frame"] + key["tiers"]:
            meaning[word] = None
        self.meaning = meaning
        self.vocabulary = regex.compile(r"\L<words>", words=sorted(meaning)) if meaning else None
        self.generic = frozenset(key["generic"])
        self.keep_unsaid = frozenset(key["keep_unsaid"])
        self.subject_words = functools.lru_cache(maxsize=65536)(self._subject_words)
        self.key = functools.lru_cache(maxsize=262144)(self._key)

    def _subject_words(self, subject: str) -> tuple[str, tuple[str, ...]]:
        """(head, holder) of a subject: 中长期制造业贷款余额 -> (贷款余额, (中长期, 制造业))."""
        text = to_simplified(subject).translate(self.drop)
        if self.brackets is not None:
            text = self.brackets.sub("", text)
        words: list[str] = []
        run = ""
        at = 0
        while at < len(text):
            match = self.vocabulary.match(text, at) if self.vocabulary is not None else None
            # A word of one character (省, 的) inside a run of other characters is a part of that run (城市).
            if match is None or (len(match.group()) == 1 and run):
                run += text[at]
                at += 1
                continue
            if run:
                words.append(run)
                run = ""
            meaning = self.meaning[match.group()]
            if meaning is not None:
                words.append(meaning)
            at = match.end()
        if run:
            words.append(run)
        if not words:
            return "", ()
        return words[-1], tuple(sorted(set(words[:-1]) - {words[-1]}))

    def _key(self, metric: str, program: str, tier: str, unit: str, subject: str) -> str:
        head, holder = self.subject_words(subject)
        return Indicator(metric, program, tier, to_simplified(unit), head, holder).key

    def indicator(self, metric, program, tier, unit, subject) -> str:
        """The key of a claim's fields (None and NaN read as empty)."""
        return self.key(cell_text(metric), cell_text(program), cell_text(tier), cell_text(unit), cell_text(subject))

    def is_generic(self, key: str) -> bool:
        """A key that names no particular group (企业, nothing else): it never pairs claims by itself."""
        parts = Indicator.parse(key)
        return parts.head in self.generic and not parts.holder and not parts.program

    def keys(self, claims: pd.DataFrame) -> pd.Series:
        """Every claim's key, worked out once per distinct set of fields."""
        columns = ["metric", "program", "tier", "unit", "subject"]
        fields = pd.DataFrame({c: claims[c].astype(object).map(cell_text) for c in columns})
        distinct = fields.drop_duplicates()
        distinct = distinct.assign(indicator=[self.key(*row) for row in distinct.itertuples(index=False)])
        return fields.merge(distinct, how="left", on=columns)["indicator"].set_axis(claims.index)


# The IndicatorRules of a rule set or a rules folder (the built-in rules by default), built once per process.
indicator_rules = per_rule_set(IndicatorRules)


def resolve_keys(keys: pd.Series, groups: pd.Series, sources: pd.Series, generic: pd.Series,
                 rules: IndicatorRules) -> pd.Series:
    """Keys that leave a tier, programme or holder unsaid take the only fuller key the other sources of their group hold.

    A source is a document (a side of a diff, a document of a series); a
    group is what may pair (a document pair, a place). Of the fuller keys
    (same metric, unit and head; the parts it names the same) held by other
    sources of the group and not by its own, those that fill the fewest
    parts are looked at; when they are one key, it is taken: 高新技术企业 with
    国家高新技术企业 (the tier), 首贷率 with 小微企业首贷率 (programme and holder).
    A holder is never filled with a word that changes what is counted
    (新增, 累计: `keep_unsaid` in rules/indicators.toml). Generic keys stay as they are.
    """
    table = pd.DataFrame({"group": groups.to_numpy(), "source": sources.to_numpy(), "key": keys.to_numpy(),
                          "generic": generic.to_numpy()})
    distinct = table[~table["generic"]].drop_duplicates(["group", "source", "key"])
    parts = {key: Indicator.parse(key) for key in pd.unique(distinct["key"])}
    measure = {key: (p.metric, p.unit, p.head) for key, p in parts.items()}
    distinct = distinct.assign(measure=distinct["key"].map(measure))
    # Only a measure held under two keys by two sources of a group can have a key to fill.
    spread = distinct.groupby(["group", "measure"], sort=False).agg(keys=("key", "nunique"), sources=("source", "nunique"))
    open_to_fill = spread[(spread["keys"] > 1) & (spread["sources"] > 1)].index
    candidates = distinct.set_index(["group", "measure"]).loc[open_to_fill].reset_index()
    held: dict[tuple, dict] = {}
    for group, measure, source, key in zip(candidates["group"], candidates["measure"], candidates["source"], candidates["key"]):
        held.setdefault((group, measure), {}).setdefault(source, set()).add(key)
    resolved: dict[tuple, str] = {}
    for (group, _measure), by_source in held.items():
        for source, own in by_source.items():
            others = set().union(*(keys_ for s, keys_ in by_source.items() if s != source)) - own
            for key in own:
                one = parts[key]
                if all(getattr(one, part) for part in UNSAID):
                    continue
                fuller: dict[int, list[Indicator]] = {}
                for other in (parts[k] for k in others):
                    filled = other.fills(one)
                    if filled is not None and (one.holder or not rules.keep_unsaid.intersection(other.holder)):
                        fuller.setdefault(filled, []).append(other)
                if fuller and len(fewest := fuller[min(fuller)]) == 1:
                    resolved[(group, source, key)] = fewest[0].key
    mapped = table["key"].to_numpy(dtype=object, copy=True)
    group, source = table["group"].to_numpy(dtype=object), table["source"].to_numpy(dtype=object)
    for at in np.flatnonzero(table["key"].isin({key for _group, _source, key in resolved}).to_numpy()):
        mapped[at] = resolved.get((group[at], source[at], mapped[at]), mapped[at])
    return pd.Series(mapped, index=keys.index, dtype=object)


def plain(series: pd.Series, fill=None) -> pd.Series:
    """Object values with `fill` for missing, whatever the dtype (categorical, string, Int64)."""
    return series.astype(object).where(series.notna(), fill)


def keyed_claims(claims: pd.DataFrame, rules: IndicatorRules, keep_repeats: bool = False) -> pd.DataFrame:
    """Claims as diff and series read them: plain columns, the indicator, a generic flag and an order.

    The claims' own `indicator` column is taken where it is filled; a dataset
    written before there was one gets its keys worked out here; a claim with a
    year and no period (a dataset written before there were periods) has its
    year as its period.
    """
    missing = [c for c in REQUIRED if c not in claims.columns]
    if missing:
        raise ValueError(f"claims lack the column(s) {', '.join(missing)}")
    if not keep_repeats and "is_repeat" in claims:
        claims = claims[~claims["is_repeat"].astype(bool).to_numpy()]
    frame = pd.DataFrame({c: plain(claims[c]) for c in REQUIRED}).reset_index(drop=True)
    frame["value_max"] = claims["value_max"].astype("float64").to_numpy() if "value_max" in claims else np.nan
    frame["value"] = frame["value"].astype("float64")
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["sha"] = plain(claims["doc_sha256"], "").to_numpy() if "doc_sha256" in claims else ""
    given = plain(claims["indicator"]).to_numpy() if "indicator" in claims else np.full(len(frame), None, dtype=object)
    missing_keys = pd.isna(given)
    if missing_keys.any():
        given = given.copy()
        given[missing_keys] = rules.keys(frame[missing_keys]).to_numpy()
    frame["indicator"] = given
    periods = plain(claims["period"]).to_numpy() if "period" in claims else np.full(len(frame), None, dtype=object)
    frame["period"] = [str(int(year)) if period is None and not pd.isna(year) else period
                       for period, year in zip(periods, frame["year"])]
    distinct = pd.unique(frame["indicator"])
    generic = {key: rules.is_generic(key) for key in distinct}
    frame["generic"] = frame["indicator"].map(generic).astype(bool)
    frame["ord"] = np.arange(len(frame))
    return frame


def with_key_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """The programme and tier columns as the (resolved) indicator gives them."""
    parts = {key: Indicator.parse(key) for key in pd.unique(frame["indicator"])}
    return frame.assign(
        program=frame["indicator"].map({k: p.program or None for k, p in parts.items()}).astype(object),
        tier=frame["indicator"].map({k: p.tier or None for k, p in parts.items()}).astype(object),
    )
