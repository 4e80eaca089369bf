"""A damaged index manifest is reported in words (health, answers), never as a traceback (finding 9)."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant, IndexUnavailable, Settings
from assistant.store import EmbeddedStore, checked_manifest

BROKEN_MANIFESTS = [
    ("[1, 2, 3]", "JSON list, not an object"),
    ('"just a string"', "JSON str, not an object"),
    ("null", "JSON NoneType, not an object"),
    ('{"generation": 123}', "'generation' is 123"),
    ('{"generation": "../../etc"}', "not a generation name"),
    ('{"chunks": 4}', "'generation' is None"),
    ('{"generation": "reports-g1", "documents": [1]}', "'documents' is list"),
    ('{"generation": "reports-g1", "embedding_dimension": "384"}', "'embedding_dimension' is str"),
    ('{"generation": "reports-g1", "embedding_model": 7}', "'embedding_model' is int"),
    ('{"generation": "reports-g1"', "cannot be read"),  # truncated JSON
    ("\xff\xfe garbage", "cannot be read"),
]


def write_manifest(data_dir, text: str) -> None:
    index = data_dir / "index"
    index.mkdir(parents=True, exist_ok=True)
    (index / "reports-manifest.json").write_bytes(text.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize(("text", "reason"), BROKEN_MANIFESTS)
def test_status_reports_a_broken_manifest_and_never_raises(tmp_path, text, reason):
    write_manifest(tmp_path, text)
    bot = Assistant(Settings(data_dir=tmp_path, corpus_dir=tmp_path / "corpus"))
    status = bot.status()  # documented as never raising
    assert status["available"] is False
    assert reason in status["error"] and "assistant ingest --rebuild" in status["error"]


@pytest.mark.parametrize(("text", "reason"), BROKEN_MANIFESTS[:4])
def test_asking_over_a_broken_manifest_says_why(tmp_path, text, reason):
    write_manifest(tmp_path, text)
    reply = Assistant(Settings(data_dir=tmp_path, corpus_dir=tmp_path / "corpus")).ask("How many?")
    assert reply.abstained and reply.notice == "index_unavailable" and reason in reply.answer


def test_readers_refuse_but_the_writer_may_replace_a_broken_manifest(tmp_path):
    write_manifest(tmp_path, "[1, 2, 3]")
    store = EmbeddedStore(Settings(data_dir=tmp_path))
    with pytest.raises(IndexUnavailable, match="not an object"):
        store.read_manifest()
    with store.writer_lock():
        assert store.read_manifest() is None  # ingest then builds a complete new generation
    with pytest.raises(IndexUnavailable):
        store.read_manifest()


def test_a_manifest_as_ingest_writes_it_is_accepted():
    manifest = {
        "generation": "reports-g1760000000000000000",
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
        "embedding_weights_sha256": "ab" * 32,
        "embedding_dimension": 384,
        "chunker_version": 10,
        "documents": {"a.txt": "cd" * 32},
    }
    assert checked_manifest(json.loads(json.dumps(manifest))) == manifest
