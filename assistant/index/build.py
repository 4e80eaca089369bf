"""Ingest orchestration: build a new index generation beside the live one, then switch to it.

An ingest finds the corpus files (:func:`discover`), copies the records of unchanged documents (same
SHA-256) from the live generation, loads, chunks and embeds the others in groups (see
:mod:`assistant.index.vectors`), and only when the generation is complete writes the manifest that makes it
live; then every other generation is removed (:mod:`assistant.index.garbage`). ``hold_point`` names the
steps at which the fault tests stop an ingest.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chunking import CHUNKER_VERSION, chunk_document
from assistant.config import Settings
from assistant.embeddings import Embedder
from assistant.index.garbage import collect_garbage
from assistant.index.manifest import check_compatible, new_manifest
from assistant.index.records import add_document, docs_meta, get_all
from assistant.index.vectors import add_chunks, add_sentences
from assistant.ingest import Document, LoadError, load_document, sha256_bytes, supported_suffixes
from assistant.store import Store, hold_point
from assistant.types import Chunk, IngestReport

log = logging.getLogger("assistant.index")
ENCODE_GROUP_CHUNKS = 2000  # chunks embedded per encode call during ingest (bounds memory)

# A folder's own documentation (README.md beside the reports) is not a report; named on its own, it is read.
FOLDER_DOCS = frozenset({"readme", "license", "licence", "changelog", "contributing"})


def discover(paths: list[Path], corpus_dir: Path) -> list[tuple[Path, str]]:
    """Corpus files under ``paths`` as (path, source name); hidden files and folder documentation are ignored."""
    found: dict[str, Path] = {}
    suffixes = supported_suffixes()
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if any(part.startswith(".") for part in path.parts[len(root.parts) - (0 if root.is_dir() else 1) :]):
                continue
            if root.is_dir() and (path.suffix.lower() not in suffixes or path.stem.lower() in FOLDER_DOCS):
                continue
            try:
                source = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
            except ValueError:
                source = path.name
            found.setdefault(source, path)
    return sorted(((p, s) for s, p in found.items()), key=lambda item: item[1])


class GenerationBuilder:
    """Builds one generation under the store's writer lock (the caller holds it).

    Args:
        settings: the corpus folder, batch sizes, whether sentences are precomputed, the model's name.
        store: where generations and the manifest live.
        embedder: returns the embedder, loaded on first use (an ingest with nothing new never loads it).
        weights_hash: returns the configured model's weights hash (for the compatibility check).
    """

    def __init__(
        self, settings: Settings, store: Store, embedder: Callable[[], Embedder], weights_hash: Callable[[], str]
    ) -> None:
        self.settings = settings
        self.store = store
        self._embedder = embedder
        self._weights_hash = weights_hash

    def ingest(self, paths: list[Path], rebuild: bool, show: bool) -> IngestReport:
        """Index ``paths``: skip unchanged files, replace changed ones, drop removed ones (see ``Index.ingest``)."""
        report = IngestReport()
        old = self.store.read_manifest()
        if old and not rebuild:
            check_compatible(old, self.settings, self._weights_hash(), chunker=False)
            if old.get("chunker_version") != CHUNKER_VERSION:
                # Same model, older chunking: every document is chunked again (a rebuild), never mixed.
                log.warning(
                    "the index was built by chunker version %s, this is %s: re-indexing every document",
                    old.get("chunker_version"),
                    CHUNKER_VERSION,
                )
                rebuild = True
        old_docs = docs_meta(self.store, old["generation"]) if old and not rebuild else {}
        files: list[tuple[Path, str, bytes]] = []
        for path, source in discover(paths, self.settings.corpus_dir):
            try:
                files.append((path, source, path.read_bytes()))
            except OSError as exc:
                report.skipped[source] = f"cannot read ({exc.strerror})"
        by_hash: dict[str, str] = {}
        keep: dict[str, dict[str, Any]] = {}
        todo: list[tuple[Path, str, str]] = []
        for path, source, data in files:
            digest = sha256_bytes(data)
            if digest in by_hash:
                report.skipped[source] = f"duplicate of {by_hash[digest]}"
                continue
            by_hash[digest] = source
            if old_docs.get(source, {}).get("sha256") == digest:
                keep[source] = old_docs[source]
            else:
                todo.append((path, source, digest))
        report.files_removed = sorted(set(old_docs) - {s for _, s, _ in files})
        report.files_unchanged = sorted(keep)
        if old and not todo and not report.files_removed and not rebuild:
            report.chunks = sum(int(m.get("chunks", 0)) for m in keep.values())
            collect_garbage(self.store, old["generation"])
            return report

        generation = self.store.new_generation()
        chunks_col = self.store.collection(generation, "chunks", create=True)
        docs_col = self.store.collection(generation, "docs", create=True)
        hold_point("generation-created")
        hashes = {source: str(meta.get("sha256", "")) for source, meta in keep.items()}
        dimension = int(old.get("embedding_dimension", 0)) if old and keep else 0
        if keep and old:
            report.chunks += self._copy_documents(old["generation"], generation, sorted(keep))
        hold_point("copied")
        bar = _progress(len(todo), show)
        batch = self.store.batch_size(self.store.client_of(generation))
        encode_batch = self.settings.ingest_batch_size
        group: list[tuple[Document, list[Chunk]]] = []

        def write_group() -> None:
            # One encode call per group, not per file: sentence-transformers sorts the texts by length, so
            # short chunks are not padded to the longest chunk of their file (~3x faster on our chunks).
            nonlocal dimension
            chunks = [c for _, doc_chunks in group for c in doc_chunks]
            sentence_means: dict[str, np.ndarray] = {}
            if self.settings.precompute_sentences:
                texts = {doc.source: doc.text for doc, _ in group}
                sentences_col = self.store.collection(generation, "sentences", create=True)
                sentence_means = add_sentences(sentences_col, chunks, texts, self._embedder(), encode_batch, batch)
            if chunks:  # a group of empty documents needs no model
                dimension = add_chunks(chunks_col, chunks, self._embedder(), encode_batch, batch, sentence_means)
            for doc, doc_chunks in group:
                add_document(docs_col, doc, len(doc_chunks))
                hashes[doc.source] = doc.sha256
                report.files_indexed.append(doc.source)
                report.chunks += len(doc_chunks)
            bar.update(len(group))
            group.clear()
            hold_point("document-added")

        for path, source, digest in todo:
            try:
                doc = load_document(path, source)
            except LoadError as exc:
                report.skipped[source] = str(exc).split(": ", 1)[-1]
                log.warning("skipped %s", exc)
                bar.update(1)
                continue
            doc.sha256 = digest
            group.append((doc, chunk_document(doc)))
            if sum(len(c) for _, c in group) >= ENCODE_GROUP_CHUNKS:
                write_group()
        if group:
            write_group()
        bar.close()
        if report.chunks == 0:
            self.store.drop_generation(generation)
            return report
        hold_point("built")
        weights = str(getattr(self._embedder(), "weights_hash", "") or "")
        self.store.write_manifest(new_manifest(generation, self.settings, weights, dimension, report.chunks, hashes))
        hold_point("switched")
        collect_garbage(self.store, generation)
        return report

    def _copy_documents(self, old_generation: str, generation: str, sources: list[str]) -> int:
        """Copy the records of unchanged documents (vectors included) from the live generation."""
        old_chunks = self.store.collection(old_generation, "chunks")
        got = self.store.collection(old_generation, "docs").get(
            ids=sources, include=["documents", "metadatas", "embeddings"]
        )
        self.store.collection(generation, "docs").add(
            ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"], embeddings=got["embeddings"]
        )
        chunks_col = self.store.collection(generation, "chunks")
        batch = self.store.batch_size(self.store.client_of(generation))
        copied = 0
        for i in range(0, len(sources), 50):
            records = get_all(old_chunks, where={"source": {"$in": sources[i : i + 50]}}, embeddings=True)
            for j in range(0, len(records["ids"]), batch):
                chunks_col.add(**{k: v[j : j + batch] for k, v in records.items()})
            copied += len(records["ids"])
        try:
            old_sentences = self.store.collection(old_generation, "sentences")
        except Exception:
            return copied  # the old generation has none: answers embed those sentences when needed
        sentences_col = self.store.collection(generation, "sentences", create=True)
        for i in range(0, len(sources), 50):
            where = {"source": {"$in": sources[i : i + 50]}}
            records = get_all(old_sentences, where=where, embeddings=True, documents=False)
            for j in range(0, len(records["ids"]), batch):
                sentences_col.add(**{k: v[j : j + batch] for k, v in records.items()})
        return copied


class _NoBar:
    def update(self, n: int) -> None: ...
    def close(self) -> None: ...


def _progress(total: int, show: bool) -> Any:
    if not show or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="Indexing", file=sys.stderr)
