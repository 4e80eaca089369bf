"""Captioned figures and tables in a PDF's lines: regions from the caption to the source line and notes.

A region is marked on its lines (``Line.region``) so that the reader keeps it whole: the two-column reading
order (:mod:`~assistant.ingest.pdf_columns`) leaves it in place, and the reader writes it as a table (a grid,
:mod:`~assistant.ingest.pdf_tables`) or as figure blocks, with its caption, source line and notes.
"""

from __future__ import annotations

import re

from assistant.ingest.pdf_layout import Line, Page

CAPTION = re.compile(r"^(table|figure)\s+(\d+|[IVX]+-\d+)\s*[:.]", re.IGNORECASE)
SOURCE = re.compile(r"^sources?\s*:", re.IGNORECASE)
NOTE = re.compile(r"^notes?\s*:", re.IGNORECASE)


def caption_goes_on(prev: Line, line: Line) -> bool:
    """A caption wrapped onto another line: same left edge, size and weight, right below."""
    return (
        abs(line.x0 - prev.x0) < 3
        and abs(line.size - prev.size) < 0.5
        and line.bold == prev.bold
        and len(line.cells) == 1
        and 0 < prev.y - line.y <= 1.6 * line.size
        and not SOURCE.match(line.text)
    )


def note_groups(lines: list[Line]) -> list[list[Line]]:
    """Source line, notes and footnotes under a table or figure, each with its wrapped lines."""
    groups: list[list[Line]] = []
    for line in lines:
        starts = line.starts_with_marker or SOURCE.match(line.text) or NOTE.match(line.text)
        if groups and not starts and line.page == groups[-1][-1].page:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def find_regions(pages: list[Page], body: float, skip: set[int]) -> dict[int, str]:
    """Mark the lines of captioned tables and figures; returns each region's kind ("table" or "figure").

    A region runs from its caption ("Table 3: ...") to its "Source:" line and the notes under it. Without a
    source on the page it runs to the page's footnotes or end, and goes on at the top of the next page when that
    page starts in small type (a table continued). A line of running text after a few lines also ends it.
    """
    kinds: dict[int, str] = {}
    open_region = 0
    for page in pages:
        lines = page.lines
        if page.number in skip:
            open_region = 0
            continue
        i = 0
        if open_region and lines and (lines[0].size < body - 0.5 or CAPTION.match(lines[0].text)):
            i, closed = _mark(lines, 0, open_region, body)
            open_region = 0 if closed else open_region
        else:
            open_region = 0
        while i < len(lines):
            line = lines[i]
            caption = CAPTION.match(line.text)
            if (caption and (line.bold or line.cells[0].bold)) or _grid_header(lines, i, body):
                region = len(kinds) + 1
                kinds[region] = caption.group(1).lower() if caption else "grid"
                while not caption and i > 0 and not lines[i - 1].region and lines[i - 1].size < body - 0.5:
                    if lines[i - 1].y - lines[i].y > 2.5 * lines[i].size:
                        break
                    i -= 1  # the unit line and upper header lines over a table without a caption
                i, closed = _mark(lines, i, region, body)
                open_region = 0 if closed else region
                continue
            i += 1
    return kinds


def _grid_header(lines: list[Line], i: int, body: float) -> bool:
    """A table without a caption: a bold header line of three or more cells in small type, over rows of cells."""
    line = lines[i]
    if len(line.cells) < 3 or not all(c.bold for c in line.cells) or line.size >= body - 0.5:
        return False
    return sum(1 for ln in lines[i + 1 : i + 6] if len(ln.cells) >= 2) >= 3


def _mark(lines: list[Line], start: int, region: int, body: float) -> tuple[int, bool]:
    """Mark lines from ``start`` to the region's end; returns (index after it, whether it ended on this page)."""
    j = start
    while j < len(lines):
        line = lines[j]
        if j > start and SOURCE.match(line.text):
            end = j + 1
            while end < len(lines) and lines[end].size < body - 0.9 and not _page_footnote(lines[end]):
                if lines[end - 1].y - lines[end].y > 2.5 * lines[end].size:
                    break
                end += 1
            for k in range(start, end):
                lines[k].region = region
            return end, True
        if j > start and _page_footnote(line):
            break
        if j > start + 2 and line.size >= body - 0.3 and not line.bold and len(line.text) > 50:
            for k in range(start, j):
                lines[k].region = region
            return j, True
        j += 1
    for k in range(start, j):
        lines[k].region = region
    return j, False  # at the page's footnotes or end: the next page's top may go on with it


def _page_footnote(line: Line) -> bool:
    """A page footnote's first line: a numbered superscript marker, then the note."""
    return line.starts_with_marker and line.cells[0].text[5:6].isdigit()
