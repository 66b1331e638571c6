"""Readers: the plain text of a document file, whatever its format and encoding.

Each reader turns the bytes of one format into the text that claims' offsets
index: `.txt` is decoded as it is (offsets are those of the decoded file);
HTML, Word and PDF files are converted to one paragraph a line, and that text
is what the dataset saves beside itself. A file a reader cannot read raises
ReadError with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ReadError

__all__ = ["FORMATS", "ReadError", "Reading", "read"]

# File suffixes and the format each is read as; any other file named
# explicitly is read as text.
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


@dataclass
class Reading:
    text: str
    format: str
    encoding: str | None  # the text encoding decoded, None for docx and pdf
    warning: str | None = None  # a problem that did not stop reading (a truncated last character, bytes replaced)


def read(suffix: str, raw: bytes) -> Reading:
    """The text of a file's bytes, read as the format its suffix names."""
    fmt = FORMATS.get(suffix.lower(), "txt")
    # Readers load on first use: lxml, python-docx and pypdf take a fraction
    # of a second to import, and most runs read only text files.
    if fmt == "html":
        from .html import html_text

        text, encoding, warning = html_text(raw)
        return Reading(text, fmt, encoding, warning)
    if fmt == "docx":
        from .word import docx_text

        return Reading(docx_text(raw), fmt, None)
    if fmt == "pdf":
        from .pdf import pdf_text

        return Reading(pdf_text(raw), fmt, None)
    from .text import decode

    decoded = decode(raw)
    return Reading(decoded.text, fmt, decoded.encoding, decoded.note())
