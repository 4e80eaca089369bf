"""The front matter of a PDF report: the cover's title lines, the table of contents, the abbreviation list."""

from __future__ import annotations

import re

from assistant.ingest.pdf_blocks import HEADING_RATIO, PAGE_REF, BlockWriter
from assistant.ingest.pdf_layout import Line as _Line
from assistant.ingest.pdf_regions import CAPTION
from assistant.ingest.wordlists import is_boilerplate

ACRONYM = re.compile(r"^(?=[^a-z]*[A-Z])[A-Za-z0-9&/.\-]{2,15}$")


class FrontMatterReader(BlockWriter):
    """Reads the cover title, the contents entries and the abbreviation list of a PDF's front matter."""

    def _has_abbreviations(self, page: int) -> bool:
        return any(ln.text.lower() in ("abbreviations", "acronyms") for ln in self.pages[page - 1].lines)

    def _toc(self, line: _Line, i: int) -> int:
        """Table of contents lines: one "toc" block per entry (its wrapped lines and page number together)."""
        if line.text.strip().lower() == "contents":
            self.flush()
            self.stack = [(0, "Contents")]
            self.add("heading", line.text, line)
            return i
        entry = [line]
        while not PAGE_REF.match(entry[-1].cells[-1].text) and i < len(self.lines):
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
            if len(line.cells) >= 2 and ACRONYM.match(line.cells[0].text) and not line.region:
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
        if top < self.body * HEADING_RATIO and not any(ln.bold for ln in lines):
            return []
        return [ln for ln in lines if ln.size >= 0.85 * top]
