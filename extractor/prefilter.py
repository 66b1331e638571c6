"""Where each scanning rule can start, found by one hyperscan pass: the scanner runs its exact rules only there.

The scanner's exact pattern (scanner.py) is a `regex` alternation of every
claim and non-claim rule; `finditer` tries the whole alternation at every
place a rule could start, and most tries lead nowhere. Here each rule is
rewritten (supersets.py) into a form hyperscan takes that matches at least wherever the rule
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
from array import array
from pathlib import Path

import numpy as np
import regex

try:
    import hyperscan
except ImportError:  # no wheel for this platform: the plain alternation scans alone
    hyperscan = None

from . import supersets
from .supersets import Unsupported, derive

log = logging.getLogger(__name__)

# Bytes of a text counted at a time when byte offsets are turned into characters, and places sorted at a time.
_COUNT_SLICE = 2**20
_PLACE_SLICE = 2**20


def wanted() -> bool:
    """Whether the hyperscan-guided scan is to be used: installed and not turned off."""
    return hyperscan is not None and os.environ.get("EXTRACTOR_SCAN", "").lower() != "plain"


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
                                           Path(__file__).read_text(encoding="utf-8"),
                                           Path(supersets.__file__).read_text(encoding="utf-8")]).encode()).hexdigest()[:24]
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


class RuleMatches:
    """Every match each of several rules' own `finditer` gives, each rule tried only where hyperscan says it can
    start: for rules that each scan the whole text (the time words), one pass instead of one per rule. The plain
    `finditer` of each rule without hyperscan, for a text it cannot read, or where a rule cannot be rewritten."""

    def __init__(self, patterns: list[regex.Pattern], sources: list[str], names: list[str]):
        self.patterns = patterns
        self._prefilter = (Prefilter.build(sources, list(range(len(sources))), "\0".join(sources), names)
                           if wanted() and sources else None)

    def matches(self, text: str) -> list[tuple[int, regex.Match]]:
        """(rule index, match) for every rule's matches, rule by rule, each rule's in text order."""
        if self._prefilter is not None:
            try:
                return self._guided(text, *self._prefilter.places(text))
            except (UnicodeEncodeError, _EmptyMatch):  # a lone surrogate; a rule that matched nothing somewhere
                pass
        return [(index, match) for index, pattern in enumerate(self.patterns) for match in pattern.finditer(text)]

    def _guided(self, text: str, starts: np.ndarray, rules: np.ndarray) -> list[tuple[int, regex.Match]]:
        found = []
        for index, pattern in enumerate(self.patterns):
            end = 0
            for start in starts[rules == index].tolist():
                if start < end:
                    continue
                match = pattern.match(text, start)
                if match is not None:
                    if match.end() == start:  # finditer's steps past an empty match are not worth copying
                        raise _EmptyMatch
                    found.append((index, match))
                    end = match.end()
        return found


class _EmptyMatch(Exception):
    pass
