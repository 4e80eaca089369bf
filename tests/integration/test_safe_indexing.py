"""Safe indexing, for real: ``assistant ingest`` SIGKILLed at many points, two writers, another model.

Real model, real (embedded) Chroma, real child processes. Killing uses the crash-test hook of
``assistant.store`` (``ASSISTANT_TEST_INGEST_HOLD``): the child announces a named point and sleeps there,
or (``trace``) announces every point and carries on, to be killed a moment later in the middle of work.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chroma_server
import pytest

from assistant import Assistant, Embedder, Index, IndexLocked, IndexMismatch, Settings, load_embedder
from assistant.embeddings import resolve_model_path
from assistant.store import TEST_HOLD_ENV, EmbeddedStore, file_lock

pytestmark = pytest.mark.integration


H = chroma_server  # shared helpers: a real `chroma run`, child processes, report-like corpora
REVISED = "report-03.txt"  # changed between v1 and v2 of the corpus
ADDED = "report-10.txt"  # only in v2
REMOVED = "report-09.txt"  # only in v1
Q_UNCHANGED = "How much did the Harbor Safety Bureau spend on dredging in fiscal year 2024?"
Q_REVISED = "How much did the Wildfire Aviation Service spend on tanker leases in fiscal year 2024?"
OLD_AMOUNT, NEW_AMOUNT = "$31 million", "$131 million"  # report_text(3, 1) and report_text(3, 2)


@dataclass
class Seed:
    """A complete v1 index (copied for each crash) and the v2 corpus the crashed ingests were building."""

    data: Path
    corpus_v2: Path
    generation: str
    v1_sources: set[str]
    v2_sources: set[str]
    work: Path


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return load_embedder(Settings())


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Seed:
    work = tmp_path_factory.mktemp("safe")
    corpus_v1 = H.write_corpus(work / "corpus-v1", 10)
    corpus_v2 = H.write_corpus(work / "corpus-v2", 11, revisions={3: 2})
    (corpus_v2 / REMOVED).unlink()
    index = Index(Settings(corpus_dir=corpus_v1, data_dir=work / "seed"), embedder=embedder)
    report = index.ingest(progress=False)
    assert report.ok and len(report.files_indexed) == 10
    manifest = index.manifest()
    assert manifest is not None
    index.store.release(manifest["generation"])
    return Seed(
        data=work / "seed",
        corpus_v2=corpus_v2,
        generation=manifest["generation"],
        v1_sources={p.name for p in corpus_v1.iterdir()},
        v2_sources={p.name for p in corpus_v2.iterdir()},
        work=work,
    )


def _copy_seed(seed: Seed, name: str) -> Path:
    data = seed.work / name
    shutil.copytree(seed.data, data)
    return data


def _assistant(corpus: Path, data: Path, embedder: Embedder, **settings: object) -> Assistant:
    config = Settings(corpus_dir=corpus, data_dir=data, **settings)  # type: ignore[arg-type]
    return Assistant(config, index=Index(config, embedder=embedder))


def _answers_with_citations(bot: Assistant, question: str, source: str) -> str:
    reply = bot.ask(question)
    assert not reply.abstained and reply.notice == "", reply.answer
    assert reply.citations and {c.source for c in reply.citations} == {source}, reply.answer
    for c in reply.citations:
        assert bot.source_text(c.source)[c.char_start : c.char_end] == c.quote
    return reply.answer


# A crash before the manifest switch leaves v1 live; after it, v2. "timed-*" kills land mid-work.
HELD_BEFORE = ["locked", "generation-created", "copied", "document-added", "manifest-temp"]
HELD_AFTER = ["switched"]
TIMED = {"timed-embedding": ("copied", 0.0), "timed-adding": ("document-added", 0.15)}


def test_ingest_killed_at_any_point_keeps_the_previous_index_and_the_next_run_repairs(
    seed: Seed, embedder: Embedder
) -> None:
    cases = [*HELD_BEFORE, *HELD_AFTER, *TIMED]
    timings: dict[str, float] = {}
    errors: list[BaseException] = []

    def kill_when_there(case: str, hold: str, child: Any) -> None:
        try:
            child.wait_for(f"ingest-point {hold} ", timeout=240)
            if case in TIMED:
                time.sleep(TIMED[case][1])  # the child carries on working meanwhile
            elif case == "document-added":
                # An ingest is half-way through: the live (old) index answers meanwhile, in another process.
                bot = _assistant(seed.corpus_v2, seed.work / case, embedder)
                assert OLD_AMOUNT in _answers_with_citations(bot, Q_REVISED, REVISED)
            elif case == "locked":
                # It holds the writer lock: a second writer fails fast and names it.
                settings = Settings(corpus_dir=seed.corpus_v2, data_dir=seed.work / case, lock_timeout=2.0)
                started = time.monotonic()
                with pytest.raises(IndexLocked, match=f"pid {child.proc.pid} "):
                    Index(settings, embedder=embedder).ingest(progress=False)
                timings["second writer (in-process), s"] = time.monotonic() - started
                assert timings["second writer (in-process), s"] < settings.lock_timeout + 2.0
        except BaseException as exc:
            errors.append(exc)
        finally:
            child.kill()

    with H.processes() as procs:
        watchers = []
        for case in cases:
            hold = TIMED[case][0] if case in TIMED else case
            env = H.cli_env(corpus_dir=seed.corpus_v2, data_dir=_copy_seed(seed, case), lock_timeout="30")
            env[TEST_HOLD_ENV] = "trace" if case in TIMED else hold
            child = procs.cli("ingest", env=env, cwd=seed.work)
            watchers.append(threading.Thread(target=kill_when_there, args=(case, hold, child)))
        for watcher in watchers:
            watcher.start()
        for watcher in watchers:
            watcher.join()
    if errors:
        raise errors[0]

    outcomes: dict[str, str] = {}
    for case in cases:
        data = seed.work / case
        store = EmbeddedStore(Settings(data_dir=data))
        if case not in ("locked", *TIMED):  # the crash left a second generation (unfinished, or the old one)
            assert len(store.generations()) == 2, case
        bot = _assistant(seed.corpus_v2, data, embedder)
        manifest = bot.index.manifest()
        assert manifest is not None
        switched = manifest["generation"] != seed.generation
        if case in HELD_BEFORE:
            assert not switched, case
        if case in HELD_AFTER:
            assert switched, case
        # Whichever generation is live is complete and answers with citations.
        expected = NEW_AMOUNT if switched else OLD_AMOUNT
        assert set(manifest["documents"]) == (seed.v2_sources if switched else seed.v1_sources), case
        assert expected in _answers_with_citations(bot, Q_REVISED, REVISED), case
        if case == "manifest-temp":
            assert "$10 million" in _answers_with_citations(bot, Q_UNCHANGED, "report-00.txt")

        # The next ingest completes (incrementally) and removes the leftovers.
        started = time.monotonic()
        report = bot.ingest(progress=False)
        timings[f"next ingest after kill at {case}, s"] = time.monotonic() - started
        outcomes[case] = "new index live" if switched else "old index live"
        if switched:
            assert report.files_indexed == [] and report.files_removed == [], case
        else:
            assert sorted(report.files_indexed) == [REVISED, ADDED] and report.files_removed == [REMOVED], case
            assert len(report.files_unchanged) == 8, case
        live = bot.index.manifest()
        assert live is not None
        assert store.generations() == [live["generation"]], case
        assert not list((data / "index").glob(".*.tmp")), case
        assert NEW_AMOUNT in _answers_with_citations(bot, Q_REVISED, REVISED), case
        bot.index.store.release(live["generation"])
    print("\n" + "\n".join(f"{k}: {v:.2f}" for k, v in timings.items()))
    print("after the kill: " + ", ".join(f"{k}: {v}" for k, v in outcomes.items()))


def test_a_second_ingest_process_fails_fast_naming_the_holder(seed: Seed) -> None:
    data = _copy_seed(seed, "two-writers")
    with H.processes() as procs:
        env = H.cli_env(corpus_dir=seed.corpus_v2, data_dir=data)
        holder = procs.cli("ingest", env={**env, TEST_HOLD_ENV: "locked"}, cwd=seed.work)
        holder.wait_for("ingest-point locked ", timeout=240)
        second = procs.cli("ingest", env=env, cwd=seed.work)
        code = second.finish(timeout=120)
        elapsed = time.monotonic() - second.started
        holder.kill()
    assert code == 2, second.output
    assert f"being written by pid {holder.proc.pid} on " in second.output
    assert "Traceback" not in second.output
    print(f"\nsecond `assistant ingest` exited {code} after {elapsed:.1f} s (startup + 3 s lock wait)")
    # The lock dies with its holder: the next writer gets it at once.
    started = time.monotonic()
    with file_lock(Settings(data_dir=data, lock_timeout=0.0)):
        pass
    assert time.monotonic() - started < 0.5


def _tweaked_model(src: Path, dest: Path) -> Path:
    """A copy of the model with slightly different weights, as a fine-tuned model would have."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(src, dest)
    tensors = load_file(str(dest / "model.safetensors"))
    name = next(n for n in tensors if n.endswith("LayerNorm.weight"))
    tensors[name] = tensors[name] * 1.01
    save_file(tensors, str(dest / "model.safetensors"), metadata={"format": "pt"})
    return dest


def test_another_embedding_model_needs_rebuild_but_a_copy_of_the_same_model_does_not(
    seed: Seed, embedder: Embedder
) -> None:
    data = _copy_seed(seed, "models")
    corpus = seed.work / "corpus-v1-models"
    H.write_corpus(corpus, 10)
    bundled = Path(resolve_model_path(Settings().embedding_model))
    copy = seed.work / "minilm-copy"
    shutil.copytree(bundled, copy)
    tweaked = _tweaked_model(bundled, seed.work / "minilm-tweaked")

    with H.processes() as procs:
        env = H.cli_env(corpus_dir=corpus, data_dir=data, embedding_model=tweaked, lock_timeout="60")
        cli_ask = procs.cli("ask", Q_UNCHANGED, env=env, cwd=seed.work)
        cli_ingest = procs.cli("ingest", env=env, cwd=seed.work)

        # Decision: the model is its weights. A copy of the same folder under another name is the same model.
        same = Assistant(Settings(corpus_dir=corpus, data_dir=data, embedding_model=str(copy)))
        assert same.status()["available"]
        assert "$10 million" in _answers_with_citations(same, Q_UNCHANGED, "report-00.txt")

        # Other weights: refused everywhere, with the fix in the message, and nothing is mixed.
        other = Assistant(Settings(corpus_dir=corpus, data_dir=data, embedding_model=str(tweaked), lock_timeout=60))
        reply = other.ask(Q_UNCHANGED)
        assert reply.notice == "index_unavailable" and not reply.citations
        assert "assistant ingest --rebuild" in reply.answer
        status = other.status()
        assert not status["available"] and "--rebuild" in status["error"]
        with pytest.raises(IndexMismatch, match="--rebuild"):
            other.ingest(progress=False)

        assert cli_ask.finish(timeout=180) == 2, cli_ask.output
        assert cli_ingest.finish(timeout=180) == 2, cli_ingest.output
        for child in (cli_ask, cli_ingest):
            assert "assistant ingest --rebuild" in child.output and "Traceback" not in child.output

    # --rebuild re-embeds everything with the configured model; then the bundled one is the stranger.
    report = other.ingest(rebuild=True, progress=False)
    assert len(report.files_indexed) == 10 and report.files_unchanged == []
    manifest = other.index.manifest()
    assert manifest is not None and manifest["embedding_model"] == str(tweaked)
    assert manifest["embedding_weights_sha256"] != embedder.weights_hash
    assert "$10 million" in _answers_with_citations(other, Q_UNCHANGED, "report-00.txt")
    assert _assistant(corpus, data, embedder).ask(Q_UNCHANGED).notice == "index_unavailable"
    assert EmbeddedStore(Settings(data_dir=data)).generations() == [manifest["generation"]]


def test_manifest_records_model_chunker_and_document_hashes(seed: Seed, embedder: Embedder) -> None:
    from assistant.chunking import CHUNKER_VERSION
    from assistant.ingest import sha256_bytes

    manifest = EmbeddedStore(Settings(data_dir=seed.data)).read_manifest()
    assert manifest is not None
    assert manifest["embedding_model"] == Settings().embedding_model
    assert manifest["embedding_weights_sha256"] == embedder.weights_hash
    assert manifest["embedding_dimension"] == 384 and manifest["chunker_version"] == CHUNKER_VERSION
    corpus_v1 = seed.work / "corpus-v1"
    assert manifest["documents"] == {p.name: sha256_bytes(p.read_bytes()) for p in sorted(corpus_v1.iterdir())}


def test_an_index_of_an_older_chunker_is_rebuilt_by_the_next_ingest(seed: Seed, embedder: Embedder) -> None:
    from assistant.chunking import CHUNKER_VERSION

    data = _copy_seed(seed, "old-chunker")
    store = EmbeddedStore(Settings(data_dir=data))
    manifest = store.read_manifest()
    assert manifest is not None
    store.write_manifest({**manifest, "chunker_version": "0"})  # as if an older release had built it
    bot = _assistant(seed.work / "corpus-v1", data, embedder)
    assert bot.ask(Q_UNCHANGED).notice == "index_unavailable"  # readers never use chunks of another chunker
    bot.ensure_index()  # per question: cheap, no manifest read, so no rebuild
    assert store.read_manifest() == {**manifest, "chunker_version": "0"}
    bot.ensure_index(upgrade=True)  # what `make run` does at start: the same model, so it rebuilds unasked
    rebuilt = store.read_manifest()
    assert rebuilt is not None and rebuilt["chunker_version"] == CHUNKER_VERSION
    assert rebuilt["generation"] != manifest["generation"]
    assert rebuilt["documents"] == manifest["documents"]
    assert "$10 million" in _answers_with_citations(bot, Q_UNCHANGED, "report-00.txt")
