"""The text of a Word .docx file: body paragraphs and tables in document order.

One paragraph a line; a table row is one line with its cells apart by a tab.
A table keeps its columns: an empty cell stays empty, and a cell merged
across columns is written once, followed by an empty cell for each further
column it covers. Headers, footers and comments are not the document.
"""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .errors import ReadError


def docx_text(raw: bytes) -> str:
    """The text of a .docx file's bytes; ReadError if they are not a Word document."""
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises zip, XML, package and value errors on damaged files
        raise ReadError(f"not a readable .docx file ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, document).text.strip())
        elif child.tag == qn("w:tbl"):
            lines.extend(_rows(Table(child, document)))
    return "\n".join(line for line in lines if line)


def _rows(table: Table) -> list[str]:
    """One line per row that has any text, its cells apart by a tab (leading and trailing empty cells kept)."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats itself across the columns it spans
                cells.append("")
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.strip() for p in cell.text.split("\n") if p.strip()))
        if any(cells):
            rows.append("\t".join(cells))
    return rows
