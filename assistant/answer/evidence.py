"""The evidence the sentence route chose, described for the abstention decision, and in words when it declines."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.abstention import EvidenceFeatures, evidence_features, missing, required, word_set
from assistant.answer.corpus import CorpusFacts
from assistant.sentences import Unit
from assistant.table_answers import join_names


def _context(chosen: Sequence[Unit]) -> str:
    """The chosen sentences' passages with their section headings."""
    return " ".join(dict.fromkeys(f"{u.hit.chunk.section}: {u.hit.chunk.text}" for u in chosen))


def _lead(chosen: Sequence[Unit]) -> str:
    """The passage of the sentence that answers first, with its heading."""
    return f"{chosen[0].text} {_context(chosen[:1])}" if chosen else ""


def _naming(facts: CorpusFacts, chosen: Sequence[Unit], scope: Sequence[str] | None) -> tuple[list[str], set[str]]:
    """The documents in scope (``scope``, else those the sentences come from) and the stems that name them."""
    in_scope = list(scope or sorted({u.hit.chunk.source for u in chosen}))
    return in_scope, set().union(*(facts.title_stems.get(s, set()) for s in in_scope))


def features_of(
    facts: CorpusFacts,
    question: str,
    chosen: Sequence[Unit],
    best: float,
    scope: Sequence[str] | None,
    stated: str = "",
) -> EvidenceFeatures:
    """What the abstention decision weighs: the question against the chosen sentences and their passages, and
    against the documents in scope (``scope``, else the documents the sentences come from)."""
    answer_text = " ".join(u.text for u in chosen)
    in_scope, naming = _naming(facts, chosen, scope)
    vocabulary = set().union(*(facts.source_words.get(s, set()) for s in in_scope))
    stated = stated if stated and stated != question else ""
    context = f"{answer_text} {_context(chosen)}"
    return evidence_features(
        question, answer_text, context, best, facts.lexicon, vocabulary, naming, stated, _lead(chosen)
    )


def missing_hint(facts: CorpusFacts, question: str, chosen: Sequence[Unit], scope: Sequence[str] | None = None) -> str:
    """ ": the closest passages do not mention X" when the evidence lacks a name or number of the question (those
    the abstention decision counts: see :func:`~assistant.answer.abstention.required`)."""
    context = _context(chosen)
    vocabulary = word_set(facts.lexicon.fold(context)) | word_set(context)
    lead = word_set(_lead(chosen))  # as the features count them: the numbers must be in the lead's passage
    names, numbers = required(question, facts.lexicon, _naming(facts, chosen, scope)[1])
    absent = missing(numbers, lead) + missing(names, vocabulary, facts.lexicon)
    return f": the closest passages do not mention {join_names(absent[:3])}" if absent else ""
