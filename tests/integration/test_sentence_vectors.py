"""Sentence vectors made at ingest (real model, real embedded Chroma): what the model reads and what is stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Embedder, Index, Settings, load_embedder
from assistant.sentences import View

pytestmark = pytest.mark.integration

# Our own text: a section whose second sentence continues the first ("This has ...").
REPORT = (
    "**Harbor Lights Need Spare Parts**\n\n"
    "**Lamp Supply**\n\n"
    "Three stations ran out of spare lamps during the winter storms of 2024. "
    "This has left two lights dark for more than a week.\n"
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder(Settings())


class RecordingEmbedder:
    """The real model, with a record of every text it was asked to encode."""

    def __init__(self, real: Embedder) -> None:
        self.real, self.texts = real, []
        self.name, self.weights_hash = real.name, getattr(real, "weights_hash", "")

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.texts += list(texts)
        return self.real.encode(texts, batch_size)

    def encode_tokens(self, texts: list[str], batch_size: int = 64) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        self.texts += list(texts)
        return self.real.encode_tokens(texts, batch_size)

    def embed_one(self, text: str) -> np.ndarray:
        return self.real.embed_one(text)

    def embed_several(self, texts: list[str]) -> list[np.ndarray]:
        return self.real.embed_several(texts)


def indexed(tmp_path: Path, embedder: object, files: dict[str, str], **settings: object) -> tuple[Index, Settings]:
    """An index of our own ``files`` (name -> text), ingested with ``embedder`` (the real model, or a wrapper)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    config = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", **settings)  # type: ignore[arg-type]
    index = Index(config, embedder=embedder)  # type: ignore[arg-type]
    Assistant(config, index=index).ingest(progress=False)
    return index, config


def test_each_text_and_heading_is_encoded_once_and_views_are_composed_from_them(
    tmp_path: Path, embedder: Embedder
) -> None:
    recording = RecordingEmbedder(embedder)
    index, _ = indexed(tmp_path, recording, {"harbor.txt": REPORT})

    first = "Three stations ran out of spare lamps during the winter storms of 2024."
    second = "This has left two lights dark for more than a week."
    assert sorted(set(recording.texts)) == sorted(recording.texts)  # nothing twice
    assert {first, second, "Lamp Supply"} <= set(recording.texts)
    assert f"{first} {second}" not in recording.texts  # the pair is made of its sentences' tokens, not reread
    assert not any(t.startswith("Lamp Supply") and t != "Lamp Supply" for t in recording.texts)  # heading apart

    stored = index.sentence_vectors([c.chunk_id for c in index.loaded().chunks])
    alone, heading = embedder.encode([first, "Lamp Supply"])
    # the sentence alone, as the model reads it (to the rounding of the model's precision and batch)
    assert float(stored[View(first).key] @ alone) > 0.9995
    under = stored[View(first, "Lamp Supply").key]
    assert np.isclose(float(np.linalg.norm(under)), 1.0, atol=1e-5)
    assert float(under @ heading) > float(alone @ heading)  # leans towards its heading
    assert float(under @ alone) > float(under @ heading)  # and is still mostly the sentence
    # the pair, from its sentences' tokens, is close to the pair read whole (0.95 on average on real reports)
    (whole,) = embedder.encode([f"{first} {second}"])
    assert float(stored[View(f"{first} {second}").key] @ whole) > 0.9


OTHER = (
    "**Ferry Fares Rose**\n\n"
    "**Fares**\n\n"
    "Ferry fares rose by a third in 2023. Most riders paid by card.\n\n"
    "**Crews**\n\n"
    "The operator hired 40 deckhands for the night crossings.\n"
)


def test_the_sentence_vectors_in_memory_are_the_stored_ones_and_find_the_nearest_sentence(
    tmp_path: Path, embedder: Embedder
) -> None:
    index, _ = indexed(tmp_path, embedder, {"harbor.txt": REPORT, "ferry.txt": OTHER})
    ids = [c.chunk_id for c in index.loaded().chunks]
    from_store = index.sentence_vectors(ids)
    assert index.sentence_matrix() is not None
    in_memory = index.sentence_vectors(ids)  # now read from the matrix
    assert set(in_memory) == set(from_store) and from_store
    assert all(np.array_equal(in_memory[k], from_store[k]) for k in from_store)

    vector = embedder.embed_one("How many deckhands did the operator hire?")
    (best, _), *_ = index.sentence_dense(vector, 3)
    assert "40 deckhands" in best.text
    # within one report only, and never more than asked
    found = index.sentence_dense(vector, 1, sources=["harbor.txt"])
    assert len(found) == 1 and found[0][0].source == "harbor.txt"


def test_a_large_index_keeps_its_sentence_vectors_in_the_store(tmp_path: Path, embedder: Embedder) -> None:
    index, _ = indexed(tmp_path, embedder, {"harbor.txt": REPORT}, sentence_matrix_max_chunks=0)
    assert index.sentence_matrix() is None
    assert index.sentence_dense(embedder.embed_one("spare lamps"), 3) == []
    assert index.sentence_vectors([c.chunk_id for c in index.loaded().chunks])  # read from the store


def test_a_passage_joined_for_its_near_sentence_may_be_quoted_but_does_not_decide(
    tmp_path: Path, embedder: Embedder
) -> None:
    from assistant.answering import ExtractiveAnswerer
    from assistant.types import Hit

    index, settings = indexed(tmp_path, embedder, {"ferry.txt": OTHER})
    chunks = index.loaded().chunks
    fares = next(c for c in chunks if "fares rose" in c.text)
    crews = next(c for c in chunks if "40 deckhands" in c.text)
    answerer = ExtractiveAnswerer(index, settings)
    question = "How many deckhands did the operator hire for the night crossings?"
    vector = embedder.embed_one(question)

    joined = answerer.answer(question, [Hit(fares, 0.03), Hit(crews, 0.0, nearest_sentence=True)], vector)
    assert joined.abstained  # the retrieved passage says nothing of deckhands: the joined one cannot decide that
    retrieved = answerer.answer(question, [Hit(fares, 0.03), Hit(crews, 0.02)], vector)
    assert not retrieved.abstained and "40 deckhands" in retrieved.render()[0]
    both = answerer.answer(question, [Hit(crews, 0.03), Hit(fares, 0.0, nearest_sentence=True)], vector)
    assert not both.abstained and "40 deckhands" in both.render()[0]
