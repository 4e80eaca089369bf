"""Fuzzing the library: corpus files of random and truncated bytes, and questions to the real Assistant."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import budget, tried
from hypothesis import given
from hypothesis import strategies as st
from strategies import file_suffix, history, text

from assistant import Document, LoadError, load_document

pytestmark = pytest.mark.fuzz
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def _report_pdf_bytes(directory: Path) -> bytes:
    spec = importlib.util.spec_from_file_location("report_pdf_fixture", FIXTURES / "report_pdf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_report_pdf(directory / "lunar.pdf").read_bytes()


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, bytes]:
    """Whole files of every format (our fixtures and the seed report), to be truncated and corrupted."""
    files = {p.name: p.read_bytes() for p in [*FIXTURES.glob("*/*.md"), *FIXTURES.glob("multi_doc/*")]}
    files["lunar.pdf"] = _report_pdf_bytes(tmp_path_factory.mktemp("pdf"))
    files["GAO-25-108043.txt"] = (ROOT / "corpus" / "GAO-25-108043.txt").read_bytes()[:200_000]
    return files


def load_outcome(path: Path) -> str:
    """Loading any file gives a Document or a LoadError with a reason, never another exception."""
    try:
        document = load_document(path)
    except LoadError as exc:
        assert str(exc).strip(), "a LoadError must say why"
        return "skipped"
    assert isinstance(document, Document) and document.blocks
    return "loaded"


@budget(300)
@given(content=st.binary(max_size=5000), suffix=file_suffix)
def test_fuzz_random_bytes_as_corpus_files(tmp_path_factory, content, suffix):
    tried("corpus files")
    path = tmp_path_factory.mktemp("random") / f"file{suffix}"
    path.write_bytes(content)
    load_outcome(path)


@budget(300)
@given(data=st.data())
def test_fuzz_truncated_and_corrupted_real_files(tmp_path_factory, real_files, data):
    tried("corpus files")
    name = data.draw(st.sampled_from(sorted(real_files)))
    content = real_files[name]
    cut = data.draw(st.integers(0, len(content)))
    content = content[:cut]
    if content and data.draw(st.booleans()):  # flip some bytes as well
        for position in data.draw(st.lists(st.integers(0, len(content) - 1), max_size=8)):
            content = content[:position] + bytes([content[position] ^ 0xFF]) + content[position + 1 :]
    path = tmp_path_factory.mktemp("truncated") / name
    path.write_bytes(content)
    load_outcome(path)


@pytest.mark.integration
@budget(150)
@given(question=text, turns=history)
def test_fuzz_the_real_assistant_answers_or_abstains_soundly(assistant_session, check_reply, question, turns):
    tried("real assistant questions")
    history_ok = [m for m in turns if isinstance(m, dict) and isinstance(m.get("content"), str)]
    reply = assistant_session.ask(question, history_ok)  # documented as never raising
    check_reply(assistant_session, reply)
