"""Positioned text of PDF pages, read with pypdfium2: characters -> runs -> lines of cells, in reading order.

pdfium gives every character with its box, baseline and text object (font, size, weight). Characters of one
text object on one baseline, without a wide gap, form a run; runs on one baseline form a line, and a gap wider
than a font size splits a line into cells (table columns, a table-of-contents page number). Running headers and
footers are set aside (their page number kept). Captioned figures and tables are marked as regions (caption to
"Source:" line, across a page break when they go on). A page laid out in two columns is read column by column:
the left column first when it holds running text (a Highlights page), or its side headings merged in by height
when it holds only headings (the body pages of GAO reports, where section headings stand in the left margin).
A table region becomes a grid (:mod:`assistant.ingest.pdf_tables`).
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

CELL_GAP = 1.0  # a horizontal gap wider than this many font sizes separates cells
TOP_MARGIN = 0.09  # share of the page height at the top where running headers live
BOTTOM_MARGIN = 0.08  # ... and at the bottom, where running footers live
MIN_SIZE = 3.0  # text smaller than this (in points) is an invisible marker, not reading text
SOFT_HYPHEN = "\u00ad"  # a hyphen the typesetter put at a line end (pdfium reports it as U+FFFE or U+0002)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
BULLETS = ("•", "◦", "▪", "‣", "∙", "·", "-", "–", "*", "o")
MARKER = re.compile(r"^[A-Za-z0-9*†‡]{1,3}$")
CAPTION = re.compile(r"^(table|figure)\s+(\d+|[IVX]+-\d+)\s*[:.]", re.IGNORECASE)
SOURCE = re.compile(r"^sources?\s*:", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,4}|[ivxlcdm]{1,8})(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
PAGE_WORD = re.compile(r"\bpage\s+(\d{1,4}|[ivxlcdm]{1,8})\b", re.IGNORECASE)
_SYMBOLS = {"3": "✓", "4": "✓", "ü": "✓"}  # check marks of symbol fonts (Wingdings, ZapfDingbats) in tables
_SYMBOL_FONT = re.compile(r"wingding|dingbat", re.IGNORECASE)
HYPHEN_END = re.compile(r"([A-Za-z]+)([-" + SOFT_HYPHEN + r"])$")
NOTE = re.compile(r"^notes?\s*:", re.IGNORECASE)
_CONTINUED = re.compile(r"^\(?continued\b", re.IGNORECASE)


@dataclass
class Run:
    x0: float
    x1: float
    y: float  # baseline
    size: float
    text: str
    bold: bool = False


@dataclass
class Cell:
    x0: float
    x1: float
    text: str
    bold: bool = False


@dataclass
class Line:
    page: int  # 1-based
    y: float  # baseline
    size: float
    cells: list[Cell]
    starts_with_marker: bool = False
    bold: bool = False  # set in a bold font throughout
    runs: list[Run] = field(default_factory=list, repr=False)
    column: str = ""  # "left", "right" or "" (the page's only column, or spanning both)
    region: int = 0  # the captioned table or figure the line belongs to (0: none)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def x1(self) -> float:
        return self.cells[-1].x1

    @property
    def top(self) -> float:
        return self.y + 0.75 * self.size


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    printed: str | None = None
    header: list[str] = field(default_factory=list)  # running header lines set aside ("Appendix I", "Contents")
    rules: list[tuple[float, float, float, float]] | None = None  # horizontal rules, read on demand
    raw: object = field(default=None, repr=False)


# -- characters -> runs -> lines ---------------------------------------------------------------------------


def _native(name: str, restype: Any, *argtypes: Any) -> Any:
    """A pdfium function called with plain addresses: the per-character calls skip pypdfium2's argument
    wrapping, which would otherwise cost more than the calls themselves."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value or 0
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_VOID, _INT, _DOUBLE_P = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)
_text_object = _native("FPDFText_GetTextObject", _VOID, _VOID, _INT)
_loose_box = _native("FPDFText_GetLooseCharBox", _INT, _VOID, _INT, ctypes.POINTER(pdfium_c.FS_RECTF))
_origin = _native("FPDFText_GetCharOrigin", _INT, _VOID, _INT, _DOUBLE_P, _DOUBLE_P)


def _object_info(address: int, fonts: dict[int, str]) -> tuple[float, bool, bool, bool]:
    """(size in points, bold, visible, symbol font) of a text object."""
    obj = ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)
    size = ctypes.c_float()
    pdfium_c.FPDFTextObj_GetFontSize(obj, size)
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    scaled = size.value * abs(m.a * m.d - m.b * m.c) ** 0.5
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    key = ctypes.cast(font, ctypes.c_void_p).value or 0
    name = fonts.get(key)
    if name is None:
        n = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = ctypes.create_string_buffer(max(n, 1))
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, n)
        name = fonts[key] = buffer.value.decode("utf-8", "replace")
    visible = scaled >= MIN_SIZE and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) not in (3, 7)  # invisible, clip
    return scaled, bool(BOLD_FONT.search(name)), visible, bool(_SYMBOL_FONT.search(name))


def read_runs(page: pdfium.PdfPage) -> list[Run]:
    """The page's visible text as runs (see the module docstring)."""
    textpage = page.get_textpage()
    try:
        handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
        count = pdfium_c.FPDFText_CountChars(textpage)
        text = textpage.get_text_range() if count > 0 else ""
        if len(text) != max(count, 0):  # characters outside the BMP: read one by one
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 32) for i in range(count))
        objects: dict[int, tuple[float, bool, bool, bool]] = {}
        fonts: dict[int, str] = {}
        box, ox, oy = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
        box_p, ox_p, oy_p = ctypes.byref(box), ctypes.byref(ox), ctypes.byref(oy)
        runs: list[Run] = []
        current: Run | None = None
        current_key = -1
        space = False
        for i, ch in enumerate(text):
            if ch in "\r\n":
                current, space = None, False
                continue
            key = _text_object(handle, i)
            if not key or ch.isspace():
                space = True
                continue
            info = objects.get(key)
            if info is None:
                info = objects[key] = _object_info(key, fonts)
            size, bold, visible, symbol = info
            if not visible:
                continue
            _loose_box(handle, i, box_p)
            _origin(handle, i, ox_p, oy_p)
            if ch in "\ufffe\x02":
                ch = SOFT_HYPHEN
            elif symbol:
                ch = _SYMBOLS.get(ch, ch)
            x0, x1, y = box.left, box.right, oy.value
            if (
                current is not None
                and key == current_key
                and abs(y - current.y) < 0.3 * size
                and -0.5 * size < x0 - current.x1 < CELL_GAP * size
            ):
                gap = x0 - current.x1
                current.text += (" " if space or gap > 0.25 * size else "") + ch
                current.x1 = max(current.x1, x1)
            else:
                if current is not None and space:
                    current.text += " "
                current = Run(x0, x1, y, size, ch, bold)
                current_key = key
                runs.append(current)
            space = False
        return runs
    finally:
        textpage.close()


def group_lines(runs: list[Run], number: int) -> list[Line]:
    """Runs on the same baseline (superscripts included) -> lines of cells, top to bottom."""
    runs = sorted(runs, key=lambda r: (-r.y, r.x0))
    groups: list[list[Run]] = []
    for run in runs:
        if groups:
            anchor = max(groups[-1], key=lambda r: r.size)
            small, large = sorted((anchor.size, run.size))  # superscripts are raised about half their size
            if abs(anchor.y - run.y) <= (0.55 * large if large <= 2.2 * small else 0.45 * small):
                groups[-1].append(run)
                continue
        groups.append([run])
    return [line for group in groups if (line := make_line(group, number)) is not None]


def make_line(group: list[Run], number: int) -> Line | None:
    """One line from runs that share a baseline: cells split at wide gaps, superscript markers tagged."""
    size = max(r.size for r in group)
    baseline = max(group, key=lambda r: r.size).y
    cells: list[Cell] = []
    bold_chars = chars = 0
    first_marker = False
    for run in sorted(group, key=lambda r: r.x0):
        n = len(run.text.strip())
        chars += n
        bold_chars += n if run.bold else 0
        is_marker = run.size < 0.8 * size and bool(MARKER.match(run.text.strip())) and run.y > baseline - 0.1 * size
        text = f"<sup>{run.text.strip()}</sup>" if is_marker else run.text
        if not cells:
            first_marker = is_marker
            cells.append(Cell(run.x0, run.x1, text, run.bold))
            continue
        gap = run.x0 - cells[-1].x1
        if gap > CELL_GAP * size and not is_marker:
            cells.append(Cell(run.x0, run.x1, text, run.bold))
            continue
        last = cells[-1]
        joiner = "" if is_marker or gap < 0.12 * size or (last.text.endswith("</sup>") and first_marker) else " "
        if last.text.endswith((" ", SOFT_HYPHEN)) or text.startswith(" "):
            joiner = ""
        last.text, last.x1, last.bold = last.text + joiner + text, max(last.x1, run.x1), last.bold and run.bold
    for c in cells:
        c.text = re.sub(r"\s+", " ", c.text).strip()
    if len(cells) > 1 and re.fullmatch(r"[•◦▪‣∙·\-–*]|\d{1,2}[.)]", cells[0].text):  # "•   text": one item
        cells[1:2] = [Cell(cells[0].x0, cells[1].x1, f"{cells[0].text} {cells[1].text}", cells[1].bold)]
        del cells[0]
    cells = [c for c in cells if c.text]
    if not cells:
        return None
    return Line(number, baseline, size, cells, first_marker, chars > 0 and bold_chars >= 0.9 * chars, group)


def read_rules(page: Page) -> list[tuple[float, float, float, float]]:
    """Horizontal rules drawn on the page, as (x0, x1, y, drawn width): thin paths, the segments of one rule
    (drawn column by column) merged; read only for pages with tables."""
    if page.rules is None:
        segments: dict[int, list[tuple[float, float]]] = {}
        if isinstance(page.raw, pdfium.PdfPage):
            for obj in page.raw.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
                x0, y0, x1, y1 = obj.get_bounds()
                if y1 - y0 <= 2.0 and x1 - x0 >= 15.0:
                    segments.setdefault(round((y0 + y1) / 2), []).append((x0, x1))
        page.rules = [
            (min(a for a, _ in parts), max(b for _, b in parts), float(y), sum(b - a for a, b in parts))
            for y, parts in segments.items()
        ]
    return page.rules


# -- lines -> text ------------------------------------------------------------------------------------------


def join_lines(lines: list[Line], words: frozenset[str] = frozenset()) -> str:
    """Lines -> one text: a word broken at a line end is rejoined ("re-" + "placed"), a compound keeps its
    hyphen ("results-" + "oriented"); ``words`` (the document's own words) decides when it has the answer."""
    text = ""
    for line in lines:
        part = line.text
        hyphen = HYPHEN_END.search(text[-60:])
        if not text:
            text = part
        elif hyphen and part[:1].isalpha():
            head, tail = hyphen.group(1).lower(), re.match(r"[A-Za-z]*", part).group().lower()  # type: ignore[union-attr]
            joined, kept = head + tail in words, f"{head}-{tail}" in words
            soft = hyphen.group(2) == SOFT_HYPHEN  # the typesetter's line-end hyphen: mostly compounds here
            join = joined and not kept if joined != kept else (not soft and part[:1].islower())
            text = text[:-1] + ("" if join else "-") + part
        else:
            text += " " + part
    return text.replace(SOFT_HYPHEN, "-")


def cover_title(lines: list[Line], words: frozenset[str]) -> str:
    """Cover title lines -> the title; parts set apart by a wider gap are joined with ": "."""
    gaps = [a.y - b.y for a, b in pairwise(lines) if a.y > b.y]
    pitch = min(gaps, default=0.0)
    parts: list[list[Line]] = [[lines[0]]]
    for prev, line in pairwise(lines):
        if pitch and prev.y - line.y > 1.3 * pitch:
            parts.append([])
        parts[-1].append(line)
    texts = [join_lines(part, words) for part in parts]
    return "".join(t if k == 0 else (" " if texts[k - 1].endswith(":") else ": ") + t for k, t in enumerate(texts))


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


# -- running headers and footers ---------------------------------------------------------------------------


def strip_running_lines(pages: list[Page], body: float) -> None:
    """Set aside page numbers and running headers and footers; remember each page's printed number.

    In the margins, a line with a page number ("Page 12 GAO-07-106 ...") is a footer; so is a line whose shape
    (digits aside) stands at the same height on two or more pages; and a short line in small type at the very
    top is a running header ("Appendix I", "Contents"). The first page (a cover) only loses page numbers.
    """

    def margin(page: Page, line: Line) -> str:
        if page.height <= 0:
            return "top" if line is page.lines[0] else "bottom" if line is page.lines[-1] else ""
        if line.y > page.height * (1 - TOP_MARGIN):
            return "top"
        return "bottom" if line.y < page.height * BOTTOM_MARGIN else ""

    def shape(line: Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text.lower())).strip(), round(line.y / 4)

    seen: Counter[tuple[str, int]] = Counter()
    for page in pages:
        seen.update({shape(line) for line in page.lines if margin(page, line) and line.size <= body + 0.5})
    for page in pages:
        kept = []
        for line in page.lines:
            where = margin(page, line)
            if not where or line.size > body + 0.5:
                kept.append(line)
                continue
            number = PAGE_NUMBER.match(line.text) or PAGE_WORD.search(line.text)
            if number is None and len(line.cells) > 1:
                number = PAGE_NUMBER.match(line.cells[-1].text) or PAGE_NUMBER.match(line.cells[0].text)
            if number is not None:
                page.printed = page.printed or number.group(1)
                continue
            header = where == "top" and line.size < 0.85 * body and len(line.text.split()) <= 10
            if page.number > 1 and (seen[shape(line)] >= 2 or header):
                page.header.append(line.text)
                continue
            kept.append(line)
        page.lines = kept


# -- figures, tables and reading order --------------------------------------------------------------------


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


def order_columns(page: Page, body: float) -> None:
    """Put a two-column page in reading order (see the module docstring); figures and tables stay whole."""
    lines = page.lines
    gutter = _gutter([ln for ln in lines if not ln.region], page.width)
    if gutter is None:
        return
    spanning: list[Line] = []
    pools: dict[str, list[Run]] = {"left": [], "right": []}
    for line in lines:  # runs of each column regrouped on their own: lines of the two columns never mix
        if line.region or any(r.x0 < gutter < r.x1 for r in line.runs):
            spanning.append(line)
        else:
            for run in line.runs:  # a bullet hung in the margin belongs to its item in the right column
                hung = run.x1 > gutter - 25 and run.text.strip() in BULLETS
                pools["left" if run.x1 <= gutter and not hung else "right"].append(run)
    sides = {side: group_lines(runs, page.number) for side, runs in pools.items()}
    for side, side_lines in sides.items():
        for line in side_lines:
            line.column = side
    left_lines, right_lines = sides["left"], sides["right"] + spanning
    text_lines = [ln for ln in left_lines if ln.size <= body + 0.6 and len(ln.text) > 12]
    if len(text_lines) >= 5:  # running text in the left column: read it first, then the right column
        page.lines = left_lines + sorted(right_lines, key=lambda ln: -ln.y)
        return
    items: list[tuple[float, int, list[Line]]] = []  # (top, left first, lines)
    block: list[Line] = []
    for line in left_lines:  # side headings: one block per heading, placed by the height of its top
        if block and block[-1].y - line.y > 1.3 * max(line.size, block[-1].size):
            items.append((block[0].top + 3, 0, block))
            block = []
        block.append(line)
    if block:
        items.append((block[0].top + 3, 0, block))
    items += [(ln.top, 1, [ln]) for ln in right_lines]
    items.sort(key=lambda item: (-item[0], item[1]))
    page.lines = [ln for _, _, group in items for ln in group]


def _gutter(lines: list[Line], width: float) -> float | None:
    """The x of a gutter between a left and a right column, or None for a one-column page.

    Candidates are left edges shared by several lines; one is a gutter when text stands left of it, few runs
    cross it, and the lines left of it are not the first cells of table rows (same baseline, same size).
    """
    starts: Counter[int] = Counter(round(c.x0 / 3) for ln in lines for c in ln.cells)
    runs = [r for ln in lines for r in ln.runs]
    best: tuple[int, float] | None = None
    for key, n in starts.items():
        g = key * 3 - 4.0
        if n < 4 or not 0.15 * width < g < 0.6 * width:
            continue
        left = [ln for ln in lines if any(r.x1 <= g for r in ln.runs)]
        crossing = sum(1 for r in runs if r.x0 < g - 1 and r.x1 > g + 1)
        if not left or crossing > max(2, 0.08 * len(runs)):
            continue
        paired = 0
        for ln in left:
            mine = [r for r in ln.runs if r.x1 <= g]
            others = [r for r in ln.runs if r.x0 >= g]
            if mine and any(abs(o.y - mine[0].y) < 0.6 and abs(o.size - mine[0].size) < 1.0 for o in others):
                paired += 1
        if paired > 0.5 * len(left):
            continue
        if best is None or len(left) > best[0]:
            best = (len(left), g)
    return best[1] if best else None
