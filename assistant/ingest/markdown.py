"""Markdown reports, including the Markdown that PDF converters (pymupdf4llm and the like) write.

:mod:`~assistant.ingest.markdown_blocks` finds the block structure with markdown-it-py (headings, paragraphs,
lists, GFM pipe tables, rules, with the source lines of each block). On top of that we recognise what
conversions of published reports contain: page footers repeated with a changing number (removed from reading,
kept as the page number), figure placeholders and captions, footnotes, tables of contents, the abbreviation list
(kept as data), distribution boilerplate, and paragraphs that go on after a footer or footnotes. The extracted
text is the file itself: every span is an offset into it.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.document import SOURCE_NOTE, Block, Document, load_text_file
from assistant.ingest.markdown_blocks import FIGURE, TABLE_TITLE, BlockReader, Raw, furniture_shapes
from assistant.ingest.markdown_flat_tables import flat_tables
from assistant.ingest.metadata import read_metadata
from assistant.ingest.reflow import reading_text, segment
from assistant.ingest.wordlists import is_boilerplate, is_summary_heading
from assistant.text import render_inline

_FOOTNOTE_START = re.compile(r"^\s*(\d{1,3})\s+\S")
_TOC_LINE = re.compile(r"\S.*\s(?:\d{1,3}|[ivxl]{1,5})\s*$")
_CITATION = re.compile(  # a bibliographic citation: a place and year, a report number, a law or the Register
    r"\((?:Washington|[A-Z][a-z]+), [^)]*\d{4}\)|\b[A-Z]{2,6}-\d{2}-\d{2,6}[A-Z]?\b"
    r"|Pub\. L\. No\.|\bU\.S\.C\.|Fed\. Reg\."
)
_TRAILING_MARKER = re.compile(r"\s*\[\d{1,3}\s?\]\s*$")  # a footnote marker after the full stop: "workers. [2]"
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]*_]*$")
_ABBREVIATION = re.compile(r"^\s*([A-Z][A-Za-z0-9&/.\-]{1,14})\s+([A-Z0-9][^\n]{2,120}?)\s*$")
FRONT_SHARE = 0.15  # tables of contents and abbreviation lists stand in the first part of a report
FRONT_PROSE_CHARS = 100
TITLE_CASE_SHARE = 0.6
FRAGMENT_CHARS = 120  # layout fragments (side headings, chart labels) are at most this long ...
OPEN_WORDS = 6  # a paragraph of at least this many words that stops mid-sentence goes on later
MAX_FRAGMENTS_BETWEEN = 8  # ... and at most this many stand between two halves of one paragraph
_NOTE_MARKER = re.compile(r"^\s*[a-z]\s+[A-Z(“\"$0-9]")  # "a ORR-eligible populations ...": a figure or table note


def _title_like(plain: str) -> bool:
    """Most longer words capitalised, as in headings and contents entries (not prose)."""
    long_words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", plain) if len(w) > 3]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) >= TITLE_CASE_SHARE * len(long_words)


def _all_bold(body: str) -> bool:
    """Every line of the paragraph is set in bold throughout and is short (a heading or side heading)."""
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    return bool(lines) and all(len(ln) <= 120 and re.fullmatch(r"\*\*[^*]+\*\*", ln) for ln in lines)


def _ends_sentence(text: str, raw: Raw) -> bool:
    return bool(_SENTENCE_END.search(_TRAILING_MARKER.sub("", text[raw.start : raw.end].rstrip())))


def _footnote(raw: Raw, text: str, marker_end: int) -> None:
    """Make ``raw`` a footnote whose text starts after its marker ("12", "a"); a footnote that only cites a
    source (one sentence with a citation: a report number, "(Washington, D.C.: ...)", "Pub. L. No.") is a
    reference, located but never quoted as an answer."""
    start = marker_end
    while start < raw.pieces[0][1] and text[start].isspace():
        start += 1
    raw.pieces[0] = (start, raw.pieces[0][1])
    raw.kind = "footnote"
    body = text[raw.start : raw.end]
    if _CITATION.search(body) and len(segment(text, raw.pieces)) <= 1:
        raw.kind = "reference"


def _classify(reader: BlockReader, doc: Document) -> None:
    """Footnotes, tables of contents, abbreviation lists and boilerplate among the paragraphs."""
    text = reader.text
    next_note = 1
    in_abbreviations = in_toc = in_boilerplate = False
    front_end = int(len(text) * FRONT_SHARE)
    for raw in reader.raw:
        if raw.kind not in ("paragraph", "list_item", "heading"):
            continue
        body = text[raw.start : raw.end]
        plain = render_inline(body)
        if raw.kind != "heading" and _all_bold(body) and (plain.endswith("?") or not _SENTENCE_END.search(plain)):
            raw.kind = "figure" if FIGURE.match(plain) or TABLE_TITLE.match(plain) else "heading"
            raw.level, raw.extra["name"] = 7, " ".join(plain.split())  # a side or run-in heading: the deepest level
        if raw.kind == "heading":
            in_boilerplate = (in_boilerplate and raw.start > len(text) * (1 - FRONT_SHARE)) or is_boilerplate(plain)
            if in_boilerplate:
                raw.kind = "boilerplate"
                continue
            in_abbreviations = plain.strip().lower() in ("abbreviations", "acronyms", "abbreviations and acronyms")
            if in_abbreviations:
                raw.kind = "abbreviations"
            continue
        note = _FOOTNOTE_START.match(body)
        if note and int(note.group(1)) == next_note and f"[{next_note}]" in text[: raw.start]:
            next_note += 1
            _footnote(raw, text, raw.start + note.end(1))
            continue
        if _NOTE_MARKER.match(body):
            _footnote(raw, text, raw.start + len(body) - len(body.lstrip()) + 1)
            continue
        if in_boilerplate or is_boilerplate(plain):
            raw.kind = "boilerplate"
            in_boilerplate = in_boilerplate or raw.start > len(text) * (1 - FRONT_SHARE)  # the back pages
            in_abbreviations = False
            continue
        if raw.kind == "paragraph" and SOURCE_NOTE.match(plain):
            raw.kind = "figure"  # a figure's or table's credit line ("Source: GAO analysis of ..."): never answer text
            continue
        lines = [ln for ln in body.split("\n") if ln.strip()]
        if in_abbreviations and all(_ABBREVIATION.match(ln) for ln in lines):
            raw.kind = "abbreviations"
            for ln in lines:
                match = _ABBREVIATION.match(ln)
                if match:
                    doc.abbreviations.setdefault(match.group(1), render_inline(match.group(2)))
            continue
        in_abbreviations = False
        toc_lines = (
            _TOC_LINE.match(lines[-1]) and not any(_SENTENCE_END.search(ln) for ln in lines) and _title_like(plain)
        )
        if plain.lower() in ("contents", "table of contents") or (
            raw.start < front_end and plain.lower() in ("figures", "tables")
        ):
            raw.kind, in_toc = "toc", True
        elif toc_lines and (in_toc or raw.start < front_end):
            raw.kind = "toc"
        else:
            in_toc = False


def _is_fragment(text: str, raw: Raw) -> bool:
    """A short piece with no sentence in it (a side heading, a label of a flattened figure) that can stand
    between the two halves of a paragraph in a converted layout."""
    return raw.end - raw.start <= FRAGMENT_CHARS and not _ends_sentence(text, raw)


def _merge_continuations(text: str, raws: list[Raw]) -> list[Raw]:
    """A paragraph that stops mid-sentence and goes on (starting in lower case) after furniture, figures,
    footnotes or a few layout fragments is one paragraph."""
    out: list[Raw] = []
    open_para: Raw | None = None
    between = 0  # layout fragments since the open paragraph
    for raw in raws:
        prose = raw.kind in ("paragraph", "list_item")
        if prose and open_para is not None and render_inline(text[raw.start : raw.end])[:1].islower():
            open_para.pieces.extend(raw.pieces)
            open_para = None if _ends_sentence(text, raw) else open_para
            between = 0
            continue
        out.append(raw)
        if prose and not _ends_sentence(text, raw) and len(text[raw.start : raw.end].split()) >= OPEN_WORDS:
            open_para, between = raw, 0
        elif raw.kind in ("footnote", "reference", "figure", "boilerplate", "heading"):
            continue  # converters set side headings and notes in the middle of a paragraph
        elif prose and _is_fragment(text, raw) and open_para is not None and between < MAX_FRAGMENTS_BETWEEN:
            between += 1
        else:
            open_para = None
    return out


def parse_markdown(text: str, source: str) -> Document:
    """Structure a Markdown report (see the module docstring)."""
    meta = read_metadata(text, Path(source).stem)
    doc = Document(source=source, text=text, title=meta.title, report_number=meta.report_number, date=meta.date)
    reader = BlockReader(text, source)
    reader.read()
    _classify(reader, doc)
    flat, reader.tables = flat_tables(text, reader.raw, source, reader.tables)
    raws = _merge_continuations(text, flat)
    doc.furniture = reader.furniture_spans
    # Page numbers: a footer closes its page; what follows the last footer is on the next page.
    labels: list[str | None] = []
    current: str | None = None
    for raw in reversed(raws):
        if raw.page_label is not None:
            current = raw.page_label
        labels.append(current)
    labels.reverse()
    last_label = next((r.page_label for r in reversed(raws) if r.page_label), None)
    stack: list[tuple[int, str]] = []
    zone = ""
    title_seen = False
    for raw, label in zip(raws, labels, strict=True):
        if raw.extra.get("furniture"):
            continue
        if raw.extra.get("rule"):
            if zone == "highlights":
                zone, stack = "front", []  # the Highlights page ends; its headings do not head the report
            continue
        if label is None and last_label and last_label.isdigit():
            label = str(int(last_label) + 1)
        if raw.kind == "heading":
            name = raw.extra["name"]
            if not title_seen and raw.level == 1:
                title_seen = True
            else:
                stack = [(lv, n) for lv, n in stack if lv < raw.level] + [(raw.level, name)]
            in_summary = any(is_summary_heading(n) for _, n in stack)
            if in_summary and zone in ("", "highlights", "body"):
                zone = "highlights"
            elif zone == "highlights" and raw.level <= 6:
                zone = "body"  # a section heading that is not the summary's
            elif name.lower().startswith("appendix") and raw.level <= 6:
                zone = "back"
            elif zone == "front" and raw.level <= 6:
                zone = "body"
        if zone == "front" and raw.kind in ("paragraph", "list_item") and raw.end - raw.start >= FRONT_PROSE_CHARS:
            zone = "body"  # the first paragraph of prose after the front matter starts the report's body
        section = " > ".join(n for _, n in stack) or doc.title
        block = Block(raw.kind, raw.start, raw.end, section, None, label, raw.table, zone=zone or "body")
        if raw.kind in ("paragraph", "list_item", "footnote", "heading", "abbreviations"):
            block.sentences = segment(text, raw.pieces)
        doc.blocks.append(block)
    return doc


def load_markdown(path: Path, source: str) -> Document:
    return load_text_file(path, source, parse_markdown)


__all__ = ["furniture_shapes", "load_markdown", "parse_markdown", "reading_text"]
