"""The index: a Chroma collection of chunk vectors plus a BM25 lexical index, built from the same chunks.

Writes are generational: an ingest builds new collections ``<base>-g<N>-chunks`` / ``-docs`` beside the
live ones (copying vectors of unchanged documents), and only when they are complete switches the manifest
to them. A killed ingest leaves the previous generation live; the next run removes the leftovers.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.chunking import CHUNKER_VERSION, chunk_document
from assistant.config import Settings
from assistant.embeddings import Embedder, load_embedder
from assistant.loaders import Document, LoadError, load_document, sha256_bytes, supported_suffixes
from assistant.store import IndexMismatch, IndexUnavailable, Store, writer_lock
from assistant.text import lexical_tokens
from assistant.types import Chunk, DocumentInfo, IngestReport

log = logging.getLogger(__name__)
MANIFEST_ID = "manifest"
_CHUNK_FIELDS = set(Chunk.__dataclass_fields__) - {"text"}


def chunk_from_record(text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(text=text, **{k: v for k, v in meta.items() if k in _CHUNK_FIELDS})


def discover(paths: list[Path], corpus_dir: Path) -> list[tuple[Path, str]]:
    """Corpus files under ``paths`` as (path, source name); hidden files are ignored."""
    found: dict[str, Path] = {}
    suffixes = supported_suffixes()
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if any(part.startswith(".") for part in path.parts[len(root.parts) - (0 if root.is_dir() else 1) :]):
                continue
            if root.is_dir() and path.suffix.lower() not in suffixes:
                continue
            try:
                source = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
            except ValueError:
                source = path.name
            found.setdefault(source, path)
    return sorted(((p, s) for s, p in found.items()), key=lambda item: item[1])


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
        self.store = store or Store(settings)
        self._loaded: LoadedIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.RLock()
        self._texts: dict[str, str] = {}

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    # -- manifest -------------------------------------------------------------------------------------------
    def _meta_collection(self, create: bool = False) -> Any:
        return self.store.collection(f"{self.settings.collection}-meta", create=create, space="l2")

    def manifest(self) -> dict[str, Any] | None:
        """The live generation's manifest, or None when no index has been built."""
        with self.store.guard():
            try:
                got = self._meta_collection().get(ids=[MANIFEST_ID], include=["documents"])
            except Exception as exc:
                if self.store.mode == "server" and not _is_missing(exc):
                    raise
                return None
        docs = got.get("documents") or []
        return json.loads(docs[0]) if docs else None

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self._meta_collection(create=True).upsert(
            ids=[MANIFEST_ID], documents=[json.dumps(manifest)], embeddings=[[1.0]]
        )

    def check_compatible(self, manifest: dict[str, Any]) -> None:
        """Refuse to mix vectors of another model, or chunks of another chunker version."""
        model = self.settings.embedding_model
        if manifest.get("embedding_model") != model:
            raise IndexMismatch(
                f"The index was built with the embedding model {manifest.get('embedding_model')!r} but "
                f"{model!r} is configured. Run `assistant ingest --rebuild` to re-embed everything."
            )
        if manifest.get("chunker_version") != CHUNKER_VERSION:
            raise IndexMismatch(
                "The index was built by another version of the chunker. Run `assistant ingest --rebuild`."
            )

    # -- ingest ---------------------------------------------------------------------------------------------
    def ingest(
        self, paths: list[Path] | None = None, rebuild: bool = False, progress: bool | None = None
    ) -> IngestReport:
        """Index ``paths`` (default: the corpus folder): skip unchanged files, replace changed ones, drop
        removed ones. Bad files are skipped with a reason in ``report.skipped``."""
        started = time.perf_counter()
        show = sys.stderr.isatty() if progress is None else progress
        with writer_lock(self.settings), self.store.guard():
            report = self._ingest_locked(paths or [self.settings.corpus_dir], rebuild, show)
        report.seconds = time.perf_counter() - started
        with self._lock:
            self._loaded = None
        return report

    def _ingest_locked(self, paths: list[Path], rebuild: bool, show: bool) -> IngestReport:
        report = IngestReport()
        old = self.manifest()
        if old and not rebuild:
            self.check_compatible(old)
        old_docs = self._docs_meta(old["generation"]) if old and not rebuild else {}
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
            self._collect_garbage(old["generation"])
            return report

        generation = f"{self.settings.collection}-g{time.time_ns()}"
        chunks_col = self.store.collection(f"{generation}-chunks", create=True)
        docs_col = self.store.collection(f"{generation}-docs", create=True, space="l2")
        if keep and old:
            report.chunks += self._copy_documents(old["generation"], chunks_col, docs_col, sorted(keep))
        bar = _progress(len(todo), show)
        for path, source, digest in todo:
            try:
                doc = load_document(path, source)
            except LoadError as exc:
                report.skipped[source] = str(exc).split(": ", 1)[-1]
                log.warning("skipped %s", exc)
                bar.update(1)
                continue
            doc.sha256 = digest
            chunks = chunk_document(doc)
            self._add_chunks(chunks_col, chunks)
            self._add_document(docs_col, doc, len(chunks))
            report.files_indexed.append(source)
            report.chunks += len(chunks)
            bar.update(1)
        bar.close()
        if report.chunks == 0:
            self.store.drop(f"{generation}-chunks")
            self.store.drop(f"{generation}-docs")
            return report
        self._write_manifest(
            {
                "generation": generation,
                "embedding_model": self.settings.embedding_model,
                "embedding_weights_sha256": self.embedder.weights_hash,
                "chunker_version": CHUNKER_VERSION,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "chunks": report.chunks,
                "documents": len(report.files_indexed) + len(keep),
            }
        )
        self._collect_garbage(generation)
        return report

    def _add_chunks(self, collection: Any, chunks: list[Chunk]) -> None:
        if not chunks:
            return
        vectors = self.embedder.encode([f"{c.section}\n{c.text}" if c.section != c.title else c.text for c in chunks])
        batch = _batch_size(self.store)
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            collection.add(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )

    def _add_document(self, collection: Any, doc: Document, n_chunks: int) -> None:
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

    def _copy_documents(self, old_generation: str, chunks_col: Any, docs_col: Any, sources: list[str]) -> int:
        old_chunks = self.store.collection(f"{old_generation}-chunks")
        old_docs = self.store.collection(f"{old_generation}-docs")
        got = old_docs.get(ids=sources, include=["documents", "metadatas", "embeddings"])
        docs_col.add(
            ids=got["ids"],
            documents=got["documents"],
            metadatas=got["metadatas"],
            embeddings=got["embeddings"],
        )
        copied = 0
        for i in range(0, len(sources), 50):
            records = _get_all(old_chunks, where={"source": {"$in": sources[i : i + 50]}}, embeddings=True)
            batch = _batch_size(self.store)
            for j in range(0, len(records["ids"]), batch):
                chunks_col.add(**{k: v[j : j + batch] for k, v in records.items()})
            copied += len(records["ids"])
        return copied

    def _collect_garbage(self, live: str) -> None:
        """Remove collections of other generations (older ones, or leftovers of a killed ingest)."""
        prefix = f"{self.settings.collection}-g"
        for name in self.store.collection_names():
            if name.startswith(prefix) and not name.startswith(f"{live}-"):
                self.store.drop(name)

    def _docs_meta(self, generation: str) -> dict[str, dict[str, Any]]:
        got = _get_all(self.store.collection(f"{generation}-docs"), documents=False)
        return dict(zip(got["ids"], got["metadatas"], strict=True))

    # -- reading --------------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.manifest() is not None

    def loaded(self) -> LoadedIndex:
        """The live generation in memory; re-checks the manifest at most every 2 s (another process may
        have ingested, or the server may have been restarted)."""
        with self._lock:
            now = time.monotonic()
            if self._loaded is not None and now - self._checked_at < 2.0:
                return self._loaded
            manifest = self.manifest()
            if manifest is None:
                raise IndexUnavailable("No index has been built yet. Run `assistant ingest` first.")
            self.check_compatible(manifest)
            self._checked_at = now
            if self._loaded is None or self._loaded.generation != manifest["generation"]:
                with self.store.guard():
                    self._loaded = self._load(manifest["generation"])
                self._texts.clear()
            return self._loaded

    def _load(self, generation: str) -> LoadedIndex:
        collection = self.store.collection(f"{generation}-chunks")
        got = _get_all(collection)
        chunks = [chunk_from_record(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)]
        chunks.sort(key=lambda c: (c.source, c.char_start, c.kind != "table", c.char_end))
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index([lexical_tokens(f"{c.section} {c.text}") or ["_"] for c in chunks], show_progress=False)
        docs = {
            s: DocumentInfo(s, m["title"], m["report_number"], m["date"], int(m["chunks"]), int(m["pages"]) or None)
            for s, m in self._docs_meta(generation).items()
        }
        sources = np.array([c.source for c in chunks])
        return LoadedIndex(
            generation, chunks, {c.chunk_id: i for i, c in enumerate(chunks)}, bm25, sources, collection, docs
        )

    def source_text(self, source: str) -> str:
        """The extracted text of an indexed document (what citation offsets refer to)."""
        loaded = self.loaded()
        with self._lock:
            if source not in self._texts:
                with self.store.guard():
                    got = self.store.collection(f"{loaded.generation}-docs").get(ids=[source], include=["documents"])
                if not got["ids"]:
                    raise KeyError(f"No indexed document named {source!r}")
                self._texts[source] = got["documents"][0]
            return self._texts[source]

    def dense(self, vector: np.ndarray, n: int, sources: list[str] | None = None) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) of the nearest chunks."""
        loaded = self.loaded()
        if not loaded.chunks:
            return []
        where = {"source": {"$in": list(sources)}} if sources else None
        with self.store.guard():
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

    def lexical(self, query: str, n: int, sources: list[str] | None = None) -> list[tuple[int, float]]:
        """(chunk position, BM25 score) of the best lexical matches (score > 0)."""
        loaded = self.loaded()
        if loaded.bm25 is None:
            return []
        tokens = [t for t in lexical_tokens(query) if t in loaded.bm25.vocab_dict]
        if not tokens:
            return []
        scores = loaded.bm25.get_scores(tokens)
        if sources:
            scores = np.where(np.isin(loaded.sources, list(sources)), scores, 0.0)
        top = np.argsort(-scores)[:n]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _is_missing(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text.replace(" ", "") or "does not exist" in text or "not found" in text


def _batch_size(store: Store) -> int:
    try:
        return max(1, min(5000, int(store.client().get_max_batch_size())))
    except Exception:
        return 1000


def _get_all(
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


class _NoBar:
    def update(self, n: int) -> None: ...
    def close(self) -> None: ...


def _progress(total: int, show: bool) -> Any:
    if not show or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="Indexing", file=sys.stderr)
