"""Markdown reports, including the Markdown that PDF converters (pymupdf4llm and the like) write.

markdown-it-py finds the block structure (headings, paragraphs, lists, GFM pipe tables, rules) with the source
lines of each block. On top of that we recognise what conversions of published reports contain: page footers
repeated with a changing number (removed from reading, kept as the page number), figure placeholders and
captions, footnotes, tables of contents, the abbreviation list (kept as data), distribution boilerplate, and
paragraphs that go on after a footer or footnotes. The extracted text is the file itself: every span is an
offset into it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from assistant.ingest.document import Block, BlockKind, Document, Span, load_text_file
from assistant.ingest.metadata import read_metadata
from assistant.ingest.reflow import reading_text, segment
from assistant.ingest.wordlists import is_boilerplate, is_summary_heading
from assistant.tables import Table, TableRow
from assistant.text import render_inline

_FIGURE = re.compile(r"^\s*[*_]*\[?\s*(?:figure|fig\.|graphic|image|photo|map|chart)\b[^\n]*", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"see original (?:pdf|document)|^\s*\*?\[(?:figure|table|image)", re.IGNORECASE)
_TABLE_TITLE = re.compile(r"^\s*[*_]*table\s+\d+[:.]", re.IGNORECASE)
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})\s+\S")
_TOC_LINE = re.compile(r"\S.*\s(?:\d{1,3}|[ivxl]{1,5})\s*$")
_CITATION = re.compile(  # a bibliographic citation: a place and year, a report number, a law or the Register
    r"\((?:Washington|[A-Z][a-z]+), [^)]*\d{4}\)|\b[A-Z]{2,6}-\d{2}-\d{2,6}[A-Z]?\b"
    r"|Pub\. L\. No\.|\bU\.S\.C\.|Fed\. Reg\."
)
_TRAILING_MARKER = re.compile(r"\s*\[\d{1,3}\s?\]\s*$")  # a footnote marker after the full stop: "workers. [2]"
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]*_]*$")
_ABBREVIATION = re.compile(r"^\s*([A-Z][A-Za-z0-9&/.\-]{1,14})\s+([A-Z0-9][^\n]{2,120}?)\s*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CONVERTER_EMPTY_CELL = re.compile(r"^Col\d+$")  # what pymupdf4llm writes in an empty header cell
FURNITURE_REPEATS = 3  # a short line repeated this often, with only its number changing, is a page header/footer
FRONT_SHARE = 0.15  # tables of contents and abbreviation lists stand in the first part of a report
FRONT_PROSE_CHARS = 100
TITLE_CASE_SHARE = 0.6
FRAGMENT_CHARS = 120  # layout fragments (side headings, chart labels) are at most this long ...
OPEN_WORDS = 6  # a paragraph of at least this many words that stops mid-sentence goes on later
MAX_FRAGMENTS_BETWEEN = 8  # ... and at most this many stand between two halves of one paragraph
_NOTE_MARKER = re.compile(r"^\s*[a-z]\s+[A-Z(“\"$0-9]")  # "a ORR-eligible populations ...": a figure or table note


@dataclass
class _Raw:
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


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.offsets = _line_offsets(text)
        self.lines = text.split("\n")
        self.furniture = furniture_shapes(self.lines)
        self.raw: list[_Raw] = []
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
                self.raw.append(_Raw("boilerplate", [self.line_span(first, first)], extra={"rule": "1"}))
            elif token.type in ("html_block", "code_block", "fence") and i != skip_html:
                self._lines(first, last, "paragraph")

    def _heading(self, first: int, last: int, level: int, content: str) -> None:
        span = self.line_span(first, last)
        name = " ".join(render_inline(content).split())
        if _PLACEHOLDER.search(name) or _FIGURE.match(name):
            self.raw.append(_Raw("figure", [span]))
        elif name:
            self.raw.append(_Raw("heading", [span], level=level, extra={"name": name}))

    def _lines(self, first: int, last: int, kind: BlockKind) -> None:
        """A paragraph's lines, split where furniture, figure placeholders or bullets interrupt it."""
        run: list[int] = []

        def flush() -> None:
            if run:
                self.raw.append(_Raw(kind, [self.line_span(run[0], run[-1])]))
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
                self.raw.append(_Raw("boilerplate", [span], page_label=_page_label(line), extra={"furniture": "1"}))
                continue
            if _PLACEHOLDER.search(line):
                flush()
                self.raw.append(_Raw("figure", [self.line_span(n, n)]))
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
        if rows and _TABLE_TITLE.match(rows[0][1][0]):
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
        self.raw.append(_Raw("table", [span], table=table))


def _cell(raw: str) -> str:
    return render_inline(re.sub(r"<br\s*/?>", " ", raw).replace("•", " ").strip())


def _title_like(plain: str) -> bool:
    """Most longer words capitalised, as in headings and contents entries (not prose)."""
    long_words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", plain) if len(w) > 3]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) >= TITLE_CASE_SHARE * len(long_words)


def _all_bold(body: str) -> bool:
    """Every line of the paragraph is set in bold throughout and is short (a heading or side heading)."""
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    return bool(lines) and all(len(ln) <= 120 and re.fullmatch(r"\*\*[^*]+\*\*", ln) for ln in lines)


def _ends_sentence(text: str, raw: _Raw) -> bool:
    return bool(_SENTENCE_END.search(_TRAILING_MARKER.sub("", text[raw.start : raw.end].rstrip())))


def _footnote(raw: _Raw, text: str, marker_end: int) -> None:
    """Make ``raw`` a footnote whose text starts after its marker ("12", "a"); a footnote that only cites a
    source (one sentence with a citation: a report number, "(Washington, D.C.: ...)", "Pub. L. No.") is a
    reference, located but never quoted as an answer."""
    start = marker_end
    while start < raw.pieces[0][1] and text[start].isspace():
        start += 1
    raw.pieces[0] = (start, raw.pieces[0][1])
    raw.kind = "footnote"
    body = text[raw.start : raw.end]
    if _CITATION.search(body) and len(segment(text, raw.pieces)) <= 1:
        raw.kind = "reference"


def _classify(reader: _Reader, doc: Document) -> None:
    """Footnotes, tables of contents, abbreviation lists and boilerplate among the paragraphs."""
    text = reader.text
    next_note = 1
    in_abbreviations = in_toc = in_boilerplate = False
    front_end = int(len(text) * FRONT_SHARE)
    for raw in reader.raw:
        if raw.kind not in ("paragraph", "list_item", "heading"):
            continue
        body = text[raw.start : raw.end]
        plain = render_inline(body)
        if raw.kind != "heading" and _all_bold(body) and (plain.endswith("?") or not _SENTENCE_END.search(plain)):
            raw.kind = "figure" if _FIGURE.match(plain) or _TABLE_TITLE.match(plain) else "heading"
            raw.level, raw.extra["name"] = 7, " ".join(plain.split())  # a side or run-in heading: the deepest level
        if raw.kind == "heading":
            in_boilerplate = (in_boilerplate and raw.start > len(text) * (1 - FRONT_SHARE)) or is_boilerplate(plain)
            if in_boilerplate:
                raw.kind = "boilerplate"
                continue
            in_abbreviations = plain.strip().lower() in ("abbreviations", "acronyms", "abbreviations and acronyms")
            if in_abbreviations:
                raw.kind = "abbreviations"
            continue
        note = _FOOTNOTE_START.match(body)
        if note and int(note.group(1)) == next_note and f"[{next_note}]" in text[: raw.start]:
            next_note += 1
            _footnote(raw, text, raw.start + note.end(1))
            continue
        if _NOTE_MARKER.match(body):
            _footnote(raw, text, raw.start + len(body) - len(body.lstrip()) + 1)
            continue
        if in_boilerplate or is_boilerplate(plain):
            raw.kind = "boilerplate"
            in_boilerplate = in_boilerplate or raw.start > len(text) * (1 - FRONT_SHARE)  # the back pages
            in_abbreviations = False
            continue
        lines = [ln for ln in body.split("\n") if ln.strip()]
        if in_abbreviations and all(_ABBREVIATION.match(ln) for ln in lines):
            raw.kind = "abbreviations"
            for ln in lines:
                match = _ABBREVIATION.match(ln)
                if match:
                    doc.abbreviations.setdefault(match.group(1), render_inline(match.group(2)))
            continue
        in_abbreviations = False
        toc_lines = (
            _TOC_LINE.match(lines[-1]) and not any(_SENTENCE_END.search(ln) for ln in lines) and _title_like(plain)
        )
        if plain.lower() in ("contents", "table of contents") or (
            raw.start < front_end and plain.lower() in ("figures", "tables")
        ):
            raw.kind, in_toc = "toc", True
        elif toc_lines and (in_toc or raw.start < front_end):
            raw.kind = "toc"
        else:
            in_toc = False


def _is_fragment(text: str, raw: _Raw) -> bool:
    """A short piece with no sentence in it (a side heading, a label of a flattened figure) that can stand
    between the two halves of a paragraph in a converted layout."""
    return raw.end - raw.start <= FRAGMENT_CHARS and not _ends_sentence(text, raw)


def _merge_continuations(text: str, raws: list[_Raw]) -> list[_Raw]:
    """A paragraph that stops mid-sentence and goes on (starting in lower case) after furniture, figures,
    footnotes or a few layout fragments is one paragraph."""
    out: list[_Raw] = []
    open_para: _Raw | None = None
    between = 0  # layout fragments since the open paragraph
    for raw in raws:
        prose = raw.kind in ("paragraph", "list_item")
        if prose and open_para is not None and render_inline(text[raw.start : raw.end])[:1].islower():
            open_para.pieces.extend(raw.pieces)
            open_para = None if _ends_sentence(text, raw) else open_para
            between = 0
            continue
        out.append(raw)
        if prose and not _ends_sentence(text, raw) and len(text[raw.start : raw.end].split()) >= OPEN_WORDS:
            open_para, between = raw, 0
        elif raw.kind in ("footnote", "reference", "figure", "boilerplate", "heading"):
            continue  # converters set side headings and notes in the middle of a paragraph
        elif prose and _is_fragment(text, raw) and open_para is not None and between < MAX_FRAGMENTS_BETWEEN:
            between += 1
        else:
            open_para = None
    return out


def parse_markdown(text: str, source: str) -> Document:
    """Structure a Markdown report (see the module docstring)."""
    meta = read_metadata(text, Path(source).stem)
    doc = Document(source=source, text=text, title=meta.title, report_number=meta.report_number, date=meta.date)
    reader = _Reader(text, source)
    reader.read()
    _classify(reader, doc)
    raws = _merge_continuations(text, reader.raw)
    doc.furniture = reader.furniture_spans
    # Page numbers: a footer closes its page; what follows the last footer is on the next page.
    labels: list[str | None] = []
    current: str | None = None
    for raw in reversed(raws):
        if raw.page_label is not None:
            current = raw.page_label
        labels.append(current)
    labels.reverse()
    last_label = next((r.page_label for r in reversed(raws) if r.page_label), None)
    stack: list[tuple[int, str]] = []
    zone = ""
    title_seen = False
    for raw, label in zip(raws, labels, strict=True):
        if raw.extra.get("furniture"):
            continue
        if raw.extra.get("rule"):
            if zone == "highlights":
                zone, stack = "front", []  # the Highlights page ends; its headings do not head the report
            continue
        if label is None and last_label and last_label.isdigit():
            label = str(int(last_label) + 1)
        if raw.kind == "heading":
            name = raw.extra["name"]
            if not title_seen and raw.level == 1:
                title_seen = True
            else:
                stack = [(lv, n) for lv, n in stack if lv < raw.level] + [(raw.level, name)]
            in_summary = any(is_summary_heading(n) for _, n in stack)
            if in_summary and zone in ("", "highlights", "body"):
                zone = "highlights"
            elif zone == "highlights" and raw.level <= 6:
                zone = "body"  # a section heading that is not the summary's
            elif name.lower().startswith("appendix") and raw.level <= 6:
                zone = "back"
            elif zone == "front" and raw.level <= 6:
                zone = "body"
        if zone == "front" and raw.kind in ("paragraph", "list_item") and raw.end - raw.start >= FRONT_PROSE_CHARS:
            zone = "body"  # the first paragraph of prose after the front matter starts the report's body
        section = " > ".join(n for _, n in stack) or doc.title
        block = Block(raw.kind, raw.start, raw.end, section, None, label, raw.table, zone=zone or "body")
        if raw.kind in ("paragraph", "list_item", "footnote", "heading", "abbreviations"):
            block.sentences = segment(text, raw.pieces)
        doc.blocks.append(block)
    return doc


def load_markdown(path: Path, source: str) -> Document:
    return load_text_file(path, source, parse_markdown)


__all__ = ["furniture_shapes", "load_markdown", "parse_markdown", "reading_text"]
