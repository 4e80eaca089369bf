"""Questions asking for an amount are answered with the sentence that states it, once the evidence is judged to
answer; the judgement itself does not change (real model, real Chroma, an invented report)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings

pytestmark = pytest.mark.integration

REPORT = """# Ferry Service: The Harbor Authority Needs Better Data on Night Crossings

## What We Found

The Harbor Ferry Authority has spent heavily on repairing its night boats over the past decade, and officials
told us that the repairs of the night boats were the authority's largest expense in recent years.
Repairs of the night boats cost the authority $4.2 million from 2019 through 2023.
The authority runs nine routes and employs 14 deckhands on the night crossings.
Officials said that crossings were delayed on most winter nights because of ice.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("values")
    (root / "corpus").mkdir()
    (root / "corpus" / "ferry.md").write_text(REPORT, encoding="utf-8")
    return root


def bot_with(corpus: Path, value_bonus: float) -> Assistant:
    bot = Assistant(Settings(corpus_dir=corpus / "corpus", data_dir=corpus / "data", value_bonus=value_bonus))
    bot.ensure_index()
    return bot


def test_a_how_much_question_quotes_the_sentence_with_the_amount_first(corpus: Path) -> None:
    question = "How much did the Harbor Ferry Authority spend on repairing its night boats?"
    plain = bot_with(corpus, 0.0).ask(question)
    assert not plain.abstained
    assert "$4.2 million" not in plain.citations[0].quote  # the closest sentence in meaning states no amount
    preferring = bot_with(corpus, 1.0).ask(question)
    assert "$4.2 million" in preferring.citations[0].quote
    # the preference comes after the decision that the evidence answers: that decision is the same
    decided, decided_plain = preferring.trace["answer"], plain.trace["answer"]
    assert decided["features"] == decided_plain["features"]
    assert decided["probability"] == decided_plain["probability"]


def test_the_preference_does_not_make_an_unanswered_amount_answered(corpus: Path) -> None:
    question = "How much did the Harbor Ferry Authority pay its deckhands on the night crossings?"
    assert bot_with(corpus, 0.0).ask(question).abstained
    assert bot_with(corpus, 1.0).ask(question).abstained
