"""Which report a question is about: by its number ("GAO-31-900101", "31-900101"), or by the words it shares
with one report far more than with the others (title words, agency, topic).

Each report gets a profile: the weighted frequencies of the word stems of its text, its title and its own
summary page counting extra. A question is scored against every profile with BM25 (reports as documents), so
words that many reports share ("GAO", "agency", "fiscal year") count for little and a report's own terms
("ferry", "pollinator") for much. Pure: built from chunks, no model and no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, stem, words
from assistant.types import Chunk, DocumentInfo

# "GAO-31-900101", "gao-30-77t", "31-900101": the agency prefix is optional, the year-serial core is not.
_NUMBER = re.compile(r"(?<![\w-])(?:[A-Za-z]{2,6}-)?(\d{2}-\d{2,6}[A-Za-z]{0,2})(?![\w-])")


def number_core(report_number: str) -> str:
    """ "GAO-31-900101" -> "31-900101" (lower case); "" when it is not a report number."""
    match = _NUMBER.search(report_number)
    return match.group(1).lower() if match else ""


def numbers_in(text: str) -> list[str]:
    """The report-number cores written in ``text``, in order, each once."""
    return list(dict.fromkeys(m.group(1).lower() for m in _NUMBER.finditer(text)))


@dataclass(frozen=True)
class RouteWeights:
    """How routing weighs words and when it commits to one report (see the matching ``Settings`` fields)."""

    title_weight: float = 4.0
    summary_weight: float = 2.0
    min_confidence: float = 0.3
    min_margin: float = 1.5
    k1: float = 1.2
    b: float = 0.5


@dataclass(frozen=True)
class ReportProfile:
    """A report as routing sees it: its number, title, and weighted stem frequencies."""

    source: str
    report_number: str
    title: str
    terms: Mapping[str, float]
    length: float


@dataclass(frozen=True)
class Route:
    """Where a question points.

    Attributes:
        sources: The reports to answer from (one, or several a question names by number); empty: any.
        explicit: The question names them by report number.
        confidence: The best report's share of the score a perfect match would get (0..1).
        margin: The best report's score over the second best's.
        ranked: The best few (source, score) pairs, for the trace.
        via: How the route was found: "number", "topic", "retrieval" (the passages found agree on one report),
            "conversation" or "" (not routed).
    """

    sources: tuple[str, ...] = ()
    explicit: bool = False
    confidence: float = 0.0
    margin: float = 0.0
    ranked: tuple[tuple[str, float], ...] = ()
    via: str = ""

    @property
    def source(self) -> str | None:
        """The one report the question is about, if it is about exactly one."""
        return self.sources[0] if len(self.sources) == 1 else None


def _stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS and not w.isdigit()]


_MONTH_NAMES = "january|february|march|april|may|june|july|august|september|october|november|december"
# "GAO's February 2007 report", "the 2006 report", "March 2026 testimony": the date a question names a report by.
REPORT_DATE = re.compile(
    rf"\b(?:({_MONTH_NAMES})\s+(?:\d{{1,2}},\s+)?)?((?:19|20)\d\d)\s+(?:[\w-]+\s+)?"
    r"(?:report|testimony|study|review|statement|audit)\b",
    re.I,
)


def _date_terms(date: str) -> list[str]:
    """Routing terms of a publication date ("September 2006" -> the year, and the month with the year)."""
    year = re.search(r"\b(?:19|20)\d\d\b", date)
    if not year:
        return []
    month = re.search(rf"\b({_MONTH_NAMES})\b", date, re.I)
    return [f"date:{year.group(0)}"] + ([f"date:{month.group(1).lower()}-{year.group(0)}"] if month else [])


def _question_terms(text: str) -> set[str]:
    """The question's stems, and the publication dates it names a report by."""
    terms = set(_stems(text))
    for match in REPORT_DATE.finditer(text):
        terms.add(f"date:{match.group(2)}")
        if match.group(1):
            terms.add(f"date:{match.group(1).lower()}-{match.group(2)}")
    return terms


@dataclass
class ReportCatalog:
    """Every indexed report's profile, and routing of questions to them.

    Example:
        >>> catalog = ReportCatalog.from_chunks(chunks, documents)          # doctest: +SKIP
        >>> catalog.route("Summarize GAO-31-900101.").source                 # doctest: +SKIP
        'GAO-31-900101.md'
    """

    profiles: list[ReportProfile]
    weights: RouteWeights = field(default_factory=RouteWeights)

    def __post_init__(self) -> None:
        self._by_source = {p.source: p for p in self.profiles}
        self._by_number: dict[str, list[str]] = {}
        for p in self.profiles:
            for core in {number_core(p.report_number), number_core(p.source)} - {""}:
                self._by_number.setdefault(core, []).append(p.source)
        df: Counter[str] = Counter()
        for p in self.profiles:
            df.update(p.terms.keys())
        n = len(self.profiles)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._avg_length = sum(p.length for p in self.profiles) / n if n else 1.0

    @classmethod
    def from_chunks(
        cls, chunks: Iterable[Chunk], documents: Mapping[str, DocumentInfo], weights: RouteWeights | None = None
    ) -> ReportCatalog:
        """Profiles from the indexed chunks (a chunk in the "highlights" zone counts as the report's summary)."""
        weights = weights or RouteWeights()
        counts: dict[str, dict[str, float]] = {}
        for chunk in chunks:
            if chunk.kind == "table_row":
                continue  # the whole table is counted once, from its "table" chunk
            terms = counts.setdefault(chunk.source, {})
            factor = 1.0 + (weights.summary_weight if chunk.zone == "highlights" else 0.0)
            for s in _stems(chunk.text):
                terms[s] = terms.get(s, 0.0) + factor
        profiles = []
        for source, terms in sorted(counts.items()):
            doc = documents.get(source)
            title = doc.title if doc else ""
            for s in _stems(title) + _date_terms(doc.date if doc else ""):
                terms[s] = terms.get(s, 0.0) + weights.title_weight
            number = doc.report_number if doc else ""
            profiles.append(ReportProfile(source, number, title, dict(terms), float(sum(terms.values())) or 1.0))
        return cls(profiles, weights)

    def __len__(self) -> int:
        return len(self.profiles)

    @property
    def sources(self) -> list[str]:
        return [p.source for p in self.profiles]

    def label(self, source: str) -> str:
        """How an answer names a report: its number, else its title, else the file name."""
        profile = self._by_source.get(source)
        if profile is None:
            return source
        return profile.report_number or profile.title or source

    def profile(self, source: str) -> ReportProfile | None:
        return self._by_source.get(source)

    def named(self, text: str) -> list[str]:
        """Reports ``text`` names by number, in the order it names them."""
        out: list[str] = []
        for core in numbers_in(text):
            sources = self._by_number.get(core, [])
            # a number claimed by several files (a README listing the reports): the file named after it wins
            own = [s for s in sources if number_core(s) == core]
            out.extend(own or sources)
        return list(dict.fromkeys(out))

    def scores(self, text: str) -> list[tuple[str, float]]:
        """BM25 score of ``text`` against every report, best first (only reports sharing a word)."""
        query = _question_terms(text)
        w = self.weights
        out = []
        for p in self.profiles:
            score = 0.0
            norm = w.k1 * (1 - w.b + w.b * p.length / self._avg_length)
            for t in query:
                tf = p.terms.get(t, 0.0)
                if tf:
                    score += self._idf[t] * tf * (w.k1 + 1) / (tf + norm)
            if score > 0:
                out.append((p.source, score))
        return sorted(out, key=lambda x: -x[1])

    def _ceiling(self, text: str) -> float:
        """The score of a report that matched every word of ``text`` as often as BM25 can reward."""
        return sum(self._idf.get(t, 0.0) * (self.weights.k1 + 1) for t in _question_terms(text)) or 1.0

    def route(self, text: str) -> Route:
        """The report(s) ``text`` is about: named by number, else the clear topical winner, else none."""
        if len(self.profiles) <= 1:
            return Route()
        named = self.named(text)
        ranked = self.scores(text)
        top = tuple(ranked[:3])
        if named:
            return Route(tuple(named), explicit=True, confidence=1.0, margin=math.inf, ranked=top, via="number")
        if not ranked:
            return Route(ranked=top)
        best = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = best / self._ceiling(text)
        margin = best / second if second else math.inf
        if confidence >= self.weights.min_confidence and margin >= self.weights.min_margin:
            return Route((ranked[0][0],), confidence=confidence, margin=margin, ranked=top, via="topic")
        return Route(confidence=confidence, margin=margin, ranked=top)


def vote(route: Route, hits: Sequence[tuple[str, float]], min_share: float, candidates: int = 2) -> str | None:
    """The report the retrieved passages agree on: the one holding at least ``min_share`` of the passages' fused
    scores, provided the words of the question also rank it among the first ``candidates`` reports."""
    if route.sources or not hits:
        return None
    totals: dict[str, float] = {}
    for source, score in hits:
        totals[source] = totals.get(source, 0.0) + score
    best = max(totals, key=lambda s: totals[s])
    share = totals[best] / (sum(totals.values()) or 1.0)
    ranked = [s for s, _ in route.ranked[:candidates]]
    return best if share >= min_share and best in ranked else None


def conversation_report(catalog: ReportCatalog, questions: Sequence[str], answers: Sequence[str]) -> tuple[str, ...]:
    """The report(s) a conversation is about: the latest turn that points at a report decides, a previous
    answer by the report it names (answers drawn from one report among several say which), a question by its
    route. ``questions`` and ``answers`` are in the order they were said (answers[i] replies to questions[i])."""
    current: tuple[str, ...] = ()
    for i, question in enumerate(questions):
        route = catalog.route(question)
        if route.sources:
            current = route.sources
        if i < len(answers):
            named = catalog.named(_answer_head(answers[i]))
            if len(named) == 1:
                current = (named[0],)
    return current


def _answer_head(answer: str) -> str:
    """The part of an answer that names its report ("In GAO-31-900101: ..."), not the numbers it quotes."""
    return answer.split(":", 1)[0] if ":" in answer[:40] else ""
