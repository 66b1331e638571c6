"""The library API: extract claims from a text, or from files and folders.

The rules read a normalised copy of each text (normalize.py); claims come
back with the offsets, sentence and line of the text itself.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol

import pandas as pd
import regex

from .claim import Claim
from .dataset import claims_frame, documents_frame
from .documents import Document, find_inputs, read_document, shown
from .engine import Extractor
from .normalize import Normalised, Normaliser, fold
from .numerals import MAX_LENGTH
from .ruleset import RuleSet
from .subjects import Piece

_extractors: dict[str, Extractor] = {}
_NEWLINE = regex.compile(r"\n")


def get_extractor(rules: str | Path | RuleSet | Extractor | None = None) -> Extractor:
    """An Extractor for a rules directory, compiled once per process."""
    if isinstance(rules, Extractor):
        return rules
    if isinstance(rules, RuleSet):
        return Extractor(rules)
    key = str(Path(rules).resolve()) if rules is not None else ""
    if key not in _extractors:
        _extractors[key] = Extractor(rules)
    return _extractors[key]


@functools.cache
def _normaliser(extractor: Extractor, simplified: bool) -> Normaliser:
    return Normaliser(extractor.ruleset, simplified)


def rules_version(extractor: Extractor, simplified: bool = False) -> str:
    """What `--resume` compares with `sha256`: the rule set's version, marked when traditional characters were converted."""
    return extractor.ruleset.version + ("+simplified" if simplified else "")


def extract_claims(text: str, extractor: Extractor, doc: str = "text", metadata: dict | None = None,
                   simplified: bool = False) -> list[Claim]:
    """Claims of `text`, read on its normalised copy; spans, sentences and lines are those of `text` itself.

    With `simplified`, the rules read traditional characters as simplified
    ones. A subject is given back in the document's characters, its spans
    mapped through the offset map; a unit where the copy holds it as it is (a
    unit keeps ASCII digits and %).
    """
    return list(iter_claims(text, extractor, doc, metadata, simplified))


def iter_claims(text: str, extractor: Extractor, doc: str = "text", metadata: dict | None = None,
                simplified: bool = False, unread: list[tuple[int, int]] | None = None) -> Iterator[Claim]:
    """extract_claims one claim at a time; spans of numbers too long to read are added to `unread` (see Extractor)."""
    tables = extractor.tables.find(fold(text))  # found on the text as written, kept as written in the copy
    normalised = _normaliser(extractor, simplified)(text, keep=[(table.start, table.end) for table in tables])
    metadata = metadata if metadata is not None else extractor.metadata(text)
    found: list[tuple[int, int]] = []
    claims = extractor.iter_claims(normalised.text, doc=doc, metadata=metadata,
                                   tables=[table.moved(normalised.to_copy(table.start)) for table in tables], unread=found)
    if normalised.text == text:
        yield from claims
    else:
        line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        for claim in claims:
            start, end = normalised.span(claim.start, claim.end)
            sentence_start, sentence_end = normalised.span(claim.sentence_start, claim.sentence_start + len(claim.sentence))
            subject = "".join(_as_written(text, normalised, piece) for piece in claim.subject_pieces) \
                if claim.subject_pieces else claim.subject
            yield replace(claim, start=start, end=end, text=text[start:end], sentence=text[sentence_start:sentence_end],
                          sentence_start=sentence_start, line=bisect.bisect_right(line_starts, start), subject=subject,
                          unit=fold(normalised.as_written(claim.unit, claim.start, claim.end)))
    if unread is not None:
        unread.extend(normalised.span(start, end) for start, end in found)


def _as_written(text: str, normalised: Normalised, piece: Piece) -> str:
    """A piece of a subject in the document's characters: a span of the copy maps back character by
    character (a line break or space the copy left out stays out); joining words stay as they are."""
    if isinstance(piece, str):
        return piece
    start, end = piece
    if end <= start:
        return ""
    first, last = normalised.to_original(start), normalised.to_original(end - 1)
    if last - first == end - 1 - start:  # the copy only deletes: nothing was left out inside, so one slice
        return text[first : last + 1]
    return "".join(text[normalised.to_original(offset)] for offset in range(start, end))


def extract_text(text: str, doc: str = "text", rules: str | Path | RuleSet | Extractor | None = None,
                 simplified: bool = False) -> pd.DataFrame:
    """Claims of one text as a DataFrame (the dataset's claim columns). For many texts, `extract_texts` makes one table."""
    return claims_frame(extract_claims(text, get_extractor(rules), doc=doc, simplified=simplified))


def extract_texts(texts: Iterable[str] | Mapping[str, str], docs: Iterable[str] | None = None,
                  rules: str | Path | RuleSet | Extractor | None = None, simplified: bool = False) -> pd.DataFrame:
    """Claims of many texts as one DataFrame, its `doc` naming the text each came from.

    The names are a mapping's keys, else `docs` (as many as texts), else each
    text's position ("0", "1", …). One table for all costs what one
    `extract_text` call does, not once per text.
    """
    extractor = get_extractor(rules)
    if isinstance(texts, Mapping):
        named = texts.items()
    elif docs is not None:
        named = zip(docs, texts, strict=True)
    else:
        named = enumerate(texts)
    claims: list[Claim] = []
    for doc, text in named:
        claims.extend(extract_claims(text, extractor, doc=str(doc), simplified=simplified))
    return claims_frame(claims)


@dataclass
class BatchResult:
    """Documents extracted in memory, as the dataset's two tables (`documents` is always a frame; counts are n_*)."""

    claims: pd.DataFrame
    documents: pd.DataFrame

    @property
    def failed(self) -> pd.DataFrame:
        return self.documents[self.documents["status"].isin(["error", "skipped"])]


@dataclass
class DocumentResult:
    """What one input gave: its claims and its `documents` row."""

    claims: list[Claim]
    row: dict


class ClaimSink(Protocol):
    """Where extract_document_into puts a document's claims as they are found."""

    def begin(self, sha256: str) -> None:
        """A new document starts (the sha256 of its bytes)."""

    def add(self, claim: Claim) -> None: ...

    def discard(self) -> None:
        """The document failed: forget the claims added since begin()."""


class _ClaimList:
    """The simplest sink: the claims of the documents extracted, each with its document's sha256."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []
        self.shas: list[str] = []
        self._start, self._sha = 0, ""

    def begin(self, sha256: str) -> None:
        self._start, self._sha = len(self.claims), sha256

    def add(self, claim: Claim) -> None:
        self.claims.append(claim)
        self.shas.append(self._sha)

    def discard(self) -> None:
        del self.claims[self._start:], self.shas[self._start:]


def extract_document(path: Path, extractor: Extractor, simplified: bool = False) -> DocumentResult:
    """Read and extract one file; a document that fails is recorded, never raised."""
    sink = _ClaimList()
    row = extract_document_into(path, extractor, sink, simplified)
    return DocumentResult(sink.claims, row)


def extract_document_into(path: Path, extractor: Extractor, sink: ClaimSink, simplified: bool = False,
                          on_read: Callable[[Document], None] | None = None) -> dict:
    """Read one file and hand its claims to `sink` one by one; its `documents` row. Never raises.

    `on_read` gets the document as read (to save its text), so a batch reads each file once.

    A scan that outruns the scanner's timeout (hostile text, a rule that
    backtracks badly) fails this document with a one-line error, and the
    claims it gave so far are discarded. A number too long to read exactly
    gives no claim and a note in `error`.
    """
    document = read_document(path)
    if on_read is not None:
        on_read(document)
    metadata: dict = {"title": None, "issuer": None, "date": None, "doc_number": None, "region": None,
                      "region_code": None, "region_level": None}
    count = 0
    sink.begin(document.sha256)
    if document.status == "ok":
        name = shown(path)
        unread: list[tuple[int, int]] = []
        try:
            metadata = extractor.metadata(document.text)
            for claim in iter_claims(document.text, extractor, document.doc, metadata, simplified, unread):
                sink.add(claim)
                count += 1
        except TimeoutError:
            document.status = "error"
            document.error = f"{name}: extraction stopped after {extractor.scanner.timeout:g} s (text the rules scan too slowly)"
        except Exception as exc:  # one bad document must not cost the batch
            document.status, document.error = "error", f"{name}: extraction failed: {type(exc).__name__}: {exc}"
        if document.status == "error":
            sink.discard()
            count = 0
        elif unread:
            note = (f"{len(unread)} number{'s' if len(unread) > 1 else ''} longer than {MAX_LENGTH} characters "
                    f"not read (no claim), the first at character {unread[0][0]}")
            document.error = f"{document.error}; {note}" if document.error else f"{name}: {note}"
    return {
        "doc": document.doc, "path": document.path, "sha256": document.sha256,
        "format": document.format, "encoding": document.encoding,
        "chars": len(document.text), **metadata, "n_claims": count,
        "status": document.status, "error": document.error, "rules_version": rules_version(extractor, simplified),
    }


def extract_each(paths: Iterable[Path], extractor: Extractor, sink: ClaimSink, simplified: bool = False,
                 on_read: Callable[[Document], None] | None = None,
                 on_document: Callable[[], None] | None = None) -> list[dict]:
    """The batch loop (every batch, in this process or a worker, runs it): each document in order, its claims
    handed to `sink`; the documents' rows."""
    rows = []
    for path in paths:
        rows.append(extract_document_into(Path(path), extractor, sink, simplified, on_read))
        if on_document is not None:
            on_document()
    return rows


def extract_documents(
    paths: Iterable[Path],
    rules: str | Path | RuleSet | Extractor | None = None,
    on_document: Callable[[], None] | None = None,
    simplified: bool = False,
) -> BatchResult:
    """Extract every document in order, one at a time, into two frames (for a dataset on disk: build.build_dataset)."""
    sink = _ClaimList()
    rows = extract_each(paths, get_extractor(rules), sink, simplified, on_document=on_document)
    return BatchResult(claims_frame(sink.claims, sink.shas), documents_frame(rows))


def extract_paths(inputs: Iterable[str | Path], rules: str | Path | RuleSet | Extractor | None = None,
                  simplified: bool = False) -> pd.DataFrame:
    """Claims of every document in the files and folders named, as a DataFrame."""
    return extract_documents(find_inputs(list(inputs)), rules, simplified=simplified).claims
