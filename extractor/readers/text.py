"""Decoding text files: UTF-8 (with or without BOM), UTF-16/32, GB18030 and Big5, or what charset-normalizer finds.

Order matters. A byte-order mark decides. Zero bytes mean UTF-16 without a
mark (when they fall on one parity, as ASCII's do) or a binary file. Strict
UTF-8 is tried next (it almost never decodes text in another encoding).
Then the candidates are GB18030 (which reads GB2312 and GBK files exactly),
Big5 (cp950), BOM-less UTF-16 and charset-normalizer's best guess, and each
decoding is scored by how much of it is ordinary text: ASCII, CJK
punctuation and the Chinese characters of GB2312 and Big5's first level.
Ties go to GB18030, so short Chinese files (where charset-normalizer guesses
UTF-16 or Big5 for GBK bytes) are read right. A file no candidate reads as
text is an error.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from .errors import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings charset-normalizer may name that GB18030 reads exactly.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "hz"}
_BIG5_FAMILY = {"big5", "cp950", "big5hkscs"}
# Below this share of ordinary characters a decoding is garbage, not text.
MIN_SCORE = 0.8
# Characters scored per candidate: enough to tell, cheap on a 50 MB file.
_SAMPLE = 20_000
_CONTROL_OK = "\t\n\r\f\v"


@dataclass
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def decode(raw: bytes) -> Decoded:
    """The text of a file's bytes; raises ReadError for binary or undecodable bytes."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            decoded = _strict(raw, codec)
            if decoded is None:
                raise ReadError(f"not valid {codec} text after its byte-order mark")
            return decoded
    head = raw[:4096]
    if 0 in head:
        # Zero bytes: UTF-16 without a byte-order mark (ASCII puts them on odd
        # offsets in little-endian, on even ones in big-endian), or binary.
        odd, even = head[1::2].count(0), head[0::2].count(0)
        codec = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
        decoded = _strict(raw, codec) if codec else None
        if decoded is None or decoded.warning or _score(decoded.text) < MIN_SCORE:
            raise ReadError("binary file, not text")
        return decoded
    decoded = _strict(raw, "utf-8")
    if decoded is not None and decoded.warning is None and _score(decoded.text) >= MIN_SCORE:
        return decoded
    candidates = ["gb18030", "cp950", "utf-16-le", "utf-16-be", "utf-8"]
    guess = charset_normalizer.from_bytes(raw[:1_000_000]).best()
    if guess is not None:
        name = guess.encoding.replace("-", "_").lower()
        if name not in _GB_FAMILY | _BIG5_FAMILY | {"utf_16_le", "utf_16_be", "utf_8"}:
            candidates.append(guess.encoding)
    return _best(raw, candidates, "cannot tell the text encoding (not UTF-8, GB18030, Big5 or UTF-16)")


def _best(raw: bytes, codecs: list[str], problem: str) -> Decoded:
    """The decoding that reads most like text (whole before truncated, then the first of equals).

    Raises ReadError(problem) if none reads as text.
    """
    best: tuple[float, bool, Decoded] | None = None
    for codec in codecs:
        decoded = _strict(raw, codec)
        if decoded is not None:
            key = (_score(decoded.text), decoded.warning is None)
            if best is None or key > best[:2]:
                best = (*key, decoded)
    if best is None or best[0] < MIN_SCORE:
        raise ReadError(problem)
    return best[2]


def _strict(raw: bytes, codec: str) -> Decoded | None:
    """Decode strictly; a character cut off at the very end (a truncated file) is dropped with a warning."""
    try:
        return Decoded(raw.decode(codec), codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 3:
            return None
        try:
            text = raw[: exc.start].decode(codec)
        except UnicodeDecodeError:
            return None
        lost = len(raw) - exc.start
        return Decoded(text, codec, f"truncated: {lost} byte{'s' if lost > 1 else ''} of an incomplete last character dropped")


def _score(text: str) -> float:
    """The share of ordinary characters in a sample of `text` (1.0 for an empty text)."""
    sample = text[:_SAMPLE]
    if not sample:
        return 1.0
    return (len(sample) - len(_unusual().findall(sample))) / len(sample)


@functools.cache
def _unusual() -> re.Pattern:
    """A character that is not ordinary text, as one compiled class: scoring a sample is one scan in C.

    The standard `re` module, not `regex`: `regex` walks a class of thousands of ranges a hundred times slower.
    """
    ordinary = _common_chars() | {chr(c) for c in range(0x20, 0x7F)} | set(_CONTROL_OK)
    codes = sorted(map(ord, ordinary))
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    escape = lambda code: re.escape(chr(code))  # noqa: E731
    return re.compile("[^" + "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges) + "]")


@functools.cache
def _common_chars() -> frozenset[str]:
    """Every character of GB2312, Big5's frequent characters, and Unicode's CJK and full-width punctuation."""
    chars: set[str] = set()
    for lead in range(0xA1, 0xF8):  # GB2312: symbols, kana, Greek, Cyrillic, 6763 hanzi
        chars.update(bytes([lead, trail]).decode("gb2312", "ignore") for trail in range(0xA1, 0xFF))
    for lead in range(0xA1, 0xC7):  # Big5: symbols and the 5401 frequent hanzi
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            chars.add(bytes([lead, trail]).decode("cp950", "ignore"))
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    chars.update(c for c in map(chr, range(0x2010, 0x2070)) if unicodedata.category(c).startswith(("P", "Z")))
    chars.update("·×÷°±‰€£¥\xa0\ufeff")
    chars.discard("")
    return frozenset(chars)
