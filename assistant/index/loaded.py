"""One index generation in memory for querying: its chunks in reading order, their BM25 index, and handles
on its Chroma collections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np

from assistant.index.lexical import build_bm25
from assistant.index.records import chunk_from_record, docs_meta, get_all
from assistant.index.sentence_matrix import SentenceMatrix
from assistant.store import Store, is_missing
from assistant.types import Chunk, DocumentInfo


@dataclass
class LoadedIndex:
    """One generation, in memory for querying: chunks, BM25 and the Chroma collection handle."""

    generation: str
    chunks: list[Chunk]
    by_id: dict[str, int]
    bm25: bm25s.BM25 | None
    sources: np.ndarray  # source name per chunk, for filtering lexical scores
    collection: Any
    documents: dict[str, DocumentInfo]
    sentences: Any = None  # the generation's stored sentence vectors (None when built without them)
    docs: Any = None  # the generation's documents collection
    sentence_matrix: SentenceMatrix | None = None  # the stored sentence vectors in memory, read on first use
    sentence_matrix_read: bool = False  # read once per generation, even when it held none


def load_generation(store: Store, generation: str) -> LoadedIndex:
    """Read ``generation``'s chunks and documents from the store, and index the chunks for BM25."""
    collection = store.collection(generation, "chunks")
    got = get_all(collection)
    chunks = [chunk_from_record(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)]
    chunks.sort(key=lambda c: (c.source, c.char_start, c.kind != "table", c.char_end))
    bm25 = build_bm25(chunks)
    docs = {
        s: DocumentInfo(s, m["title"], m["report_number"], m["date"], int(m["chunks"]), int(m["pages"]) or None)
        for s, m in docs_meta(store, generation).items()
    }
    sources = np.array([c.source for c in chunks])
    by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
    sentences = sentences_collection(store, generation)
    docs_col = store.collection(generation, "docs")
    return LoadedIndex(generation, chunks, by_id, bm25, sources, collection, docs, sentences, docs_col)


def sentences_collection(store: Store, generation: str) -> Any:
    """The handle is kept with the loaded generation: looking it up per question costs a server round trip."""
    try:
        return store.collection(generation, "sentences")
    except Exception as exc:
        if is_missing(exc):
            return None  # built without precomputed sentences
        raise
