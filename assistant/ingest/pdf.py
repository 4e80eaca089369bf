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

The reader is made of parts: :mod:`~assistant.ingest.pdf_blocks` (the pass's state, headings, paragraphs),
:mod:`~assistant.ingest.pdf_front` (cover title, contents, abbreviations) and
:mod:`~assistant.ingest.pdf_figures` (figures and tables); here are the pass itself and the document's metadata.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pypdfium2 as pdfium

from assistant.ingest.document import Document, LoadError, sha256_bytes
from assistant.ingest.metadata import front_date, read_metadata, report_number
from assistant.ingest.pdf_blocks import HEADING_RATIO
from assistant.ingest.pdf_figures import FigureReader
from assistant.ingest.pdf_front import FrontMatterReader
from assistant.ingest.pdf_layout import Line as _Line
from assistant.ingest.pdf_layout import Page, cover_title, group_lines, join_lines, read_runs
from assistant.ingest.wordlists import is_boilerplate

__all__ = ["load_pdf"]

_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s*")
_BACK = re.compile(r"^(?:appendix\s+[ivxl]+\b|appendixes$|bibliography$|related gao products$)", re.IGNORECASE)
_LABEL = re.compile(r"^(?:appendix|enclosure|attachment)\s+[IVXL\d]+$", re.IGNORECASE)  # "Appendix I" over a title


# PDFium is not thread-safe: two documents read (or a page rendered, ui/pages.py) at once can crash the process,
# so every use of it in the process holds this lock.
PDFIUM_LOCK = threading.RLock()


def load_pdf(path: Path, source: str) -> Document:
    """Load a PDF report; raises :class:`LoadError` for truncated, encrypted or text-less (scanned) files."""
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(f"{source}: the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"{source}: not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise LoadError(f"{source}: the PDF is truncated or damaged (no end-of-file marker); get a complete copy")
    with PDFIUM_LOCK:
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


class _Reader(FrontMatterReader, FigureReader):
    """One pass over a document's lines in reading order, building its blocks (see the module docstring)."""

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
                and (line.size >= self.body * HEADING_RATIO or nxt.bold)  # body size: bold lines only
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
