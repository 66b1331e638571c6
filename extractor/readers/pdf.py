"""The text layer of a PDF, with the lines of each paragraph joined again.

A PDF has no paragraphs, only lines placed on a page: a sentence, and even a
number (13.03 | 万家), may be cut at a line end. So the lines of a page are
joined again: a line ends its paragraph when it ends with 。！？ or ：,
when it is clearly shorter than the full lines, or when the next line
opens a numbered heading; page numbers (- 3 -, 第3页) are dropped. A PDF
without a text layer (a scan) reads as empty: it needs OCR, which this does not do.
"""

from __future__ import annotations

import io
import logging
import unicodedata

import pypdf
import regex

from .errors import ReadError

_ENDS_PARAGRAPH = regex.compile(r"[。！？!?：:]$")
_OPENS_PARAGRAPH = regex.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|第[一二三四五六七八九十百\d]+[章节条部分]|附件)")
_PAGE_NUMBER = regex.compile(r"^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*[页頁](?:\s*[，,]?\s*共\s*\d+\s*[页頁])?|\d+\s*/\s*\d+|\d+)\s*$")
# A line this much narrower than the widest line ends its paragraph.
_FULL_LINE = 0.85


def pdf_text(raw: bytes) -> str:
    """The text of a PDF's bytes, one paragraph a line; ReadError if it is not a readable PDF."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF warns per object; the row records the outcome
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("encrypted PDF: needs a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise ReadError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    lines = [line.strip() for page in pages for line in page.split("\n")]
    return "\n".join(_paragraphs([line for line in lines if line and not _PAGE_NUMBER.match(line)]))


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs, across page breaks too."""
    if not lines:
        return []
    full = max(_width(line) for line in lines) * _FULL_LINE
    paragraphs = [lines[0]]
    for previous, line in zip(lines, lines[1:]):
        if _ENDS_PARAGRAPH.search(previous) or _width(previous) < full or _OPENS_PARAGRAPH.match(line):
            paragraphs.append(line)
        else:
            paragraphs[-1] = _join(paragraphs[-1], line)
    return paragraphs


def _join(left: str, right: str) -> str:
    """Two pieces of one paragraph: Chinese joins directly; two Latin words or numbers keep the space the line break took."""
    if left and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _width(line: str) -> int:
    """Display width: Chinese and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
