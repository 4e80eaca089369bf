"""Plain-text reports as published: ``**Heading**`` or ``#`` lines, paragraphs between blank lines, tab tables.

The extracted text is the file itself, so every span is an offset into the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.document import _FOOTNOTE, Block, BlockKind, Document, load_text_file
from assistant.ingest.metadata import read_metadata
from assistant.tables import Footnote, Table, parse_table
from assistant.text import render_inline

_HEADING = re.compile(r"^\s*\*\*(.+?)\*\*\s*$|^\s*#{1,6}\s+(.+?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _paragraphs(text: str) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """Groups of consecutive non-blank lines: (start, end, [(line_start, line_end, line), ...])."""
    groups: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    current: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start, end = pos, pos + len(line)
        pos += len(raw)
        if line.strip(" "):  # a line of tabs only is part of a table, not a blank line
            current.append((start, end, line))
        elif current:
            groups.append((current[0][0], current[-1][1], current))
            current = []
    if current:
        groups.append((current[0][0], current[-1][1], current))
    return groups


def parse_text(text: str, source: str) -> Document:
    """Structure a plain-text or Markdown report as published (``**Heading**`` lines, tab tables)."""
    meta = read_metadata(text, Path(source).stem)
    doc = Document(source=source, text=text, title=meta.title, report_number=meta.report_number, date=meta.date)
    section = doc.title
    seen_title = False
    last_table: Table | None = None
    pending_title: tuple[int, int, str] | None = None  # a heading that may turn out to be a table title
    groups = _paragraphs(text)
    for i, (start, end, lines) in enumerate(groups):
        first = lines[0][2]
        heading = _HEADING.match(first) if len(lines) == 1 else None
        if heading:
            name = render_inline(heading.group(1) or heading.group(2))
            next_is_table = i + 1 < len(groups) and "\t" in groups[i + 1][2][0][2]
            if next_is_table:
                pending_title = (start, end, name)
                continue
            doc.blocks.append(Block("heading", start, end, name))
            if seen_title:
                section = name
            seen_title = True
            last_table = None
            continue
        if all("\t" in line for _, _, line in lines):
            n_tables = sum(b.table is not None for b in doc.blocks if b.kind == "table")
            table = parse_table(lines, pending_title[2] if pending_title else "", f"{source}#table{n_tables + 1}")
            if table:
                if pending_title:
                    table.start, table.title_start, table.title_end = (
                        pending_title[0],
                        pending_title[0],
                        pending_title[1],
                    )
                pending_title = None
                doc.blocks.append(Block("table", table.start, end, section, table=table))
                last_table = table
                continue
        pending_title = None
        footnote = _FOOTNOTE.match(first)
        if last_table is not None and footnote:
            last_table.footnotes[footnote.group(1)] = Footnote(footnote.group(1), text[start:end], start, end)
            last_table.end = end
            doc.blocks.append(Block("footnote", start, end, section, table=last_table))
            continue
        if last_table is not None and first.lstrip().lower().startswith("source:"):
            last_table.source_note = render_inline(text[start:end])
            last_table.source_start, last_table.source_end = start, end
            last_table.end = end
            # a credit line, shown with the table and answered by the table route, never answer text
            doc.blocks.append(Block("figure", start, end, section, table=last_table))
            last_table = None
            continue
        last_table = None
        kind: BlockKind = "list_item" if _LIST_ITEM.match(first) else "paragraph"
        doc.blocks.append(Block(kind, start, end, section))
    for block in doc.blocks:
        if block.kind == "table" and block.table is not None:
            block.end = block.table.end
    return doc


def load_text(path: Path, source: str) -> Document:
    return load_text_file(path, source, parse_text)
