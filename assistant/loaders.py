"""Corpus files -> structured documents (sections, paragraphs, tables, footnotes, pages).

Every block keeps its exact span in the document's extracted text, so citations can quote it verbatim.
For ``.txt``/``.md`` the extracted text is the file itself; other formats register a loader in ``LOADERS``.
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

BlockKind = Literal["heading", "paragraph", "table", "footnote", "list_item"]


@dataclass
class Block:
    kind: BlockKind
    start: int  # span in Document.text
    end: int
    section: str
    page: int | None = None
    printed_page: str | None = None
    table: Table | None = None


@dataclass
class Document:
    """A loaded corpus file. ``text`` is the extracted text that every span and citation refers to."""

    source: str
    text: str
    title: str
    report_number: str = ""
    date: str = ""
    sha256: str = ""
    pages: int | None = None
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def span(self, block: Block) -> str:
        return self.text[block.start : block.end]


class LoadError(Exception):
    """A corpus file that cannot be indexed; the message says why."""


_HEADING = re.compile(r"^\s*\*\*(.+?)\*\*\s*$|^\s*#{1,6}\s+(.+?)\s*#*\s*$")
_REPORT_NUMBER = re.compile(r"\b(GAO-\d{2}-\d{3,6}[A-Z]?)\b")
_DATE = re.compile(
    r"\b((?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},)?\s+\d{4})\b"
)
_FOOTNOTE = re.compile(r"^\s*<sup>\s*([^<]+?)\s*</sup>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MAX_FILE_BYTES = 50_000_000


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


def document_metadata(text: str, fallback_title: str) -> tuple[str, str, str]:
    """(title, report number, date) found near the top of the text."""
    head = text[:3000]
    number = _REPORT_NUMBER.search(head)
    date = _DATE.search(head)
    title = fallback_title
    for line in head.splitlines():
        match = _HEADING.match(line)
        if match:
            title = render_inline(match.group(1) or match.group(2))
            break
    return title, number.group(1) if number else "", date.group(1) if date else ""


def _paragraphs(text: str) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """Groups of consecutive non-blank lines: (start, end, [(line_start, line_end, line), ...])."""
    groups: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    current: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start, end = pos, pos + len(line)
        pos += len(raw)
        if line.strip(" "):  # a line of tabs only is part of a table, not a blank line
            current.append((start, end, line))
        elif current:
            groups.append((current[0][0], current[-1][1], current))
            current = []
    if current:
        groups.append((current[0][0], current[-1][1], current))
    return groups


def parse_text(text: str, source: str) -> Document:
    """Structure a plain-text or Markdown report as published (``**Heading**`` lines, tab tables)."""
    title, number, date = document_metadata(text, Path(source).stem)
    doc = Document(source=source, text=text, title=title, report_number=number, date=date)
    section = title
    seen_title = False
    last_table: Table | None = None
    pending_title: tuple[int, int, str] | None = None  # a heading that may turn out to be a table title
    groups = _paragraphs(text)
    for i, (start, end, lines) in enumerate(groups):
        first = lines[0][2]
        heading = _HEADING.match(first) if len(lines) == 1 else None
        if heading:
            name = render_inline(heading.group(1) or heading.group(2))
            next_is_table = i + 1 < len(groups) and "\t" in groups[i + 1][2][0][2]
            if next_is_table:
                pending_title = (start, end, name)
                continue
            doc.blocks.append(Block("heading", start, end, name))
            if seen_title:
                section = name
            seen_title = True
            last_table = None
            continue
        if all("\t" in line for _, _, line in lines):
            n_tables = sum(b.table is not None for b in doc.blocks if b.kind == "table")
            table = parse_table(lines, pending_title[2] if pending_title else "", f"{source}#table{n_tables + 1}")
            if table:
                if pending_title:
                    table.start, table.title_start, table.title_end = (
                        pending_title[0],
                        pending_title[0],
                        pending_title[1],
                    )
                pending_title = None
                doc.blocks.append(Block("table", table.start, end, section, table=table))
                last_table = table
                continue
        pending_title = None
        footnote = _FOOTNOTE.match(first)
        if last_table is not None and footnote:
            last_table.footnotes[footnote.group(1)] = Footnote(footnote.group(1), text[start:end], start, end)
            last_table.end = end
            doc.blocks.append(Block("footnote", start, end, section, table=last_table))
            continue
        if last_table is not None and first.lstrip().lower().startswith("source:"):
            last_table.source_note = render_inline(text[start:end])
            last_table.source_start, last_table.source_end = start, end
            last_table.end = end
            doc.blocks.append(Block("footnote", start, end, section, table=last_table))
            last_table = None
            continue
        last_table = None
        kind: BlockKind = "list_item" if _LIST_ITEM.match(first) else "paragraph"
        doc.blocks.append(Block(kind, start, end, section))
    for block in doc.blocks:
        if block.kind == "table" and block.table is not None:
            block.end = block.table.end
    return doc


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
                block = Block("footnote", start, end, section, page, printed_page, table=table)
                self.blocks.append(block)
                return block
        self._last_table = None
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


def load_text(path: Path, source: str) -> Document:
    data = path.read_bytes()
    doc = parse_text(decode_text(data, source), source)
    doc.sha256 = sha256_bytes(data)
    return doc


Loader = Callable[[Path, str], Document]
LOADERS: dict[str, Loader] = {".txt": load_text, ".md": load_text, ".markdown": load_text}


def supported_suffixes() -> set[str]:
    _register_optional_loaders()
    return set(LOADERS)


def _register_optional_loaders() -> None:
    """PDF and HTML loaders live in their own modules (they import pypdf / bs4)."""
    if ".pdf" not in LOADERS:
        try:
            from assistant.loaders_pdf import load_pdf

            LOADERS[".pdf"] = load_pdf
        except ImportError:
            pass
    if ".html" not in LOADERS:
        try:
            from assistant.loaders_html import load_html

            LOADERS[".html"] = LOADERS[".htm"] = load_html
        except ImportError:
            pass


def load_document(path: Path, source: str | None = None) -> Document:
    """Load one corpus file; raises :class:`LoadError` with a reason a person can act on."""
    source = source or path.name
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        _register_optional_loaders()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"{source}: unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"{source}: cannot read ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise LoadError(f"{source}: larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        doc = loader(path, source)
    except LoadError:
        raise
    except Exception as exc:  # a broken file must never stop the rest of the corpus
        raise LoadError(f"{source}: could not be read ({type(exc).__name__}: {exc})") from exc
    if not any(b.kind != "heading" for b in doc.blocks):
        raise LoadError(f"{source}: no text found")
    return doc
