"""Where each scanning rule can start, found by one hyperscan pass: the scanner runs its exact rules only there.

The scanner's exact pattern (scanner.py) is a `regex` alternation of every
claim and non-claim rule; `finditer` tries the whole alternation at every
place a rule could start, and most tries lead nowhere. Here each rule is
rewritten into a form hyperscan takes that matches at least wherever the rule
does: lookarounds and anchors dropped, a back reference widened to what its
group can match, lazy and possessive quantifiers made plain, long bounded
repeats opened, Unicode classes (`\\d`, `\\p{Han}`) written out as the code
points the `regex` module gives them (a class of many ranges widened). Each
form is written backwards and run over the reversed text, so hyperscan's
match ends are the places where the rule can start, exactly and without its
start-of-match tracking (which rejects long patterns). At each such place the
scanner tries, in priority order, only the members of its alternation whose
rules can start there; since a rule that cannot start at a place never wins
there, the candidates are the same as the plain alternation's
(tests/test_prefilter.py checks them on every example, sample and hostile text).

A rule with a construct the rewriting does not know (a conditional, recursion,
case folding) raises `Unsupported`, and the scanner keeps the plain
alternation, with a one-line note. Without hyperscan (a platform with no
wheel) the plain alternation runs too. `EXTRACTOR_SCAN=plain` asks for it.

The compiled database is kept in a user cache folder (`EXTRACTOR_CACHE_DIR`,
else the platform's), named by a hash of the exact pattern, this module and
the hyperscan version, so it is built once per rule set (about a second) and
loaded after that; it is written under a temporary name and renamed, so
processes that build it at the same time never read half a file.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import unicodedata
from array import array
from functools import lru_cache
from pathlib import Path

import numpy as np
import regex

try:
    import hyperscan
except ImportError:  # no wheel for this platform: the plain alternation scans alone
    hyperscan = None

log = logging.getLogger(__name__)

# Bytes of a text counted at a time when byte offsets are turned into characters, and places sorted at a time.
_COUNT_SLICE = 2**20
_PLACE_SLICE = 2**20

# A bounded repeat above this count is opened (`{2,80}` -> `{2,}`): the same places, a smaller automaton.
_WIDEN_ABOVE = 16
# Characters Chinese documents are written in: ASCII, general and CJK punctuation, CJK ideographs, full-width forms.
# A class's ranges are joined across gaps holding none of them (\\d's seventy scripts of digits become five
# ranges): a smaller automaton, and no more places in the texts read.
_TEXT_BLOCKS = ((0x00, 0x7F), (0x2000, 0x206F), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_MAX_CODE_POINT = 0x10FFFF
_SIMPLE_ESCAPES = {"n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "v": 0x0B, "a": 0x07, "e": 0x1B}
_CLASS_ESCAPES = frozenset("dDwWsS")  # their code points depend on the engine's Unicode tables
_ASSERTION_ESCAPES = frozenset("bBAZzG")


def wanted() -> bool:
    """Whether the hyperscan-guided scan is to be used: installed and not turned off."""
    return hyperscan is not None and os.environ.get("EXTRACTOR_SCAN", "").lower() != "plain"


class Unsupported(ValueError):
    """A pattern construct the derivation cannot turn into a hyperscan superset."""


def derive(source: str, reverse: bool = False) -> str:
    """A hyperscan pattern (UTF-8 mode) matching at least everything `source` matches, at the same places.

    With `reverse`, the pattern reads the text backwards: it matches the
    reversed text wherever `source` could match the text.
    """
    return _Deriver(source, reverse).derived()


class _Deriver:
    """A small recursive-descent reader of `regex` (V0) syntax that writes the superset form."""

    def __init__(self, source: str, reverse: bool = False):
        self.source = source
        self.reverse = reverse
        self.i = 0
        self.group_count = 0
        self.groups: dict[str, list[str]] = {}  # name or number -> derived bodies of the groups so called

    def derived(self) -> str:
        out = self.alternation()
        if self.i != len(self.source):
            raise Unsupported(f"unbalanced ')' at {self.i}")
        return out

    def fail(self, what: str) -> Unsupported:
        return Unsupported(f"{what} at {self.i} of {self.source[:60]!r}")

    def peek(self, text: str) -> bool:
        return self.source.startswith(text, self.i)

    def alternation(self) -> str:
        branches = [self.sequence()]
        while self.peek("|"):
            self.i += 1
            branches.append(self.sequence())
        return "|".join(branches)

    def sequence(self) -> str:
        parts: list[str] = []
        while self.i < len(self.source) and not self.peek("|") and not self.peek(")"):
            atom = self.atom()
            quantifier = self.quantifier()
            if atom is None:  # an assertion, dropped with any quantifier it had
                continue
            parts.append(atom + quantifier)
        return "".join(reversed(parts) if self.reverse else parts)

    def quantifier(self) -> str:
        source, start = self.source, self.i
        if self.i >= len(source):
            return ""
        char = source[self.i]
        if char in "*+?":
            self.i += 1
            out = char
        elif char == "{":
            found = regex.match(r"\{(\d*)(?:(,)(\d*))?\}", source, pos=self.i)
            if found is None or (not found.group(1) and not found.group(2)):
                return ""  # a literal brace, read as an atom
            low, comma, high = found.group(1) or "0", found.group(2), found.group(3)
            self.i = found.end()
            if comma is None:
                out = f"{{{int(low)}}}" if int(low) <= _WIDEN_ABOVE else f"{{{_WIDEN_ABOVE},}}"
            elif not high or int(high) > _WIDEN_ABOVE:
                out = f"{{{min(int(low), _WIDEN_ABOVE)},}}"
            else:
                out = f"{{{int(low)},{int(high)}}}"
        else:
            return ""
        if self.i < len(source) and source[self.i] in "?+":  # lazy or possessive: the same strings, or fewer
            self.i += 1
        if self.i < len(source) and source[self.i] in "*+?{" and self.quantifier_follows():
            raise self.fail(f"a quantifier after {source[start:self.i]!r}")
        return out

    def quantifier_follows(self) -> bool:
        return self.source[self.i] != "{" or regex.match(r"\{\d*(?:,\d*)?\}", self.source, pos=self.i) is not None

    def atom(self) -> str | None:
        char = self.source[self.i]
        if char == "(":
            return self.group()
        if char == "[":
            return self.char_class()
        if char == "\\":
            return self.escape()
        self.i += 1
        if char in "^$":
            return None
        if char == ".":
            return "[^\\n]"
        if char in "*+?":
            raise self.fail("nothing to repeat")
        if char == "{":  # not a count: a fuzzy-matching constraint (`{e<=1}`) or a literal brace
            raise self.fail("a brace that is not a count")
        return _literal(ord(char))

    def group(self) -> str | None:
        source = self.source
        self.i += 1
        name: str | None = None
        capturing = False
        if self.peek("?"):
            for opener in ("?=", "?!", "?<=", "?<!"):
                if self.peek(opener):
                    self.i += len(opener)
                    self.alternation()
                    self.close()
                    return None
            if self.peek("?:") or self.peek("?>"):  # an atomic group matches a subset of the plain one
                self.i += 2
            elif self.peek("?P<") or (self.peek("?<") and not self.peek("?<=") and not self.peek("?<!")):
                found = regex.match(r"\?P?<([A-Za-z_]\w*)>", source, pos=self.i)
                if found is None:
                    raise self.fail("a bad group name")
                name, capturing = found.group(1), True
                self.i = found.end()
            elif self.peek("?P="):
                found = regex.match(r"\?P=([A-Za-z_]\w*)\)", source, pos=self.i)
                if found is None:
                    raise self.fail("a bad back reference")
                self.i = found.end()
                return self.back_reference(found.group(1))
            elif self.peek("?#"):
                end = source.find(")", self.i)
                if end < 0:
                    raise self.fail("an unclosed comment")
                self.i = end + 1
                return None
            else:
                found = regex.match(r"\?([a-zA-Z]*)(?:-[a-zA-Z]*)?:", source, pos=self.i)
                if found is None or set(found.group(1)) - {"m"}:  # ^ and $ are dropped, so (?m:) changes nothing
                    raise self.fail("an unsupported group or flag")
                self.i = found.end()
        else:
            capturing = True
        if capturing:
            self.group_count += 1
            number = str(self.group_count)
        body = self.alternation()
        self.close()
        if capturing:
            self.groups.setdefault(number, []).append(body)
            if name is not None:
                self.groups.setdefault(name, []).append(body)
        return f"(?:{body})"

    def close(self) -> None:
        if not self.peek(")"):
            raise self.fail("an unclosed group")
        self.i += 1

    def back_reference(self, key: str) -> str:
        bodies = self.groups.get(key)
        if not bodies:
            raise self.fail(f"a back reference to group {key!r} before it closes")
        return "(?:" + "|".join(f"(?:{body})" for body in dict.fromkeys(bodies)) + ")"

    def escape(self) -> str | None:
        source = self.source
        if self.i + 1 >= len(source):
            raise self.fail("a trailing backslash")
        letter = source[self.i + 1]
        if letter in _ASSERTION_ESCAPES:
            self.i += 2
            return None
        if letter.isdigit() and letter != "0":
            found = regex.match(r"\\(\d{1,2})", source, pos=self.i)
            self.i = found.end()
            return self.back_reference(found.group(1))
        ranges, negated = self.class_item()
        return _class(ranges, negated)

    def class_item(self) -> tuple[list[tuple[int, int]], bool]:
        """One escape or character, as code point ranges; advances past it."""
        source = self.source
        char = source[self.i]
        if char != "\\":
            self.i += 1
            return [(ord(char), ord(char))], False
        letter = source[self.i + 1] if self.i + 1 < len(source) else ""
        if letter in _CLASS_ESCAPES:
            self.i += 2
            return _code_points("\\" + letter.lower()), letter.isupper()
        if letter in "pP":
            found = regex.match(r"\\[pP](\{\^?[\w:= ]+\}|[A-Za-z])", source, pos=self.i)
            if found is None:
                raise self.fail("a bad property")
            self.i = found.end()
            return _code_points("\\p" + found.group(1)), letter == "P"
        if letter in _SIMPLE_ESCAPES:
            self.i += 2
            return [(_SIMPLE_ESCAPES[letter],) * 2], False
        for prefix, pattern in (("x{", r"\\x\{([0-9A-Fa-f]{1,6})\}"), ("x", r"\\x([0-9A-Fa-f]{2})"),
                                ("u", r"\\u([0-9A-Fa-f]{4})"), ("U", r"\\U([0-9A-Fa-f]{8})"), ("0", r"\\(0[0-7]{0,2})")):
            if source.startswith(prefix, self.i + 1):
                found = regex.match(pattern, source, pos=self.i)
                if found is None:
                    raise self.fail("a bad escape")
                self.i = found.end()
                code = int(found.group(1), 8 if prefix == "0" else 16)
                return [(code, code)], False
        if letter == "N":
            found = regex.match(r"\\N\{([^}]+)\}", source, pos=self.i)
            if found is None:
                raise self.fail("a bad \\N escape")
            self.i = found.end()
            try:
                code = ord(unicodedata.lookup(found.group(1)))
            except KeyError:
                raise self.fail("an unknown character name") from None
            return [(code, code)], False
        if letter.isalnum() or not letter:
            raise self.fail(f"an unsupported escape \\{letter}")
        self.i += 2
        return [(ord(letter), ord(letter))], False

    def char_class(self) -> str:
        source = self.source
        self.i += 1
        negated = self.peek("^")
        if negated:
            self.i += 1
        if self.peek("[") and regex.match(r"\[:\w+:\]", source, pos=self.i):
            raise self.fail("a POSIX class")
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            if self.i >= len(source):
                raise self.fail("an unclosed class")
            char = source[self.i]
            if char == "]" and not first:
                self.i += 1
                break
            if char == "[":
                raise self.fail("a nested class")
            if char == "\\" and self.i + 1 < len(source) and source[self.i + 1] == "b":
                self.i += 2
                item, item_negated = [(0x08, 0x08)], False
            else:
                item, item_negated = self.class_item()
            if item_negated:
                item = _complement(item)
            if (len(item) == 1 and item[0][0] == item[0][1] and self.peek("-")
                    and self.i + 1 < len(source) and source[self.i + 1] != "]"):
                self.i += 1
                upper, upper_negated = self.class_item()
                if upper_negated or len(upper) != 1 or upper[0][0] != upper[0][1]:
                    raise self.fail("a bad range")
                item = [(item[0][0], upper[0][0])]
            ranges.extend(item)
            first = False
        return _class(ranges, negated)


def _literal(code: int) -> str:
    """One character as hyperscan reads it: printable characters as themselves (short patterns), others by code."""
    char = chr(code)
    if char.isascii():
        return char if char.isalnum() else f"\\x{code:02x}"
    return char if char.isprintable() and not char.isspace() else f"\\x{{{code:x}}}"


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, next_low = [], 0
    for low, high in _merge(ranges):
        if low > next_low:
            out.append((next_low, low - 1))
        next_low = high + 1
    if next_low <= _MAX_CODE_POINT:
        out.append((next_low, _MAX_CODE_POINT))
    return out


def _class(ranges: list[tuple[int, int]], negated: bool) -> str:
    """A hyperscan class of code point ranges, joined across gaps no Chinese text uses (surrogates left out)."""
    merged = _merge(_complement(ranges) if negated else ranges)
    if not merged:
        raise Unsupported("a class that matches nothing")
    joined = merged[:1]
    for low, high in merged[1:]:
        if any(block_low < low and block_high > joined[-1][1] for block_low, block_high in _TEXT_BLOCKS):
            joined.append((low, high))
        else:
            joined[-1] = (joined[-1][0], high)
    kept = [(part_low, part_high) for low, high in joined
            for part_low, part_high in ((low, min(high, 0xD7FF)), (max(low, 0xE000), high)) if part_low <= part_high]
    if not kept:
        raise Unsupported("a class of surrogates only")
    if len(kept) == 1 and kept[0][0] == kept[0][1]:
        return _literal(kept[0][0])
    return "[" + "".join(_literal(low) if low == high else f"{_literal(low)}-{_literal(high)}" for low, high in kept) + "]"


@lru_cache(maxsize=None)
def _code_points(escape: str) -> list[tuple[int, int]]:
    """The code points `regex` (V0) gives a class escape such as \\d or \\p{Han}, as ranges."""
    try:
        pattern = regex.compile(f"(?:{escape})+", regex.V0)
    except regex.error as exc:
        raise Unsupported(f"{escape}: {exc}") from None
    return [(ord(m.group()[0]), ord(m.group()[-1])) for m in pattern.finditer(_all_characters())]


@lru_cache(maxsize=1)
def _all_characters() -> str:
    """Every code point but the surrogates, in order."""
    return "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, _MAX_CODE_POINT + 1)))


class Prefilter:
    """A hyperscan database of the scanning rules' reversed forms, one expression per rule.

    An expression's id is the alternation member its rule belongs to, so
    `places` gives, for each place, which members can start there.
    """

    def __init__(self, database, members: int):
        self.database = database
        self.members = members
        self._scratch = threading.local()  # hyperscan's scratch space serves one scan at a time

    @classmethod
    def build(cls, sources: list[str], rule_members: list[int], key: str, names: list[str]) -> Prefilter | None:
        """The database for rules `sources` (member of each in `rule_members`), from the cache when built before.

        `key` identifies the exact pattern; `names` name the rules in a note.
        None, with a one-line note, when a rule cannot be rewritten for hyperscan.
        """
        members = max(rule_members) + 1
        digest = hashlib.sha256("\0".join([key, repr(rule_members), hyperscan.__version__, platform.machine(),
                                           Path(__file__).read_text(encoding="utf-8")]).encode()).hexdigest()[:24]
        folder = cache_folder()
        cached, refused = folder / f"scan-{digest}.hsdb", folder / f"scan-{digest}.refused"
        if refused.exists():  # a rule set known not to fit: not rewritten again
            _note(refused.read_text(encoding="utf-8").strip())
            return None
        try:
            return cls(hyperscan.loadb(cached.read_bytes(), mode=hyperscan.HS_MODE_BLOCK), members)
        except (OSError, hyperscan.error):  # not built yet, or by another version or machine
            pass
        try:
            expressions = [derive(source, reverse=True).encode("utf-8") for source in sources]
        except Unsupported as exc:
            bad = next(name for name, source in zip(names, sources) if not _derives(source))
            return cls._refuse(refused, f"Note: rule {bad}: {exc}; scanning with the plain alternation")
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            database.compile(expressions=expressions, ids=rule_members, flags=hyperscan.HS_FLAG_UTF8)
        except hyperscan.error as exc:
            bad = next((f"rule {name}" for name, expression in zip(names, expressions) if not _compiles(expression)),
                       "the rules together")
            return cls._refuse(refused, f"Note: {bad}: hyperscan cannot take it ({exc}); scanning with the plain alternation")
        _write_atomically(cached, hyperscan.dumpb(database))
        return cls(database, members)

    @staticmethod
    def _refuse(marker: Path, note: str) -> None:
        _note(note)
        _write_atomically(marker, note.encode("utf-8"))

    def places(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(starts, members): every place where a member's rules can start, sorted by start, then member.

        Raises UnicodeEncodeError for a text hyperscan cannot read (a lone
        surrogate). A text of 50 MB may give ten million places, so they are
        kept in small integers (6 bytes a place; Python lists took 72), byte
        offsets are turned into characters a slice of the text at a time,
        and the places are sorted a slice of them at a time.
        """
        data = text[::-1].encode("utf-8")
        # A member index is small, a byte offset within 2 GiB (a document is at most 50 MiB).
        members, ends = array("h"), array("i")
        add_member, add_end = members.append, ends.append

        def found(member: int, _start: int, end: int, _flags: int, _context: object) -> None:
            add_member(member)
            add_end(end)

        scratch = getattr(self._scratch, "space", None)
        if scratch is None:
            scratch = self._scratch.space = hyperscan.Scratch(self.database)
        self.database.scan(data, match_event_handler=found, scratch=scratch)
        byte_ends, member_ids = np.frombuffer(ends, dtype=np.int32), np.frombuffer(members, dtype=np.int16)
        if not bool(np.all(byte_ends[1:] >= byte_ends[:-1])):  # hyperscan reports matches in the order they end
            order = np.argsort(byte_ends, kind="stable")
            byte_ends, member_ids = byte_ends[order], member_ids[order]
        # characters read up to each byte offset (all of them where every character is one byte)
        if len(data) == len(text):
            starts = len(text) - byte_ends
        else:
            starts = _characters_before(data, byte_ends)
            np.subtract(len(text), starts, out=starts)
        return _sorted_places(starts, member_ids, self.members)


def _sorted_places(starts: np.ndarray, members: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Events that come last place first (the text was read backwards) as places sorted by start, then member,
    each once; _PLACE_SLICE events at a time, cut between two starts, so only the result is as long as the events."""
    out_starts, out_members = np.empty(len(starts), dtype=np.int32), np.empty(len(starts), dtype=np.int16)
    filled, stop = 0, len(starts)
    while stop > 0:
        first = max(0, stop - _PLACE_SLICE)
        while 0 < first and starts[first - 1] == starts[first]:  # a place's events stay in one slice
            first -= 1
        keys = starts[first:stop][::-1].astype(np.int64) * count + members[first:stop][::-1]
        keys.sort(kind="stable")  # nearly sorted already: one pass
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        out_starts[filled:filled + len(keys)] = keys // count
        out_members[filled:filled + len(keys)] = keys % count
        filled, stop = filled + len(keys), first
    return out_starts[:filled], out_members[:filled]


def _characters_before(data: bytes, byte_ends: np.ndarray) -> np.ndarray:
    """For each offset of `byte_ends` into UTF-8 `data`, the characters that begin before it.

    A running count of the bytes that begin a character, a slice of
    _COUNT_SLICE bytes at a time: a count of every byte at once would hold
    eight bytes for each byte of the text. hyperscan reports matches in the
    order they end, so the offsets are sorted already (else they are sorted here).
    """
    order = None if bool(np.all(byte_ends[1:] >= byte_ends[:-1])) else np.argsort(byte_ends, kind="stable")
    ordered = byte_ends if order is None else byte_ends[order]
    counts = np.empty(len(ordered), dtype=np.int32)  # a document is at most 50 MiB
    view = np.frombuffer(data, dtype=np.uint8)
    running = np.empty(min(len(view), _COUNT_SLICE), dtype=np.int64)
    counted = taken = 0
    for first in range(0, len(view), _COUNT_SLICE):
        piece = view[first:first + _COUNT_SLICE]
        begins = running[:len(piece)]
        np.cumsum((piece & 0xC0) != 0x80, out=begins)
        begins += counted
        # the bound in the offsets' own type: a Python int would make numpy search an int64 copy of them all
        upto = int(ordered.searchsorted(ordered.dtype.type(first + len(piece)), side="right"))
        counts[taken:upto] = begins[ordered[taken:upto] - 1 - first]
        counted, taken = int(begins[-1]), upto
    if order is None:
        return counts
    result = np.empty_like(counts)
    result[order] = counts
    return result


def _note(note: str) -> None:
    """The fallback note, on stderr from the main process; worker processes of a run keep quiet."""
    log.log(logging.WARNING if multiprocessing.parent_process() is None else logging.INFO, "%s", note)


def cache_folder() -> Path:
    """`EXTRACTOR_CACHE_DIR`, else the platform's folder for a user's caches, with `extractor` in it."""
    if os.environ.get("EXTRACTOR_CACHE_DIR"):
        return Path(os.environ["EXTRACTOR_CACHE_DIR"])
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "extractor"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write under a temporary name and rename; a folder that cannot be written only costs the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("cache %s not written: %s", path, exc)


def _derives(source: str) -> bool:
    try:
        derive(source, reverse=True)
        return True
    except Unsupported:
        return False


def _compiles(expression: bytes) -> bool:
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(expressions=[expression], flags=hyperscan.HS_FLAG_UTF8)
        return True
    except hyperscan.error:
        return False
