"""The index: a Chroma collection of chunk vectors plus a BM25 lexical index, built from the same chunks.

Writes are generational: an ingest builds a new generation (see ``store.py``: a Chroma directory, or
collections ``<base>-g<N>-chunks``/``-docs`` in a server) beside the live one, copying the vectors of
unchanged documents (found by SHA-256), and only when it is complete switches the manifest to it. A killed
ingest leaves the previous generation live; the next run removes the leftovers. One writer at a time
(``Store.writer_lock``); readers re-check the manifest every 2 s and follow a switch by themselves.

The manifest records what the vectors depend on: the embedding model (name and SHA-256 of its weights
file), the chunker version, and each document's SHA-256. A model with other weights is refused until
``assistant ingest --rebuild``; a copy or move of the same model folder (identical weights) is accepted.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import bm25s
import numpy as np

from assistant.chunking import CHUNKER_VERSION, chunk_document
from assistant.config import Settings
from assistant.embeddings import Embedder, _weights_hash, load_embedder, resolve_model_path
from assistant.ingest import Document, LoadError, load_document, sha256_bytes, supported_suffixes
from assistant.sentences import View, compose_views, units_from_hits, views
from assistant.store import IndexMismatch, IndexUnavailable, Store, hold_point, is_missing, open_store
from assistant.text import lexical_tokens
from assistant.types import Chunk, DocumentInfo, Hit, IngestReport

log = logging.getLogger(__name__)
MANIFEST_RECHECK_SECONDS = 2.0
ENCODE_GROUP_CHUNKS = 2000  # chunks embedded per encode call during ingest (bounds memory)
_CHUNK_FIELDS = set(Chunk.__dataclass_fields__) - {"text"}
T = TypeVar("T")


def chunk_from_record(text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(text=text, **{k: v for k, v in meta.items() if k in _CHUNK_FIELDS})


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

    def _configured_weights_hash(self) -> str:
        """SHA-256 of the configured model's weights, without loading the model (cached per process)."""
        if self._embedder is not None:
            return str(getattr(self._embedder, "weights_hash", "") or "")
        try:
            return _weights_hash(resolve_model_path(self.settings.embedding_model))
        except Exception:
            return ""

    def check_compatible(self, manifest: dict[str, Any], chunker: bool = True) -> None:
        """Refuse to mix vectors of another model, or chunks of another chunker version.

        The model is identified by the SHA-256 of its weights file when both sides have one: a copy of the
        same model folder under another path or name is the same model. Without a local weights file (a
        hub name), the configured name must match.
        """
        built_name, name = manifest.get("embedding_model"), self.settings.embedding_model
        built_hash, current = str(manifest.get("embedding_weights_sha256") or ""), self._configured_weights_hash()
        same = built_hash == current if built_hash and current else built_name == name
        if not same:
            built = f"{built_name!r}" + (f" (weights {built_hash[:12]}…)" if built_hash else "")
            configured = f"{name!r}" + (f" (weights {current[:12]}…)" if current else "")
            raise IndexMismatch(
                f"The index was built with the embedding model {built} but {configured} is configured; their "
                "vectors cannot be mixed. Run `assistant ingest --rebuild` to re-embed everything with the "
                "configured model (or configure the model the index was built with)."
            )
        if chunker and manifest.get("chunker_version") != CHUNKER_VERSION:
            raise IndexMismatch(
                f"The index was built by chunker version {manifest.get('chunker_version')!r}, this is "
                f"{CHUNKER_VERSION!r}. Run `assistant ingest --rebuild`."
            )

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
            report = self._ingest_locked(paths or [self.settings.corpus_dir], rebuild, show)
        report.seconds = time.perf_counter() - started
        with self._lock:
            self._loaded = None
        return report

    def _ingest_locked(self, paths: list[Path], rebuild: bool, show: bool) -> IngestReport:
        report = IngestReport()
        old = self.store.read_manifest()
        if old and not rebuild:
            self.check_compatible(old, chunker=False)
            if old.get("chunker_version") != CHUNKER_VERSION:
                # Same model, older chunking: every document is chunked again (a rebuild), never mixed.
                log.warning(
                    "the index was built by chunker version %s, this is %s: re-indexing every document",
                    old.get("chunker_version"),
                    CHUNKER_VERSION,
                )
                rebuild = True
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
                sentence_means = self._add_sentences(sentences_col, chunks, texts, batch)
            dimension = self._add_chunks(chunks_col, chunks, batch, sentence_means) or dimension
            for doc, doc_chunks in group:
                self._add_document(docs_col, doc, len(doc_chunks))
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
        self.store.write_manifest(
            {
                "generation": generation,
                "embedding_model": self.settings.embedding_model,
                "embedding_weights_sha256": str(getattr(self.embedder, "weights_hash", "") or ""),
                "embedding_dimension": dimension,
                "chunker_version": CHUNKER_VERSION,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "chunks": report.chunks,
                "document_count": len(hashes),
                "documents": dict(sorted(hashes.items())),  # source -> SHA-256 of the file
            }
        )
        hold_point("switched")
        self._collect_garbage(generation)
        return report

    def _add_chunks(
        self,
        collection: Any,
        chunks: list[Chunk],
        batch: int,
        known: dict[str, np.ndarray] | None = None,
    ) -> int:
        """Embed and add ``chunks``; returns the vectors' dimension (0 when there were none).

        ``known`` gives vectors already made for some chunks (the mean of their sentences' vectors), so those
        chunks are not encoded a second time."""
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
        encoded = self.embedder.encode([embedding_text(c) for c in todo], self.settings.ingest_batch_size)
        known.update(zip((c.chunk_id for c in todo), encoded, strict=True))
        for table in tables:
            known[table.chunk_id] = _normalised_mean(np.stack([known[r] for r in rows[table.table_id]]))
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

    def _add_sentences(
        self, collection: Any, chunks: list[Chunk], texts: dict[str, str], batch: int
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
        # Each text and each heading is encoded once, and a view is composed from them. A sentence with its
        # continuation is read whole (the mean of its two sentences' vectors cost the seed eval 0.953 -> 0.945
        # citation support), so each such pair's words are read twice.
        direct = {k: v for chunk_views in per_chunk.values() for k, v in chunk_views.items()}
        plain = list(dict.fromkeys(t for v in direct.values() for t in (v.text, v.context) if t))
        plain_vectors = dict(zip(plain, self.embedder.encode(plain, self.settings.ingest_batch_size), strict=True))
        encoded = dict(zip(direct, compose_views(list(direct.values()), plain_vectors.__getitem__), strict=True))
        stored = [c for c in chunks if per_chunk[c.chunk_id]]
        for j in range(0, len(stored), batch):
            part = stored[j : j + batch]
            metas = [_pack_views(c, {k: encoded[k] for k in per_chunk[c.chunk_id]}) for c in part]
            collection.add(ids=[c.chunk_id for c in part], embeddings=[[1.0]] * len(part), metadatas=metas)
        return {
            chunk_id: _normalised_mean(np.stack([encoded[k] for k in keys])) for chunk_id, keys in sentence_keys.items()
        }

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the answer units of these chunks, by view key ({} when not precomputed)."""
        if not chunk_ids:
            return {}

        def fetch(loaded: LoadedIndex) -> dict[str, np.ndarray]:
            if loaded.sentences is None:
                return {}  # built without precomputed sentences
            got = loaded.sentences.get(ids=list(dict.fromkeys(chunk_ids)), include=["metadatas"])
            out: dict[str, np.ndarray] = {}
            for meta in got["metadatas"]:
                out.update(_unpack_views(meta))
            return out

        return self._read(fetch)

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
            records = _get_all(old_chunks, where={"source": {"$in": sources[i : i + 50]}}, embeddings=True)
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
            records = _get_all(old_sentences, where=where, embeddings=True, documents=False)
            for j in range(0, len(records["ids"]), batch):
                sentences_col.add(**{k: v[j : j + batch] for k, v in records.items()})
        return copied

    def _collect_garbage(self, live: str) -> None:
        """Remove every generation but the live one: older ones, and leftovers of a killed ingest."""
        dropped = 0
        for generation in self.store.generations():
            if generation != live:
                self.store.drop_generation(generation)
                dropped += 1
                hold_point("collecting")
        if hasattr(self.store, "remove_temp_files"):
            self.store.remove_temp_files()
        if dropped:
            log.info("removed %d old or unfinished index generation(s)", dropped)

    def _docs_meta(self, generation: str) -> dict[str, dict[str, Any]]:
        got = _get_all(self.store.collection(generation, "docs"), documents=False)
        return dict(zip(got["ids"], got["metadatas"], strict=True))

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
                    self._loaded = self._load(manifest["generation"])
                    self._texts.clear()
                    if previous is not None:
                        self.store.release(previous.generation)
                elif refresh:  # same generation, fresh handles (after a reconnect)
                    previous.collection = self.store.collection(previous.generation, "chunks")
                    previous.sentences = self._sentences_collection(previous.generation)
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

    def _load(self, generation: str) -> LoadedIndex:
        collection = self.store.collection(generation, "chunks")
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
        by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        sentences = self._sentences_collection(generation)
        docs_col = self.store.collection(generation, "docs")
        return LoadedIndex(generation, chunks, by_id, bm25, sources, collection, docs, sentences, docs_col)

    def _sentences_collection(self, generation: str) -> Any:
        """The handle is kept with the loaded generation: looking it up per question costs a server round trip."""
        try:
            return self.store.collection(generation, "sentences")
        except Exception as exc:
            if is_missing(exc):
                return None  # built without precomputed sentences
            raise

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
        if len(scores) > n:  # the n best without sorting every chunk's score (100k chunks: ~7 ms -> <1 ms)
            best = np.argpartition(-scores, n - 1)[:n]
            top = best[np.argsort(-scores[best], kind="stable")]
        else:
            top = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _pack_views(chunk: Chunk, vectors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The metadata of a chunk's sentence record: its view keys (JSON) and their float32 vectors (base64)."""
    matrix = np.stack(list(vectors.values())).astype("<f4")
    return {
        "chunk_id": chunk.chunk_id,
        "source": chunk.source,
        "views": json.dumps(list(vectors), ensure_ascii=False),
        "vectors": base64.b64encode(matrix.tobytes()).decode("ascii"),
    }


def _unpack_views(meta: dict[str, Any]) -> dict[str, np.ndarray]:
    keys = json.loads(str(meta["views"]))
    matrix = np.frombuffer(base64.b64decode(str(meta["vectors"])), dtype="<f4").reshape(len(keys), -1)
    return dict(zip(keys, matrix.astype(np.float32), strict=True))


def embedding_text(chunk: Chunk) -> str:
    """What the model reads for a chunk encoded whole: its section heading (when not the title) and text."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section != chunk.title else chunk.text


def _normalised_mean(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (float(np.linalg.norm(mean)) or 1.0)


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
