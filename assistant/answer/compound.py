"""Compound questions ("How many reports did GAO review, and how many findings did it identify?"): each ask is
answered by its own best sentence, unless a sentence already chosen answers it nearly as well."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from assistant.answer.analysis import analyse, states_value
from assistant.config import Settings
from assistant.sentences import Unit, lead_for


def answer_each_ask(
    asks: list[str],
    units: list[Unit],
    first: Unit,
    ratio: float,
    settings: Settings,
    support: Callable[[str, np.ndarray], np.ndarray],
    embed: Callable[[list[str]], list[np.ndarray]],
    vectors: Mapping[str, np.ndarray],
) -> tuple[list[Unit], str]:
    """The units that answer a compound question: ``first`` (the best for the whole question), then for each ask
    that no unit chosen so far answers within ``ratio`` of the ask's own best, that best. Also the direct
    answers of all the asks joined ("3,002; 71%"), or "" unless every ask has one.

    ``support(ask, vector)`` gives every unit's support for an ask; a unit that states the amount an ask asks
    for gains ``settings.value_bonus``, as when a question asks for it alone. The asks are embedded in one
    ``embed`` call, unless ``vectors`` (the chain's, by text) has them."""
    missing = [a for a in asks if a not in vectors]
    known = {**vectors, **dict(zip(missing, embed(missing) if missing else [], strict=True))}
    chosen = [units.index(first)]
    leads: list[str] = []
    for ask in asks:
        scores = support(ask, known[ask])
        analysis = analyse(ask)
        scores = scores + settings.value_bonus * np.array([states_value(analysis, u.text) for u in units])
        best = int(np.argmax(scores))
        answering = max(chosen, key=lambda i: float(scores[i]))
        if scores[answering] < ratio * scores[best] and not _overlaps(units[best], [units[i] for i in chosen]):
            chosen.append(best)
            answering = best
        leads.append(lead_for(ask, units[answering].text))
    later = [lead.lower() if lead[1:].islower() else lead for lead in leads[1:]]  # "31; one", not "31; One"
    return [units[i] for i in chosen], "; ".join(leads[:1] + later) if all(leads) else ""


def _overlaps(unit: Unit, chosen: list[Unit]) -> bool:
    """Whether ``unit`` repeats a sentence of the chosen units (a sentence and its continuation, say)."""
    keys = {(unit.hit.chunk.source, sp) for sp in unit.spans}
    return any(keys & {(u.hit.chunk.source, sp) for sp in u.spans} for u in chosen)
