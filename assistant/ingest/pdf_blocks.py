"""The state of one reading pass over a PDF's lines, and what all its parts share: page kinds, headings,
paragraphs and writing blocks.

Creating the state cleans the pages first: huge logo glyphs dropped, running headers and footers set aside
(:mod:`~assistant.ingest.pdf_furniture`), figure and table regions marked (:mod:`~assistant.ingest.pdf_regions`),
two-column pages put in reading order (:mod:`~assistant.ingest.pdf_columns`). The pass itself is the reader
of :mod:`assistant.ingest.pdf`; the front matter (:mod:`~assistant.ingest.pdf_front`) and the figures and
tables (:mod:`~assistant.ingest.pdf_figures`) are read by the classes it is made of.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from assistant.ingest.document import Block, BlockKind, DocumentBuilder
from assistant.ingest.pdf_columns import order_columns
from assistant.ingest.pdf_furniture import strip_running_lines
from assistant.ingest.pdf_layout import Line as _Line
from assistant.ingest.pdf_layout import Page, join_lines
from assistant.ingest.pdf_regions import CAPTION, find_regions
from assistant.ingest.wordlists import is_boilerplate

BULLET = re.compile(r"^(?:[•◦▪‣∙·\-–*]\s+|\d{1,2}[.)]\s+|\([a-z0-9]{1,3}\)\s+)")
SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]*$")
LEADER = re.compile(r"(?:\.\s?){4,}")  # dot leaders of a table of contents  # dot leaders of a table of contents
PAGE_REF = re.compile(r"^(?:\d{1,3}|[ivxl]{1,6})$")
# The publisher's name, address and logo lines of GAO covers and letterheads (other boilerplate: the data file).
LETTERHEAD = re.compile(
    r"^(?:United States Government Accountability Office(?: Washington, D\.? ?C\.? \d{5})?|GAO|"
    r"Accountability Integrity Reliability|PRINTED ON RECYCLED PAPER|www\.gao\.gov/\S*|To view the full product\b.*|"
    r"\(\d{6}\))$"
)
HEADING_RATIO = 1.12  # a line this much larger than body text is a heading


class BlockWriter:
    """One pass over a document's lines in reading order: its state, and the blocks all its parts write."""

    def __init__(self, pages: list[Page], source: str) -> None:
        self.pages, self.source = pages, source
        sizes: Counter[float] = Counter()
        for line in (ln for p in pages for ln in p.lines):
            sizes[round(line.size * 2) / 2] += len(line.text)
        self.body = body = sizes.most_common(1)[0][0]
        for page in pages:  # logo glyphs set in huge type ("GAO" drawn as one letter)
            page.lines = [ln for ln in page.lines if ln.size < 3 * body or len(ln.text.replace(" ", "")) > 2]
        strip_running_lines(pages, body)
        self.cover = len(pages) > 1
        self.toc: set[int] = set()
        for page in pages[:8]:
            if self._is_toc(page, page.number - 1 in self.toc):
                self.toc.add(page.number)
        self.kinds = find_regions(pages, body, self.toc)
        for page in pages:
            order_columns(page, body)
        self.highlights = {p.number for p in pages[1:4] if self._is_highlights(p)}
        self.lines = [ln for p in pages for ln in p.lines]
        self.words = frozenset(w.lower() for ln in self.lines for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", ln.text))
        headings = {round(ln.size * 2) / 2 for ln in self.lines if self._is_heading(ln)}
        self.levels = sorted(headings, reverse=True)
        self.printed = {p.number: p.printed for p in pages}
        self.builder = DocumentBuilder(source)
        self.stack: list[tuple[int, str]] = []
        self.zone, self.title, self.label, self.tail = "", "", "", False
        self.toc_off = 0
        self.paragraph: list[_Line] = []
        self.kind: BlockKind = "paragraph"
        self.notes: list[list[_Line]] = []  # footnotes waiting for the paragraph they interrupt to end
        self.abbreviations: dict[str, str] = {}

    # -- page kinds --------------------------------------------------------------------------------------

    def _is_toc(self, page: Page, after_toc: bool) -> bool:
        """A contents page: headed "Contents", or right after one with most lines ending in a page number."""
        first = page.lines[0].text.strip().lower() if page.lines else ""
        refs = sum(1 for ln in page.lines if len(ln.cells) > 1 and PAGE_REF.match(ln.cells[-1].text))
        continued = after_toc and refs >= 3
        return first in ("contents", "table of contents") or "Contents" in page.header or continued

    def _is_highlights(self, page: Page) -> bool:
        return any(
            (ln.text == "Highlights" and ln.size >= 1.5 * self.body) or ln.text.startswith("Highlights of ")
            for ln in page.lines
        )

    def _is_heading(self, line: _Line) -> bool:
        """Larger type than the body text, or a short bold line at body size ("Background", "Objectives")."""
        text = line.text
        bold_heading = (
            line.bold
            and line.size >= self.body - 0.5
            and len(text) <= 120
            and len(text.split()) <= 14
            and not text.rstrip().endswith((".", ",", ";"))
        )
        side = line.column == "left" and line.size > self.body + 0.5  # a side heading in the left margin
        return (
            (line.size >= self.body * HEADING_RATIO or bold_heading or side)
            and len(text) <= 200
            and len(line.cells) == 1
            and any(ch.isalpha() for ch in text)
            and not line.starts_with_marker
            and not LEADER.search(text)
            and not CAPTION.match(text)
            and not line.region
        )

    # -- emitting ----------------------------------------------------------------------------------------

    def section(self) -> str:
        return " > ".join(name for _, name in self.stack) or self.title or Path(self.source).stem

    def add(self, kind: BlockKind, text: str, line: _Line) -> Block | None:
        block = self.builder.add(kind, text, self.section(), line.page, self.printed[line.page])
        if block is not None:
            block.zone = self.zone
        return block

    def flush(self) -> None:
        """End the open paragraph, then write the footnotes that stood inside it."""
        if self.paragraph:
            text = join_lines(self.paragraph, self.words)
            kind = self.kind
            if self.tail or is_boilerplate(text) or LETTERHEAD.match(text):
                kind = "boilerplate"
                if self.paragraph[0].page >= 0.8 * len(self.pages) and not LETTERHEAD.match(text):
                    self.tail, self.zone = True, "back"  # the ordering and contact page ends the report
            self.add(kind, text, self.paragraph[0])
            self.paragraph = []
        for note in self.notes:
            self.add("footnote", join_lines(note, self.words), note[0])
        self.notes = []

    def _paragraph_line(self, line: _Line, i: int) -> int:
        if self.paragraph and not self._continues(self.paragraph[-1], line):
            self.flush()
        if not self.paragraph:
            self.kind = "list_item" if BULLET.match(line.text) else "paragraph"
        self.paragraph.append(line)
        return i

    def _continues(self, prev: _Line, line: _Line) -> bool:
        """Whether ``line`` carries on the paragraph that ends with ``prev``."""
        if re.match(r"^[•◦▪‣∙·\-–*]\s|^\d{1,2}[.)]\s", line.text) or line.starts_with_marker:
            return False
        if line.text.lower().startswith("source:") or LETTERHEAD.match(line.text):
            return False
        if abs(prev.size - line.size) >= 0.5 or len(prev.cells) > 1 or len(line.cells) > 1:
            return False
        if prev.page != line.page:  # a sentence carried over a page break (and over the footnotes before it)
            aligned = abs(line.x0 - self.paragraph[0].x0) < 15 or abs(line.x0 - prev.x0) < 3
            return not SENTENCE_END.search(prev.text) and line.page == prev.page + 1 and aligned
        if prev.column != line.column and "" not in (prev.column, line.column):
            return False
        if self.kind == "list_item" and line.x0 < self.paragraph[0].x0 - 1:  # back at the margin: the list ended
            return False
        gap = prev.y - line.y
        if gap <= 0 or gap > 1.6 * line.size:
            return False
        # a short line that ends a sentence usually ends its paragraph
        return not (SENTENCE_END.search(prev.text) and prev.x1 < 0.7 * max(line.x1, prev.x1) and line.x0 <= prev.x0 + 1)
