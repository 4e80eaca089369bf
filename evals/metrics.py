"""Pure scoring: text normalisation, phrase matching, per-turn scores and their aggregation.

Nothing here runs a model or reads a file; the runner passes replies and a ``source_text`` function in.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from evals.dataset import Turn

METRIC_KEYS = (
    "answer_accuracy",
    "citation_support",
    "citation_validity",
    "abstention_accuracy",
    "false_abstention_rate",
    "hit_at_1",
    "hit_at_k",
    "mrr",
    "short_answers",
    "answer_words_median",
    "latency_p50_ms",
    "latency_p95_ms",
)

# Display names, also used by the report and the plots.
METRIC_LABELS = {
    "answer_accuracy": "Answer accuracy",
    "citation_support": "Citation support",
    "citation_validity": "Citation validity",
    "abstention_accuracy": "Abstention accuracy",
    "false_abstention_rate": "False abstentions",
    "hit_at_1": "Hit@1",
    "hit_at_k": "Hit@k",
    "mrr": "MRR",
    "short_answers": "Short answers",
    "answer_words_median": "Answer words (median)",
    "latency_p50_ms": "Latency p50 (ms)",
    "latency_p95_ms": "Latency p95 (ms)",
}


# --- what the scorer needs from a reply (assistant.Reply and the naive baseline both fit) -------------


class ChunkLike(Protocol):
    @property
    def chunk_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...


class HitLike(Protocol):
    @property
    def chunk(self) -> ChunkLike: ...


class CitationLike(Protocol):
    @property
    def n(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def quote(self) -> str: ...
    @property
    def chunk_id(self) -> str: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...


class ReplyLike(Protocol):
    @property
    def answer(self) -> str: ...
    @property
    def citations(self) -> Sequence[CitationLike]: ...
    @property
    def abstained(self) -> bool: ...
    @property
    def standalone_question(self) -> str: ...
    @property
    def hits(self) -> Sequence[HitLike]: ...


SourceText = Callable[[str], str]

# --- normalisation and matching ----------------------------------------------------------------------

_MARKERS = re.compile(r"\[\d+\]")  # the answer's citation markers are not content
_EMPHASIS = re.compile(r"[*`]")  # markdown bold/italic/code around words
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")  # a Markdown link keeps its text
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)_+|_+(?!\w)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def normalise(text: str) -> str:
    """Case-fold, fold curly quotes, drop ``[n]`` markers and Markdown emphasis and link targets, collapse
    whitespace (so a verbatim quote of a Markdown source compares with the words a reader sees)."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    text = _BR.sub(" ", _LINK.sub(r"\1", text))
    text = _UNDERSCORE_EMPHASIS.sub("", _EMPHASIS.sub("", _MARKERS.sub(" ", text)))
    return _SPACES.sub(" ", text).strip().casefold()


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words (after :func:`normalise` of both)."""
    needle = normalise(phrase)
    if not needle:
        return False
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", normalise(text)) is not None


def contains_evidence(text: str, evidence: Sequence[str]) -> bool:
    """Whether ``text`` contains any of the evidence strings (normalised substring match)."""
    haystack = normalise(text)
    return any(normalise(e) in haystack for e in evidence if normalise(e))


def missing_groups(answer: str, facts: Sequence[Sequence[str]]) -> list[list[str]]:
    """The fact groups none of whose alternatives occurs in ``answer``."""
    return [list(group) for group in facts if not any(contains_phrase(answer, alt) for alt in group)]


def forbidden_found(answer: str, forbidden: Sequence[Sequence[str]]) -> list[str]:
    """Every forbidden alternative that occurs in ``answer``."""
    return [alt for group in forbidden for alt in group if contains_phrase(answer, alt)]


_WORD = re.compile(r"\w+(?:['-]\w+)*")


# An answer is short when it has at most this many words; a summary ("summarize", "key findings") may have more.
SHORT_ANSWER_WORDS = 60
SHORT_SUMMARY_WORDS = 120


def is_short(words: int, category: str) -> bool:
    """Whether an answer of ``words`` words is as short as a reader expects for its kind of question."""
    return words <= (SHORT_SUMMARY_WORDS if category == "summary" else SHORT_ANSWER_WORDS)


def word_count(answer: str) -> int:
    """Words of the answer, not counting citation markers and punctuation."""
    return len(_WORD.findall(normalise(answer)))


def check_citation(citation: CitationLike, source_text: SourceText) -> str:
    """``""`` when the quote is verbatim in its source at its offsets, else why it is not."""
    if not citation.quote:
        return "empty quote"
    try:
        text = source_text(citation.source)
    except Exception as exc:  # an unknown source is an invalid citation, not a crash of the run
        return f"source {citation.source!r} unavailable ({type(exc).__name__})"
    if citation.quote not in text:
        return "quote is not verbatim in the source"
    if text[citation.char_start : citation.char_end] != citation.quote:
        return f"offsets {citation.char_start}:{citation.char_end} do not point at the quote"
    return ""


def hit_contains_evidence(hit: HitLike, evidence: Sequence[str], source_text: SourceText) -> bool:
    """A retrieved chunk holds the evidence in its text or in the source span it covers.

    The span check matters for table chunks, whose text may render the table differently from the source.
    """
    if contains_evidence(hit.chunk.text, evidence):
        return True
    try:
        span = source_text(hit.chunk.source)[hit.chunk.char_start : hit.chunk.char_end]
    except Exception:
        return False
    return contains_evidence(span, evidence)


# --- per-turn scoring --------------------------------------------------------------------------------


@dataclass
class TurnResult:
    """Everything measured about one turn, JSON-serialisable via :meth:`to_dict`."""

    case_id: str
    category: str
    turn: int  # 1-based
    n_turns: int
    question: str
    answerable: bool
    facts: list[list[str]]
    forbidden: list[list[str]]
    evidence: list[str]
    answer: str = ""
    standalone_question: str = ""
    abstained: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)  # retrieved chunk texts, best first (top k)
    trace: dict[str, Any] = field(default_factory=dict)  # what the assistant's stages decided (Reply.trace)
    missing_facts: list[list[str]] = field(default_factory=list)
    forbidden_hits: list[str] = field(default_factory=list)
    correct: bool = False  # answerable: facts present, nothing forbidden, not abstained; else: abstained
    supported: bool | None = None  # None when not applicable (unanswerable, abstained, or no evidence)
    hit_rank: int | None = None  # 1-based rank of the first retrieved chunk holding evidence, within k
    retrieval_scored: bool = False
    answer_words: int = 0
    latency_ms: float = 0.0
    error: str = ""
    split: str = ""
    reports: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """Why this turn fails, in words; empty when it passes."""
        reasons: list[str] = []
        if self.error:
            reasons.append(f"error: {self.error}")
        if self.answerable:
            if self.abstained:
                reasons.append("abstained on an answerable question")
            if self.missing_facts:
                reasons.append("missing facts: " + "; ".join(" | ".join(g) for g in self.missing_facts))
            if self.forbidden_hits:
                reasons.append("forbidden: " + ", ".join(self.forbidden_hits))
            if self.supported is False:
                reasons.append("no citation quotes the evidence")
        elif not self.abstained:
            reasons.append("answered instead of abstaining")
        reasons.extend(f"invalid citation [{c['n']}]: {c['invalid']}" for c in self.citations if c["invalid"])
        return reasons

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed, "failures": self.failures}


def score_turn(
    case_id: str,
    category: str,
    turn: Turn,
    turn_index: int,
    n_turns: int,
    reply: ReplyLike | None,
    source_text: SourceText,
    k: int,
    latency_ms: float = 0.0,
    error: str = "",
) -> TurnResult:
    """Score one reply (``None`` when asking raised ``error``) against the turn's expectations."""
    result = TurnResult(
        case_id=case_id,
        category=category,
        turn=turn_index + 1,
        n_turns=n_turns,
        question=turn.question,
        answerable=turn.answerable,
        facts=[list(g) for g in turn.facts],
        forbidden=[list(g) for g in turn.forbidden],
        evidence=list(turn.evidence),
        latency_ms=latency_ms,
        error=error,
    )
    result.retrieval_scored = turn.answerable and bool(turn.evidence)
    if reply is None:
        result.missing_facts = [list(g) for g in turn.facts]
        result.supported = False if result.retrieval_scored else None
        return result
    result.answer = reply.answer
    result.standalone_question = reply.standalone_question
    result.trace = dict(getattr(reply, "trace", None) or {})
    result.abstained = bool(reply.abstained)
    result.answer_words = 0 if reply.abstained else word_count(reply.answer)
    result.citations = [
        {
            "n": c.n,
            "source": c.source,
            "quote": c.quote,
            "chunk_id": c.chunk_id,
            "char_start": c.char_start,
            "char_end": c.char_end,
            "invalid": check_citation(c, source_text),
            "supports": contains_evidence(c.quote, turn.evidence),
        }
        for c in reply.citations
    ]
    top = list(reply.hits)[:k]
    result.contexts = [h.chunk.text for h in top]
    if turn.answerable:
        result.missing_facts = missing_groups(reply.answer, turn.facts)
        result.forbidden_hits = forbidden_found(reply.answer, turn.forbidden)
        result.correct = not result.abstained and not result.missing_facts and not result.forbidden_hits
        if turn.evidence and not result.abstained:
            result.supported = any(c["supports"] for c in result.citations)
    else:
        result.correct = result.abstained
    if result.retrieval_scored:
        result.hit_rank = next(
            (rank for rank, hit in enumerate(top, start=1) if hit_contains_evidence(hit, turn.evidence, source_text)),
            None,
        )
    return result


# --- aggregation ---------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float | None:
    return round(float(statistics.fmean(values)), 4) if values else None


def summarise(results: Sequence[TurnResult]) -> dict[str, float | None]:
    """The metrics over a set of turns; ``None`` where a metric has nothing to measure."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    supported = [r.supported for r in results if r.supported is not None]
    validity = [not c["invalid"] for r in results for c in r.citations]
    retrieval = [r for r in answerable if r.retrieval_scored]
    words = [r.answer_words for r in results if not r.abstained and not r.error]
    latencies = [r.latency_ms for r in results]
    return {
        "answer_accuracy": _mean([r.correct for r in answerable]),
        "citation_support": _mean(supported),
        "citation_validity": _mean(validity),
        "abstention_accuracy": _mean([r.abstained for r in unanswerable]),
        "false_abstention_rate": _mean([r.abstained for r in answerable]),
        "hit_at_1": _mean([r.hit_rank == 1 for r in retrieval]),
        "hit_at_k": _mean([r.hit_rank is not None for r in retrieval]),
        "mrr": _mean([1.0 / r.hit_rank if r.hit_rank else 0.0 for r in retrieval]),
        "short_answers": _mean(
            [is_short(r.answer_words, r.category) for r in results if not r.abstained and not r.error]
        ),
        "answer_words_median": float(statistics.median(words)) if words else None,
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
    }


def summarise_by_category(results: Sequence[TurnResult]) -> dict[str, dict[str, float | None]]:
    categories = sorted({r.category for r in results})
    return {cat: summarise([r for r in results if r.category == cat]) for cat in categories}
