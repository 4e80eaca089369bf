"""Which of the scored sentences make the answer: the best, and those that score nearly as well."""

from __future__ import annotations

import numpy as np

from assistant.config import Settings
from assistant.ingest.reflow import Sentence
from assistant.sentences import Unit


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
        chosen.append(unit)
        covered |= keys
    return order, chosen


def over_budget(chosen: list[Unit], unit: Unit, budget: int) -> bool:
    """Whether adding ``unit`` would take the answer past ``budget`` words (0: no budget)."""
    return bool(budget) and sum(len(u.text.split()) for u in [*chosen, unit]) > budget
