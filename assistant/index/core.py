"""The index: a Chroma collection of chunk vectors plus a BM25 lexical index, built from the same chunks.

Writes are generational: an ingest builds a new generation (see ``store.py``: a Chroma directory, or
collections ``<base>-g<N>-chunks``/``-docs`` in a server) beside the live one, copying the vectors of
unchanged documents (found by SHA-256), and only when it is complete switches the manifest to it
(:mod:`assistant.index.build`). A killed ingest leaves the previous generation live; the next run removes
the leftovers (:mod:`assistant.index.garbage`). One writer at a time (``Store.writer_lock``); readers
re-check the manifest every 2 s and follow a switch by themselves.

The manifest records what the vectors depend on (:mod:`assistant.index.manifest`): a model with other
weights is refused until ``assistant ingest --rebuild``.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.chunking import CHUNKER_VERSION
from assistant.config import Settings
from assistant.embeddings import Embedder, load_embedder
from assistant.index.build import GenerationBuilder
from assistant.index.lexical import lexical_scores
from assistant.index.loaded import LoadedIndex, load_generation, sentences_collection
from assistant.index.manifest import check_compatible, configured_weights_hash
from assistant.index.sentence_matrix import SentenceMatrix
from assistant.index.vectors import unpack_views
from assistant.store import IndexUnavailable, Store, hold_point, open_store
from assistant.types import Chunk, IngestReport

log = logging.getLogger(__name__)

MANIFEST_RECHECK_SECONDS = 2.0
T = TypeVar("T")


class Index:
    """Build and query the index. Collaborators are injectable; they default from ``settings``.

    Example:
        >>> index = Index(Settings(data_dir=tmp))            # doctest: +SKIP
        >>> index.ingest().chunks                            # doctest: +SKIP
        17
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self.store = store or open_store(settings)
        self._loaded: LoadedIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.RLock()
        self._matrix_lock = threading.Lock()
        self._texts: dict[str, str] = {}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    # -- manifest -------------------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any] | None:
        """The live generation's manifest, or None when no index has been built."""
        with self.store.guard():
            return self.store.read_manifest()

    def check_compatible(self, manifest: dict[str, Any], chunker: bool = True) -> None:
        """Refuse to mix vectors of another model, or chunks of another chunker version.

        See :func:`assistant.index.manifest.check_compatible`; the configured model is identified by the
        SHA-256 of its weights file, read without loading the model.

        Raises:
            IndexMismatch: the index was built with another model, or another chunker version.
        """
        check_compatible(manifest, self.settings, self._weights_hash(), chunker)

    def _weights_hash(self) -> str:
        """SHA-256 of the configured model's weights, without loading the model (cached per process)."""
        return configured_weights_hash(self.settings, self._embedder)

    # -- ingest ---------------------------------------------------------------------------------------------
    def ingest(
        self, paths: list[Path] | None = None, rebuild: bool = False, progress: bool | None = None
    ) -> IngestReport:
        """Index ``paths`` (default: the corpus folder): skip unchanged files, replace changed ones, drop
        removed ones. Bad files are skipped with a reason in ``report.skipped``.

        Raises:
            IndexLocked: another process is writing the index (after ``settings.lock_timeout`` seconds).
            IndexMismatch: the index was built with another model or chunker and ``rebuild`` is False.
            IndexUnavailable: the store cannot be reached.
        """
        started = time.perf_counter()
        show = sys.stderr.isatty() if progress is None else progress
        with self.store.writer_lock(), self.store.guard():
            hold_point("locked")
            builder = GenerationBuilder(self.settings, self.store, lambda: self.embedder, self._weights_hash)
            report = builder.ingest(paths or [self.settings.corpus_dir], rebuild, show)
        report.seconds = time.perf_counter() - started
        with self._lock:
            self._loaded = None
        return report

    def ensure(self, upgrade: bool = False) -> None:
        """Build the index from the corpus folder when there is none yet. With ``upgrade`` (at start-up), also
        rebuild an index that an older chunker built with the same model, which readers refuse."""
        try:
            exists = self.exists()
        except IndexUnavailable:
            if not upgrade:
                raise
            exists = False  # at start-up, a damaged manifest is rebuilt (an unreachable store: ingest says so)
        outdated = upgrade and exists and (self.manifest() or {}).get("chunker_version") != CHUNKER_VERSION
        if outdated or not exists:
            report = self.ingest()
            for source, reason in report.skipped.items():
                log.warning("skipped %s: %s", source, reason)

    # -- reading --------------------------------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether an index has been built (free when this process checked in the last 2 s)."""
        with self._lock:
            if self._loaded is not None and time.monotonic() - self._checked_at < MANIFEST_RECHECK_SECONDS:
                return True
        return self.manifest() is not None

    def loaded(self, refresh: bool = False) -> LoadedIndex:
        """The live generation in memory; re-checks the manifest at most every 2 s (another process may
        have ingested, or the server may have been restarted), or now when ``refresh`` is set."""
        with self._lock:
            now = time.monotonic()
            if self._loaded is not None and not refresh and now - self._checked_at < MANIFEST_RECHECK_SECONDS:
                return self._loaded
            self._checked_at = 0.0  # until this check succeeds, nobody may trust the loaded generation
            manifest = self.manifest()
            if manifest is None:
                raise IndexUnavailable("No index has been built yet. Run `assistant ingest` first.")
            self.check_compatible(manifest)
            previous = self._loaded
            with self.store.guard():
                if previous is None or previous.generation != manifest["generation"]:
                    self._loaded = load_generation(self.store, manifest["generation"])
                    self._texts.clear()
                    if previous is not None:
                        self.store.release(previous.generation)
                elif refresh:  # same generation, fresh handles (after a reconnect)
                    previous.collection = self.store.collection(previous.generation, "chunks")
                    previous.sentences = sentences_collection(self.store, previous.generation)
                    previous.docs = self.store.collection(previous.generation, "docs")
            self._checked_at = now
            assert self._loaded is not None
            return self._loaded

    def _read(self, operation: Callable[[LoadedIndex], T]) -> T:
        """Run a read on the live generation; if it fails, look at the manifest again and retry once.

        A failure can mean that another process switched generations and removed the one this process had
        loaded (before its next 2 s check), or that the Chroma server was restarted.
        """
        loaded = self.loaded()
        try:
            with self.store.guard():
                return operation(loaded)
        except IndexUnavailable:
            loaded = self.loaded(refresh=True)
            with self.store.guard():
                return operation(loaded)

    def source_text(self, source: str) -> str:
        """The extracted text of an indexed document (what citation offsets refer to)."""

        def fetch(loaded: LoadedIndex) -> str:
            with self._lock:
                if loaded.generation == self._loaded_generation() and source in self._texts:
                    return self._texts[source]
            docs = loaded.docs if loaded.docs is not None else self.store.collection(loaded.generation, "docs")
            got = docs.get(ids=[source], include=["documents"])
            if not got["ids"]:
                raise KeyError(f"No indexed document named {source!r}")
            with self._lock:
                if loaded.generation == self._loaded_generation():
                    self._texts[source] = got["documents"][0]
            return str(got["documents"][0])

        return self._read(fetch)

    def _loaded_generation(self) -> str | None:
        return self._loaded.generation if self._loaded is not None else None

    def dense(self, vector: np.ndarray, n: int, sources: list[str] | None = None) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) of the nearest chunks."""
        where = {"source": {"$in": list(sources)}} if sources else None

        def query(loaded: LoadedIndex) -> list[tuple[int, float]]:
            if not loaded.chunks:
                return []
            got = loaded.collection.query(
                query_embeddings=[vector],
                n_results=min(n, len(loaded.chunks)),
                where=where,
                include=["distances"],
            )
            return [
                (loaded.by_id[cid], 1.0 - float(d))
                for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)
                if cid in loaded.by_id
            ]

        return self._read(query)

    def sentence_dense(self, vector: np.ndarray, n: int, sources: list[str] | None = None) -> list[tuple[Chunk, float]]:
        """(chunk, cosine of its best sentence view) of the ``n`` chunks whose sentences lie nearest ``vector``,
        within ``sources`` when given ([] when the index has no precomputed sentences). The chunks are resolved
        in the generation that was searched."""

        def query(loaded: LoadedIndex) -> list[tuple[Chunk, float]]:
            matrix = self.sentence_matrix(loaded)
            if matrix is None:
                return []
            spans = [(0, len(loaded.chunks))]
            if sources:  # a document's chunks are consecutive
                at = [np.flatnonzero(loaded.sources == s) for s in sources]
                spans = [(int(a[0]), int(a[-1]) + 1) for a in at if len(a)]
            return [(loaded.chunks[pos], sim) for pos, sim in matrix.nearest(vector, n, spans)]

        return self._read(query)

    def sentence_matrix(self, loaded: LoadedIndex | None = None) -> SentenceMatrix | None:
        """The live generation's stored sentence vectors in memory, read from the store on first use (None for
        an index without them or larger than ``Settings.sentence_matrix_max_chunks``)."""
        loaded = loaded or self.loaded()
        if len(loaded.chunks) > self.settings.sentence_matrix_max_chunks:
            return None  # a large corpus: its sentences stay in the store, read per question
        with self._matrix_lock:
            if not loaded.sentence_matrix_read and loaded.sentences is not None:
                loaded.sentence_matrix = SentenceMatrix.read(loaded.sentences, loaded.by_id)
                loaded.sentence_matrix_read = True
            return loaded.sentence_matrix

    def lexical(self, query: str, n: int, sources: list[str] | None = None) -> list[tuple[int, float]]:
        """(chunk position, BM25 score) of the best lexical matches (score > 0)."""
        loaded = self.loaded()
        return lexical_scores(loaded.bm25, loaded.sources, query, n, sources)

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the answer units of these chunks, by view key ({} when not precomputed)."""
        if not chunk_ids:
            return {}

        def fetch(loaded: LoadedIndex) -> dict[str, np.ndarray]:
            if loaded.sentences is None:
                return {}  # built without precomputed sentences
            if loaded.sentence_matrix is not None:  # in memory: no round trip
                held: dict[str, np.ndarray] = {}
                for cid in chunk_ids:
                    if cid in loaded.by_id:
                        held.update(loaded.sentence_matrix.views_of(loaded.by_id[cid]))
                return held
            got = loaded.sentences.get(ids=list(dict.fromkeys(chunk_ids)), include=["metadatas"])
            out: dict[str, np.ndarray] = {}
            for meta in got["metadatas"]:
                out.update(unpack_views(meta))
            return out

        return self._read(fetch)
