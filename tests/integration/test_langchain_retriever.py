"""ReportRetriever against LangChain's standard retriever contract, plus our own metadata and filter checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant import Assistant, HybridSearcher, ReportRetriever, Settings

pytestmark = pytest.mark.integration

GAO = "GAO-25-108043.txt"


class TestReportRetrieverStandard(RetrieversIntegrationTests):
    """The standard suite builds retrievers from ``retriever_constructor_params``; ours share the session index."""

    @pytest.fixture(autouse=True)
    def _session_searcher(self, assistant_session: Assistant) -> None:
        self._searcher = assistant_session.searcher

    @property
    def retriever_constructor(self) -> type[ReportRetriever]:
        return ReportRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"searcher": self._searcher}

    @property
    def retriever_query_example(self) -> str:
        return "Which countries take part in Operation Olympic Defender?"


@pytest.fixture(scope="module")
def searcher(assistant_session: Assistant) -> HybridSearcher:
    return assistant_session.searcher


@pytest.mark.parametrize("k", [1, 2, 5])
def test_invoke_with_k_returns_scored_chunks(searcher: HybridSearcher, assistant_session: Assistant, k: int) -> None:
    docs = ReportRetriever(searcher=searcher).invoke("Space Force personnel exchanges", k=k)
    assert len(docs) == k
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    for doc in docs:
        assert isinstance(doc, Document)
        meta = doc.metadata
        assert {"chunk_id", "source", "title", "section", "char_start", "char_end", "kind", "score"} <= set(meta)
        assert meta["kind"] in {"text", "table", "table_row", "footnote"}
        assert all(v is not None for v in meta.values())
        source_text = assistant_session.source_text(meta["source"])
        assert 0 <= meta["char_start"] < meta["char_end"] <= len(source_text)


def test_constructor_k_is_the_default(searcher: HybridSearcher) -> None:
    assert len(ReportRetriever(searcher=searcher, k=2).invoke("milestones")) == 2


def test_documents_match_the_searcher(searcher: HybridSearcher) -> None:
    query = "Does Japan take part in OOD?"
    docs = ReportRetriever(searcher=searcher).invoke(query, k=4)
    hits = searcher.search(query, k=4)
    assert [d.metadata["chunk_id"] for d in docs] == [h.chunk.chunk_id for h in hits]
    assert [d.page_content for d in docs] == [h.chunk.text for h in hits]


def test_sources_filter(searcher: HybridSearcher) -> None:
    assert len(ReportRetriever(searcher=searcher, sources=[GAO]).invoke("milestones", k=2)) == 2
    assert ReportRetriever(searcher=searcher, sources=["missing.txt"]).invoke("milestones", k=2) == []
    assert ReportRetriever(searcher=searcher).invoke("milestones", k=2, sources=["missing.txt"]) == []


def test_assistant_retriever_property(assistant_session: Assistant) -> None:
    retriever = assistant_session.retriever
    assert retriever.k == assistant_session.settings.top_k
    assert len(retriever.invoke("guidance on roles and responsibilities")) == assistant_session.settings.top_k


async def test_ainvoke_without_k(searcher: HybridSearcher) -> None:
    docs = await ReportRetriever(searcher=searcher, k=2).ainvoke("Which countries share data?")
    assert len(docs) == 2 and all("score" in d.metadata for d in docs)


async def test_ainvoke_with_k(searcher: HybridSearcher) -> None:
    docs = await ReportRetriever(searcher=searcher).ainvoke("Which countries share data?", k=3)
    assert len(docs) == 3 and all("score" in d.metadata for d in docs)


def test_batch(searcher: HybridSearcher) -> None:
    results = ReportRetriever(searcher=searcher, k=1).batch(["milestones", "personnel exchanges"])
    assert [len(r) for r in results] == [1, 1]


LAMPS = "Harbor Lights\n\nThree stations ran out of spare lamps during the winter storms of 2024.\n"


@pytest.mark.parametrize("how", ["assistant", "settings"])
def test_the_retriever_on_a_fresh_data_dir_builds_the_index_first(tmp_path: Path, how: str) -> None:
    """Embedding the retriever in another app needs no ingest step: the first search builds the index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lamps.txt").write_text(LAMPS, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    retriever = Assistant(settings).retriever if how == "assistant" else ReportRetriever(settings=settings)
    docs = retriever.invoke("Who ran out of spare lamps?")
    assert docs and "ran out of spare lamps" in docs[0].page_content
    assert docs[0].metadata["source"] == "lamps.txt"
