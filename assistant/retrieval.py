"""Hybrid retrieval (dense + BM25, fused by reciprocal rank) and the LangChain retriever."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np
from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.config import Settings
from assistant.index import Index
from assistant.types import Hit

# bm25s sets its own logger to DEBUG, which floods any application that configures logging.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class HybridSearcher:
    """Dense (Chroma, cosine) and lexical (BM25) candidates fused with reciprocal rank fusion."""

    def __init__(self, index: Index, settings: Settings | None = None) -> None:
        self.index = index
        self.settings = settings or index.settings

    def embed(self, text: str) -> np.ndarray:
        return self.index.embedder.embed_one(text)

    def embed_several(self, texts: list[str]) -> list[np.ndarray]:
        """A question and its variants in one model call."""
        return self.index.embedder.embed_several(texts)

    def search(
        self,
        query: str,
        k: int | None = None,
        sources: list[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query`` (optionally only from ``sources``), best first."""
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        vector = self.embed(query) if vector is None else vector
        for _ in range(3):  # positions are only meaningful within one generation: retry if it changed meanwhile
            before = self.index.loaded()
            dense = self.index.dense(vector, n, sources)
            lexical = self.index.lexical(query, n, sources)
            after = self.index.loaded()
            if after is before:
                break
        chunks = after.chunks
        fused: dict[int, float] = {}
        dense_rank: dict[int, int] = {}
        lexical_rank: dict[int, int] = {}
        similarity: dict[int, float] = {}
        for rank, (pos, sim) in enumerate(dense, 1):
            fused[pos] = fused.get(pos, 0.0) + 1.0 / (self.settings.rrf_k + rank)
            dense_rank[pos], similarity[pos] = rank, sim
        for rank, (pos, _) in enumerate(lexical, 1):
            fused[pos] = fused.get(pos, 0.0) + 1.0 / (self.settings.rrf_k + rank)
            lexical_rank[pos] = rank
        best = sorted(fused, key=lambda p: (-fused[p], dense_rank.get(p, n + 1)))[:k]
        return [Hit(chunks[p], fused[p], dense_rank.get(p), lexical_rank.get(p), similarity.get(p)) for p in best]


def hit_to_document(hit: Hit) -> LCDocument:
    return LCDocument(page_content=hit.chunk.text, metadata={**hit.chunk.metadata(), "score": hit.score})


class ReportRetriever(BaseRetriever):
    """LangChain retriever over the report index (hybrid dense + BM25).

    Example:
        >>> from assistant import Assistant
        >>> retriever = Assistant().retriever                           # doctest: +SKIP
        >>> docs = retriever.invoke("How many grants were awarded?", k=2)  # doctest: +SKIP
        >>> docs[0].metadata["section"], docs[0].metadata["score"]      # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any = Field(default=None, description="A HybridSearcher; built from `settings` when omitted.")
    settings: Settings | None = Field(default=None, description="Settings used when no searcher is given.")
    k: int = Field(default=4, ge=1, description="How many documents to return.")
    sources: list[str] | None = Field(default=None, description="Only search these documents (file names).")
    prepare: Any = Field(
        default=None,
        exclude=True,
        description="Called before each search; builds the index from the corpus when there is none yet "
        "(Assistant.ensure_index, or Index.ensure of the index built from `settings`).",
    )

    def _searcher(self) -> HybridSearcher:
        if self.searcher is None:
            settings = self.settings or Settings()
            index = Index(settings)
            self.searcher, self.prepare = HybridSearcher(index, settings), self.prepare or index.ensure
        if self.prepare is not None:
            self.prepare()
        return self.searcher

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        k = int(kwargs.get("k", self.k))
        sources = kwargs.get("sources", self.sources)
        return [hit_to_document(h) for h in self._searcher().search(query, k=k, sources=sources)]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        k = int(kwargs.get("k", self.k))
        sources = kwargs.get("sources", self.sources)
        hits = await asyncio.to_thread(self._searcher().search, query, k, sources)
        return [hit_to_document(h) for h in hits]
