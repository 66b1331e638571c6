"""Text normalisation for extraction, on a copy with an offset map back to the original.

Documents write numbers in ways the rules should not each have to know:
full-width digits and number punctuation (１，２３４．５％), no-break or thin
spaces, spaces inside a number (1 234 567, 12 .5, 9.5 %), and line breaks
inside a sentence (a number cut from its unit at a line end, a hard-wrapped
text file), and the pinyin some reposting sites print after a character
(企業(yè), 區(qū)). Traditional characters are converted to simplified ones only
when asked (OpenCC t2s). All this happens on a copy: characters are replaced
one for one or deleted, never inserted, so an offset map of the deletions
takes every span of the copy back to the original text, and claims always
point at what the document holds.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass

import regex

from .ruleset import RuleSet, expand

# One for one: full-width digits and the number punctuation that reads the
# same in ASCII; no-break and thin spaces become plain spaces. Chinese
# punctuation the rules read as such (，：（）) stays.
_FOLD = {**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " "}
_FOLDED = regex.compile(f"[{''.join(_FOLD)}]")
_POINT_IN_NUMBER = regex.compile(r"(?<=[0-9])[．](?=[0-9])")
_COMMA_IN_NUMBER = regex.compile(r"(?<=[0-9])[，](?=[0-9]{3}(?![0-9]))")
_SPACE = r"[ \t\u3000]"
# Deletions inside numbers: spaces between digit groups of three (1 234 567),
# before a decimal point (12 .5) and before a percent sign (9.5 %).
_SPACED_GROUPS = regex.compile(rf"(?<![0-9.,])[0-9]{{1,3}}(?:{_SPACE}+[0-9]{{3}})+(?![0-9])")
_SPACE_RUN = regex.compile(f"{_SPACE}+")
_SPACE_IN_NUMBER = regex.compile(rf"(?<=[0-9]){_SPACE}+(?=\.[0-9]|[%‰])")
_BREAK = r"[ \t\u3000]*\r?\n[ \t\u3000]*"
# A pinyin gloss after a character, with a tone mark so that (A) or (pdf) never is one: 企業(yè).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# (The lookbehind follows the parenthesis, so the scan jumps from one parenthesis to the next.)
_PINYIN_GLOSS = regex.compile(rf"[(（](?<=\p{{Han}}.)(?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,6}}[)）]")
# A line ending like this ends its sentence or is a heading's end; it is never joined.
_LINE_END = regex.compile(r"[。！？!?；;：:）)」』】》”\"…]$")
_WIDE_OR_DIGIT = regex.compile(r"[\p{Han}0-9“‘（(《]")
# A text counts as hard-wrapped when at least this many long lines share one length.
_MIN_WRAPPED_LINES = 3
_MIN_WRAP_CHARS = 20


@dataclass(frozen=True)
class Normalised:
    """The copy extraction reads, and the deletions that map its offsets back to the original."""

    original: str
    text: str
    cuts: tuple[int, ...] = ()  # offsets in the copy where original characters were deleted
    shifts: tuple[int, ...] = ()  # characters deleted before each cut, in total

    def to_original(self, offset: int) -> int:
        """The original offset of the copy's character at `offset`."""
        index = bisect.bisect_right(self.cuts, offset) - 1
        return offset + (self.shifts[index] if index >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the copy's [start, end): from its first to its last character."""
        return self.to_original(start), self.to_original(end - 1) + 1 if end > start else self.to_original(start)

    def to_copy(self, offset: int) -> int:
        """The copy's offset of the original's character at `offset` (one the copy keeps)."""
        index = bisect.bisect_right(self._kept_from, offset) - 1
        return offset - (self.shifts[index] if index >= 0 else 0)

    @functools.cached_property
    def _kept_from(self) -> tuple[int, ...]:
        """Original offsets from which each cut's shift applies."""
        return tuple(cut + shift for cut, shift in zip(self.cuts, self.shifts))

    def as_written(self, words: str, start: int, end: int) -> str:
        """`words` in the original's characters where the copy holds them in [start, end) (the last time); else `words`."""
        at = self.text.rfind(words, start, end) if words else -1
        if at < 0:
            return words
        return "".join(self.original[self.to_original(i)] for i in range(at, at + len(words)))


class Normaliser:
    """Normalisation for one rule set (its numeral and unit fragments tell where a number goes on)."""

    def __init__(self, ruleset: RuleSet, simplified: bool = False):
        self.simplified = simplified
        fragments = ruleset.fragments
        numeral = ["[0-9.]"] + [f"{{{name}}}" for name in ("cn_digit", "cn_place")]
        goes_on = ["[0-9.%‰]"] + [f"{{{name}}}" for name in ("multiplier", "more", "count_unit", "currency",
                                                              "percent_sign", "pct_point", "duration_unit")]
        left = expand("|".join(numeral), fragments, "normalisation")
        right = expand("|".join(goes_on), fragments, "normalisation")
        # A line break that cuts a number from the rest of it: 13.03 | 万家, 两 | 批, 9. | 5%.
        self._break_in_number = regex.compile(rf"(?<={left}){_BREAK}(?={right})")

    def __call__(self, text: str, keep: list[tuple[int, int]] | tuple = ()) -> Normalised:
        """The normalised copy of `text`; nothing is deleted inside the `keep` spans (tables, whose cells must stay apart)."""
        copy = fold(text)
        copy = _COMMA_IN_NUMBER.sub(",", _POINT_IN_NUMBER.sub(".", copy))
        if self.simplified:
            copy = to_simplified(copy)
        deleted = sorted(self._deletions(copy))
        if keep:
            starts = [start for start, _ in keep]
            deleted = [span for span in deleted if not _touches(span, keep, starts)]
        if not deleted:
            return Normalised(text, copy)
        pieces, cuts, shifts = [], [], []
        position = total = 0
        for start, end in deleted:
            start = max(start, position)
            if end <= start:
                continue
            pieces.append(copy[position:start])
            total += end - start
            cuts.append(start - (total - (end - start)))
            shifts.append(total)
            position = end
        pieces.append(copy[position:])
        return Normalised(text, "".join(pieces), tuple(cuts), tuple(shifts))

    def _deletions(self, text: str):
        """(start, end) of every run of characters the copy leaves out; they may overlap."""
        for match in _SPACED_GROUPS.finditer(text):
            for space in _SPACE_RUN.finditer(match.group()):
                yield match.start() + space.start(), match.start() + space.end()
        for pattern in (_SPACE_IN_NUMBER, self._break_in_number, _PINYIN_GLOSS):
            for match in pattern.finditer(text):
                yield match.span()
        yield from _wrapped_breaks(text)


def _touches(span: tuple[int, int], keep: list[tuple[int, int]] | tuple, starts: list[int]) -> bool:
    """Whether a deletion reaches into one of the sorted, disjoint `keep` spans (`starts`: their starts)."""
    index = bisect.bisect_right(starts, span[1] - 1) - 1  # the last kept span starting before the deletion ends
    return index >= 0 and keep[index][1] > span[0] and span[1] > keep[index][0]


def fold(text: str) -> str:
    """Full-width digits and percent signs as ASCII, no-break and thin spaces as spaces."""
    return _FOLDED.sub(lambda match: _FOLD[match.group()], text)


def _wrapped_breaks(text: str):
    """Line breaks inside the sentences of a hard-wrapped text.

    A text is hard-wrapped when most of its long lines (20 characters or more)
    share one length, counted in characters or in display columns, give or
    take one (a line may end on a half-width character). Such a full line,
    not ending a sentence or a heading, goes on in the next line when both
    sides of the break are text.
    """
    if text.count("\n") < _MIN_WRAPPED_LINES:
        return
    lines = text.split("\n")
    for measure in (len, _width):
        sizes = [measure(line) for line in lines]
        wrap = _wrap_size(sizes, _MIN_WRAP_CHARS * (2 if measure is _width else 1))
        if wrap is not None:
            break
    else:
        return
    position = 0
    for line, size, following in zip(lines, sizes, lines[1:]):
        end = position + len(line)
        body, after = line.rstrip(" \t\u3000\r"), following.lstrip(" \t\u3000")
        if (size >= wrap - 1 and body and after and "\t" not in line and not _LINE_END.search(body)
                and _WIDE_OR_DIGIT.match(body[-1]) and _WIDE_OR_DIGIT.match(after[0])):
            yield position + len(body), end + 1 + len(following) - len(after)
        position = end + 1


def _wrap_size(sizes: list[int], least: int) -> int | None:
    """The size most long lines share (± 1), if they are at least three and at least half of the long lines."""
    counts = Counter(size for size in sizes if size >= least)
    if not counts:
        return None
    shared, wrap = max((counts[size] + counts.get(size - 1, 0), size) for size in counts)
    return wrap if shared >= _MIN_WRAPPED_LINES and 2 * shared >= sum(counts.values()) else None


def _width(line: str) -> int:
    """Display width as in a Chinese font: every character but ASCII takes two columns."""
    return 2 * len(line) - len(line.encode("ascii", "ignore"))


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC t2s), one for one: a line whose length would change is converted character by character."""
    convert = _t2s()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        converted = convert(line)
        if len(converted) != len(line):
            converted = "".join(c if len(s := convert(c)) != 1 else s for c in line)
        lines[i] = converted
    return "\n".join(lines)


@functools.cache
def _t2s():
    import opencc  # loaded only when asked: most documents are simplified already

    return opencc.OpenCC("t2s").convert
