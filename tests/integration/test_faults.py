"""Faults with the real Assistant: a damaged manifest is repaired by the next ingest (finding 9), and what
clients see of an unavailable index names no server path (finding 13)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from gradio_client import Client

from assistant import Assistant, Settings
from ui.app import create_app

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def damage(data_dir) -> None:
    index = data_dir / "index"
    index.mkdir(parents=True, exist_ok=True)
    (index / "reports-manifest.json").write_text("[1, 2, 3]")


@pytest.fixture
def broken_server(tmp_path) -> Iterator[tuple[str, str]]:
    data_dir = tmp_path / "secret-place" / "data"
    damage(data_dir)
    settings = Settings(data_dir=data_dir, corpus_dir=tmp_path / "corpus")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(Assistant(settings), settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", str(tmp_path)
    server.should_exit = True
    thread.join(timeout=10)


def test_clients_never_see_server_paths(broken_server):
    url, private = broken_server
    health = httpx.get(f"{url}/api/health")
    assert health.status_code == 503 and "not an object" in health.json()["error"]
    ask = httpx.post(f"{url}/api/ask", json={"question": "How many?"})
    search = httpx.post(f"{url}/api/search", json={"query": "x"})
    documents = httpx.get(f"{url}/api/documents")
    assert ask.status_code == 200 and search.status_code == 503 and documents.status_code == 503
    chat = Client(url + "/", verbose=False, download_files=False)
    _, messages, *_ = chat.predict("How many?", [], api_name="/ask")
    listed = chat.predict(api_name="/documents")
    for text in (health.text, ask.text, search.text, documents.text, str(messages), listed):
        assert private not in text and "secret-place" not in text, text
    assert "reports-manifest.json" in ask.json()["answer"]  # the file is still named, without its folder


def test_the_next_ingest_replaces_a_damaged_manifest(tmp_path, repo_root):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(repo_root / "corpus" / "GAO-25-108043.txt", corpus)
    damage(tmp_path / "data")
    bot = Assistant(Settings(data_dir=tmp_path / "data", corpus_dir=corpus))
    assert bot.status()["available"] is False
    bot.ensure_index(upgrade=True)  # what `python -m ui` does at start
    status = bot.status()
    assert status["available"] is True and status["documents"] == 1, status
