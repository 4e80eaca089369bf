"""Chroma records of one index generation: paged reads, and chunks and documents to and from records.

A generation has a ``chunks`` collection (one record per chunk: its text, its metadata, its vector), a
``docs`` collection (one record per document: its extracted text and what the library shows about it) and,
when sentences are precomputed, a ``sentences`` collection (see :mod:`assistant.index.vectors`).
"""

from __future__ import annotations

from typing import Any

from assistant.ingest import Document
from assistant.store import Store
from assistant.types import Chunk

_CHUNK_FIELDS = set(Chunk.__dataclass_fields__) - {"text"}


def chunk_from_record(text: str, meta: dict[str, Any]) -> Chunk:
    """The chunk a ``chunks`` record was made from (its text and metadata)."""
    return Chunk(text=text, **{k: v for k, v in meta.items() if k in _CHUNK_FIELDS})


def get_all(
    collection: Any, where: dict[str, Any] | None = None, embeddings: bool = False, documents: bool = True
) -> dict[str, list[Any]]:
    """Every record of a collection (paged, since servers cap the size of one answer)."""
    include = ["metadatas"] + (["documents"] if documents else []) + (["embeddings"] if embeddings else [])
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    offset, page = 0, 5000
    while True:
        got = collection.get(where=where, include=include, limit=page, offset=offset)
        out["ids"] += got["ids"]
        for key in include:
            out[key] += list(got[key])
        if len(got["ids"]) < page:
            return out
        offset += page


def docs_meta(store: Store, generation: str) -> dict[str, dict[str, Any]]:
    """Each document's metadata in ``generation``, by source name."""
    got = get_all(store.collection(generation, "docs"), documents=False)
    return dict(zip(got["ids"], got["metadatas"], strict=True))


def add_document(collection: Any, doc: Document, n_chunks: int) -> None:
    """Add a document's record (its extracted text, which citation offsets refer to) to a ``docs`` collection."""
    meta: dict[str, str | int] = {
        "title": doc.title,
        "report_number": doc.report_number,
        "date": doc.date,
        "sha256": doc.sha256,
        "chunks": n_chunks,
        "pages": doc.pages or 0,
        "warnings": "; ".join(doc.warnings),
    }
    collection.add(ids=[doc.source], documents=[doc.text], metadatas=[meta], embeddings=[[1.0]])
