"""The main text of a saved web page: navigation, scripts and styles dropped, one paragraph a line.

Government pages wrap a document in menus, breadcrumbs, link lists and
footers. Those go: elements that never hold the document (script, style,
nav, aside, footer, forms), elements whose id or class names a menu or a
footer, and blocks whose text is mostly links. What is left is written one
block (paragraph, heading, list item, table row) a line, table cells apart
by a tab. A table keeps its columns: an empty cell stays an empty cell, a cell
spanning columns is followed by an empty cell for each column it covers, and
the paragraphs of a short cell (Word pages wrap every cell in <p>) stay on the
row; a long cell (a page laid out in a table) keeps its paragraphs on lines of
their own. Line breaks of the HTML source between two Chinese characters are
dropped, as a browser drops them.
"""

from __future__ import annotations

import regex
from lxml import etree, html

from .errors import ReadError
from .text import Decoded, _strict, decode

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "canvas", "head",
              "nav", "aside", "footer", "form", "button", "select", "textarea", "input", "menu")
# An id or class with one of these words marks a block around the document, not in it.
_DROP_NAMES = regex.compile(r"(?i)(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|sidebar|footer|foot|copyright|share|toolbar|skip|banner|topbar|header-nav|pager|pagination)(?:$|[-_\s\d])")
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table",
           "tr", "section", "article", "main", "header", "blockquote", "pre", "hr", "figure", "figcaption",
           "address", "center", "caption", "tbody", "thead", "tfoot", "body", "html"}
_CELLS = {"td", "th"}
# Marks a cell boundary while a line is built: a tab in the source is white space, not a cell.
_CELL_MARK = "\x1f"
# A cell with more text than this, or holding a table, is a page's layout, not a table's cell.
_MAX_CELL = 200
_LINKY = ("ul", "ol", "dl", "div", "table", "section", "p")
# A block is a link list when at least this share of its text sits in links.
_LINK_SHARE = 0.6
_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", regex.IGNORECASE)
_XML_DECLARATION = regex.compile(r"^\s*<\?xml[^>]*>")
_WIDE = r"[\p{Han}\u3000-\u303f\uff00-\uffef“”‘’…—]"
_BREAK_BETWEEN_WIDE = regex.compile(rf"(?<={_WIDE})[ \t\r\f]*\n\s*(?={_WIDE})")
_SPACES = regex.compile(r"[ \t\r\n\f]+")


def html_text(raw: bytes) -> tuple[str, str, str | None]:
    """(main text, encoding, warning) of an HTML page's bytes; ReadError if it is not HTML."""
    decoded = _decode(raw)
    source = _XML_DECLARATION.sub("", decoded.text, count=1)
    if not source.strip():
        return "", decoded.encoding, decoded.warning
    try:
        root = html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"not a readable HTML page ({exc})") from None
    _prune(root)
    lines: list[str] = []
    _render(_main(root), [], lines)
    text = "\n".join(line for line in (_clean(line) for line in lines) if line)
    return text, decoded.encoding, decoded.warning


def _decode(raw: bytes) -> Decoded:
    """Bytes to text: the page's declared charset when it decodes them (GB2312 and GBK read as GB18030), else detection."""
    declared = _META_CHARSET.search(raw[:4096])
    if declared and not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = declared.group(1).decode("ascii", "replace").lower()
        codec = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936") else name
        try:
            decoded = _strict(raw, codec)
        except LookupError:  # an unknown charset name
            decoded = None
        if decoded is not None:
            return decoded
    return decode(raw)


def _prune(root: html.HtmlElement) -> None:
    """Drop what is never the document: boilerplate tags, menus by name, and link lists."""
    for element in list(root.iter(*_DROP_TAGS)):
        _drop(element)
    for element in list(root.iter(etree.Element)):
        names = f"{element.get('id', '')} {element.get('class', '')}"
        if element.getparent() is not None and element.tag not in ("body", "html") and _DROP_NAMES.search(names):
            _drop(element)
    for element in list(root.iter(*_LINKY)):
        if element.getparent() is None or _is_detached(element):
            continue
        text = _SPACES.sub("", element.text_content())
        linked = sum(len(_SPACES.sub("", a.text_content())) for a in element.iter("a"))
        if text and linked / len(text) >= _LINK_SHARE:
            _drop(element)


def _is_detached(element: html.HtmlElement) -> bool:
    while element.getparent() is not None:
        element = element.getparent()
    return element.tag != "html"


def _drop(element: html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _main(root: html.HtmlElement) -> html.HtmlElement:
    """The <article> or <main> holding the most text, else the body."""
    candidates = list(root.iter("article", "main"))
    if candidates:
        return max(candidates, key=lambda e: len(e.text_content()))
    body = root.find("body")
    return body if body is not None else root


def _render(element: html.HtmlElement, current: list[str], lines: list[str], in_cell: bool = False) -> None:
    """Append the text of `element` to `current`, closing a line at every block boundary (inside a short cell: a space)."""
    if not isinstance(element.tag, str):  # comments and processing instructions
        if element.tail:
            current.append(element.tail)
        return
    tag = element.tag.lower()
    block = tag in _BLOCKS
    if block and in_cell:
        current.append(" ")
    elif block:
        _flush(current, lines)
    if tag in _CELLS:
        current.append(_CELL_MARK)
        in_cell = in_cell or _is_short_cell(element)
    if element.text:
        current.append(element.text)
    for child in element:
        _render(child, current, lines, in_cell)
    if tag in _CELLS:
        current.append(_CELL_MARK * (_span(element) - 1))
    if block and in_cell:
        current.append(" ")
    elif block:
        _flush(current, lines)
    if element.tail:
        current.append(element.tail)


def _is_short_cell(cell: html.HtmlElement) -> bool:
    """A table's cell, as opposed to a page laid out in a table: short and holding no table."""
    return next(cell.iter("table"), None) is None and len(cell.text_content()) <= _MAX_CELL


def _span(cell: html.HtmlElement) -> int:
    try:
        return max(1, min(int(cell.get("colspan", "1")), 100))
    except ValueError:
        return 1


def _flush(current: list[str], lines: list[str]) -> None:
    if current:
        lines.append("".join(current))
        current.clear()


def _clean(line: str) -> str:
    """One line of a block: source line breaks between Chinese characters dropped, other whitespace runs one space.

    A table row keeps its empty cells (so its figures stay under their
    headers); a row with nothing in any cell is no line.
    """
    line = _BREAK_BETWEEN_WIDE.sub("", line)
    pieces = [_SPACES.sub(" ", piece).strip() for piece in line.split(_CELL_MARK)]
    if len(pieces) == 1:
        return pieces[0]
    before, cells = pieces[0], pieces[1:]
    if not any(cells):
        return before
    return "\t".join(([before] if before else []) + cells)
