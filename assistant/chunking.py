"""Structured document -> chunks with stable ids, location metadata and their sentences. Pure, no I/O."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from assistant.ingest.document import Block, Document, Sentence
from assistant.ingest.reflow import reading_text, segment
from assistant.tables import Table, table_to_json
from assistant.text import render_inline
from assistant.types import Chunk, ChunkKind

# Bump when chunk boundaries or texts change: the index manifest records it and an older index is rebuilt.
# 13: tables flattened to lines are tables. 12: Markdown source lines are captions. 11: views from text and
# heading vectors. 10: reflow. 14: clauses and pairs from their sentences' token vectors. 15: flattened tables
# with year names, of one row, and with names broken over two lines
CHUNKER_VERSION = "16"
MAX_CHARS = 1200  # a paragraph longer than this is split between sentences
MERGE_BELOW = 160  # consecutive tiny paragraphs of one section (front matter) are kept together
# located and shown, never retrieved as answers
SKIPPED_KINDS = frozenset({"toc", "boilerplate", "figure", "reference"})


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
        zone=block.zone,
        **extra,  # type: ignore[arg-type]
    )


def block_sentences(doc: Document, block: Block) -> list[Sentence]:
    """The block's sentences (loaders that know the layout record them; otherwise found here)."""
    if not block.sentences:
        block.sentences = segment(doc.text, [(block.start, block.end)])
    return _bounded(doc, block.sentences)


def _bounded(doc: Document, sentences: list[Sentence]) -> list[Sentence]:
    """Sentences, with any "sentence" longer than 2 * MAX_CHARS (a run-on line with no full stop) cut at spaces
    into MAX_CHARS pieces, and a warning on the document."""
    out: list[Sentence] = []
    for sentence in sentences:
        if sum(e - s for s, e in sentence) <= 2 * MAX_CHARS:
            out.append(sentence)
            continue
        doc.warnings.append(
            f"a {sum(e - s for s, e in sentence):,}-character passage without sentence breaks was split"
        )
        for s, e in sentence:
            while e - s > MAX_CHARS:
                cut = doc.text.rfind(" ", s, s + MAX_CHARS)
                cut = cut if cut > s else s + MAX_CHARS
                out.append(((s, cut),))
                s = cut
                while s < e and doc.text[s].isspace():
                    s += 1
            if e > s:
                out.append(((s, e),))
    return out


def _pieces(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Consecutive sentences grouped into pieces of at most MAX_CHARS (a single long sentence stays whole)."""
    pieces: list[list[Sentence]] = []
    size = 0
    for sentence in sentences:
        length = sum(e - s for s, e in sentence)
        if pieces and size + length <= MAX_CHARS:
            pieces[-1].append(sentence)
            size += length
        else:
            pieces.append([sentence])
            size = length
    return pieces


def _text_chunk(doc: Document, sentences: list[Sentence], block: Block, joiner: str = " ") -> Chunk:
    text = joiner.join(reading_text(doc.text, s) for s in sentences)
    return _make(
        doc,
        "text",
        text,
        sentences[0][0][0],
        sentences[-1][-1][1],
        block,
        sentences=json.dumps([[list(span) for span in s] for s in sentences]),
    )


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
    footnotes on their own. Chunks never cut a sentence, and hold no page furniture, contents or figures."""
    chunks: list[Chunk] = []
    pending: list[tuple[Block, list[Sentence]]] = []  # tiny paragraphs waiting to be merged

    def flush() -> None:
        if pending:
            chunks.append(_text_chunk(doc, [s for _, sents in pending for s in sents], pending[0][0], joiner="\n"))
            pending.clear()

    for i, block in enumerate(doc.blocks):
        if block.kind in SKIPPED_KINDS:
            continue
        is_title = i == 0 and block.kind == "heading"  # so "What is the title?" finds it, with the front matter
        if block.kind in ("paragraph", "list_item", "abbreviations") or is_title:
            sentences = block_sentences(doc, block)
            if not sentences:
                continue
            size = sum(e - s for sent in sentences for s, e in sent)
            same_section = not pending or (pending[0][0].section == block.section and pending[0][0].page == block.page)
            if size < MERGE_BELOW and same_section and sum(b.end - b.start for b, _ in pending) < MAX_CHARS // 2:
                pending.append((block, sentences))
                continue
            flush()
            chunks.extend(_text_chunk(doc, piece, block) for piece in _pieces(sentences))
            continue
        flush()
        if block.kind == "table" and block.table is not None:
            chunks.extend(_table_chunks(doc, block, block.table))
        elif block.kind == "footnote":
            table_id = block.table.table_id if block.table else ""
            if block.table is not None:
                text = render_inline(doc.span(block))
                chunks.append(_make(doc, "footnote", text, block.start, block.end, block, table_id=table_id))
            else:
                sentences = block_sentences(doc, block)
                if sentences:
                    chunk = _text_chunk(doc, sentences, block)
                    chunks.append(replace(chunk, kind="footnote"))
    flush()
    seen: dict[tuple[str, str], int] = {}
    out = []
    for c in chunks:
        if not c.text.strip():
            continue
        n = seen[(c.kind, c.text)] = seen.get((c.kind, c.text), -1) + 1
        out.append(replace(c, chunk_id=chunk_id(doc.source, c.kind, c.text, n)))
    return out
