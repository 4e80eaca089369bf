"""The document model every loader produces: typed blocks with verbatim spans, pages and sentences.

A :class:`Document` keeps ``text``, the text every span and citation refers to (for ``.txt`` and ``.md`` the
file itself; for PDF and HTML the extracted text). Each :class:`Block` records where it stands in that text, what
kind of material it is (so answering can use or skip it), its page, and its sentences: each sentence is a tuple
of verbatim spans, more than one when page furniture (a running footer) interrupts it.
No format-specific code here; loaders import this module, never the other way round.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.tables import Footnote, Table, parse_table
from assistant.text import render_inline

BlockKind = Literal[
    "heading",
    "paragraph",
    "list_item",
    "table",
    "footnote",
    "figure",  # a figure placeholder or caption: located and shown, never answer text
    "toc",  # a table of contents line
    "abbreviations",  # an abbreviation list (kept as data: it defines acronyms)
    "boilerplate",  # copyright, distribution and ordering notices, addresses of the publisher
    "reference",  # a footnote that only cites a source
]
# Blocks whose sentences may be quoted as answers.
ANSWER_KINDS: frozenset[str] = frozenset({"heading", "paragraph", "list_item", "footnote"})
Span = tuple[int, int]
Sentence = tuple[Span, ...]

SOURCE_NOTE = re.compile(r"sources?:\s", re.IGNORECASE)  # a credit line under a figure or table
_FOOTNOTE = re.compile(r"^\s*<sup>\s*([^<]+?)\s*</sup>", re.IGNORECASE)


@dataclass
class Block:
    """One piece of a document's structure.

    Attributes:
        kind: What the block is (see ``BlockKind``).
        start: Where the block starts in ``Document.text``.
        end: Where it ends.
        section: The section path ("Highlights > What GAO Found").
        page: The 1-based page of a PDF, or the page a converted report's footer gives.
        printed_page: The page number printed on the page, when known.
        table: The parsed table, on table (and table footnote) blocks.
        sentences: Answer units, each a tuple of verbatim spans; empty means "the block's span, split on demand".
        zone: Where in the report the block stands: "highlights", "front", "body" or "back" ("" unknown).
    """

    kind: BlockKind
    start: int
    end: int
    section: str
    page: int | None = None
    printed_page: str | None = None
    table: Table | None = None
    sentences: list[Sentence] = field(default_factory=list)
    zone: str = ""


@dataclass
class Document:
    """A loaded corpus file. ``text`` is the extracted text that every span and citation refers to.

    ``furniture`` lists the spans of page headers and footers removed from reading (their page numbers are on the
    blocks). ``abbreviations`` maps acronyms to their long forms, from the report's own abbreviation list.
    """

    source: str
    text: str
    title: str
    report_number: str = ""
    date: str = ""
    sha256: str = ""
    pages: int | None = None
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    furniture: list[Span] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    format: str = ""

    def span(self, block: Block) -> str:
        return self.text[block.start : block.end]


class LoadError(Exception):
    """A corpus file that cannot be indexed; the message says why."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else UTF-16 with BOM; refuse binary data."""
    if not data.strip():
        raise LoadError(f"{name}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise LoadError(f"{name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{name}: not valid UTF-8 (byte {exc.start}); save it as UTF-8 and run ingest again") from exc


class DocumentBuilder:
    """Builds ``Document.text`` from cleaned pieces (for PDF and HTML), recording each block's span as it goes.

    Pieces are separated by a blank line. Tables are written in the published tab-separated layout (an optional
    title line, a header line starting with a tab, one line per row) and parsed with :func:`parse_table`, so
    every row and header span points at its own text. A paragraph right after a table that starts with a
    ``<sup>x</sup>`` marker or with "Source:" becomes that table's footnote or source note, as in text files.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._pos = 0
        self._last_table: Table | None = None
        self._tables = 0

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def _append(self, text: str) -> int:
        if self._parts:
            self._parts.append("\n\n")
            self._pos += 2
        start = self._pos
        self._parts.append(text)
        self._pos += len(text)
        return start

    def add(
        self, kind: BlockKind, text: str, section: str, page: int | None = None, printed_page: str | None = None
    ) -> Block | None:
        """Append a heading, paragraph or list item (whitespace folded); returns its block, or None if empty."""
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            return None
        table = self._last_table
        if table is not None and kind == "paragraph":
            footnote = _FOOTNOTE.match(text)
            is_source = text.lower().startswith("source:")
            if footnote or is_source:
                start = self._append(text)
                end = start + len(text)
                if footnote:
                    table.footnotes[footnote.group(1)] = Footnote(footnote.group(1), text, start, end)
                else:
                    table.source_note = render_inline(text)
                    table.source_start, table.source_end = start, end
                    self._last_table = None
                table.end = end
                for block in self.blocks:
                    if block.table is table and block.kind == "table":
                        block.end = end
                # a source note is a credit line (shown with the table, never answer text)
                kind = "footnote" if footnote else "figure"
                block = Block(kind, start, end, section, page, printed_page, table=table)
                self.blocks.append(block)
                return block
        self._last_table = None
        if kind == "paragraph" and SOURCE_NOTE.match(text):
            kind = "figure"  # a figure's credit line ("Source: GAO analysis of agency data."): caption, not content
        start = self._append(text)
        block = Block(kind, start, start + len(text), section, page, printed_page)
        self.blocks.append(block)
        return block

    def pop(self) -> Block:
        """Remove the last block and its text (e.g. a caption that turns out to be a table's title)."""
        block = self.blocks.pop()
        self._parts.pop()
        if self._parts:
            self._parts.pop()  # the separator before it
        self._pos = len(self.text)
        self._last_table = None
        return block

    def add_table(
        self,
        title: str,
        columns: list[str],
        rows: list[tuple[str, list[str]]],
        section: str,
        page: int | None = None,
        printed_page: str | None = None,
        title_line: bool = False,
        corner: str = "",
    ) -> Block | None:
        """Append a table (``rows`` are (row header, cells)); returns None, writing nothing, if it has no rows.

        With ``title_line`` the title is written as the line above the table (a caption); otherwise it is only
        the table's name (e.g. the heading just before it). ``corner`` is the header of the row-header column.
        """

        def cell(value: str) -> str:
            return re.sub(r"\s+", " ", value).strip()

        names = [cell(c) or f"Column {i + 1}" for i, c in enumerate(columns)]
        body = [(cell(label), [cell(v) for v in values]) for label, values in rows]
        body = [(label, values) for label, values in body if label or any(values)]
        if not names or not body:
            return None
        title = cell(title)
        lines = ([title] if title_line and title else []) + [cell(corner) + "\t" + "\t".join(names)]
        lines += [label + "\t" + "\t".join(values) for label, values in body]
        start = self._append("\n".join(lines))
        spans: list[tuple[int, int, str]] = []
        pos = start
        for line in lines:
            spans.append((pos, pos + len(line), line))
            pos += len(line) + 1
        has_title = title_line and bool(title)
        self._tables += 1
        table = parse_table(spans[1:] if has_title else spans, title, f"{self.source}#table{self._tables}")
        if table is None:  # cannot happen with a header and rows, but never leave a dangling span
            raise LoadError(f"{self.source}: could not lay out a table")
        table.start = start
        if has_title:
            table.title_start, table.title_end = start, start + len(title)
        block = Block("table", start, table.end, section, page, printed_page, table=table)
        self.blocks.append(block)
        self._last_table = table
        return block


def load_text_file(path: Path, source: str, parse: Callable[[str, str], Document]) -> Document:
    """Read a text-based file, decode it (see :func:`decode_text`) and structure it with ``parse``."""
    data = path.read_bytes()
    doc = parse(decode_text(data, source), source)
    doc.sha256 = sha256_bytes(data)
    return doc
