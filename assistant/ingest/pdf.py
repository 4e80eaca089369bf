"""PDF reports -> structured documents: text by page, headings by font size or weight, tables from aligned
columns.

pypdf gives positioned text runs. We group them into lines, drop running headers and footers (keeping the
printed page number), then read each page top to bottom: larger type is a heading (and a short line set in
bold throughout is the deepest level of heading), lines with several
widely spaced cells under a header line are a table, everything else is joined into paragraphs (hyphenated
line breaks rejoined). The extracted text is built from those cleaned pieces, so every span is exact.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assistant.ingest.document import Block, BlockKind, Document, DocumentBuilder, LoadError, sha256_bytes
from assistant.ingest.metadata import read_metadata

log = logging.getLogger(__name__)

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,4}|[ivxlcdm]{1,8})(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
_PAGE_WORD = re.compile(r"\bpage\s+(\d{1,4}|[ivxlcdm]{1,8})\b", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[•◦▪‣∙·\-–*]\s+|\d{1,2}[.)]\s+|\([a-z0-9]{1,3}\)\s+)")
_BULLET_ONLY = re.compile(r"^(?:[•◦▪‣∙·\-–*]|\d{1,2}[.)]|\([a-z0-9]{1,3}\))$")
_CAPTION = re.compile(r"^(?:table|figure)\s+\d+[.:]?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]*$")
_LEADER = re.compile(r"(?:\.\s?){4,}")  # dot leaders of a table of contents
_MARKER = re.compile(r"^[A-Za-z0-9*†‡]{1,3}$")
_MARGIN = 0.09  # share of the page height at the top and bottom where running headers and footers live
_HEADING_RATIO = 1.12  # a line this much larger than body text is a heading
_CELL_GAP = 1.0  # a horizontal gap wider than this many font sizes separates table cells


@dataclass
class _Run:
    x0: float
    x1: float
    y: float
    size: float
    text: str


@dataclass
class _Cell:
    x0: float
    x1: float
    text: str


@dataclass
class _Line:
    page: int  # 1-based
    y: float
    size: float
    cells: list[_Cell]
    starts_with_marker: bool = False
    bold: bool = False  # set in a bold font throughout

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def x1(self) -> float:
        return self.cells[-1].x1


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line] = field(default_factory=list)
    printed: str | None = None


def load_pdf(path: Path, source: str) -> Document:
    """Load a PDF report; raises :class:`LoadError` for truncated, encrypted or text-less (scanned) files."""
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(f"{source}: the file is empty")
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise LoadError(f"{source}: not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise LoadError(f"{source}: the PDF is truncated or damaged (no end-of-file marker); get a complete copy")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(f"{source}: the PDF is password-protected; save an unprotected copy")
        raw_pages = list(reader.pages)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"{source}: not a readable PDF ({exc}); it may be truncated or corrupt") from exc
    if not raw_pages:
        raise LoadError(f"{source}: the PDF has no pages")
    warnings: list[str] = []
    pages = [_read_page(page, i + 1, warnings) for i, page in enumerate(raw_pages)]
    if not any(p.lines for p in pages):
        raise LoadError(f"{source}: no extractable text (scanned PDF?)")
    _strip_running_lines(pages)
    doc = _structure(pages, source, _metadata_title(reader))
    doc.sha256 = sha256_bytes(data)
    doc.pages = len(raw_pages)
    doc.warnings = warnings
    return doc


# -- reading positioned text -------------------------------------------------------------------------------


def _read_page(page: Any, number: int, warnings: list[str]) -> _Page:
    height = float(page.mediabox.height) if page.mediabox is not None else 0.0
    try:
        runs = _layout_runs(page)
    except Exception as exc:  # pypdf's layout reader is strict about odd content; fall back to plain text
        log.debug("layout extraction failed on page %d: %s", number, exc)
        warnings.append(f"page {number}: layout not readable ({type(exc).__name__}); text read without layout")
        runs = None
    if runs is None:
        return _Page(number, 0.0, _plain_lines(page, number))
    lines = _group_lines(runs, number)
    _mark_bold(page, lines)
    return _Page(number, height, lines)


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


def _mark_bold(page: Any, lines: list[_Line]) -> None:
    """Mark lines set in a bold font throughout (a second, cheap pass with pypdf's text visitor, which sees
    each text operation's font; the layout reader does not say which font a run used)."""
    if not lines:
        return
    shown: list[tuple[float, int, bool]] = []  # (baseline y, characters, bold)

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        chars = sum(not ch.isspace() for ch in text)
        if chars and font is not None:
            name = str(font.get("/BaseFont", "")) if hasattr(font, "get") else ""
            shown.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], chars, bool(_BOLD_FONT.search(name))))

    try:
        page.extract_text(visitor_text=visit)
    except Exception as exc:  # the layout was read already; without fonts there are just no bold headings
        log.debug("font pass failed on page: %s", exc)
        return
    for line in lines:
        near = [(chars, bold) for y, chars, bold in shown if abs(y - line.y) <= 0.45 * line.size]
        total = sum(chars for chars, _ in near)
        line.bold = total > 0 and sum(chars for chars, bold in near if bold) >= 0.9 * total


def _layout_runs(page: Any) -> list[_Run]:
    """Text runs with their start/end x, baseline y and font height (pypdf's layout-mode reader)."""
    from pypdf.generic import ContentStream

    try:
        from pypdf._text_extraction import _layout_mode
    except ImportError as exc:  # a pypdf without the layout reader: plain text only
        raise RuntimeError("pypdf layout mode unavailable") from exc
    contents = page.get("/Contents")
    if contents is None:
        return []
    ops = iter(ContentStream(contents.get_object(), page.pdf, "bytes").operations)
    runs = []
    for group in _layout_mode.text_show_operations(ops, page._layout_mode_fonts()):
        text = group["text"].replace("\u00a0", " ")
        if not text.strip():
            continue
        y = group["ty"] * group["flip_sort"]
        size = abs(group["font_height"]) or abs(group["font_size"]) or 10.0
        x0, x1 = group["tx"], group["displaced_tx"]
        # a single run may hold several cells set apart with spaces: split on wide runs of spaces
        pieces = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: {1,2}\S+)*", text)]
        per_char = (x1 - x0) / max(len(text), 1)
        for offset, piece in pieces:
            start = x0 + offset * per_char
            runs.append(_Run(start, start + len(piece) * per_char, y, size, piece))
    return runs


def _plain_lines(page: Any, number: int) -> list[_Line]:
    """Lines of pypdf's plain extraction, without positions (no headings or tables recognised)."""
    text = page.extract_text() or ""
    lines = []
    for i, raw in enumerate(text.splitlines()):
        raw = raw.strip()
        if raw:
            lines.append(_Line(number, -float(i), 10.0, [_Cell(0.0, len(raw) * 5.0, raw)]))
    return lines


def _group_lines(runs: list[_Run], number: int) -> list[_Line]:
    """Runs on the same baseline (superscripts included) -> lines of cells, top to bottom."""
    runs = sorted(runs, key=lambda r: (-r.y, r.x0))
    groups: list[list[_Run]] = []
    for run in runs:
        if groups:
            anchor = max(groups[-1], key=lambda r: r.size)
            if abs(anchor.y - run.y) <= 0.45 * max(anchor.size, run.size):
                groups[-1].append(run)
                continue
        groups.append([run])
    lines = []
    for group in groups:
        size = max(r.size for r in group)
        baseline = max(group, key=lambda r: r.size).y
        cells: list[_Cell] = []
        first_marker = False
        for run in sorted(group, key=lambda r: r.x0):
            is_marker = run.size < 0.8 * size and bool(_MARKER.match(run.text))
            text = f"<sup>{run.text}</sup>" if is_marker else run.text
            if not cells:
                first_marker = is_marker
                cells.append(_Cell(run.x0, run.x1, text))
                continue
            gap = run.x0 - cells[-1].x1
            if gap > _CELL_GAP * size and not is_marker:
                cells.append(_Cell(run.x0, run.x1, text))
                continue
            last = cells[-1]
            joiner = "" if is_marker or gap < 0.12 * size or (last.text.endswith("</sup>") and first_marker) else " "
            if last.text.endswith(" "):
                joiner = ""
            last.text, last.x1 = last.text + joiner + text, max(last.x1, run.x1)
        for c in cells:
            c.text = re.sub(r"\s+", " ", c.text).strip()
        if len(cells) > 1 and _BULLET_ONLY.match(cells[0].text):  # "•   text": a list item, not two cells
            cells[1:2] = [_Cell(cells[0].x0, cells[1].x1, f"{cells[0].text} {cells[1].text}")]
            del cells[0]
        lines.append(_Line(number, baseline, size, [c for c in cells if c.text], first_marker))
    return [line for line in lines if line.cells]


def _strip_running_lines(pages: list[_Page]) -> None:
    """Drop page numbers and running headers/footers; remember each page's printed number."""

    def in_margin(page: _Page, line: _Line) -> bool:
        if page.height <= 0:
            return line is page.lines[0] or line is page.lines[-1]
        return line.y > page.height * (1 - _MARGIN) or line.y < page.height * _MARGIN

    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({shape(line.text) for line in page.lines if in_margin(page, line)})
    repeated = {s for s, n in seen.items() if n >= 2 and n >= 0.4 * len(pages)} if len(pages) > 1 else set()
    for page in pages:
        kept = []
        for line in page.lines:
            if not in_margin(page, line):
                kept.append(line)
                continue
            number = _PAGE_NUMBER.match(line.text) or _PAGE_WORD.search(line.text)
            if number is None and len(line.cells) > 1:
                number = _PAGE_NUMBER.match(line.cells[-1].text) or _PAGE_NUMBER.match(line.cells[0].text)
            if number is not None and page.printed is None:
                page.printed = number.group(1)
            if number is None and shape(line.text) not in repeated:
                kept.append(line)
        page.lines = kept


# -- structure ---------------------------------------------------------------------------------------------


def _structure(pages: list[_Page], source: str, meta_title: str) -> Document:
    lines = [line for page in pages for line in page.lines]
    printed = {p.number: p.printed for p in pages}
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.text)
    body = sizes.most_common(1)[0][0]
    heading_sizes = sorted({round(ln.size * 2) / 2 for ln in lines if _is_heading(ln, body)}, reverse=True)
    pitch = _line_pitch(lines)

    builder = DocumentBuilder(source)
    title_line = next((ln for ln in pages[0].lines if _is_heading(ln, body)), None)
    page_one_max = max((ln.size for ln in pages[0].lines), default=0.0)
    doc_title = ""
    stack: list[tuple[int, str]] = []
    title_size: float | None = None
    if title_line is not None and title_line.size >= page_one_max - 0.01:
        title_size = round(title_line.size * 2) / 2

    def section() -> str:
        return " > ".join(name for _, name in stack) or doc_title or Path(source).stem

    paragraph: list[_Line] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            first = paragraph[0]
            builder.add(kind, _join_lines(paragraph), section(), first.page, printed[first.page])
        paragraph = []

    i = 0
    while i < len(lines):
        line = lines[i]
        table_end = _table_run(lines, i)
        if table_end > i:
            flush()
            prev = builder.blocks[-1] if builder.blocks else None
            caption = _caption_before(builder, prev)
            if _emit_table(builder, lines[i:table_end], caption, section(), printed[line.page]):
                i = table_end
                continue
        if _is_heading(line, body):
            flush()
            parts = [line]
            while (
                i + 1 < len(lines)
                and lines[i + 1].page == line.page
                and abs(lines[i + 1].size - line.size) < 0.5
                and line.y - lines[i + 1].y <= 2.0 * line.size * len(parts)
                and (line.size >= body * _HEADING_RATIO or lines[i + 1].bold)  # body size: bold lines only
            ):
                i += 1
                parts.append(lines[i])
            name = " ".join(p.text for p in parts)
            level = heading_sizes.index(round(line.size * 2) / 2) if heading_sizes else 0
            if title_size is not None and not doc_title and line is title_line:
                doc_title = name
                builder.add("heading", name, name, line.page, printed[line.page])
            else:
                stack = [(lv, n) for lv, n in stack if lv < level] + [(level, name)]
                builder.add("heading", name, section(), line.page, printed[line.page])
            i += 1
            continue
        if paragraph and not _continues(paragraph[-1], line, pitch):
            flush()
        if not paragraph:
            kind = "list_item" if _BULLET.match(line.text) else "paragraph"
        paragraph.append(line)
        i += 1
    flush()

    text = builder.text
    meta = read_metadata(text, Path(source).stem)
    title, number, date = meta.title, meta.report_number, meta.date
    title = meta_title or doc_title or title
    if not doc_title and builder.blocks:
        first = builder.blocks[0]
        title = meta_title or text[first.start : first.end][:200]
    for block in builder.blocks:
        if not block.section:
            block.section = title
    return Document(source=source, text=text, title=title, report_number=number, date=date, blocks=builder.blocks)


def _is_heading(line: _Line, body: float) -> bool:
    """Larger type than the body text, or a short bold line at body size ("Background", "Objectives")."""
    text = line.text
    bold_heading = (
        line.bold
        and line.size >= body - 0.5
        and len(text) <= 120
        and len(text.split()) <= 14
        and not text.rstrip().endswith((".", ",", ";"))
        and not _CAPTION.match(text)
    )
    return (
        (line.size >= body * _HEADING_RATIO or bold_heading)
        and len(text) <= 200
        and len(line.cells) == 1
        and any(ch.isalpha() for ch in text)
        and not line.starts_with_marker
        and not _LEADER.search(text)
    )


def _line_pitch(lines: list[_Line]) -> dict[float, float]:
    """The usual distance between consecutive lines of a paragraph, per font size."""
    gaps: dict[float, Counter[float]] = {}
    for a, b in pairwise(lines):
        if a.page == b.page and abs(a.size - b.size) < 0.5 and a.y > b.y:
            gaps.setdefault(round(a.size * 2) / 2, Counter())[round(a.y - b.y)] += 1
    return {size: float(c.most_common(1)[0][0]) for size, c in gaps.items()}


def _continues(prev: _Line, line: _Line, pitch: dict[float, float]) -> bool:
    """Whether ``line`` carries on the paragraph that ends with ``prev``."""
    if _BULLET.match(line.text) or line.starts_with_marker or line.text.lower().startswith("source:"):
        return False
    if abs(prev.size - line.size) >= 0.5 or len(prev.cells) > 1 or len(line.cells) > 1:
        return False
    if prev.page != line.page:  # carry a sentence over a page break
        return not _SENTENCE_END.search(prev.text) and line.text[:1].islower()
    usual = pitch.get(round(line.size * 2) / 2, 1.6 * line.size)
    gap = prev.y - line.y
    if gap <= 0 or gap > max(usual * 1.3, line.size * 1.05):
        return False
    # a short line that ends a sentence usually ends its paragraph
    return not (_SENTENCE_END.search(prev.text) and prev.x1 < 0.7 * max(line.x1, prev.x1) and line.x0 <= prev.x0 + 1)


def _join_lines(lines: list[_Line]) -> str:
    text = ""
    for line in lines:
        part = line.text
        if not text:
            text = part
        elif re.search(r"[A-Za-z]-$", text) and part[:1].islower():
            text = text[:-1] + part  # a word hyphenated at the line break
        else:
            text += " " + part
    return text


# -- tables ------------------------------------------------------------------------------------------------


def _table_run(lines: list[_Line], i: int) -> int:
    """End index of a table starting at ``lines[i]``: a header line and at least one row, all multi-cell."""
    if len(lines[i].cells) < 2 or _LEADER.search(lines[i].text):
        return i
    j = i + 1
    while (
        j < len(lines)
        and lines[j].page == lines[i].page
        and len(lines[j].cells) >= 2
        and not _LEADER.search(lines[j].text)
        and 0 < lines[j - 1].y - lines[j].y <= 3.0 * lines[j].size
    ):
        j += 1
    return j if j - i >= 2 else i


def _caption_before(builder: DocumentBuilder, prev: Block | None) -> tuple[str, Block | None]:
    """The table's title: a "Table 1: ..." line or a heading just above it."""
    if prev is None or prev.kind not in ("paragraph", "heading"):
        return "", None
    text = builder.text[prev.start : prev.end]
    if prev.kind == "heading" or (_CAPTION.match(text) and len(text) < 250):
        return text, prev
    return "", None


def _emit_table(
    builder: DocumentBuilder,
    lines: list[_Line],
    caption: tuple[str, Block | None],
    section: str,
    printed: str | None,
) -> bool:
    header, rows = lines[0], lines[1:]
    left = min(r.x0 for r in rows)
    corner = abs(header.x0 - left) < 2.0 and len(header.cells) >= max(len(r.cells) for r in rows)
    columns = header.cells[1:] if corner else header.cells
    if not columns:
        return False
    if len(columns) < 2 and len(rows) < 2:
        return False  # two cells on two lines is too little to call a table
    centers = [(c.x0 + c.x1) / 2 for c in columns]
    body: list[tuple[str, list[str]]] = []
    for row in rows:
        values = [""] * len(columns)
        label_parts = []
        for cell in row.cells:
            if cell.x1 <= columns[0].x0 + 1:
                label_parts.append(cell.text)
                continue
            k = min(range(len(columns)), key=lambda n: abs((cell.x0 + cell.x1) / 2 - centers[n]))
            values[k] = f"{values[k]} {cell.text}".strip()
        body.append((" ".join(label_parts), values))
    if not any(label for label, _ in body):
        return False
    title, caption_block = caption
    if caption_block is not None and caption_block.kind == "paragraph" and caption_block is builder.blocks[-1]:
        builder.pop()  # the caption line becomes the table's title line, not a paragraph of its own
    else:
        caption_block = None
    names = [c.text for c in columns]
    corner_text = header.cells[0].text if corner else ""
    block = builder.add_table(
        title, names, body, section, header.page, printed, title_line=caption_block is not None, corner=corner_text
    )
    return block is not None


def _metadata_title(reader: PdfReader) -> str:
    try:
        meta = reader.metadata
        title = str(meta.title or "").strip() if meta else ""
    except Exception:
        return ""
    junk = r"\.(?:docx?|pdf|indd|tex)$|^untitled|^microsoft word|^GAO-\d{2}-\d{3,6}[A-Z]?$"
    if not title or re.search(junk, title, re.IGNORECASE):
        return ""
    return re.sub(r"\s+", " ", title)
