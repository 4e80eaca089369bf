"""Shared fixtures.

Nothing here loads the embedding model unless a test asks for ``assistant_session`` (integration tests only),
so unit tests stay fast. ``assistant_session`` builds one index of the real corpus per test session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from assistant import Assistant, Reply

ROOT = Path(__file__).resolve().parents[1]
GAO_SOURCE = "GAO-25-108043.txt"

# The embedding model ships in a pip package; nothing may reach for the hub during tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def write_corpus(directory: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (name -> text or raw bytes) into ``directory`` (created if needed); returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (holds ``corpus/``)."""
    return ROOT


@pytest.fixture(scope="session")
def gao_path(repo_root: Path) -> Path:
    """The GAO report as published in the corpus."""
    return repo_root / "corpus" / GAO_SOURCE


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[..., Path]:
    """``make_corpus({"a.txt": "...", "b.bin": b"..."}, name="corpus")`` writes a small corpus under tmp_path."""

    def make(files: Mapping[str, str | bytes], name: str = "corpus") -> Path:
        return write_corpus(tmp_path / name, files)

    return make


@pytest.fixture(scope="session")
def assistant_session(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One Assistant over the real corpus, index built once in a temp data dir, shared by integration tests."""
    from assistant import Assistant, Settings

    bot = Assistant(Settings(corpus_dir=ROOT / "corpus", data_dir=tmp_path_factory.mktemp("assistant-data")))
    bot.ensure_index()
    return bot


@pytest.fixture(scope="session")
def real_reports_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One Assistant over the 28 shared real reports (``../shared/reports``), indexed once per test session."""
    from assistant import Assistant, Settings
    from evals.suites import suites

    corpus = suites()["real"].corpus
    if not corpus.is_dir():
        pytest.skip("../shared/reports is not there")
    bot = Assistant(Settings(data_dir=tmp_path_factory.mktemp("real-reports-data"), corpus_dir=corpus))
    bot.ensure_index()
    return bot


_MARKER = re.compile(r"\[(\d+)\]")


def reply_problems(bot: Assistant, reply: Reply) -> list[str]:
    """Everything wrong with a reply's citations (empty when it is sound).

    Every citation quotes its source verbatim at its offsets, numbers run 1..n, every marker in the answer
    points at a citation and every citation is referred to; an abstention has no citations and starts with
    "The report does not say"; otherwise every sentence of the answer carries a marker.
    """
    from assistant import NOT_IN_REPORT
    from assistant.text import sentence_spans

    problems = []
    corpus_dir = getattr(getattr(bot, "settings", None), "corpus_dir", None)
    for c in reply.citations:
        text = bot.source_text(c.source)
        path = Path(corpus_dir) / c.source if corpus_dir is not None else None
        if path is not None and path.suffix in (".txt", ".md") and path.is_file():
            on_disk = path.read_bytes().decode("utf-8-sig")
            if on_disk[c.char_start : c.char_end] != c.quote:
                problems.append(f"[{c.n}] the file {c.source} does not hold the quote at {c.char_start}:{c.char_end}")
        if text[c.char_start : c.char_end] != c.quote:
            problems.append(f"[{c.n}] source_text[{c.char_start}:{c.char_end}] != quote {c.quote!r}")
        if c.quote not in text:
            problems.append(f"[{c.n}] quote not verbatim in {c.source}: {c.quote!r}")
        if not c.quote.strip():
            problems.append(f"[{c.n}] empty quote")
    numbers = [c.n for c in reply.citations]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"citation numbers {numbers} are not 1..n")
    markers = {int(m) for m in _MARKER.findall(reply.answer)}
    if markers - set(numbers):
        problems.append(f"markers {sorted(markers - set(numbers))} have no citation")
    if set(numbers) - markers:
        problems.append(f"citations {sorted(set(numbers) - markers)} are never referred to")
    if reply.abstained:
        if reply.citations:
            problems.append("an abstention carries citations")
        if reply.notice not in ("empty_question", "error", "index_unavailable") and not reply.answer.startswith(
            NOT_IN_REPORT
        ):
            problems.append(f"an abstention that does not start with {NOT_IN_REPORT!r}: {reply.answer!r}")
    else:
        if not reply.citations:
            problems.append("an answer without citations")
        for s, e in sentence_spans(reply.answer):
            if not _MARKER.search(reply.answer[s:e]):
                problems.append(f"sentence without a citation marker: {reply.answer[s:e]!r}")
    return problems


@pytest.fixture(scope="session")
def check_reply() -> Callable[[Any, Any], None]:
    """``check_reply(bot, reply)`` fails the test when the reply's citations are not sound (see reply_problems)."""

    def check(bot: Any, reply: Any) -> None:
        problems = reply_problems(bot, reply)
        assert not problems, f"{reply.answer!r}: " + "; ".join(problems)

    return check
