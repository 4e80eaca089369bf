"""The vectors an ingest writes: one per chunk (dense retrieval) and the sentence views the answerer reads.

A chunk's vector is the normalised mean of its sentences' vectors when they are precomputed (no second pass
of the model over the same words), else the encoding of :func:`embedding_text`; a whole table's vector is
the mean of its rows'. A chunk's sentence views are stored as one record of the ``sentences`` collection,
their keys and float32 vectors packed in its metadata (:func:`pack_views` / :func:`unpack_views`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from assistant.embeddings import Embedder
from assistant.sentences import View, compose_views, read_alone, units_from_hits, views
from assistant.types import Chunk, Hit


def embedding_text(chunk: Chunk) -> str:
    """What the model reads for a chunk encoded whole: its section heading (when not the title) and text."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section != chunk.title else chunk.text


def normalised_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of ``vectors`` (one per row), scaled to unit length."""
    mean = vectors.mean(axis=0)
    return mean / (float(np.linalg.norm(mean)) or 1.0)


def add_chunks(
    collection: Any,
    chunks: list[Chunk],
    embedder: Embedder,
    encode_batch: int,
    batch: int,
    known: dict[str, np.ndarray] | None = None,
) -> int:
    """Embed and add ``chunks``; returns the vectors' dimension (0 when there were none).

    ``known`` gives vectors already made for some chunks (the mean of their sentences' vectors), so those
    chunks are not encoded a second time. ``encode_batch`` is the model's batch size, ``batch`` the most
    records one ``add`` call may carry."""
    if not chunks:
        return 0
    known = dict(known or {})
    # A whole table is the mean of its rows (each row chunk repeats the table's title): every row counts,
    # where encoding the table's text would stop at the model's 256-token limit, and no cell is read twice.
    rows: dict[str, list[str]] = {}
    for c in chunks:
        if c.kind == "table_row" and c.table_id:
            rows.setdefault(c.table_id, []).append(c.chunk_id)
    tables = [c for c in chunks if c.kind == "table" and c.chunk_id not in known and rows.get(c.table_id)]
    from_rows = {c.chunk_id for c in tables}
    todo = [c for c in chunks if c.chunk_id not in known and c.chunk_id not in from_rows]
    encoded = embedder.encode([embedding_text(c) for c in todo], encode_batch)
    known.update(zip((c.chunk_id for c in todo), encoded, strict=True))
    for table in tables:
        known[table.chunk_id] = normalised_mean(np.stack([known[r] for r in rows[table.table_id]]))
    vectors = np.stack([known[c.chunk_id] for c in chunks])
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        collection.add(
            ids=[c.chunk_id for c in part],
            embeddings=vectors[i : i + batch],
            documents=[c.text for c in part],
            metadatas=[c.metadata() for c in part],
        )
    return int(vectors.shape[1])


def add_sentences(
    collection: Any, chunks: list[Chunk], texts: dict[str, str], embedder: Embedder, encode_batch: int, batch: int
) -> dict[str, np.ndarray]:
    """Embed the answer units of ``chunks`` exactly as the answerer will read them, and store them.

    Returns, per chunk, the normalised mean of its sentences' vectors (the chunk's own vector for dense
    retrieval, with no second pass of the model over the same words). A chunk's views are one record, read
    by the chunk's id, their vectors packed in its metadata: nothing searches sentence vectors by
    similarity, so they need no vector index of their own (its upkeep was half of ingest's store time)."""
    per_chunk: dict[str, dict[str, View]] = {c.chunk_id: {} for c in chunks}
    sentence_keys: dict[str, list[str]] = {}
    for unit in units_from_hits([Hit(c, 0.0) for c in chunks], texts.__getitem__):
        chunk_id = unit.hit.chunk.chunk_id
        unit_views = views(unit)
        if len(unit.spans) == 1:
            sentence_keys.setdefault(chunk_id, []).append(unit_views[0].key)
        per_chunk[chunk_id].update((v.key, v) for v in unit_views)
    # Each sentence and each heading is read once, and a view is composed from their vectors (clauses and
    # pairs from the sentences' token vectors: no word is read twice).
    direct = {k: v for chunk_views in per_chunk.values() for k, v in chunk_views.items()}
    plain_vectors = read_alone(
        list(direct.values()),
        lambda texts: embedder.encode(texts, encode_batch),
        lambda texts: embedder.encode_tokens(texts, encode_batch),
    )
    encoded = dict(zip(direct, compose_views(list(direct.values()), plain_vectors.__getitem__), strict=True))
    stored = [c for c in chunks if per_chunk[c.chunk_id]]
    for j in range(0, len(stored), batch):
        part = stored[j : j + batch]
        metas = [pack_views(c, {k: encoded[k] for k in per_chunk[c.chunk_id]}) for c in part]
        collection.add(ids=[c.chunk_id for c in part], embeddings=[[1.0]] * len(part), metadatas=metas)
    return {chunk_id: normalised_mean(np.stack([encoded[k] for k in keys])) for chunk_id, keys in sentence_keys.items()}


def pack_views(chunk: Chunk, vectors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The metadata of a chunk's sentence record: its view keys (JSON) and their float32 vectors (base64)."""
    matrix = np.stack(list(vectors.values())).astype("<f4")
    return {
        "chunk_id": chunk.chunk_id,
        "source": chunk.source,
        "views": json.dumps(list(vectors), ensure_ascii=False),
        "vectors": base64.b64encode(matrix.tobytes()).decode("ascii"),
    }


def unpack_views(meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """The view vectors of a sentence record's metadata, by view key (the inverse of :func:`pack_views`)."""
    keys = json.loads(str(meta["views"]))
    matrix = np.frombuffer(base64.b64decode(str(meta["vectors"])), dtype="<f4").reshape(len(keys), -1)
    return dict(zip(keys, matrix.astype(np.float32), strict=True))
