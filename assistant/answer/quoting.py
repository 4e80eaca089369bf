"""The chosen sentences as answer parts: each sentence with the verbatim citations of its source spans."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from assistant.answer.draft import Part
from assistant.ingest.reflow import reading_text
from assistant.sentences import CONTINUES, Unit
from assistant.tables import Table
from assistant.types import Chunk, Citation


def quote_units(
    chosen: list[Unit],
    tables: Mapping[str, tuple[Table, Chunk]],
    source_text: Callable[[str], str],
    citation: Callable[[Chunk, int, int], Citation],
) -> list[Part]:
    """One part per sentence, each citing its own span; a sentence that continues an earlier one that was not
    chosen gets that one first; a table row is quoted as its row with the row's footnotes. ``tables``: table id
    -> (table, its chunk); ``source_text``: a document's text by source; ``citation``: cites a span of a chunk."""
    parts: list[Part] = []
    for unit in chosen:
        chunk = unit.hit.chunk
        spans = list(unit.spans)
        text = source_text(chunk.source)
        if chunk.kind != "table_row" and CONTINUES.match(reading_text(text, spans[0])):
            before = [sp for sp in chunk.sentence_spans() if sp[-1][1] <= spans[0][0][0]]
            if before:
                spans.insert(0, before[-1])
        if chunk.kind == "table_row" and chunk.table_id in tables:
            table = tables[chunk.table_id][0]
            row = table.rows[chunk.row_index]
            notes = [(f.start, f.end) for f in table.row_footnotes(row)]
            cites = [citation(chunk, s, e) for s, e in [(row.start, row.end), *notes]]
            parts.append((chunk.text, cites))
            continue
        for sentence in spans:
            parts.append((reading_text(text, sentence), [citation(chunk, s, e) for s, e in sentence]))
    return list({p[1][0].char_start: p for p in parts}.values())
