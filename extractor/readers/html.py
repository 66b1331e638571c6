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

libxml2 stops building the tree at 2048 levels of nesting (256 without its
huge-tree option) and drops what lies deeper; a page nested that deep is
parsed again with the standard library's tokenizer, which has no such limit,
so no text is lost. The tree is walked without recursion for the same reason.
"""

from __future__ import annotations

from html.parser import HTMLParser

import regex
from lxml import etree, html

from .errors import ReadError
from .text import Decoded, decode, is_text, read_as

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
    warning = decoded.note(with_char=False)  # offsets in the page's source are not those of its text
    source = _XML_DECLARATION.sub("", decoded.text, count=1)
    if not source.strip():
        return "", decoded.encoding, warning
    root = _parse(source)
    _prune(root)
    lines: list[str] = []
    _render(_main(root), lines)
    text = "\n".join(line for line in (_clean(line) for line in lines) if line)
    return text, decoded.encoding, warning


def _parse(source: str) -> html.HtmlElement:
    """The page's element tree, whatever its depth."""
    parser = html.HTMLParser(huge_tree=True)
    try:
        root = html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"not a readable HTML page ({exc})") from None
    if any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log):
        return _DeepTreeBuilder.tree(source)
    return root


class _DeepTreeBuilder(HTMLParser):
    """An lxml tree of any depth from the standard library's HTML tokenizer.

    Used only for pages nested deeper than libxml2 builds: an element closes
    at its end tag (closing those left open inside it), a void element at
    once, and an end tag with nothing of its name open is ignored.
    """

    _VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._builder = etree.TreeBuilder(parser=html.HTMLParser())
        self._builder.start("html", {})
        self._open: list[str] = []

    @classmethod
    def tree(cls, source: str) -> html.HtmlElement:
        builder = cls()
        builder.feed(source)
        builder.close()
        for tag in reversed(builder._open):
            builder._builder.end(tag)
        builder._builder.end("html")
        return builder._builder.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":  # the root is opened already
            return
        try:
            self._builder.start(tag, {name: value or "" for name, value in attrs})
        except ValueError:  # a tag or attribute name XML cannot hold: its text still counts
            return
        if tag in self._VOID:
            self._builder.end(tag)
        else:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._open:
            return
        while self._open:
            opened = self._open.pop()
            self._builder.end(opened)
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        self._builder.data(data)


def _decode(raw: bytes) -> Decoded:
    """Bytes to text: the page's declared charset when it decodes them (GB2312 and GBK read as GB18030), else detection.

    A declared charset that leaves bad bytes is taken only when detection finds no text at all.
    """
    declared = _META_CHARSET.search(raw[:4096])
    if not declared or raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(raw)
    name = declared.group(1).decode("ascii", "replace").lower()
    codec = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936") else name
    reading = read_as(raw, codec)  # None for an unknown charset name
    if reading is not None and reading.replaced == 0:
        return reading
    try:
        return decode(raw)
    except ReadError:
        if is_text(reading):
            return reading
        raise


def _prune(root: html.HtmlElement) -> None:
    """Drop what is never the document: boilerplate tags, menus by name, and link lists."""
    for element in list(root.iter(*_DROP_TAGS)):
        _drop(element)
    for element in list(root.iter(etree.Element)):
        names = f"{element.get('id', '')} {element.get('class', '')}"
        if element.getparent() is not None and element.tag not in ("body", "html") and _DROP_NAMES.search(names):
            _drop(element)
    text, linked = _text_sizes(root)
    # Top down, so nothing inside a dropped link list is looked at again.
    pending = [root]
    while pending:
        element = pending.pop()
        if element.tag in _LINKY and element.getparent() is not None and text[element] and \
                linked[element] / text[element] >= _LINK_SHARE:
            _drop(element)
            continue
        pending.extend(child for child in reversed(element) if isinstance(child.tag, str))


def _text_sizes(root: html.HtmlElement) -> tuple[dict, dict]:
    """For every element, the characters of its text (whitespace aside) and those of that inside its links.

    One pass from the leaves up: asking each block for its text would cost
    the square of the nesting depth on a hostile page.
    """
    text: dict = {}
    linked: dict = {}
    for element in reversed(list(root.iter(etree.Element))):
        size = len(_SPACES.sub("", element.text or ""))
        in_links = 0
        for child in element:
            if isinstance(child.tag, str):
                size += text[child]
                in_links += linked[child] + (text[child] if child.tag == "a" else 0)
            size += len(_SPACES.sub("", child.tail or ""))
        text[element], linked[element] = size, in_links
    return text, linked


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


def _render(top: html.HtmlElement, lines: list[str]) -> None:
    """Append the text of `top` to `lines`, closing a line at every block boundary (inside a short cell: a space)."""
    current: list[str] = []
    # A step opens an element, or closes one and then reads its tail; each knows whether it lies in a short cell.
    pending: list[tuple[html.HtmlElement, bool, bool]] = [(top, False, False)]
    while pending:
        element, closing, in_cell = pending.pop()
        if not isinstance(element.tag, str):  # comments and processing instructions
            if element.tail:
                current.append(element.tail)
            continue
        tag = element.tag.lower()
        block = tag in _BLOCKS
        if closing:
            if tag in _CELLS:
                current.append(_CELL_MARK * (_span(element) - 1))
            if block and in_cell:
                current.append(" ")
            elif block:
                _flush(current, lines)
            if element.tail and element is not top:
                current.append(element.tail)
            continue
        if block and in_cell:
            current.append(" ")
        elif block:
            _flush(current, lines)
        if tag in _CELLS:
            current.append(_CELL_MARK)
            in_cell = in_cell or _is_short_cell(element)
        if element.text:
            current.append(element.text)
        pending.append((element, True, in_cell))
        pending.extend((child, False, in_cell) for child in reversed(element))
    _flush(current, lines)


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
