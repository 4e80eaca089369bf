"""Server mode, for real: ``ASSISTANT_CHROMA_URL`` pointing at a ``chroma run`` on a loopback port.

Covers ingest/ask/search against the server, the server going away and coming back (the same Assistant
recovers), two app processes sharing the server while a third ingests, and the writer lease that keeps
writers on different hosts (here: different data dirs, so the local file lock does not apply) apart.
Each test uses its own collection base name, so the tests share one server without sharing an index.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chroma_server
import pytest

from assistant import Assistant, Embedder, Index, IndexLocked, IndexUnavailable, Settings, load_embedder
from assistant.store import TEST_HOLD_ENV
from assistant.store_server import ServerStore, _http_client

pytestmark = pytest.mark.integration


H = chroma_server  # shared helpers: a real `chroma run`, child processes, report-like corpora
Q_DREDGING = "How much did the Harbor Safety Bureau spend on dredging in fiscal year 2024?"
Q_REVISED = "How much did the Wildfire Aviation Service spend on tanker leases in fiscal year 2024?"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return load_embedder(Settings())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with H.ChromaServer(tmp_path_factory.mktemp("chroma") / "data") as running:
        yield running


@pytest.fixture
def work(tmp_path: Path) -> Path:
    H.write_corpus(tmp_path / "corpus", 6)
    return tmp_path


def _settings(server: Any, work: Path, base: str, data: str = "app", **more: Any) -> Settings:
    return Settings(corpus_dir=work / "corpus", data_dir=work / data, chroma_url=server.url, collection=base, **more)


def _collections(server: Any) -> set[str]:
    return {c.name for c in _http_client(server.url).list_collections()}


def _cited(reply: Any) -> set[str]:
    return {c.source for c in reply.citations}


def test_ingest_ask_and_search_against_a_chroma_server(server: Any, work: Path, embedder: Embedder) -> None:
    settings = _settings(server, work, "basic")
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    report = bot.ingest(progress=False)
    assert report.ok and len(report.files_indexed) == 6

    reply = bot.ask(Q_DREDGING)
    assert "$10 million" in reply.answer and _cited(reply) == {"report-00.txt"}
    hits = bot.search("tanker leases wildfire aviation", k=3)
    assert len(hits) == 3 and hits[0].chunk.source == "report-03.txt"
    status = bot.status()
    assert status["available"] and status["store"] == "server" and status["documents"] == 6

    # Everything lives in the server: one generation, the manifest, no lease left; nothing indexed locally.
    manifest = bot.index.manifest()
    assert manifest is not None
    generation = manifest["generation"]
    assert {n for n in _collections(server) if n.startswith("basic-")} == {
        "basic-meta",
        f"{generation}-chunks",
        f"{generation}-docs",
        f"{generation}-sentences",  # sentence vectors precomputed at ingest
    }
    assert not (settings.data_dir / "index").exists()

    # Incremental: nothing changed, nothing re-embedded; a change makes a new generation and drops the old.
    assert bot.ingest(progress=False).files_unchanged == [f"report-{i:02d}.txt" for i in range(6)]
    H.write_corpus(work / "corpus", 6, revisions={3: 2})
    report = bot.ingest(progress=False)
    assert report.files_indexed == ["report-03.txt"] and len(report.files_unchanged) == 5
    assert "$131 million" in bot.ask(Q_REVISED).answer
    assert not {f"{generation}-{kind}" for kind in ("chunks", "docs", "sentences")} & set(_collections(server))

    # The 2 s manifest poll reads a few bytes (the generation name), not the whole manifest.
    store = bot.index.store
    started = time.perf_counter()
    for _ in range(20):
        store.read_manifest()
    print(f"\nmanifest poll against the server: {(time.perf_counter() - started) / 20 * 1000:.1f} ms")


def test_server_stopped_then_restarted(server: Any, work: Path, embedder: Embedder) -> None:
    settings = _settings(server, work, "restart")
    bot = Assistant(settings, index=Index(settings, embedder=embedder))
    bot.ingest(progress=False)
    assert _cited(bot.ask(Q_DREDGING)) == {"report-00.txt"}

    server.stop()
    try:
        with H.processes() as procs:
            cli = procs.cli("ask", Q_DREDGING, env=H.cli_env(**_cli_settings(settings)), cwd=work)
            reply = bot.ask(Q_DREDGING)
            assert reply.notice == "index_unavailable" and reply.abstained and not reply.citations
            assert "index is unavailable" in reply.answer and server.url in reply.answer
            status = bot.status()
            assert status["available"] is False and "unavailable" in status["error"]
            with pytest.raises(IndexUnavailable):
                bot.search("dredging")
            code = cli.finish(timeout=120)
        assert code == 2, cli.output
        assert "index is unavailable" in cli.output and "Traceback" not in cli.output
    finally:
        server.start()

    # The same Assistant object recovers by itself.
    deadline = time.monotonic() + 30
    while True:
        reply = bot.ask(Q_DREDGING)
        if reply.citations or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert _cited(reply) == {"report-00.txt"} and "$10 million" in reply.answer, reply.answer
    assert bot.status()["available"]


def _cli_settings(settings: Settings) -> dict[str, Any]:
    return {
        "corpus_dir": settings.corpus_dir,
        "data_dir": settings.data_dir,
        "chroma_url": settings.chroma_url,
        "collection": settings.collection,
    }


# An app process: ask the revised question (saying "ready" after the first answer) until the answer changes.
APP = """
import json, sys, time
from assistant import Assistant, Settings
bot = Assistant(Settings())
question = sys.argv[1]
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    reply = bot.ask(question)
    print(json.dumps({"answer": reply.answer, "sources": [c.source for c in reply.citations],
                      "notice": reply.notice}), flush=True)
    print("ready", flush=True)
    if "$131 million" in reply.answer:
        break
    time.sleep(0.2)
"""


def test_two_app_processes_share_the_server_while_a_third_ingests(server: Any, work: Path, embedder: Embedder) -> None:
    writer = _settings(server, work, "shared", data="writer")
    index = Index(writer, embedder=embedder)
    index.ingest(progress=False)
    with H.processes() as procs:
        apps = [
            procs.start(
                [sys.executable, "-c", APP, Q_REVISED],
                H.cli_env(**{**_cli_settings(writer), "data_dir": work / f"app{i}"}),
                work,
            )
            for i in (1, 2)
        ]
        for app in apps:
            app.wait_for_stdout("ready", timeout=240)
        H.write_corpus(work / "corpus", 6, revisions={3: 2})
        report = index.ingest(progress=False)  # while both apps keep answering
        assert report.files_indexed == ["report-03.txt"]
        codes = [app.finish(timeout=120) for app in apps]
    for app, code in zip(apps, codes, strict=True):
        assert code == 0, app.output
        replies = [json.loads(line) for line in app.out if line.startswith("{")]
        assert replies and "$131 million" in replies[-1]["answer"], app.output
        assert "$31 million" in replies[0]["answer"], app.output  # its first answer came before the ingest
        for reply in replies:  # every answer during the switch is whole and cited: old or new, never an error
            assert reply["notice"] == "" and reply["sources"] == ["report-03.txt"], reply
            assert "$31 million" in reply["answer"] or "$131 million" in reply["answer"], reply


def test_writer_lease_excludes_writers_on_other_hosts_and_dies_with_its_holder(
    server: Any, work: Path, embedder: Embedder
) -> None:
    first = _settings(server, work, "lease", data="host-a")
    Index(first, embedder=embedder).ingest(progress=False)
    H.write_corpus(work / "corpus", 7, revisions={3: 2})
    second = _settings(server, work, "lease", data="host-b", lock_timeout=2.0)
    with H.processes() as procs:
        env = H.cli_env(**_cli_settings(first))
        holder = procs.cli("ingest", env={**env, TEST_HOLD_ENV: "document-added"}, cwd=work)
        holder.wait_for("ingest-point document-added ", timeout=240)
        started = time.monotonic()
        with pytest.raises(IndexLocked, match=f"pid {holder.proc.pid} on .*lease"):
            Index(second, embedder=embedder).ingest(progress=False)
        locked_after = time.monotonic() - started
        assert locked_after < second.lock_timeout + 2.0
        # Readers are not blocked by a writer.
        reader = Assistant(second, index=Index(second, embedder=embedder))
        assert "$31 million" in reader.ask(Q_REVISED).answer
        holder.kill()  # SIGKILL mid-build: a half-written generation and a lease nobody renews

    assert len(ServerStore(first).generations()) == 2
    started = time.monotonic()
    report = Index(second, embedder=embedder).ingest(progress=False)  # takes over the dead holder's lease
    took_over_after = time.monotonic() - started
    assert sorted(report.files_indexed) == ["report-03.txt", "report-06.txt"]
    manifest = Index(second, embedder=embedder).manifest()
    assert manifest is not None
    assert ServerStore(second).generations() == [manifest["generation"]]
    assert "lease-writer" not in _collections(server)
    assert "$131 million" in reader.ask(Q_REVISED).answer
    print(f"\nsecond writer refused after {locked_after:.2f} s; next ingest after SIGKILL took {took_over_after:.2f} s")
