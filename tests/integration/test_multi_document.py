"""Several reports in one corpus: the GAO text file, a PDF, an HTML page and a second text report.

Real model, real Chroma in a temporary folder. The fixture reports are invented; the second text report
deliberately disagrees with the GAO table on one cell (Japan and combined operations).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.types import Reply

pytestmark = pytest.mark.integration
pytest.importorskip("fpdf", reason="fpdf2 (dev extra) builds the test PDF")

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GAO = "GAO-25-108043.txt"
PDF = "lunar-relay.pdf"
HTML = "orbital-debris.html"
ALLIED = "allied-space.txt"


def _build_pdf(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("report_pdf_fixture", FIXTURES / "report_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_report_pdf(path)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    base = tmp_path_factory.mktemp("multi")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / GAO, corpus / GAO)
    shutil.copy(FIXTURES / "multi_doc" / HTML, corpus / HTML)
    shutil.copy(FIXTURES / "multi_doc" / ALLIED, corpus / ALLIED)
    _build_pdf(corpus / PDF)
    assistant = Assistant(Settings(corpus_dir=corpus, data_dir=base / "data"))
    report = assistant.ingest(progress=False)
    assert sorted(report.files_indexed) == sorted([GAO, PDF, HTML, ALLIED]), report.skipped
    return assistant


def _cited(reply: Reply) -> set[str]:
    return {c.source for c in reply.citations}


def _check_quotes(bot: Assistant, reply: Reply) -> None:
    for c in reply.citations:
        assert bot.source_text(c.source)[c.char_start : c.char_end] == c.quote


def test_documents_listed_with_titles(bot: Assistant) -> None:
    docs = {d.source: d for d in bot.documents()}
    assert set(docs) == {GAO, PDF, HTML, ALLIED}
    assert docs[GAO].title.startswith("DOD Is Pursuing Efforts to Collaborate")
    assert docs[PDF].title == "Lunar Relay Network: Agency Should Track Ground Station Readiness"
    assert docs[PDF].pages == 3 and docs[PDF].report_number == "GAO-26-900001"
    assert docs[HTML].title == "Orbital Debris: Partners Share Tracking Data but Lack a Common Catalog"
    assert docs[HTML].date == "January 2026"
    assert docs[ALLIED].title.startswith("Allied Space Cooperation")
    assert all(d.chunks > 0 for d in docs.values())


def test_question_about_the_pdf_cites_its_page(bot: Assistant) -> None:
    reply = bot.ask("When is the first lunar relay satellite expected to launch?")
    assert not reply.abstained, reply.answer
    assert "2029" in reply.answer
    pdf_citations = [c for c in reply.citations if c.source == PDF]
    assert pdf_citations, reply.citations
    assert pdf_citations[0].page == 2 and pdf_citations[0].printed_page == "1"
    _check_quotes(bot, reply)


def test_pdf_table_question(bot: Assistant) -> None:
    reply = bot.ask("Has the Madrid ground station received new receivers?")
    assert not reply.abstained, reply.answer
    assert PDF in _cited(reply)
    assert all(c.page == 3 for c in reply.citations if c.source == PDF)
    _check_quotes(bot, reply)


def test_html_question(bot: Assistant) -> None:
    reply = bot.ask("Does Chile share telescope time for debris tracking?")
    assert not reply.abstained, reply.answer
    assert HTML in _cited(reply)
    _check_quotes(bot, reply)


def test_sources_filter_limits_search_and_answers(bot: Assistant) -> None:
    hits = bot.search("combined operations Olympic Defender", k=8, sources=[ALLIED])
    assert hits and {h.chunk.source for h in hits} == {ALLIED}
    hits = bot.search("debris catalog", k=8, sources=[HTML, PDF])
    assert hits and {h.chunk.source for h in hits} <= {HTML, PDF}
    reply = bot.ask("Which countries take part in Operation Olympic Defender?", sources=[GAO])
    assert not reply.abstained and _cited(reply) == {GAO}
    reply = bot.ask("Which countries take part in Operation Olympic Defender?", sources=[ALLIED])
    assert not reply.abstained and _cited(reply) == {ALLIED}
    reply = bot.ask("When is the first lunar relay satellite expected to launch?", sources=[HTML])
    assert PDF not in _cited(reply)


def test_question_answered_in_two_documents_cites_both(bot: Assistant) -> None:
    reply = bot.ask("How long would it take to merge the debris catalogs into a common catalog?")
    assert not reply.abstained, reply.answer
    assert {HTML, ALLIED} <= _cited(reply), (reply.answer, _cited(reply))
    _check_quotes(bot, reply)


def test_conflicting_reports_are_both_cited(bot: Assistant) -> None:
    reply = bot.ask("Does Japan take part in combined operations (OOD)?")
    assert not reply.abstained, reply.answer
    assert {GAO, ALLIED} <= _cited(reply), (reply.answer, _cited(reply))
    # both verdicts are in the answer, each attributed to its report
    assert "“No”" in reply.answer and "“Yes”" in reply.answer, reply.answer
    _check_quotes(bot, reply)
