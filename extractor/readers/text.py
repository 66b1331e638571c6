"""Decoding text files: UTF-8 (with or without BOM), UTF-16/32, GB18030 and Big5, or what charset-normalizer finds.

Order matters. A byte-order mark decides. Zero bytes on one parity, as
ASCII's fall, mean UTF-16 without a mark. Strict UTF-8 is tried next (it
almost never decodes text in another encoding). Then the candidates are
GB18030 (which reads GB2312 and GBK files exactly), Big5 (cp950), BOM-less
UTF-16 and charset-normalizer's best guess, and each decoding is scored by how
much of it is ordinary text: ASCII, CJK punctuation and the Chinese characters
of GB2312 and Big5's first level. Ties go to GB18030, so short Chinese files
(where charset-normalizer guesses UTF-16 or Big5 for GBK bytes) are read right.

One bad byte must not cost a document: a stray byte, a NUL, a character cut
in two or a phrase pasted in another encoding. When no candidate decodes the
whole file, the one that leaves fewest bytes undecoded is taken, each bad byte
(and each NUL) replaced by one U+FFFD, so the text keeps its shape, and the
count is noted. Only a file that no decoding reads as mostly ordinary text is
an error (binary, when it holds zero bytes).
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
# While decoding, a byte the codec cannot read becomes the lone surrogate
# U+DC00 + byte (a strict decoder never yields one), so it can be counted,
# found and mapped back to its byte before it is shown as U+FFFD.
_MARK = "extractor.mark-bad-bytes"
_UNMARK = "extractor.unmark-bad-bytes"
_BAD = re.compile("[\x00\udc00-\udcff]")
REPLACEMENT = "\ufffd"


def _mark(error: UnicodeError) -> tuple[str | bytes, int]:
    """Decoding: each bad byte as its lone surrogate; encoding: each such surrogate back as its byte."""
    if isinstance(error, UnicodeDecodeError):
        return "".join(chr(0xDC00 + byte) for byte in error.object[error.start:error.end]), error.end
    if isinstance(error, UnicodeEncodeError):
        marks = error.object[error.start:error.end]
        if all("\udc00" <= char <= "\udcff" for char in marks):
            return bytes(ord(char) - 0xDC00 for char in marks), error.end
    raise error


@functools.cache
def _register_handlers() -> None:
    codecs.register_error(_MARK, _mark)
    codecs.register_error(_UNMARK, _mark)


@dataclass
class Decoded:
    text: str
    encoding: str
    warning: str | None = None  # a truncated last character
    replaced: int = 0  # bad bytes (and NULs) now U+FFFD, one for one
    first_byte: int | None = None  # where the first of them is in the file
    first_char: int | None = None  # and in the text

    def note(self, with_char: bool = True) -> str | None:
        """One line on what reading changed (a truncated end, bytes replaced), or None."""
        notes = [self.warning] if self.warning else []
        if self.replaced:
            where = f"byte {self.first_byte}" + (f", character {self.first_char} of the text" if with_char else "")
            many = self.replaced > 1
            notes.append(f"{self.replaced} byte{'s' if many else ''} that {'are' if many else 'is'} not text "
                         f"(invalid {self.encoding} or NUL) replaced by U+FFFD, the first at {where}")
        return "; ".join(notes) or None


def decode(raw: bytes) -> Decoded:
    """The text of a file's bytes; raises ReadError for binary or undecodable bytes."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            decoded = read_as(raw, codec)
            if not is_text(decoded):
                raise ReadError(f"not valid {codec} text after its byte-order mark")
            return decoded
    head = raw[:4096]
    has_zeros = 0 in head
    if has_zeros:
        # UTF-16 without a byte-order mark puts ASCII's zero bytes on odd
        # offsets in little-endian, on even ones in big-endian.
        odd, even = head[1::2].count(0), head[0::2].count(0)
        codec = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
        decoded = read_as(raw, codec) if codec else None
        if decoded is not None and _is_clean(decoded) and is_text(decoded):
            return decoded
    decoded = read_as(raw, "utf-8")
    if _is_clean(decoded) and is_text(decoded):
        return decoded
    candidates = ["gb18030", "cp950", "utf-16-le", "utf-16-be", "utf-8"]
    guess = charset_normalizer.from_bytes(raw[:1_000_000]).best()
    if guess is not None:
        name = guess.encoding.replace("-", "_").lower()
        if name not in _GB_FAMILY | _BIG5_FAMILY | {"utf_16_le", "utf_16_be", "utf_8"}:
            candidates.append(guess.encoding)
    problem = "binary file, not text" if has_zeros else "cannot tell the text encoding (not UTF-8, GB18030, Big5 or UTF-16)"
    return _best(raw, candidates, problem)


def _best(raw: bytes, codecs: list[str], problem: str) -> Decoded:
    """The decoding that reads most like text (a U+FFFD counts against it), then the one with fewest bytes
    replaced, whole before truncated, then the first of equals.

    A single-byte codec decodes any bytes without a replacement, so a
    decoding with no bad byte is not preferred as such: mojibake must not
    beat the right encoding with one stray byte. Raises ReadError(problem)
    if none reads as text.
    """
    best: tuple | None = None
    for codec in codecs:
        decoded = read_as(raw, codec)
        if not is_text(decoded):
            continue
        key = (_score(decoded.text), -decoded.replaced, decoded.warning is None)
        if best is None or key > best[0]:
            best = (key, decoded)
    if best is None:
        raise ReadError(problem)
    return best[1]


def read_as(raw: bytes, codec: str) -> Decoded | None:
    """Decode with `codec`: bad bytes become U+FFFD one for one, an incomplete last character is dropped.

    None for a codec Python does not know.
    """
    _register_handlers()
    try:
        decoder = codecs.getincrementaldecoder(codec)(errors=_MARK)
    except LookupError:
        return None
    text = decoder.decode(raw, final=False)
    lost = len(decoder.getstate()[0])  # the bytes of a character cut off at the very end (a truncated file)
    warning = f"truncated: {lost} byte{'s' if lost > 1 else ''} of an incomplete last character dropped" if lost else None
    first = _BAD.search(text)
    if first is None:
        return Decoded(text, codec, warning)
    replaced = len(text) - len(_BAD.sub("", text))  # counted without a list of every bad byte (garbage has millions)
    first_byte = len(text[:first.start()].encode(codec, errors=_UNMARK))
    return Decoded(_BAD.sub(REPLACEMENT, text), codec, warning, replaced, first_byte, first.start())


def is_text(decoded: Decoded | None) -> bool:
    """Mostly ordinary text: at least MIN_SCORE of a sample, and at most 1 - MIN_SCORE of it replaced."""
    if decoded is None:
        return False
    return _score(decoded.text) >= MIN_SCORE and decoded.replaced <= (1 - MIN_SCORE) * max(1, len(decoded.text))


def _is_clean(decoded: Decoded) -> bool:
    return decoded.replaced == 0 and decoded.warning is None


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
