"""The store's small parts without the model: manifest file, generations, locks, model identity, the hook."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant import Index, IndexLocked, IndexMismatch, IndexUnavailable, Settings
from assistant.chunking import CHUNKER_VERSION
from assistant.store import TEST_HOLD_ENV, EmbeddedStore, file_lock, hold_point, open_store
from assistant.store_server import ServerStore, _pid_namespace, _stale

MANIFEST = {"generation": "reports-g1", "embedding_model": "m", "chunker_version": CHUNKER_VERSION}


def test_manifest_is_written_atomically_and_leftover_temp_files_are_ignored(tmp_path: Path) -> None:
    store = EmbeddedStore(Settings(data_dir=tmp_path))
    assert store.read_manifest() is None
    store.write_manifest(MANIFEST)
    assert store.read_manifest() == MANIFEST
    assert [p.name for p in (tmp_path / "index").iterdir()] == ["reports-manifest.json"]

    # A writer killed between writing its temp file and the rename: the live manifest is untouched.
    stale = tmp_path / "index" / ".reports-manifest.json.999.tmp"
    stale.write_text('{"generation": "reports-g2"')
    assert store.read_manifest() == MANIFEST
    store.remove_temp_files()
    assert not stale.exists()

    store.write_manifest({**MANIFEST, "generation": "reports-g3"})  # a reader sees the switch at once
    assert store.read_manifest()["generation"] == "reports-g3"  # type: ignore[index]


def test_unreadable_manifest_says_what_to_do(tmp_path: Path) -> None:
    store = EmbeddedStore(Settings(data_dir=tmp_path))
    store.root.mkdir(parents=True)
    store.manifest_path.write_text("{not json")
    with pytest.raises(IndexUnavailable, match="assistant ingest --rebuild"):
        store.read_manifest()


def test_generations_are_directories_of_this_base_only(tmp_path: Path) -> None:
    store = EmbeddedStore(Settings(data_dir=tmp_path))
    for name in ("reports-g1", "reports-g2", "other-g3"):
        (store.generations_dir / name).mkdir(parents=True)
    assert store.generations() == ["reports-g1", "reports-g2"]
    store.drop_generation("reports-g1")
    assert store.generations() == ["reports-g2"]
    with pytest.raises(IndexUnavailable, match="Run `assistant ingest`"):
        store.collection("reports-g2", "chunks")  # named but never completed: no Chroma files in it


def test_open_store_follows_the_settings(tmp_path: Path) -> None:
    assert open_store(Settings(data_dir=tmp_path)).mode == "embedded"
    assert open_store(Settings(data_dir=tmp_path, chroma_url="http://127.0.0.1:9")).mode == "server"


def test_an_unreachable_server_is_a_clear_unavailable_error_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    store = ServerStore(Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{port}"))
    started = time.monotonic()
    with pytest.raises(IndexUnavailable, match=f"Chroma server at http://127.0.0.1:{port} did not answer"):
        store.read_manifest()
    assert time.monotonic() - started < 10


HOLDER = """
import sys, time
from pathlib import Path
from assistant.config import Settings
from assistant.store import file_lock
with file_lock(Settings(data_dir=Path(sys.argv[1]))):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_fails_fast_naming_the_holder_and_the_lock_dies_with_it(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        started = time.monotonic()
        holder = f"being written by pid {child.pid} on {socket.gethostname()}"
        with pytest.raises(IndexLocked, match=holder), file_lock(Settings(data_dir=tmp_path, lock_timeout=0.5)):
            pass
        assert 0.5 <= time.monotonic() - started < 1.5
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        started = time.monotonic()
        with file_lock(Settings(data_dir=tmp_path, lock_timeout=0.0)):
            assert json.loads((tmp_path / "ingest.lock.json").read_text())["pid"] == os.getpid()
        assert time.monotonic() - started < 0.5
    finally:
        child.kill()
        child.wait(timeout=10)


class FakeEmbedder:
    def __init__(self, weights_hash: str) -> None:
        self.weights_hash = weights_hash


def _index(tmp_path: Path, model: str, weights: str) -> Index:
    return Index(Settings(data_dir=tmp_path, embedding_model=model), embedder=FakeEmbedder(weights))  # type: ignore[arg-type]


def _built(model: str, weights: str, chunker: str = CHUNKER_VERSION) -> dict[str, Any]:
    return {"embedding_model": model, "embedding_weights_sha256": weights, "chunker_version": chunker}


def test_model_identity_is_the_weights_when_known_else_the_name(tmp_path: Path) -> None:
    # Same weights under another name or path (a copied folder): the same model.
    _index(tmp_path, "/models/copy-of-minilm", "abc").check_compatible(_built("minilm", "abc"))
    # Other weights, even under the same name: refused, with the fix.
    with pytest.raises(IndexMismatch, match="assistant ingest --rebuild"):
        _index(tmp_path, "minilm", "def").check_compatible(_built("minilm", "abc"))
    # No weights file on one side (a hub name): names decide.
    _index(tmp_path, "org/model", "").check_compatible(_built("org/model", ""))
    with pytest.raises(IndexMismatch, match="'org/other' is configured"):
        _index(tmp_path, "org/other", "").check_compatible(_built("org/model", ""))
    with pytest.raises(IndexMismatch, match="chunker version"):
        _index(tmp_path, "minilm", "abc").check_compatible(_built("minilm", "abc", chunker="0"))


def test_a_lease_is_stale_when_expired_or_its_local_holder_is_dead() -> None:
    here, future = _pid_namespace(), time.time() + 60
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert _stale({"pid_namespace": "elsewhere:1", "pid": 1, "expires": time.time() - 1})
    assert not _stale({"pid_namespace": "elsewhere:1", "pid": dead.pid, "expires": future})  # can't tell: wait
    assert not _stale({"pid_namespace": here, "pid": os.getpid(), "expires": future})
    assert _stale({"pid_namespace": here, "pid": dead.pid, "expires": future})


def test_the_crash_hook_is_inert_unless_a_test_sets_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(TEST_HOLD_ENV, raising=False)
    hold_point("built")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(TEST_HOLD_ENV, "trace")
    hold_point("built")
    assert capsys.readouterr().err == f"ingest-point built pid={os.getpid()}\n"
