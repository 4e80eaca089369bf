"""The textbook LangChain RAG we compare against.

The corpus split by ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, dense-only Chroma
top-4 with the same embedding model as ours, and the top chunk returned as both the answer and its only
citation. It never abstains and ignores the conversation history (no question condensing). It exposes the
same ``ask`` / ``source_text`` / ``settings`` surface as :class:`assistant.Assistant`, so the runner treats
both alike.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant import Chunk, Citation, Hit, Reply, Settings

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
TEXT_SUFFIXES = (".txt", ".md")


class NaiveRag:
    """Dense-only top-4 retrieval over 1000/200 character chunks; the top chunk is the answer.

    Example:
        >>> bot = NaiveRag(Settings(corpus_dir=Path("corpus")))  # doctest: +SKIP
        >>> bot.ask("How many recommendations does GAO make?").answer[:40]  # doctest: +SKIP
    """

    def __init__(self, settings: Settings | None = None, embedder: Embeddings | None = None) -> None:
        base = settings or Settings()
        self.settings = base.model_copy(update={"top_k": TOP_K})
        if embedder is None:
            from assistant.embeddings import load_embedder

            embedder = load_embedder(self.settings)
        self._texts = _read_corpus(Path(self.settings.corpus_dir))
        self._tmp = tempfile.TemporaryDirectory(prefix="naive-rag-")
        self._store = _build_store(self._texts, embedder, self._tmp.name)

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Reply:
        """Retrieve the top 4 chunks for ``question`` alone and answer with the first one."""
        found = self._store.similarity_search_with_score(question, k=TOP_K)
        hits = [Hit(chunk=_to_chunk(doc.page_content, doc.metadata), score=-float(dist)) for doc, dist in found]
        if not hits:
            return Reply(answer="", standalone_question=question)
        top = hits[0].chunk
        citation = Citation(
            n=1,
            source=top.source,
            title=top.title,
            section="",
            quote=top.text,
            chunk_id=top.chunk_id,
            char_start=top.char_start,
            char_end=top.char_end,
        )
        return Reply(
            answer=f"{top.text} [1]",
            citations=[citation],
            abstained=False,
            standalone_question=question,
            hits=hits,
        )

    def source_text(self, source: str) -> str:
        try:
            return self._texts[source]
        except KeyError:
            raise KeyError(f"unknown source {source!r}; known: {sorted(self._texts)}") from None

    def close(self) -> None:
        self._tmp.cleanup()


def _read_corpus(corpus_dir: Path) -> dict[str, str]:
    files = sorted(p for p in corpus_dir.iterdir() if p.suffix.lower() in TEXT_SUFFIXES) if corpus_dir.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"no .txt or .md files in {corpus_dir} for the naive baseline (set ASSISTANT_CORPUS_DIR)"
        )
    return {p.name: p.read_text(encoding="utf-8") for p in files}


def _build_store(texts: dict[str, str], embedder: Embeddings, path: str) -> Any:
    import chromadb
    from langchain_chroma import Chroma

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    docs = splitter.create_documents(list(texts.values()), metadatas=[{"source": s} for s in texts])
    for i, doc in enumerate(docs):
        doc.metadata["chunk_id"] = f"naive-{i:04d}"
    client = chromadb.PersistentClient(path=path, settings=chromadb.Settings(anonymized_telemetry=False))
    store = Chroma(client=client, collection_name=f"naive-{uuid.uuid4().hex[:8]}", embedding_function=embedder)
    store.add_documents(docs, ids=[d.metadata["chunk_id"] for d in docs])
    return store


def _to_chunk(text: str, meta: dict[str, Any]) -> Chunk:
    start = int(meta.get("start_index", 0))
    return Chunk(
        chunk_id=str(meta.get("chunk_id", "")),
        text=text,
        source=str(meta.get("source", "")),
        title=str(meta.get("source", "")),
        section="",
        char_start=start,
        char_end=start + len(text),
    )
