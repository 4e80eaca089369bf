"""Small typed records that cross module boundaries. No I/O here."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ChunkKind = Literal["text", "table", "table_row", "footnote"]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a document.

    ``text`` is what is embedded and searched; ``char_start``/``char_end`` locate the passage in the
    document's extracted text (for ``.txt``/``.md`` that is the file itself).
    """

    chunk_id: str
    text: str
    source: str
    title: str
    section: str
    char_start: int
    char_end: int
    kind: ChunkKind = "text"
    page: int | None = None
    printed_page: str | None = None
    report_number: str = ""
    date: str = ""
    table_id: str = ""
    row_index: int = -1
    table_json: str = ""  # the parsed table, on "table" chunks only
    sentences: str = ""  # JSON [[[start, end], ...], ...]: the chunk's sentences as verbatim source spans
    zone: str = ""  # where in the report: "highlights" (its summary page), "front", "body", "back", "" unknown

    def sentence_spans(self) -> list[tuple[tuple[int, int], ...]]:
        """The chunk's sentences, each the tuple of verbatim source spans it covers (one, unless page
        furniture or footnotes interrupt it); a chunk without recorded sentences is one sentence."""
        if not self.sentences:
            return [((self.char_start, self.char_end),)]
        return [tuple((int(s), int(e)) for s, e in sentence) for sentence in json.loads(self.sentences)]

    def metadata(self) -> dict[str, Any]:
        """Flat, JSON- and Chroma-safe metadata (no ``None`` values, no ``text``)."""
        meta = {k: v for k, v in asdict(self).items() if k != "text"}
        return {k: v for k, v in meta.items() if v is not None and not (k in ("table_json", "sentences") and not v)}


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score (higher is better) and per-retriever ranks (1-based)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None
    nearest_sentence: bool = False  # joined the answer's passages for one sentence near the question (quoting only)


@dataclass(frozen=True)
class Citation:
    """A verbatim quote of the source that supports part of an answer.

    ``source_text[char_start:char_end] == quote`` where ``source_text`` is the document's extracted text.
    """

    n: int
    source: str
    title: str
    section: str
    quote: str
    chunk_id: str
    char_start: int
    char_end: int
    page: int | None = None
    printed_page: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Reply:
    """What :meth:`assistant.Assistant.ask` returns.

    Attributes:
        answer: Markdown with inline ``[n]`` markers pointing into ``citations``.
        citations: The quotes that support the answer, numbered from 1.
        abstained: True when the corpus does not support an answer (then ``citations`` is empty).
        standalone_question: The question actually searched (follow-ups rewritten against the history).
        notice: A short note about the input (e.g. that a very long question was truncated), or "".
        support: How well the best passage matches the question (about 0..1; table answers 1.0); the
            assistant abstains below ``Settings.abstain_threshold``.
        hits: The retrieved chunks the answer was chosen from (not serialised by default).
        trace: What each stage decided, for the eval report and debugging (not serialised by default):
            ``route`` (the reports in scope and why), ``analysis`` (answer type, focus, value kind),
            ``answer`` (the route that answered, and the abstention features and probability when the sentence
            route decided).
    """

    answer: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    standalone_question: str = ""
    notice: str = ""
    support: float = 0.0
    hits: list[Hit] = field(default_factory=list, repr=False)
    trace: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self, include_hits: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "abstained": self.abstained,
            "standalone_question": self.standalone_question,
            "notice": self.notice,
            "support": round(self.support, 4),
        }
        if include_hits:
            data["hits"] = [hit_to_dict(h) for h in self.hits]
        return data


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """JSON-safe view of a hit: the chunk's text and metadata plus its scores."""
    return {
        "text": hit.chunk.text,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
        **{k: v for k, v in hit.chunk.metadata().items() if k not in ("table_json", "sentences")},
    }


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed document as listed by ``assistant ingest`` and the UI's documents view."""

    source: str
    title: str
    report_number: str
    date: str
    chunks: int
    pages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    files_indexed: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> reason
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """False only when nothing at all is indexed."""
        return self.chunks > 0
