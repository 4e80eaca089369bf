"""The block structure of a Markdown report, read with markdown-it-py, before its blocks are classified.

markdown-it-py finds the headings, paragraphs, lists, GFM pipe tables and rules, with the source lines of
each. Here they become raw blocks (spans of the file): page footers repeated with a changing number are set
apart as furniture (their page number kept), figure placeholders become figures, pipe tables become
:class:`~assistant.tables.Table` records, and a paragraph is split where furniture or a placeholder
interrupts it. :mod:`assistant.ingest.markdown` classifies the raw blocks and builds the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from assistant.ingest.document import BlockKind, Span
from assistant.tables import Table, TableRow
from assistant.text import render_inline

FIGURE = re.compile(r"^\s*[*_]*\[?\s*(?:figure|fig\.|graphic|image|photo|map|chart)\b[^\n]*", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"see original (?:pdf|document)|^\s*\*?\[(?:figure|table|image)", re.IGNORECASE)
TABLE_TITLE = re.compile(r"^\s*[*_]*table\s+\d+[:.]", re.IGNORECASE)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CONVERTER_EMPTY_CELL = re.compile(r"^Col\d+$")  # what pymupdf4llm writes in an empty header cell
FURNITURE_REPEATS = 3  # a short line repeated this often, with only its number changing, is a page header/footer


@dataclass
class Raw:
    """A block before classification: its kind, source pieces and the lines they hold."""

    kind: BlockKind
    pieces: list[Span]
    level: int = 0
    table: Table | None = None
    page_label: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for match in re.finditer("\n", text):
        offsets.append(match.end())
    offsets.append(len(text) + 1)
    return offsets


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


def furniture_shapes(lines: list[str]) -> set[str]:
    """Shapes of running headers and footers: short lines with a number, repeated with the number changing."""
    counts: Counter[str] = Counter()
    numbers: dict[str, set[str]] = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or len(stripped) > 120 or not re.search(r"\d", stripped) or "|" in stripped:
            continue
        shape = _shape(stripped)
        if len(re.findall(r"[A-Za-z]{2,}", shape)) < 2:
            continue
        counts[shape] += 1
        numbers.setdefault(shape, set()).add(" ".join(re.findall(r"\d+", stripped)))
    return {s for s, n in counts.items() if n >= FURNITURE_REPEATS and len(numbers[s]) >= FURNITURE_REPEATS}


def _page_label(line: str) -> str | None:
    match = re.search(r"\bpage\s+(\d{1,4}|[ivxlc]{1,6})\b", line, re.IGNORECASE) or re.search(r"(\d{1,4})\s*$", line)
    return match.group(1) if match else None


class BlockReader:
    """Reads a Markdown text into raw blocks (``self.raw``, in reading order) and furniture spans."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.offsets = _line_offsets(text)
        self.lines = text.split("\n")
        self.furniture = furniture_shapes(self.lines)
        self.raw: list[Raw] = []
        self.furniture_spans: list[Span] = []
        self.tables = 0

    def line_span(self, first: int, last: int) -> Span:
        """Span of lines ``first..last`` (inclusive), whitespace trimmed."""
        start, end = self.offsets[first], self.offsets[last] + len(self.lines[last])
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end

    def read(self) -> None:
        md = MarkdownIt("commonmark", {"html": True}).enable("table")
        tokens = md.parse(self.text)
        in_item = 0
        glued: int | None = None  # first line of an indented "code" line glued to the paragraph below it
        skip_html = -1  # an HTML block already read as part of the paragraph before it
        for i, token in enumerate(tokens):
            if token.type == "list_item_open":
                in_item += 1
            elif token.type == "list_item_close":
                in_item -= 1
            if token.map is None or token.nesting == -1:
                continue
            first, last = token.map[0], token.map[1] - 1
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                token.type == "code_block"
                and following is not None
                and following.type == "paragraph_open"
                and following.map is not None
                and following.map[0] == token.map[1]
            ):
                glued = first  # converters indent a paragraph's first line; it is not code
                continue
            if glued is not None:
                first, glued = glued, None
            if token.type == "heading_open":
                self._heading(first, last, int(token.tag[1:]), tokens[i + 1].content)
            elif token.type == "paragraph_open":
                # inline HTML that starts a line ("<script>", "<img ...>") interrupts a paragraph in CommonMark;
                # with no blank line between, it is still the same paragraph of the report
                j = i + 1
                while j < len(tokens) and tokens[j].type != "paragraph_close":
                    j += 1
                after = tokens[j + 1] if j + 1 < len(tokens) else None
                if after is not None and after.type == "html_block" and after.map and after.map[0] == last + 1:
                    last, skip_html = after.map[1] - 1, j + 1
                self._lines(first, last, "list_item" if in_item else "paragraph")
            elif token.type == "table_open":
                self._table(first, last)
            elif token.type == "hr":
                self.raw.append(Raw("boilerplate", [self.line_span(first, first)], extra={"rule": "1"}))
            elif token.type in ("html_block", "code_block", "fence") and i != skip_html:
                self._lines(first, last, "paragraph")

    def _heading(self, first: int, last: int, level: int, content: str) -> None:
        span = self.line_span(first, last)
        name = " ".join(render_inline(content).split())
        if _PLACEHOLDER.search(name) or FIGURE.match(name):
            self.raw.append(Raw("figure", [span]))
        elif name:
            self.raw.append(Raw("heading", [span], level=level, extra={"name": name}))

    def _lines(self, first: int, last: int, kind: BlockKind) -> None:
        """A paragraph's lines, split where furniture, figure placeholders or bullets interrupt it."""
        run: list[int] = []

        def flush() -> None:
            if run:
                self.raw.append(Raw(kind, [self.line_span(run[0], run[-1])]))
                run.clear()

        for n in range(first, last + 1):
            line = self.lines[n]
            if not line.strip():
                flush()
                continue
            if _shape(line.strip()) in self.furniture:
                flush()
                span = self.line_span(n, n)
                self.furniture_spans.append(span)
                self.raw.append(Raw("boilerplate", [span], page_label=_page_label(line), extra={"furniture": "1"}))
                continue
            if _PLACEHOLDER.search(line):
                flush()
                self.raw.append(Raw("figure", [self.line_span(n, n)]))
                continue
            run.append(n)
        flush()

    def _table(self, first: int, last: int) -> None:
        rows: list[tuple[Span, list[str]]] = []
        for n in range(first, last + 1):
            line = self.lines[n]
            if not _PIPE_ROW.match(line) or _DELIMITER_ROW.match(line):
                continue
            cells = [_cell(c) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append((self.line_span(n, n), cells))
        title = ""
        if rows and TABLE_TITLE.match(rows[0][1][0]):
            title = " ".join(c for c in rows[0][1] if c and not _CONVERTER_EMPTY_CELL.match(c))
            rows = rows[1:]
        if len(rows) < 2:
            self._lines(first, last, "paragraph")
            return
        (h_start, h_end), header = rows[0]
        self.tables += 1
        body = [
            TableRow(render_inline(cells[0]), [], (cells[1:] + [""] * len(header))[: len(header) - 1], s, e)
            for (s, e), cells in rows[1:]
            if any(cells)
        ]
        span = self.line_span(first, last)
        table = Table(f"{self.source}#table{self.tables}", title, header[1:], body, span[0], span[1])
        table.header_start, table.header_end = h_start, h_end
        self.raw.append(Raw("table", [span], table=table))


def _cell(raw: str) -> str:
    return render_inline(re.sub(r"<br\s*/?>", " ", raw).replace("•", " ").strip())
