"""The draft answer every answerer produces: sentences, each with the verbatim citations that support it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.types import Citation

if TYPE_CHECKING:
    import numpy as np

    from assistant.tables import Table, TableRow
    from assistant.types import Hit

NOT_IN_REPORT = "The report does not say"
Part = tuple[str, list[Citation]]


@dataclass
class Draft:
    """An answer being assembled: sentences, each with the citations that support it.

    Attributes:
        parts: (sentence, citations) pairs, in the order they are said.
        abstained: The corpus does not support an answer (``parts`` then holds the explanation).
        support: How well the evidence supports the answer (about 0..1; cells, metadata and summaries 1.0).
        kind: Which route answered: "sentences", "table", "metadata", "summary" or "abstain".
        trace: What the deciding stage saw (features and scores), for the eval report.
    """

    parts: list[Part]
    abstained: bool = False
    support: float = 0.0
    kind: str = "sentences"
    trace: dict[str, object] = field(default_factory=dict)

    def render(self) -> tuple[str, list[Citation]]:
        """Markdown with [n] markers before each sentence's final punctuation, and the numbered citations."""
        citations: list[Citation] = []
        numbered: dict[tuple[str, int, int], int] = {}
        sentences = []
        for text, cites in self.parts:
            marks = []
            for c in cites:
                key = (c.source, c.char_start, c.char_end)
                if key not in numbered:
                    numbered[key] = len(citations) + 1
                    citations.append(Citation(**{**c.to_dict(), "n": numbered[key]}))
                marks.append(f"[{numbered[key]}]")
            sentences.append(_attach(text, "".join(dict.fromkeys(marks))))
        return " ".join(sentences), citations


def _attach(text: str, marks: str) -> str:
    if not marks:
        return text
    match = re.search(r"[.!?]+[\"'”’)]*$", text)
    if match:
        return f"{text[: match.start()]} {marks}{text[match.start() :]}"
    return f"{text} {marks}"


def abstain(message: str, support: float = 0.0, trace: dict[str, object] | None = None) -> Draft:
    return Draft([(message, [])], abstained=True, support=support, kind="abstain", trace=trace or {})


class Answerer(Protocol):
    """What the chain asks of an answerer (the extractive one, or the LLM one that falls back to it).

    ``answer`` drafts a reply to ``question`` from the retrieved ``hits`` (``qvec`` is the question's vector);
    ``sources`` limits which reports may answer, ``previous_answer`` is the assistant's last turn, ``stated``
    what the user typed when ``question`` is a rewritten follow-up, and ``context`` the earlier question a
    follow-up with too few words of its own is about; ``vectors`` are the vectors the chain already made of texts
    derived from the question (its question proper, the separate asks of a compound question), by text.
    ``tables`` and ``row_names`` give the follow-up rewriter the tables' names; ``warm`` precomputes what the
    first questions need."""

    def answer(
        self,
        question: str,
        hits: list[Hit],
        qvec: np.ndarray,
        sources: list[str] | None = None,
        previous_answer: str = "",
        stated: str = "",
        context: str = "",
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> Draft: ...

    def warm(self) -> None: ...

    def tables(self) -> list[Table]: ...

    def row_names(self, table: Table, row: TableRow) -> list[str]: ...
