"""HTML reports -> structured documents: headings, paragraphs, list items and ``<table>`` elements.

The page is parsed as data only: scripts, styles and other active or hidden content are dropped, every
other element contributes its text as plain text (a link keeps its words, never its ``href``). The extracted
text is built from those pieces, so every span is exact. Short ``<sup>`` footnote markers are kept as
``<sup>a</sup>``, as in the published text files, so tables keep their footnotes.
"""

from __future__ import annotations

import re
from datetime import date as date_type
from pathlib import Path

from bs4 import BeautifulSoup, CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from assistant.ingest.document import BlockKind, Document, DocumentBuilder, LoadError, sha256_bytes
from assistant.ingest.metadata import read_metadata

# Content that is not reading text: dropped with everything inside.
_DROP = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas",
    "head", "nav", "form", "button", "select", "textarea", "input", "audio", "video", "map", "dialog",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_PARAGRAPHS = {"p", "blockquote", "pre", "address", "figcaption", "dt", "dd", "summary", "caption"}
_LISTS = {"ul", "ol", "dl"}
_NOT_TEXT = (CData, Comment, Declaration, Doctype, ProcessingInstruction)  # not reading text in HTML
_MARKER = re.compile(r"^[A-Za-z0-9*†‡]{1,3}$")
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_META_TITLE = ("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title")
_META_DATE = ("citation_publication_date", "citation_date", "dc.date", "dcterms.issued", "article:published_time")


def load_html(path: Path, source: str) -> Document:
    """Load an HTML report; raises :class:`LoadError` for empty, binary or text-less files."""
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(f"{source}: the file is empty")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(f"{source}: looks like a binary file, not HTML")
    soup = BeautifulSoup(data, "html.parser")
    meta = _meta(soup)
    page_title = _text(soup.title) if soup.title else ""
    for element in soup.find_all(string=lambda s: isinstance(s, _NOT_TEXT)):
        element.extract()
    for tag in soup.find_all(list(_DROP)):
        tag.decompose()
    for tag in soup.find_all(_hidden):
        tag.decompose()
    root = soup.body or soup
    h1 = root.find("h1")
    heading_title = _text(h1) if isinstance(h1, Tag) else ""
    walker = _Walker(source, title=heading_title or page_title or Path(source).stem)
    walker.walk(root)
    builder = walker.builder
    text = builder.text
    if not text.strip():
        raise LoadError(f"{source}: no text found in the HTML")
    if not any(b.kind != "heading" for b in builder.blocks):
        raise LoadError(f"{source}: the HTML has headings but no text")
    title = next((meta[k] for k in _META_TITLE if meta.get(k)), "") or heading_title or page_title
    found = read_metadata(f"{title}\n{page_title}\n{text}", Path(source).stem)
    number, found_date = found.report_number, found.date
    date = found_date or next((_format_date(meta[k]) for k in _META_DATE if meta.get(k)), "")
    doc = Document(
        source=source,
        text=text,
        title=title or Path(source).stem,
        report_number=number,
        date=date,
        blocks=builder.blocks,
    )
    doc.sha256 = sha256_bytes(data)
    return doc


def _hidden(tag: Tag) -> bool:
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return tag.has_attr("hidden") or tag.get("aria-hidden") == "true" or "display:none" in style


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or "").strip().lower()
        content = re.sub(r"\s+", " ", str(tag.get("content") or "")).strip()
        if key and content and key not in found:
            found[key] = content
    return found


def _format_date(value: str) -> str:
    """An ISO date from page metadata as reports write it ("July 2025")."""
    match = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if not match:
        return ""
    try:
        parsed = date_type(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        return ""
    return f"{_MONTHS[parsed.month - 1]} {parsed.year}"


def _text(node: Tag | NavigableString | None) -> str:
    """Reading text of an element: whitespace folded, footnote markers kept as ``<sup>x</sup>``."""
    if node is None:
        return ""
    if isinstance(node, NavigableString):
        return re.sub(r"\s+", " ", str(node))
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, _NOT_TEXT):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                parts.append(" ")
            elif child.name == "sup" and _MARKER.match(child.get_text().strip()):
                parts.append(f"<sup>{child.get_text().strip()}</sup>")
            else:
                inner = _text(child)
                block_level = child.name in _PARAGRAPHS or child.name in ("div", "li", "td", "th", "tr")
                parts.append(f" {inner} " if block_level else inner)
    return re.sub(r"\s+", " ", "".join(parts))


class _Walker:
    """Walks the body in document order and feeds blocks to a :class:`DocumentBuilder`."""

    def __init__(self, source: str, title: str) -> None:
        self.builder = DocumentBuilder(source)
        self.title = title
        self.stack: list[tuple[int, str]] = []
        self.inline: list[str] = []  # loose text and inline elements waiting to become a paragraph
        self.seen_title = False

    @property
    def section(self) -> str:
        return " > ".join(name for _, name in self.stack) or self.title

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.inline)).strip()
        self.inline = []
        if text:
            self.builder.add("paragraph", text, self.section)

    def add(self, kind: BlockKind, text: str) -> None:
        self.flush()
        self.builder.add(kind, text, self.section)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, _NOT_TEXT):
                continue
            if isinstance(child, NavigableString):
                self.inline.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _HEADINGS:
                self.heading(_HEADINGS[name], _text(child).strip())
            elif name in _PARAGRAPHS:
                self.add("paragraph", _text(child))
            elif name in _LISTS:
                self.flush()
                self.list_items(child)
            elif name == "li":
                self.add("list_item", _text(child))
            elif name == "table":
                self.table(child)
            elif name == "br":
                self.inline.append(" ")
            elif name == "hr":
                self.flush()
            elif _is_block_container(child):
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.inline.append(_text(child))
        self.flush()

    def heading(self, level: int, name: str) -> None:
        self.flush()
        if not name:
            return
        if level == 1 and not self.seen_title:
            self.seen_title = True
            self.title = name
            self.builder.add("heading", name, name)
            return
        self.stack = [(lv, n) for lv, n in self.stack if lv < level] + [(level, name)]
        self.builder.add("heading", name, self.section)

    def list_items(self, node: Tag) -> None:
        for item in node.find_all(["li", "dt", "dd"], recursive=False):
            nested = [n.extract() for n in item.find_all([*_LISTS, "table"], recursive=False)]
            self.add("list_item", _text(item))
            for sub in nested:
                if sub.name == "table":
                    self.table(sub)
                else:
                    self.list_items(sub)

    def table(self, node: Tag) -> None:
        self.flush()
        caption = node.find("caption")
        title = _text(caption).strip() if isinstance(caption, Tag) else ""
        rows, notes = _table_rows(node)
        usable = len(rows) >= 2 and max(len(r) for r in rows) >= 2
        if usable:
            header, body = rows[0], rows[1:]
            width = max(len(r) for r in rows)
            header += [""] * (width - len(header))
            block = self.builder.add_table(
                title or (self.stack[-1][1] if self.stack else ""),
                header[1:],
                [(r[0], r[1:] + [""] * (width - len(r))) for r in body],
                self.section,
                title_line=bool(title),
                corner=header[0],
            )
            if block is not None:
                for note in notes:  # footnotes and the source line become the table's notes
                    self.builder.add("paragraph", note, self.section)
                return
        # a layout table, or one without a header and rows: keep its text as paragraphs
        if title:
            self.builder.add("paragraph", title, self.section)
        for row in rows:
            self.builder.add("paragraph", " ".join(c for c in row if c), self.section)
        for note in notes:
            self.builder.add("paragraph", note, self.section)


def _is_block_container(tag: Tag) -> bool:
    return tag.name in {
        "div", "section", "article", "main", "header", "footer", "aside", "figure", "body", "html", "details",
        "center", "fieldset", "hgroup",
    }  # fmt: skip


def _table_rows(table: Tag) -> tuple[list[list[str]], list[str]]:
    """Cell texts per row, and the notes in ``<tfoot>``.

    A ``colspan`` cell is followed by empty cells (a group header over several columns); a ``rowspan`` cell is
    repeated in every row it spans, so each row reads whole ("Army | Europe | 12", "Army | Pacific | 9").
    Nested tables are read as cell text.
    """
    rows: list[list[str]] = []
    notes: list[str] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows it still spans)
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        if tr.find_parent("tfoot") is not None:
            notes += [_text(cell).strip() for cell in tr.find_all(["th", "td"], recursive=False)]
            continue
        cells: list[str] = []
        below: dict[int, tuple[str, int]] = {}
        for cell in tr.find_all(["th", "td"], recursive=False):
            _take_carried(cells, carried, below)
            text = _text(cell).strip()
            colspan, rowspan = _span(cell, "colspan", 50), _span(cell, "rowspan", 1000)
            for k in range(colspan):
                if rowspan > 1:
                    below[len(cells)] = (text if k == 0 else "", rowspan - 1)
                cells.append(text if k == 0 else "")
        for column in sorted(carried):  # spanned cells after the row's last own cell
            cells += [""] * (column - len(cells))
            _take_carried(cells, carried, below)
        carried = below
        if any(cells):
            rows.append(cells)
    return rows, [n for n in notes if n]


def _take_carried(cells: list[str], carried: dict[int, tuple[str, int]], below: dict[int, tuple[str, int]]) -> None:
    """Fill the row's next columns from the cells spanning down into it, and pass on what spans further."""
    while len(cells) in carried:
        text, left = carried.pop(len(cells))
        if left > 1:
            below[len(cells)] = (text, left - 1)
        cells.append(text)


def _span(cell: Tag, name: str, limit: int) -> int:
    """A cell's ``colspan``/``rowspan`` (1 when missing or not a positive number; at most ``limit``)."""
    try:
        value = int(str(cell.get(name) or 1))
    except ValueError:
        return 1
    return min(value, limit) if value > 0 else 1
