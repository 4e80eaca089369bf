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


def test_each_text_and_heading_is_encoded_once_and_views_are_composed_from_them(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbor.txt").write_text(REPORT, encoding="utf-8")
    recording = RecordingEmbedder(embedder)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    index = Index(settings, embedder=recording)  # type: ignore[arg-type]
    Assistant(settings, index=index).ingest(progress=False)

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
