"""Sentences and lines of a document, as offsets into the untouched text.

Attribution reads context within a claim's sentence (a year is carried forward
within the sentence that states it, never into the next), so sentences are
found once per document and looked up by offset.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

# A sentence ends at 。！？ (and their ASCII forms) or at a line break; a ；
# joins the parts of one sentence, and a year stated before it carries over.
_SENTENCE_END = regex.compile(r"[。！？!?]+|\n+")
# A run-on "sentence" (a page with no full stop) is cut after its last clause
# mark within MAX_SENTENCE characters: attribution reads a claim's sentence up
# to the claim, so unbounded sentences would make extraction quadratic.
MAX_SENTENCE = 1000
_LAST_CLAUSE_MARK = regex.compile(r"(?r)[，；、,;：:\s]")
_NEWLINE = regex.compile(r"\n")


@dataclass(frozen=True)
class Segments:
    """Sentence and line boundaries of one text, for offset lookups."""

    text: str
    sentence_starts: tuple[int, ...]
    sentence_ends: tuple[int, ...]
    line_starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "Segments":
        starts, ends = [], []
        position = 0
        for match in _SENTENCE_END.finditer(text):
            if match.start() > position:
                _add(text, position, match.end() if text[match.start()] != "\n" else match.start(), starts, ends)
            position = match.end()
        if position < len(text):
            _add(text, position, len(text), starts, ends)
        line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        return cls(text, tuple(starts), tuple(ends), tuple(line_starts))

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the sentence holding `offset`."""
        index = bisect.bisect_right(self.sentence_starts, offset) - 1
        if index < 0:
            return 0, len(self.text)
        return self.sentence_starts[index], max(self.sentence_ends[index], offset + 1)

    def line_of(self, offset: int) -> int:
        """1-based line number of `offset`."""
        return bisect.bisect_right(self.line_starts, offset)


def _add(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> None:
    """Record the sentence [start, end), in pieces of at most MAX_SENTENCE characters."""
    while end - start > MAX_SENTENCE:
        mark = _LAST_CLAUSE_MARK.search(text, start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = mark.end() if mark else start + MAX_SENTENCE
        starts.append(start)
        ends.append(cut)
        start = cut
    starts.append(start)
    ends.append(end)
