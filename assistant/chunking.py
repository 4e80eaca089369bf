"""Structured document -> chunks with stable ids and location metadata. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from assistant.ingest import Block, Document
from assistant.tables import Table, table_to_json
from assistant.text import render_inline, sentence_spans
from assistant.types import Chunk, ChunkKind

# Bump when chunk boundaries or texts change: the index manifest records it and asks for a rebuild.
CHUNKER_VERSION = "7"  # 6: chunk vectors are the mean of their sentences' vectors
MAX_CHARS = 1200  # a paragraph longer than this is split between sentences
MERGE_BELOW = 160  # consecutive tiny paragraphs of one section (front matter) are kept together


def chunk_id(source: str, kind: str, text: str, occurrence: int = 0) -> str:
    """Stable id: a hash of the source and the content (plus which repeat of identical content it is), so
    editing one paragraph changes only that chunk's id."""
    return hashlib.sha256(f"{source}\0{kind}\0{occurrence}\0{text}".encode()).hexdigest()[:20]


def _make(doc: Document, kind: ChunkKind, text: str, start: int, end: int, block: Block, **extra: object) -> Chunk:
    return Chunk(
        chunk_id="",
        text=text,
        source=doc.source,
        title=doc.title,
        section=block.section,
        char_start=start,
        char_end=end,
        kind=kind,
        page=block.page,
        printed_page=block.printed_page,
        report_number=doc.report_number,
        date=doc.date,
        **extra,  # type: ignore[arg-type]
    )


def _split_long(doc: Document, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of at most MAX_CHARS that end at sentence boundaries (a single huge sentence stays whole)."""
    pieces: list[tuple[int, int]] = []
    piece_start: int | None = None
    piece_end = start
    for s, e in _bounded(doc, sentence_spans(doc.text, start, end)):
        if piece_start is not None and e - piece_start > MAX_CHARS:
            pieces.append((piece_start, piece_end))
            piece_start = None
        if piece_start is None:
            piece_start = s
        piece_end = e
    if piece_start is not None:
        pieces.append((piece_start, piece_end))
    return pieces


def _bounded(doc: Document, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences, with any "sentence" longer than 2 * MAX_CHARS (a run-on line with no full stop) cut at
    spaces into MAX_CHARS pieces, and a warning on the document."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if e - s <= 2 * MAX_CHARS:
            out.append((s, e))
            continue
        doc.warnings.append(f"a {e - s:,}-character passage without sentence breaks was split")
        while e - s > MAX_CHARS:
            cut = doc.text.rfind(" ", s, s + MAX_CHARS)
            cut = cut if cut > s else s + MAX_CHARS
            out.append((s, cut))
            s = cut
            while s < e and doc.text[s].isspace():
                s += 1
        if e > s:
            out.append((s, e))
    return out


def _table_chunks(doc: Document, block: Block, table: Table) -> list[Chunk]:
    chunks = [
        _make(
            doc,
            "table",
            table.render(),
            table.start,
            table.end,
            block,
            table_id=table.table_id,
            table_json=table_to_json(table),
        )
    ]
    for i, row in enumerate(table.rows):
        chunks.append(
            _make(
                doc,
                "table_row",
                table.render_row(row),
                row.start,
                row.end,
                block,
                table_id=table.table_id,
                row_index=i,
            )
        )
    return chunks


def chunk_document(doc: Document) -> list[Chunk]:
    """Chunks that follow the document's structure: paragraphs within sections, tables whole and by row,
    footnotes on their own. Chunk spans never cut a sentence."""
    chunks: list[Chunk] = []
    pending: list[Block] = []  # tiny paragraphs waiting to be merged

    def flush() -> None:
        if pending:
            start, end = pending[0].start, pending[-1].end
            text = "\n".join(render_inline(doc.span(b)) for b in pending)
            chunks.append(_make(doc, "text", text, start, end, pending[0]))
            pending.clear()

    for i, block in enumerate(doc.blocks):
        is_title = i == 0 and block.kind == "heading"  # so "What is the title?" finds it, with the front matter
        if block.kind in ("paragraph", "list_item") or is_title:
            size = block.end - block.start
            same_section = not pending or (pending[0].section == block.section and pending[0].page == block.page)
            if size < MERGE_BELOW and same_section and sum(b.end - b.start for b in pending) < MAX_CHARS // 2:
                pending.append(block)
                continue
            flush()
            for start, end in _split_long(doc, block.start, block.end):
                chunks.append(_make(doc, "text", render_inline(doc.text[start:end]), start, end, block))
            continue
        flush()
        if block.kind == "table" and block.table is not None:
            chunks.extend(_table_chunks(doc, block, block.table))
        elif block.kind == "footnote":
            table_id = block.table.table_id if block.table else ""
            text = render_inline(doc.span(block))
            chunks.append(_make(doc, "footnote", text, block.start, block.end, block, table_id=table_id))
    flush()
    seen: dict[tuple[str, str], int] = {}
    out = []
    for c in chunks:
        if not c.text.strip():
            continue
        n = seen[(c.kind, c.text)] = seen.get((c.kind, c.text), -1) + 1
        out.append(replace(c, chunk_id=chunk_id(doc.source, c.kind, c.text, n)))
    return out
