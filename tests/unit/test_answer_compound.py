"""Compound questions: each ask gets the sentence that answers it, unless one already chosen does."""

from __future__ import annotations

import numpy as np

from assistant.answer.compound import answer_each_ask
from assistant.config import Settings
from assistant.sentences import Unit, units_from_hits
from assistant.text import STOPWORDS, stem, words
from assistant.types import Chunk, Hit

TEXT = (
    "GAO reviewed 31 ferry inspection reports from 2022 through 2024. "
    "The reports held one finding about deckhand training. "
    "Ferry operators said inspections were useful."
)


def _units() -> list[Unit]:
    chunk = Chunk("c1", TEXT, "ferry.txt", "Ferry Audit", "Findings", 0, len(TEXT), "text")
    return units_from_hits([Hit(chunk, 1.0)], lambda source: TEXT)


def _fake_support(units: list[Unit]):  # type: ignore[no-untyped-def]
    """A fake of the answerer's support score: the share of the ask's content words a unit holds."""

    def support(ask: str, vector: np.ndarray) -> np.ndarray:
        asked = {stem(w) for w in words(ask) if w not in STOPWORDS}
        return np.array([len(asked & {stem(w) for w in words(u.text)}) / len(asked) for u in units])

    return support


def _no_embedding(texts: list[str]) -> list[np.ndarray]:
    return [np.zeros(3) for _ in texts]


def test_each_ask_gets_the_sentence_that_answers_it_with_both_direct_answers() -> None:
    units = _units()
    first = next(u for u in units if u.text.startswith("GAO reviewed"))
    asks = ["How many inspection reports did GAO review", "how many findings did the reports hold?"]
    chosen, lead = answer_each_ask(asks, units, first, 0.9, Settings(), _fake_support(units), _no_embedding, {})
    assert [u.text.split()[:3] for u in chosen] == [["GAO", "reviewed", "31"], ["The", "reports", "held"]]
    assert lead == "31; one"


def test_an_ask_the_first_sentence_already_answers_adds_nothing() -> None:
    units = _units()
    first = next(u for u in units if u.text.startswith("GAO reviewed"))
    asks = ["How many inspection reports did GAO review", "from which years were the inspection reports?"]
    chosen, lead = answer_each_ask(asks, units, first, 0.9, Settings(), _fake_support(units), _no_embedding, {})
    assert chosen == [first]
    assert lead == ""  # the second ask has no direct answer (it is no yes/no or count question)
