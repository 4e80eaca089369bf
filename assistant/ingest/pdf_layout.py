"""Positioned text of PDF pages, read with pypdfium2: characters -> runs -> lines of cells, and lines -> text.

pdfium gives every character with its box, baseline and text object (font, size, weight). Characters of one
text object on one baseline, without a wide gap, form a run; runs on one baseline form a line, and a gap wider
than a font size splits a line into cells (table columns, a table-of-contents page number). The pages' lines
are then cleaned and ordered by the sibling modules: running headers and footers set aside
(:mod:`~assistant.ingest.pdf_furniture`), captioned figures and tables marked as regions
(:mod:`~assistant.ingest.pdf_regions`), two-column pages put in reading order
(:mod:`~assistant.ingest.pdf_columns`); a table region becomes a grid (:mod:`assistant.ingest.pdf_tables`).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

CELL_GAP = 1.0  # a horizontal gap wider than this many font sizes separates cells
MIN_SIZE = 3.0  # text smaller than this (in points) is an invisible marker, not reading text
SOFT_HYPHEN = "\u00ad"  # a hyphen the typesetter put at a line end (pdfium reports it as U+FFFE or U+0002)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
MARKER = re.compile(r"^[A-Za-z0-9*†‡]{1,3}$")
_SYMBOLS = {"3": "✓", "4": "✓", "ü": "✓"}  # check marks of symbol fonts (Wingdings, ZapfDingbats) in tables
_SYMBOL_FONT = re.compile(r"wingding|dingbat", re.IGNORECASE)
HYPHEN_END = re.compile(r"([A-Za-z]+)([-" + SOFT_HYPHEN + r"])$")


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
