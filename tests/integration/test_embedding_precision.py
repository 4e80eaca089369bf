"""The model's arithmetic (Settings.embedding_precision) with the real model: both precisions load one model and
give the same vectors, as far as ranking passages goes."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import Settings, load_embedder
from assistant.embeddings import native_bfloat16, resolve_precision

pytestmark = pytest.mark.integration

# Our own sentences, of the lengths reports have (a heading, a short sentence, a long one).
TEXTS = [
    "Harbor Lights Need Spare Parts",
    "Three stations ran out of spare lamps during the winter storms of 2024.",
    "The port authority estimated that replacing the lamps of all 14 stations with light-emitting diodes would "
    "cost about $2.3 million over 5 years, and that the new lamps would last about four times as long as the "
    "old ones, which the authority has not yet decided to buy.",
    "How much would new lamps cost?",
]


def test_both_precisions_share_one_model_and_agree() -> None:
    full = load_embedder(Settings(embedding_precision="float32"))
    half = load_embedder(Settings(embedding_precision="bfloat16"))
    assert (full.precision, half.precision) == ("float32", "bfloat16")
    assert half.model is full.model  # one copy of the weights in memory
    a, b = full.encode(TEXTS), half.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), full.dimension)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    # the question ranks the three texts in the same order in both precisions
    assert list(np.argsort(-(a[:3] @ a[3]))) == list(np.argsort(-(b[:3] @ b[3])))


def test_auto_means_what_the_cpu_has() -> None:
    expected = "bfloat16" if native_bfloat16() else "float32"
    assert resolve_precision("auto") == expected
    assert load_embedder(Settings()).precision == expected
