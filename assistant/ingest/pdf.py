"""PDF reports -> structured documents: typed blocks with pages, zones, section paths and tables.

:mod:`~assistant.ingest.pdf_layout` reads each page's positioned text with pypdfium2 (lines of cells); running
headers and footers are set aside (:mod:`~assistant.ingest.pdf_furniture`), figure and table regions marked
(:mod:`~assistant.ingest.pdf_regions`), columns put in reading order (:mod:`~assistant.ingest.pdf_columns`).
Here the lines become blocks: the cover's large type is the title; larger type (or a short line set in bold
throughout) is a heading, and heading sizes give the section path; a table region becomes a table (its columns
from the cells' left edges, its rows from the rules drawn between them); a figure region becomes figure blocks;
page-bottom notes are footnotes, kept apart from a paragraph that runs on across them or across a page break; a
table of contents, the abbreviation list and publisher boilerplate are typed as such. Each block gets its zone:
the Highlights page, the front matter, the body, and the back (appendixes, boilerplate). The text is built from
the cleaned pieces with :class:`DocumentBuilder`, so every span is exact.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium

from assistant.ingest.document import Block, BlockKind, Document, DocumentBuilder, LoadError, sha256_bytes
from assistant.ingest.metadata import front_date, read_metadata, report_number
from assistant.ingest.pdf_columns import order_columns
from assistant.ingest.pdf_furniture import strip_running_lines
from assistant.ingest.pdf_layout import Line as _Line
from assistant.ingest.pdf_layout import Page, cover_title, group_lines, join_lines, read_runs
from assistant.ingest.pdf_regions import CAPTION, SOURCE, caption_goes_on, find_regions, note_groups
from assistant.ingest.pdf_tables import table_grid
from assistant.ingest.wordlists import is_boilerplate

__all__ = ["load_pdf"]

_BULLET = re.compile(r"^(?:[•◦▪‣∙·\-–*]\s+|\d{1,2}[.)]\s+|\([a-z0-9]{1,3}\)\s+)")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]*$")
_LEADER = re.compile(r"(?:\.\s?){4,}")  # dot leaders of a table of contents
_PAGE_REF = re.compile(r"^(?:\d{1,3}|[ivxl]{1,6})$")
_ACRONYM = re.compile(r"^(?=[^a-z]*[A-Z])[A-Za-z0-9&/.\-]{2,15}$")
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s*")
_BACK = re.compile(r"^(?:appendix\s+[ivxl]+\b|appendixes$|bibliography$|related gao products$)", re.IGNORECASE)
_LABEL = re.compile(r"^(?:appendix|enclosure|attachment)\s+[IVXL\d]+$", re.IGNORECASE)  # "Appendix I" over a title
# The publisher's name, address and logo lines of GAO covers and letterheads (other boilerplate: the data file).
_LETTERHEAD = re.compile(
    r"^(?:United States Government Accountability Office(?: Washington, D\.? ?C\.? \d{5})?|GAO|"
    r"Accountability Integrity Reliability|PRINTED ON RECYCLED PAPER|www\.gao\.gov/\S*|To view the full product\b.*|"
    r"\(\d{6}\))$"
)
_HEADING_RATIO = 1.12  # a line this much larger than body text is a heading


def load_pdf(path: Path, source: str) -> Document:
    """Load a PDF report; raises :class:`LoadError` for truncated, encrypted or text-less (scanned) files."""
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(f"{source}: the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"{source}: not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise LoadError(f"{source}: the PDF is truncated or damaged (no end-of-file marker); get a complete copy")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise LoadError(f"{source}: the PDF is password-protected; save an unprotected copy") from exc
        raise LoadError(f"{source}: not a readable PDF ({exc}); it may be truncated or corrupt") from exc
    try:
        if len(pdf) == 0:
            raise LoadError(f"{source}: the PDF has no pages")
        warnings: list[str] = []
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            try:
                lines = group_lines(read_runs(page), i + 1)
            except pdfium.PdfiumError as exc:
                warnings.append(f"page {i + 1}: text not readable ({exc}); page skipped")
                lines = []
            pages.append(Page(i + 1, width, height, lines, raw=page))
        if not any(p.lines for p in pages):
            raise LoadError(f"{source}: no extractable text (scanned PDF?)")
        doc = _Reader(pages, source).read(_metadata_title(pdf))
    finally:
        pdf.close()
    doc.sha256 = sha256_bytes(data)
    doc.pages = len(pages)
    doc.warnings = warnings
    return doc


def _metadata_title(pdf: pdfium.PdfDocument) -> str:
    """The Title entry, without a leading report number ("GAO-05-927, MANAGING ..."), unless it is junk."""
    title = re.sub(r"\s+", " ", str(pdf.get_metadata_dict().get("Title", "") or "")).strip()
    title = re.sub(r"^[A-Z]{2,6}-\d{2}-\d{2,6}[A-Z]{0,2}\s*[,:]\s*", "", title)
    junk = r"\.(?:docx?|pdf|indd|tex)$|^untitled|^microsoft word|^[A-Z]{2,6}-\d{2}-\d{2,6}[A-Z]{0,2}$"
    return "" if re.search(junk, title, re.IGNORECASE) else title


class _Reader:
    """One pass over a document's lines in reading order, building its blocks (see the module docstring)."""

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
        refs = sum(1 for ln in page.lines if len(ln.cells) > 1 and _PAGE_REF.match(ln.cells[-1].text))
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
            (line.size >= self.body * _HEADING_RATIO or bold_heading or side)
            and len(text) <= 200
            and len(line.cells) == 1
            and any(ch.isalpha() for ch in text)
            and not line.starts_with_marker
            and not _LEADER.search(text)
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
            if self.tail or is_boilerplate(text) or _LETTERHEAD.match(text):
                kind = "boilerplate"
                if self.paragraph[0].page >= 0.8 * len(self.pages) and not _LETTERHEAD.match(text):
                    self.tail, self.zone = True, "back"  # the ordering and contact page ends the report
            self.add(kind, text, self.paragraph[0])
            self.paragraph = []
        for note in self.notes:
            self.add("footnote", join_lines(note, self.words), note[0])
        self.notes = []

    # -- the pass ----------------------------------------------------------------------------------------

    def read(self, meta_title: str) -> Document:
        cover_lines = self._cover_title() if self.pages[0].lines else []
        self.title = cover_title(cover_lines, self.words) if cover_lines else ""
        cover_ids = {id(ln) for ln in cover_lines}
        regions: dict[int, list[_Line]] = {}
        for ln in self.lines:
            if ln.region:
                regions.setdefault(ln.region, []).append(ln)
        done: set[int] = set()
        page = 0
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            i += 1
            if id(line) in done:
                continue
            if line.page != page:
                page = line.page
                self._enter(page)
            if id(line) in cover_ids:
                if line is cover_lines[0]:
                    self.flush()
                    self.add("heading", self.title, line)
                continue
            if line.region:
                self.flush()
                members = regions[line.region]
                done.update(id(ln) for ln in members)
                self._region(members, self.kinds[line.region])
                continue
            i = self._line(line, i)
        self.flush()
        return self._document(meta_title)

    def _enter(self, page: int) -> None:
        """A new page: its zone (a change of zone starts a fresh section path)."""
        zone = self.zone
        if page == 1 and self.cover:
            zone = "front"
        elif page in self.highlights:
            zone = "highlights"
        elif zone in ("", "front", "highlights"):
            zone = "front" if page in self.toc or self._has_abbreviations(page) else "body"
        headers = self.pages[page - 1].header
        if zone == "body" and any(_BACK.match(h) for h in headers):
            zone = "back"
        if zone != self.zone:
            self.flush()
            self.stack = []
            self.zone = zone

    def _has_abbreviations(self, page: int) -> bool:
        return any(ln.text.lower() in ("abbreviations", "acronyms") for ln in self.pages[page - 1].lines)

    def _line(self, line: _Line, i: int) -> int:
        """Handle one line outside figures and tables; returns the index of the next line to read."""
        text = line.text
        if self.zone == "front" and line.page == 1 and self.cover:
            return self._paragraph_line(line, i)
        if text.lower() in ("abbreviations", "acronyms"):
            self.flush()
            self.add("abbreviations", text, line)
            return self._abbreviations(i)
        if self.zone == "front" and line.page in self.toc and line.page != self.toc_off:
            if not is_boilerplate(text):
                return self._toc(line, i)
            self.toc_off = line.page  # the copyright notice under the contents: plain text from here
        if line.starts_with_marker and line.size < self.body - 0.5:
            note = [line]
            while i < len(self.lines) and self._note_goes_on(note[-1], self.lines[i]):
                note.append(self.lines[i])
                i += 1
            self.notes.append(note)
            if not self.paragraph:
                self.flush()
            return i
        if _LABEL.match(text) and i < len(self.lines) and self._is_heading(self.lines[i]):
            self.label = text
            return i
        if self._is_heading(line):
            return self._heading(line, i)
        return self._paragraph_line(line, i)

    def _note_goes_on(self, prev: _Line, line: _Line) -> bool:
        return (
            line.page == prev.page
            and not line.region
            and not line.starts_with_marker
            and abs(line.size - prev.size) < 0.6
            and 0 < prev.y - line.y <= 1.8 * line.size
        )

    def _paragraph_line(self, line: _Line, i: int) -> int:
        if self.paragraph and not self._continues(self.paragraph[-1], line):
            self.flush()
        if not self.paragraph:
            self.kind = "list_item" if _BULLET.match(line.text) else "paragraph"
        self.paragraph.append(line)
        return i

    def _continues(self, prev: _Line, line: _Line) -> bool:
        """Whether ``line`` carries on the paragraph that ends with ``prev``."""
        if re.match(r"^[•◦▪‣∙·\-–*]\s|^\d{1,2}[.)]\s", line.text) or line.starts_with_marker:
            return False
        if line.text.lower().startswith("source:") or _LETTERHEAD.match(line.text):
            return False
        if abs(prev.size - line.size) >= 0.5 or len(prev.cells) > 1 or len(line.cells) > 1:
            return False
        if prev.page != line.page:  # a sentence carried over a page break (and over the footnotes before it)
            aligned = abs(line.x0 - self.paragraph[0].x0) < 15 or abs(line.x0 - prev.x0) < 3
            return not _SENTENCE_END.search(prev.text) and line.page == prev.page + 1 and aligned
        if prev.column != line.column and "" not in (prev.column, line.column):
            return False
        if self.kind == "list_item" and line.x0 < self.paragraph[0].x0 - 1:  # back at the margin: the list ended
            return False
        gap = prev.y - line.y
        if gap <= 0 or gap > 1.6 * line.size:
            return False
        # a short line that ends a sentence usually ends its paragraph
        return not (
            _SENTENCE_END.search(prev.text) and prev.x1 < 0.7 * max(line.x1, prev.x1) and line.x0 <= prev.x0 + 1
        )

    def _heading(self, line: _Line, i: int) -> int:
        self.flush()
        parts = [line]
        while i < len(self.lines):
            nxt = self.lines[i]
            if not (
                nxt.page == line.page
                and not nxt.region
                and abs(nxt.size - line.size) < 0.5
                and 0 < parts[-1].y - nxt.y <= 1.8 * line.size
                and (self._is_heading(nxt) or (nxt.column == line.column == "left" and len(nxt.cells) == 1))
                and (line.size >= self.body * _HEADING_RATIO or nxt.bold)  # body size: bold lines only
            ):
                break
            parts.append(nxt)
            i += 1
        name = join_lines(parts, self.words)
        if self.label:
            name, self.label = f"{self.label}: {name}", ""
        plain = re.sub(r"[’‘]", "'", name.lower())
        if is_boilerplate(plain) and line.page >= 0.8 * len(self.pages):
            self.tail = True
        if self.tail:
            self.zone = "back"
            self.add("boilerplate", name, line)
            return i
        if self.zone == "body" and _BACK.match(name):
            self.zone, self.stack = "back", []
        if self.zone == "highlights" and _squash(name) in _squash(self.title):
            self.add("heading", name, line)  # the Highlights page repeats the title: not a section of its own
            return i
        level = self.levels.index(round(line.size * 2) / 2) if round(line.size * 2) / 2 in self.levels else 0
        self.stack = [(lv, n) for lv, n in self.stack if lv < level] + [(level, name)]
        self.add("heading", name, line)
        return i

    def _toc(self, line: _Line, i: int) -> int:
        """Table of contents lines: one "toc" block per entry (its wrapped lines and page number together)."""
        if line.text.strip().lower() == "contents":
            self.flush()
            self.stack = [(0, "Contents")]
            self.add("heading", line.text, line)
            return i
        entry = [line]
        while not _PAGE_REF.match(entry[-1].cells[-1].text) and i < len(self.lines):
            nxt = self.lines[i]
            if nxt.page != line.page or nxt.region or nxt.column == "left" or CAPTION.match(nxt.text):
                break
            if nxt.text.lower() in ("abbreviations", "acronyms") or is_boilerplate(nxt.text):
                break
            entry.append(nxt)
            i += 1
        self.flush()
        self.add("toc", " ".join(ln.text for ln in entry), line)
        return i

    def _abbreviations(self, i: int) -> int:
        """The abbreviation list: one block per entry ("DOE Department of Energy"), kept as data."""
        entry: list[str] = []
        first: _Line | None = None
        long_x = 0.0

        def emit() -> None:
            if entry and first is not None:
                self.abbreviations.setdefault(entry[0], " ".join(entry[1:]))
                self.add("abbreviations", " ".join(entry), first)

        while i < len(self.lines):
            line = self.lines[i]
            if len(line.cells) >= 2 and _ACRONYM.match(line.cells[0].text) and not line.region:
                emit()
                entry, first, long_x = [c.text for c in line.cells], line, line.cells[1].x0
            elif entry and len(line.cells) == 1 and abs(line.x0 - long_x) < 6 and not line.region:
                entry.append(line.text)  # a long form wrapped onto a second line
            else:
                break
            i += 1
        emit()
        return i

    def _cover_title(self) -> list[_Line]:
        """The cover's title lines: the largest type on the first page (not a logo word), in reading order."""
        lines = [ln for ln in self.pages[0].lines if not ln.region and not (len(ln.text) <= 4 and " " not in ln.text)]
        if not lines:
            return []
        top = max(ln.size for ln in lines)
        if top < self.body * _HEADING_RATIO and not any(ln.bold for ln in lines):
            return []
        return [ln for ln in lines if ln.size >= 0.85 * top]

    # -- figures and tables ------------------------------------------------------------------------------

    def _region(self, lines: list[_Line], kind: str) -> None:
        """A figure or table: its caption, its content, then its source line, notes and footnotes."""
        caption = [lines[0]] if kind != "grid" and (CAPTION.match(lines[0].text) or lines[0].bold) else []
        while caption and len(caption) < len(lines) and caption_goes_on(caption[-1], lines[len(caption)]):
            caption.append(lines[len(caption)])
        rest = lines[len(caption) :]
        end = next((k for k, ln in enumerate(rest) if SOURCE.match(ln.text)), len(rest))
        inner, after = rest[:end], rest[end:]
        notes = [ln for ln in inner if ln.starts_with_marker and ln.size <= median(x.size for x in inner)]
        if inner and notes:  # footnotes under the rows (before the source line)
            first = inner.index(notes[0])
            inner, after = inner[:first], inner[first:] + after
        title = join_lines(caption, self.words)
        if kind == "grid":  # a table without a caption is named by the heading over it
            title = self.stack[-1][1] if self.stack else ""
        done = kind in ("table", "grid") and self._table(title, inner, bool(caption))
        if not done:
            if caption:
                self.add("figure" if kind == "figure" else "paragraph", title, caption[0])
            prose = [ln for ln in inner if ln.size >= 0.75 * self.body and len(ln.text) > 60 and len(ln.cells) == 1]
            if kind != "figure" or (len(prose) >= 3 and len(prose) >= 0.6 * len(inner)):  # a text box: paragraphs
                for line in inner:
                    self._paragraph_line(line, 0)
                self.flush()
            elif inner:
                self.add("figure", " ".join(ln.text for ln in inner), inner[0])
        groups = note_groups(after)
        if done:  # footnotes first, then the source line: the builder attaches both to the table
            groups.sort(key=lambda g: 0 if g[0].starts_with_marker else 1 if SOURCE.match(g[0].text) else 2)
        for group in groups:
            text = join_lines(group, self.words)
            if done and (group[0].starts_with_marker or SOURCE.match(text)):
                self.add("paragraph", text, group[0])
            else:
                self.add("footnote" if group[0].starts_with_marker or kind != "figure" else "figure", text, group[0])

    def _table(self, title: str, lines: list[_Line], titled: bool) -> bool:
        """Write a table region as a table; False when its lines do not form one."""
        grid = table_grid(lines, self.pages, self.words)
        if grid is None:
            return False
        names, rows, units = grid
        title = " ".join([title, *(f"({unit})" for unit in units)]).strip()
        top = lines[0]
        block = self.builder.add_table(
            title, names[1:], rows, self.section(), top.page, self.printed[top.page], titled, names[0]
        )
        if block is not None:
            block.zone = self.zone
        return block is not None

    # -- the document ------------------------------------------------------------------------------------

    def _document(self, meta_title: str) -> Document:
        text = self.builder.text
        cover = "\n".join(ln.text for ln in self.pages[0].lines) if self.cover else text[:3000]
        meta = read_metadata(text, Path(self.source).stem)
        number = report_number(text, cover) or meta.report_number
        date = front_date(_WEEKDAY.sub("", cover)) or meta.date
        title = self.title or meta_title
        if not title:
            first = next((b for b in self.builder.blocks if b.kind == "heading"), None) or self.builder.blocks[0]
            title = text[first.start : first.end][:200]
        for block in self.builder.blocks:
            block.section = block.section or title
            block.zone = block.zone or "body"
        return Document(
            source=self.source,
            text=text,
            title=title,
            report_number=number,
            date=date,
            blocks=self.builder.blocks,
            abbreviations=self.abbreviations,
        )


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())
