"""A `regex` pattern rewritten into a hyperscan pattern that matches at least wherever it does.

prefilter.py builds its database from these forms (the module docstring there
says why a superset is enough): lookarounds and anchors dropped, a back
reference widened to what its group can match, lazy and possessive
quantifiers made plain, long bounded repeats opened, Unicode classes (`\\d`,
`\\p{Han}`) written out as the code points the `regex` module gives them (a
class of many ranges widened), optionally backwards, to be run over the
reversed text. A construct it does not know raises `Unsupported`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

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
