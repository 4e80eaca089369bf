"""The naive baseline: textbook splitting, dense top-4, top chunk as answer and as a verbatim citation."""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from langchain_core.embeddings import Embeddings

from assistant import Settings
from evals.metrics import check_citation
from evals.naive import CHUNK_SIZE, TOP_K, NaiveRag


class FakeWordEmbeddings(Embeddings):
    """Hashed bag of words: texts sharing words get similar vectors (no model needed)."""

    dim = 256

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def paragraph(topic: str, n: int) -> str:
    return " ".join(f"The {topic} survey, item {i}, records {topic} figures for the canal district." for i in range(n))


@pytest.fixture
def bot(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "\n\n".join([paragraph("orchard", 25), paragraph("bridge", 25), paragraph("ferry", 25)])
    (corpus / "canal.txt").write_text(text, encoding="utf-8")
    (corpus / "ignored.pdf").write_bytes(b"%PDF-1.4 not for the baseline")
    naive = NaiveRag(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"), embedder=FakeWordEmbeddings())
    yield naive
    naive.close()


def test_top_four_chunks_and_the_first_is_the_answer_and_citation(bot):
    reply = bot.ask("bridge survey figures")
    assert bot.settings.top_k == TOP_K == 4
    assert len(reply.hits) == 4 and not reply.abstained
    top = reply.hits[0].chunk
    assert "bridge" in top.text and len(top.text) <= CHUNK_SIZE
    assert reply.answer == f"{top.text} [1]"
    (citation,) = reply.citations
    assert citation.quote == top.text and citation.source == "canal.txt"
    assert check_citation(citation, bot.source_text) == ""  # verbatim, offsets included


def test_history_is_ignored_like_a_textbook_pipeline(bot):
    history = [{"role": "user", "content": "ferry"}, {"role": "assistant", "content": "ferry"}]
    assert bot.ask("orchard", history=history).answer == bot.ask("orchard").answer


def test_unknown_source_and_empty_corpus_fail_clearly(bot, tmp_path):
    with pytest.raises(KeyError, match="unknown source"):
        bot.source_text("nope.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"no \.txt or \.md files"):
        NaiveRag(Settings(corpus_dir=empty), embedder=FakeWordEmbeddings())
