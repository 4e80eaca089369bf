"""Which sentences an answer quotes: a sentence that introduces a list comes with the list's items."""

from __future__ import annotations

import json

from assistant.answer.selection import with_items
from assistant.sentences import units_from_hits
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
