"""Source cards for citations: the quote highlighted in its reflowed paragraph, or its cell in an HTML table.

Pure functions over plain data (a citation dict, the document text, the parsed table as a dict), so they are
unit-tested without a browser. Everything from a document is escaped; the one piece of document markup turned
into HTML is a footnote marker (``<sup>a</sup>``), rebuilt here as an escaped superscript, never passed through.
Reading text (soft line breaks joined, converter markup dropped) comes from the library's ``reading``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant import Reading, reading

# A footnote marker as converters write it: "<sup>a</sup>", "<sup>12</sup>".
SUP = re.compile(r"<sup>\s*([^<]{1,12}?)\s*</sup>", re.IGNORECASE)
# The inline HTML converters write into reports (as the library's reflow reads it); any other tag stays as text.
_TAG = re.compile(r"<br\s*/?>|</?(?:sub|b|i|em|strong|sup)>", re.IGNORECASE)
_SUPERSCRIPT = str.maketrans("0123456789abcdefghijklmnoprstuvwxyz+-()", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁺⁻⁽⁾")
_SUPERSCRIPTABLE = frozenset("0123456789abcdefghijklmnoprstuvwxyz+-()")
# How much context a cited passage gets: its blank-line-separated paragraph, or its line when the paragraph
# is longer than this, or a window around the quote as a last resort.
MAX_CONTEXT_CHARS = 1200


def superscript(marker: str) -> str:
    """A footnote marker as plain-text superscript ("a" -> "ᵃ"), or "^(...)" when there is no such glyph."""
    marker = marker.strip()
    if marker and all(ch in _SUPERSCRIPTABLE for ch in marker.lower()):
        return marker.lower().translate(_SUPERSCRIPT)
    return f"^({marker})"


def plain_inline(text: str) -> str:
    """One line of plain text: footnote markers as superscript glyphs, other tags and runs of spaces removed."""
    text = SUP.sub(lambda m: superscript(m.group(1)), str(text))
    text = _TAG.sub(" ", text)
    return " ".join(text.split())


def rich_inline(text: str) -> str:
    """Escaped HTML of a short document text (a label, a cell): footnote markers as real ``<sup>``."""
    out, pos = [], 0
    for match in SUP.finditer(str(text)):
        out.append(html.escape(_TAG.sub(" ", text[pos : match.start()])))
        out.append(f"<sup>{html.escape(match.group(1))}</sup>")
        pos = match.end()
    out.append(html.escape(_TAG.sub(" ", str(text)[pos:])))
    return " ".join("".join(out).split())


def locate_quote(text: str, citation: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where the citation's quote is in ``text``: its offsets if they match, else the first occurrence."""
    quote = str(citation.get("quote", ""))
    if not quote:
        return None
    start, end = citation.get("char_start"), citation.get("char_end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def enclosing_span(text: str, start: int, end: int, max_chars: int = MAX_CONTEXT_CHARS) -> tuple[int, int]:
    """The blank-line-separated paragraph around ``text[start:end]``; its line(s) if that is too long."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    if para_end - para_start <= max_chars:
        return para_start, para_end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if line_end - line_start <= max_chars:
        return line_start, line_end
    slack = max(0, (max_chars - (end - start)) // 2)
    win_start, win_end = max(line_start, start - slack), min(line_end, end + slack)
    if win_start > line_start:
        space = text.find(" ", win_start, start)
        win_start = space + 1 if space >= 0 else win_start
    if win_end < line_end:
        space = text.rfind(" ", end, win_end)
        win_end = space if space >= 0 else win_end
    return win_start, win_end


def _reading_with_markers(text: str, start: int, end: int) -> tuple[Reading, set[int]]:
    """``text[start:end]`` as reading text, and the offsets (in ``text``) of its footnote markers."""
    sup: set[int] = set()
    for match in SUP.finditer(text, max(0, start - 20), min(len(text), end + 20)):
        sup.update(range(match.start(1), match.end(1)))
    return reading(text, [(start, end)]), sup


def reflowed_html(text: str, start: int, end: int, mark: tuple[int, int] | None = None) -> str:
    """``text[start:end]`` as reading text, escaped: soft line breaks joined, hard ones as ``<br>``, footnote
    markers as ``<sup>``, and the characters that come from ``text[mark[0]:mark[1]]`` inside ``<mark>``."""
    if start >= end:
        return ""
    view, sup = _reading_with_markers(text, start, end)
    out: list[str] = []
    state = (False, False)
    for ch, at in zip(view.text, view.origin, strict=True):
        marked = mark is not None and mark[0] <= at < mark[1]
        new = (marked, at in sup)
        if new != state:
            if state[1]:
                out.append("</sup>")
            if state[0] and not new[0]:
                out.append("</mark>")
            if new[0] and not state[0]:
                out.append("<mark>")
            if new[1]:
                out.append("<sup>")
            state = new
        out.append("<br>" if ch == "\n" else html.escape(ch))
    out.append(("</sup>" if state[1] else "") + ("</mark>" if state[0] else ""))
    return "".join(out)


def plain_reading(text: str, start: int, end: int) -> str:
    """``text[start:end]`` as one line of plain reading text, footnote markers as superscript glyphs."""
    if start >= end:
        return ""
    view, sup = _reading_with_markers(text, start, end)
    chars = [superscript(ch) if at in sup else ch for ch, at in zip(view.text, view.origin, strict=True)]
    return " ".join("".join(chars).split())


def passage_html(citation: Mapping[str, Any], source_text: str | None) -> str:
    """The quote highlighted (``<mark>``) inside its reflowed paragraph, all escaped."""
    quote = str(citation.get("quote", ""))
    where = locate_quote(source_text, citation) if source_text else None
    if source_text is None or where is None:
        return f'<div class="passage"><mark>{rich_inline(quote)}</mark></div>'
    start, end = where
    ctx_start, ctx_end = enclosing_span(source_text, start, end)
    prefix = "… " if ctx_start > 0 and source_text[ctx_start - 1] not in "\n" else ""
    suffix = " …" if ctx_end < len(source_text) and source_text[ctx_end] not in "\n" else ""
    return f'<div class="passage">{prefix}{reflowed_html(source_text, ctx_start, ctx_end, where)}{suffix}</div>'


def cited_row(table: Mapping[str, Any], start: int, end: int) -> int | None:
    """The index of the table row whose span overlaps ``start:end`` (the cited row), if any."""
    for i, row in enumerate(table.get("rows") or []):
        if int(row.get("start", -1)) < end and start < int(row.get("end", -1)):
            return i
    return None


def cited_columns(table: Mapping[str, Any], statement: str) -> list[int]:
    """Columns whose name the answer's cited statement mentions (whole words, any case)."""
    said = " ".join(plain_inline(statement).lower().split())
    found = []
    for i, column in enumerate(table.get("columns") or []):
        name = " ".join(plain_inline(SUP.sub("", str(column))).lower().split())
        if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", said):
            found.append(i)
    return found


def table_html(table: Mapping[str, Any], row: int | None, columns: Sequence[int]) -> str:
    """The table as an escaped HTML table, in a horizontally scrollable box; the cited cells are marked,
    with their row and column headers."""
    names = list(table.get("columns") or [])
    head = "".join(
        f'<th scope="col"{" class=cited-head" if i in columns and row is not None else ""}>{rich_inline(c)}</th>'
        for i, c in enumerate(names)
    )
    body = []
    for r, data in enumerate(table.get("rows") or []):
        label = rich_inline(data.get("label", "")) + "".join(
            f"<sup>{html.escape(str(m))}</sup>" for m in data.get("markers") or []
        )
        this_row = r == row
        cells = []
        for c, value in enumerate(list(data.get("cells") or [])[: max(len(names), 1)]):
            if this_row and c in columns:
                cells.append(f'<td class="cited"><mark>{rich_inline(value)}</mark></td>')
            else:
                cells.append(f"<td>{rich_inline(value)}</td>")
        row_class = ' class="cited-row"' if this_row else ""
        head_class = ' class="cited-head"' if this_row else ""
        body.append(f'<tr{row_class}><th scope="row"{head_class}>{label}</th>{"".join(cells)}</tr>')
    notes = "".join(
        f'<p class="table-note">{rich_inline(str(note.get("text", "")))}</p>'
        for note in (table.get("footnotes") or {}).values()
        if isinstance(note, Mapping)
    )
    if table.get("source_note"):
        notes += f'<p class="table-note">{rich_inline(str(table["source_note"]))}</p>'
    title = rich_inline(str(table.get("title") or ""))
    # The title above the scrolling box stays in view on a phone; the caption names the table for screen readers.
    above = f'<div class="table-title">{title}</div>' if title else ""
    caption = f'<caption class="visually-hidden">{title}</caption>' if title else ""
    return (
        f'{above}<div class="table-scroll" tabindex="0" title="Table (scrolls sideways)"><table class="src-table">'
        f"{caption}<thead><tr><td></td>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{notes}"
    )


def statement_of(answer: str, n: int) -> str:
    """The sentence(s) of ``answer`` that carry the marker ``[n]``."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", str(answer))
    return " ".join(p for p in parts if f"[{n}]" in p)


def page_note(citation: Mapping[str, Any]) -> str:
    """ "p. 12 (PDF page 14)", "PDF page 3", or ""."""
    printed, page = citation.get("printed_page"), citation.get("page")
    if printed and page and str(printed) != str(page):
        return f"p. {printed} (PDF page {page})"
    if printed:
        return f"p. {printed}"
    return f"PDF page {page}" if page else ""


def source_card(
    citation: Mapping[str, Any],
    source_text: str | None,
    *,
    anchor: str,
    answer: str = "",
    table: Mapping[str, Any] | None = None,
    page_url: str | None = None,
    selected: bool = False,
) -> str:
    """One citation's card: number, title, section path and page, then its table or passage (and PDF page)."""
    n = int(citation.get("n", 0))
    source = str(citation.get("source", ""))
    meta = " · ".join(rich_inline(str(part)) for part in (citation.get("section"), page_note(citation), source) if part)
    where = locate_quote(source_text, citation) if source_text else None
    row = cited_row(table, *where) if table is not None and where is not None else None
    if table is not None and row is not None:
        body = table_html(table, row, cited_columns(table, statement_of(answer, n)))
    else:
        body = passage_html(citation, source_text)
    if page_url:
        page = html.escape(str(citation.get("page")))
        alt = html.escape(f"Page {citation.get('page')} of {citation.get('title') or source}, the quote outlined")
        body += (
            f'<details class="page-view" open><summary>PDF page {page}</summary>'
            f'<img src="{html.escape(page_url, quote=True)}" loading="lazy" alt="{alt}"></details>'
        )
    css = "source-card selected" if selected else "source-card"
    return (
        f'<div class="{css}" data-n="{n}" id="{html.escape(anchor, quote=True)}" tabindex="-1">'
        f'<div class="source-head"><span class="source-n">[{n}]</span> '
        f'<span class="source-title">{rich_inline(str(citation.get("title") or source))}</span></div>'
        f'<div class="source-meta">{meta}</div>{body}</div>'
    )


def copy_text(reply: Mapping[str, Any], quotes: Mapping[int, str] | None = None) -> str:
    """The answer and its numbered sources as plain text (what Copy puts on the clipboard): no HTML, no entities.

    ``quotes`` may give each citation's quote in reading form; by default the quote is flattened here.
    """
    answer = "\n".join(plain_inline(line) for line in str(reply.get("answer", "")).splitlines())
    lines = [answer.strip()]
    citations = list(reply.get("citations") or [])
    if citations:
        lines += ["", "Sources:"]
        for c in citations:
            n = int(c.get("n", 0))
            where = ", ".join(
                plain_inline(str(p)) for p in (c.get("title") or c.get("source"), c.get("section"), page_note(c)) if p
            )
            quote = (quotes or {}).get(n) or plain_inline(str(c.get("quote", "")))
            lines.append(f"[{n}] {where}: “{quote}”")
    return "\n".join(lines).strip() + "\n"
