"""Many reports: questions that name a report are answered from it, summaries come from its Highlights page,
follow-ups stay with the report the conversation is about, and a question the reports do not answer is declined.

Real model, real Chroma in tmp_path, three small invented Markdown reports in the converted-report layout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import Assistant, Reply, Settings

pytestmark = pytest.mark.integration

FERRIES = """# Harbor Ferries: Crew Shortages Delay Night Crossings

**Report:** GAO-31-900101 | **Published:** 2031-04-02 | **Source:** [U.S. Government Accountability Office](https://example.org)

---

## Highlights

### What GAO Found

The Harbor Ferry Authority ran night crossings with short crews in 2030, and crew shortages delayed 41 crossings.
The authority does not track how many deckhands it needs for each route.

The authority began a hiring drive in January 2031 but has not set targets for it.

### Why GAO Did This Study

Lawmakers asked GAO to review staffing of night ferry crossings.

### What GAO Recommends

GAO recommends that the Harbor Ferry Authority set deckhand staffing targets for each route. The authority agreed.

For more information, contact Dana Q. Marsh at marshd@example.org.

---

## Letter

Night ferries carry about 9,000 riders each week across the harbor. Each ferry needs four deckhands to sail.

In 2030, the authority employed 62 deckhands, 18 fewer than its routes required.
"""

ORCHARDS = """# Orchard Grants: Better Data Needed on Pollinator Loss

**Report:** GAO-31-900202 | **Published:** 2031-05-14 | **Source:** [U.S. Government Accountability Office](https://example.org)

---

## Highlights

### What GAO Found

The orchard grant program funded pollinator habitat on 310 farms, but data on bee colony loss are incomplete.
Grantees report colony counts in different ways, so the program cannot compare results across farms.

### What GAO Recommends

GAO recommends that the program define one way to count bee colonies. The program agreed.

---

## Letter

The orchard grant program awarded $12 million in fiscal year 2030 to growers in nine states.

Grantees planted wildflower strips between orchard rows to feed pollinators.
"""

BRIDGES = """# Bridge Inspections: Agency Should Track Corrosion Repairs

**Report:** GAO-31-900303 | **Published:** 2031-06-20 | **Source:** [U.S. Government Accountability Office](https://example.org)

---

## Letter

Inspectors found corrosion on 140 steel bridges in 2030, and the agency does not track whether repairs were made.
The agency relies on states to report repairs, and most states report them only once a year.

The agency agreed to build a repair tracking system by 2032.
"""


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    base: Path = tmp_path_factory.mktemp("routing")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in (("ferries.md", FERRIES), ("orchards.md", ORCHARDS), ("bridges.md", BRIDGES)):
        (corpus / name).write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(corpus_dir=corpus, data_dir=base / "data"))
    report = assistant.ingest(progress=False)
    assert sorted(report.files_indexed) == ["bridges.md", "ferries.md", "orchards.md"], report.skipped
    return assistant


def _sources(reply: Reply) -> set[str]:
    return {c.source for c in reply.citations}


def _verbatim(bot: Assistant, reply: Reply) -> None:
    for c in reply.citations:
        assert bot.source_text(c.source)[c.char_start : c.char_end] == c.quote


def test_a_question_naming_a_report_number_is_answered_from_it(bot: Assistant) -> None:
    reply = bot.ask("In GAO-31-900202, how much did the program award in fiscal year 2030?")
    assert not reply.abstained, reply.answer
    assert _sources(reply) == {"orchards.md"}
    assert reply.answer.startswith("In GAO-31-900202")
    assert "$12 million" in reply.answer
    _verbatim(bot, reply)


def test_a_question_naming_a_report_by_its_topic_is_answered_from_it(bot: Assistant) -> None:
    reply = bot.ask("In the report on night ferry crossings, how many deckhands did the authority employ in 2030?")
    assert not reply.abstained, reply.answer
    assert _sources(reply) == {"ferries.md"} and "62" in reply.answer


def test_summary_comes_from_the_highlights_page(bot: Assistant) -> None:
    reply = bot.ask("Summarize GAO-31-900101.")
    assert not reply.abstained, reply.answer
    assert _sources(reply) == {"ferries.md"}
    assert "crew shortages delayed 41 crossings" in reply.answer
    assert "staffing targets" in reply.answer  # what GAO recommends
    assert "9,000 riders" not in reply.answer  # the letter's detail is not the summary
    assert len(reply.answer.split()) <= 130
    _verbatim(bot, reply)


def test_summary_of_a_report_without_highlights_uses_its_opening(bot: Assistant) -> None:
    reply = bot.ask("What are the key findings of GAO-31-900303?")
    assert not reply.abstained, reply.answer
    assert _sources(reply) == {"bridges.md"} and "140 steel bridges" in reply.answer


def test_metadata_of_the_named_report(bot: Assistant) -> None:
    reply = bot.ask("When was GAO-31-900202 published?")
    assert not reply.abstained and "May 14, 2031" in reply.answer and _sources(reply) == {"orchards.md"}
    reply = bot.ask("Who is the GAO contact for GAO-31-900101?")
    assert not reply.abstained and "Dana Q. Marsh" in reply.answer


def test_the_report_in_a_follow_up_is_the_one_the_conversation_is_about(bot: Assistant) -> None:
    first = bot.ask("In GAO-31-900202, what did grantees plant between orchard rows?")
    assert _sources(first) == {"orchards.md"}, first.answer
    history = [
        {"role": "user", "content": "In GAO-31-900202, what did grantees plant between orchard rows?"},
        {"role": "assistant", "content": first.answer},
    ]
    reply = bot.ask("What does the report recommend?", history=history)
    assert not reply.abstained, reply.answer
    assert _sources(reply) == {"orchards.md"} and "count bee colonies" in reply.answer


def test_a_question_the_reports_do_not_answer_is_declined(bot: Assistant) -> None:
    reply = bot.ask("In GAO-31-900101, how much did the authority pay Zephyr Marine for ferry repairs in 2029?")
    assert reply.abstained, reply.answer
    assert not reply.citations
