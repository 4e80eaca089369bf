"""Which sentences an answer quotes: a sentence that introduces a list comes with the list's items; a sentence
that says again what a chosen one says is left out."""

from __future__ import annotations

import json

import numpy as np

from assistant.answer.selection import choose, novelty, with_items
from assistant.config import Settings
from assistant.sentences import Unit, units_from_hits
from assistant.types import Chunk, Hit

FIRST = "Most piers reported delays. The most common reasons piers gave included the following:"
ITEMS = "\n\nDeckhands were unwilling to work night shifts (12 piers).\n\nFuel deliveries were late (9 piers)."
TEXT = FIRST + ITEMS


def _chunk(chunk_id: str, start: int, end: int, sentences: list[tuple[int, int]]) -> Chunk:
    spans = json.dumps([[[s, e]] for s, e in sentences])
    return Chunk(chunk_id, TEXT[start:end], "piers.md", "Pier Audit", "Findings", start, end, "text", sentences=spans)


def _passages() -> list[Chunk]:
    intro_end = len(FIRST)
    first = _chunk("a", 0, intro_end, [(0, 27), (28, intro_end)])
    item1 = TEXT.index("Deckhands")
    item2 = TEXT.index("Fuel")
    second = _chunk("b", item1, len(TEXT), [(item1, TEXT.index("\n\nFuel")), (item2, len(TEXT))])
    return [first, second]


def test_an_introducing_sentence_is_quoted_with_the_items_in_the_next_passage() -> None:
    passages = _passages()
    units = units_from_hits([Hit(passages[0], 1.0)], lambda source: TEXT)
    intro = next(u for u in units if u.text.endswith("following:"))
    whole = with_items(intro, passages, lambda source: TEXT, 60)
    assert whole.text == (
        "The most common reasons piers gave included the following: Deckhands were unwilling to work night shifts "
        "(12 piers). Fuel deliveries were late (9 piers)."
    )
    assert len(whole.spans) == 3


def test_the_items_stop_at_the_word_budget_and_other_sentences_are_left_alone() -> None:
    passages = _passages()
    units = units_from_hits([Hit(passages[0], 1.0)], lambda source: TEXT)
    intro = next(u for u in units if u.text.endswith("following:"))
    assert with_items(intro, passages, lambda source: TEXT, 20).text.endswith("night shifts (12 piers).")
    plain = next(u for u in units if u.text == "Most piers reported delays.")
    assert with_items(plain, passages, lambda source: TEXT, 60) is plain


def _unit(text: str, n: int) -> Unit:
    chunk = Chunk(f"c{n}", text, "piers.md", "Pier Audit", "Findings", 100 * n, 100 * n + len(text), "text")
    return Unit(Hit(chunk, 1.0), (((100 * n, 100 * n + len(text)),),), text)


# The Highlights page and the letter of one report state the same finding (GAO-26-108534's wording, renamed).
HIGHLIGHTS = "Most piers did not meet the standard for accuracy in the quarters assessed."
LETTER = "In the quarters assessed, most piers did not meet the accuracy standard."
OTHER = "Several piers are in ports that have overlapping roles for accuracy and the standard."
FIGURE = "Forty-two piers did not meet the standard."


def test_a_sentence_repeating_a_chosen_one_adds_nothing_unless_it_states_a_new_figure() -> None:
    assert novelty(_unit(LETTER, 2), [_unit(HIGHLIGHTS, 1)]) == 0.0
    assert novelty(_unit(FIGURE, 2), [_unit(HIGHLIGHTS, 1)]) == 1.0  # "Forty-two" is said by neither
    assert novelty(_unit("Three piers did not meet the standard.", 2), [_unit(HIGHLIGHTS, 1)]) == 1.0
    # words shared with several chosen sentences, but with each only in part: new. Of its 7 content words
    # (several, piers, ports, overlapping, roles, accuracy, standard), 4 are not in the first and 4 not in the second.
    chosen = [_unit(HIGHLIGHTS, 1), _unit("Several ports have overlapping duties.", 3)]
    assert novelty(_unit(OTHER, 2), chosen) == 4 / 7


def test_the_answer_leaves_out_a_sentence_that_repeats_the_best_one() -> None:
    units = [_unit(HIGHLIGHTS, 1), _unit(LETTER, 2), _unit(FIGURE, 3)]
    settings = Settings(min_novelty=0.3, follow_ratio=0.5, abstain_threshold=0.1)
    _, chosen = choose(units, np.array([0.9, 0.85, 0.8]), 0.5, settings)
    assert [u.text for u in chosen] == [HIGHLIGHTS, FIGURE]
    _, everything = choose(units, np.array([0.9, 0.85, 0.8]), 0.5, settings.model_copy(update={"min_novelty": 0.0}))
    assert [u.text for u in everything] == [HIGHLIGHTS, LETTER, FIGURE]
