"""The query batcher: concurrent single-text encodes share model calls and each caller gets its own vector."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assistant.embeddings import _QueryBatcher


class SlowFakeEncoder:
    """A fake model: each call takes a while and records the batch it was given; a text's vector is its hash."""

    def __init__(self, delay: float = 0.05, fail_on: str = "") -> None:
        self.delay, self.fail_on = delay, fail_on
        self.batches: list[list[str]] = []
        self.lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self.lock:
            self.batches.append(list(texts))
        time.sleep(self.delay)
        if self.fail_on in texts:
            raise RuntimeError("model failed")
        return np.array([[float(hash(t) % 1000), float(len(t))] for t in texts])


def test_one_caller_goes_straight_to_the_model() -> None:
    fake = SlowFakeEncoder(delay=0.0)
    batcher = _QueryBatcher(fake)
    assert batcher.embed("alpha")[1] == 5.0
    assert fake.batches == [["alpha"]]


def test_concurrent_callers_share_calls_and_get_their_own_vectors() -> None:
    fake = SlowFakeEncoder()
    batcher = _QueryBatcher(fake)
    texts = [f"question number {i}" for i in range(12)]
    results: dict[str, np.ndarray] = {}
    start = threading.Barrier(len(texts))

    def ask(text: str) -> None:
        start.wait()
        results[text] = batcher.embed(text)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(results) == sorted(texts)
    for text, vector in results.items():
        assert vector[0] == float(hash(text) % 1000) and vector[1] == float(len(text))
    assert sorted(t for batch in fake.batches for t in batch) == sorted(texts)  # each text encoded once
    assert len(fake.batches) < len(texts)  # some callers shared a call
    assert max(len(b) for b in fake.batches) > 1


def test_an_error_reaches_every_caller_of_that_batch_and_later_calls_work() -> None:
    fake = SlowFakeEncoder(delay=0.0, fail_on="bad")
    batcher = _QueryBatcher(fake)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed("bad")
    assert batcher.embed("good")[1] == 4.0  # the batcher is free again


def test_a_caller_with_several_texts_gets_them_in_one_call_in_order() -> None:
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[float(len(t))] for t in texts])

    batcher = _QueryBatcher(encode)
    vectors = batcher.embed_all(["ab", "abcd", "a"])
    assert calls == [["ab", "abcd", "a"]]
    assert [float(v[0]) for v in vectors] == [2.0, 4.0, 1.0]
