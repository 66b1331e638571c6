"""The text layer of a PDF, with the lines of each paragraph joined again.

A PDF has no paragraphs, only lines placed on a page: a sentence, and even a
number (13.03 | 万家), may be cut at a line end. So the lines of a page are
joined again: a line ends its paragraph when it ends with 。！？ or ：,
when it is clearly shorter than the full lines, or when the next line
opens a numbered heading; page numbers (- 3 -, 第3页) are dropped. A PDF
without a text layer (a scan) reads as empty: it needs OCR, which this does not do.

pypdf's text layer loses a table's cells: each cell comes out as a line of
its own and an empty cell as nothing, so a figure slides under the wrong
header. A page whose text layer looks like a table (lines of bare figures)
is read again with pdfplumber, which finds the table's ruled cells: its rows
are written one a line, cells apart by a tab (empty cells kept), between the
text above and below the table; table rows are never joined into paragraphs.
"""

from __future__ import annotations

import io
import logging
import unicodedata

import pypdf
import regex

from .errors import ReadError

# A line of a page's text layer that is a bare figure, or holds three figures apart by spaces.
_FIGURE_LINE = regex.compile(r"^[-−]?\d[\d,.]*%?$|(?:(?:^|\s)[-−]?\d[\d,.]*%?){3,}\s*$")
# A page with this many such lines may hold a table.
_FIGURE_LINES = 4

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
    page_lines = [[line.strip() for line in page.split("\n")] for page in pages]
    tabled = [index for index, lines in enumerate(page_lines) if sum(1 for line in lines if _FIGURE_LINE.search(line)) >= _FIGURE_LINES]
    if tabled:
        page_lines = _with_tables(raw, page_lines, tabled)
    lines = [line for page in page_lines for line in page]
    return "\n".join(_paragraphs([line for line in lines if line and not _PAGE_NUMBER.match(line)]))


def _with_tables(raw: bytes, page_lines: list[list[str]], indexes: list[int]) -> list[list[str]]:
    """The lines of each page in `indexes` read again with pdfplumber where it finds a ruled table; other pages as they were."""
    import pdfplumber  # loaded only for a PDF that may hold a table: most hold none

    page_lines = list(page_lines)
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for index in indexes:
                lines = _page_with_tables(pdf.pages[index])
                if lines is not None:
                    page_lines[index] = lines
    except Exception:  # pdfplumber failing on a page pypdf could read: keep pypdf's text, tables as lines
        return page_lines
    return page_lines


def _page_with_tables(page) -> list[str] | None:
    """A page's lines: its text between its tables, each table row a line of tab-separated cells; None if it has no table."""
    tables = sorted(page.find_tables(), key=lambda table: table.bbox[1])
    if not tables:
        return None
    left, top, right, bottom = page.bbox
    lines: list[str] = []
    for table in tables:
        _, table_top, _, table_bottom = table.bbox
        if table_top > top:
            lines.extend(line.strip() for line in (page.crop((left, top, right, table_top)).extract_text() or "").split("\n"))
        for row in table.extract():
            cells = [_cell(cell) for cell in row]
            if any(cells):
                lines.append("\t".join(cells))
        top = max(top, table_bottom)
    if top < bottom:
        lines.extend(line.strip() for line in (page.crop((left, top, right, bottom)).extract_text() or "").split("\n"))
    return lines


def _cell(text: str | None) -> str:
    """A cell's text on one line: its own line breaks joined as a paragraph's are."""
    parts = [part.strip() for part in (text or "").split("\n") if part.strip()]
    joined = ""
    for part in parts:
        joined = _join(joined, part) if joined else part
    return joined


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs, across page breaks too."""
    if not lines:
        return []
    full = max((_width(line) for line in lines if "\t" not in line), default=0) * _FULL_LINE
    paragraphs = [lines[0]]
    for previous, line in zip(lines, lines[1:]):
        is_row = "\t" in previous or "\t" in line  # a table row is a line of its own
        if is_row or _ENDS_PARAGRAPH.search(previous) or _width(previous) < full or _OPENS_PARAGRAPH.match(line):
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
