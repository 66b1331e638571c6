"""A subject as pieces of the text, and the span arithmetic the subject readers share.

A subject is a sequence of spans of the text, with the few joining words the
text leaves out (的, 数量, 的比重), so the pipeline maps it back to the
document through the normaliser's offset map instead of searching for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

# A piece of a subject: a span (start, end) of the text, or words the text does not hold.
Piece = tuple[int, int] | str
# What a subject's words do not start or end with.
STRIP = " \t\u3000、，,"
# What ends a clause.
CLAUSE_BREAK = regex.compile(r"[，,；;。！？!?：:\n]")
# Items paired in order with a run of figures: A、B分别为….
RESPECTIVELY = regex.compile(r"分别|分別|分列")
DIGIT = regex.compile(r"\d")
# A figure after a counted noun, outside a quoted name (位列“全球工程机械50强”).
_FIGURE_OUTSIDE_QUOTES = regex.compile(r"(?:“[^“”]*”|\"[^\"]*\"|「[^「」]*」)(*SKIP)(*FAIL)|\d")
# A bracketed remark that closes a phrase: 国家级(不含水城区).
_BRACKETED_END = regex.compile(r"[（(][^（()）]*[)）]$")


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
        return words_of(text, self.pieces)

    def own_words(self, text: str) -> str:
        return words_of(text, self.own if self.own is not None else self.pieces)

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


def span(start: int, end: int) -> tuple[Piece, ...]:
    return ((start, end),) if end > start else ()


def words_of(text: str, pieces: tuple[Piece, ...]) -> str:
    return "".join(text[p[0] : p[1]] if isinstance(p, tuple) else p for p in pieces)


def stripped(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    """[start, end) without `chars` at either end."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def take_front(pieces: tuple[Piece, ...], count: int) -> tuple[Piece, ...]:
    """The first `count` characters of `pieces`."""
    kept: list[Piece] = []
    for piece in pieces:
        if count <= 0:
            break
        size = piece[1] - piece[0] if isinstance(piece, tuple) else len(piece)
        kept.append(piece if size <= count else ((piece[0], piece[0] + count) if isinstance(piece, tuple) else piece[:count]))
        count -= size
    return tuple(kept)


def drop_front(pieces: tuple[Piece, ...], count: int) -> tuple[Piece, ...]:
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


def narrowed(item: str, whole: str) -> int:
    """Where the thing `item` narrows ends in `whole`, or 0: 高技术制造业 in 制造业中长期贷款余额 -> 3 (the rest,
    中长期贷款余额, is its measure); 电子信息制造业 in 高技术制造业增加值 -> 6."""
    for size in range(len(item), 1, -1):
        at = whole.find(item[-size:])
        if at >= 0 and at + size < len(whole):
            return at + size
    return 0


def before_figure(text: str, start: int, end: int) -> int:
    """Where the first figure after `start` begins (a number outside a quoted name), or `end`."""
    figure = _FIGURE_OUTSIDE_QUOTES.search(text, start, end)
    return figure.start() if figure else end


def before_bracket(text: str, start: int, end: int) -> int:
    """The end of text[start:end] before a bracketed remark that closes it: 国家级(不含水城区) -> 国家级."""
    bracket = _BRACKETED_END.search(text, start, end)
    return bracket.start() if bracket else end
