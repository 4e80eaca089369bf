"""Which of the scored sentences make the answer: the best, and those that score nearly as well."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from assistant.config import Settings
from assistant.ingest.reflow import Sentence, reading_text
from assistant.sentences import SPELLED_NUMBER, Unit
from assistant.text import content_stems, words
from assistant.types import Chunk


def choose(units: list[Unit], scores: np.ndarray, ratio: float, settings: Settings) -> tuple[list[int], list[Unit]]:
    """The units by score, and the answer's units: the best, and those within ``ratio`` of it and above
    ``settings.abstain_threshold`` (a sentence and its continuation replace the sentence alone), up to
    ``settings.max_answer_sentences`` sentences and ``settings.max_answer_words`` words."""
    order = [int(i) for i in np.argsort(-scores)]
    best = scores[order[0]]
    chosen: list[Unit] = []
    covered: set[tuple[str, Sentence]] = set()
    for i in order:
        unit = units[i]
        if chosen and scores[i] < max(settings.abstain_threshold, ratio * best):
            break
        keys = {(unit.hit.chunk.source, span) for span in unit.spans}
        extended = [u for u in chosen if {(u.hit.chunk.source, sp) for sp in u.spans} < keys]
        if extended and len(keys - covered) == len(keys) - len(extended[0].spans):
            # the same sentence plus the one that continues it ("... This has resulted in ...")
            chosen[chosen.index(extended[0])] = unit
            covered |= keys
            continue
        if keys & covered:
            continue
        if sum(len(u.spans) for u in chosen) + len(unit.spans) > settings.max_answer_sentences:
            break
        if chosen and over_budget(chosen, unit, settings.max_answer_words):
            continue  # a shorter one further down may still fit
        if chosen and novelty(unit, chosen) < settings.min_novelty:
            continue  # says again what the answer says (the Highlights page and the letter repeat each other)
        chosen.append(unit)
        covered |= keys
    return order, chosen


_FIGURE = re.compile(rf"\w*\d\w*|{SPELLED_NUMBER}", re.IGNORECASE)  # "2,200", "fy2024", "forty-two"


def novelty(unit: Unit, chosen: list[Unit]) -> float:
    """How much ``unit`` adds to the most similar of ``chosen``: the share of its content words (stems) that
    sentence lacks; 1.0 when it states a figure ("Forty-two agencies ...", "19 percent") that none of them
    does, since a figure is what most questions ask. Each chosen sentence on its own: a sentence made of words
    from several of them still says something new ("... have overlapping roles and responsibilities")."""
    own = set(content_stems(unit.text))
    if not own:
        return 0.0
    figures = {w for w in words(unit.text) if _FIGURE.fullmatch(w)}  # words, not stems ("three" -> "thre")
    if figures - {w for u in chosen for w in words(u.text)}:
        return 1.0
    return min(len(own - set(content_stems(u.text))) / len(own) for u in chosen)


def over_budget(chosen: list[Unit], unit: Unit, budget: int) -> bool:
    """Whether adding ``unit`` would take the answer past ``budget`` words (0: no budget)."""
    return bool(budget) and sum(len(u.text.split()) for u in [*chosen, unit]) > budget


def conversation_shift(units: list[Unit], previous_answer: str, settings: Settings) -> np.ndarray:
    """Favour the sentence that follows what the last answer quoted; disfavour quoting it again."""
    said = " ".join(previous_answer.split())
    quoted = {(u.hit.chunk.source, u.spans[0]) for u in units if len(u.spans) == 1 and u.text in said}
    following = set()
    for source, sentence in quoted:
        chunk = next(u.hit.chunk for u in units if u.hit.chunk.source == source and u.spans[0] == sentence)
        spans = chunk.sentence_spans()
        following |= {(source, sp) for sp, prev in zip(spans[1:], spans, strict=False) if prev == sentence}
    shift = []
    for u in units:
        keys = {(u.hit.chunk.source, sp) for sp in u.spans}
        value = settings.follows_bonus if keys & following else 0.0
        shift.append(value - settings.repeat_penalty if keys <= quoted else value)
    return np.array(shift)


def with_items(unit: Unit, passages: list[Chunk], source_text: Callable[[str], str], budget: int) -> Unit:
    """A sentence that introduces what follows ("The most common reasons included the following:") with the
    sentences that follow it (the items; in its passage or the next ones of ``passages``, its document's
    passages in reading order), while the whole stays within ``budget`` words: quoted alone, it says that there
    is an answer but not what it is."""
    if not unit.text.rstrip().endswith(":"):
        return unit
    end = unit.spans[-1][-1][1]
    following = sorted(
        {
            sentence
            for chunk in passages
            if chunk.kind not in ("table", "table_row") and chunk.char_end > end and chunk.sentences
            for sentence in chunk.sentence_spans()
            if sentence[0][0] >= end
        }
    )
    text = source_text(unit.hit.chunk.source)
    taken, readings = list(unit.spans), [unit.text]
    for sentence in following:
        reading = reading_text(text, sentence)
        if sum(len(r.split()) for r in readings) + len(reading.split()) > budget:
            break
        taken.append(sentence)
        readings.append(reading)
    if len(taken) == len(unit.spans):
        return unit
    return Unit(unit.hit, tuple(taken), " ".join(readings), unit.context)
