"""A small in-memory stand-in for :class:`assistant.Assistant`, for tests and UI demos without a model.

It answers by word overlap over a dict of documents, cites the sentence it quotes with exact offsets, and
abstains when nothing matches, so the UI and API can be exercised end to end in milliseconds.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from assistant import Chunk, Citation, DocumentInfo, Hit, Reply

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    """a an and the of to in on for is are was were what which who how does do did it its by""".split()  # noqa: SIM905
)

DEFAULT_DOCUMENTS = {
    "space.txt": (
        "Space Cooperation Review\n\n"
        "Summary\n\n"
        "DOD has data sharing agreements with 33 partner countries. The agreements cover space "
        "situational awareness.\n\n"
        "Recommendations\n\n"
        "GAO is making three recommendations to DOD. DOD concurred with two recommendations.\n"
    ),
}


class IndexUnavailableError(RuntimeError):
    """Raised by :meth:`FakeAssistant.search` when built with ``available=False``."""


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


class FakeAssistant:
    """Duck-typed ``Assistant``: ``ask``, ``search``, ``documents``, ``status``, ``source_text``."""

    def __init__(self, documents: dict[str, str] | None = None, available: bool = True, delay: float = 0.0) -> None:
        self.docs = dict(DEFAULT_DOCUMENTS if documents is None else documents)
        self.available = available
        self.delay = delay  # seconds each answer takes, to test queues and limits
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    # -- the public surface the UI uses -------------------------------------------------------------
    def ensure_index(self, upgrade: bool = False) -> None:
        return None

    def ask(
        self, question: str, history: list[dict[str, Any]] | None = None, sources: list[str] | None = None
    ) -> Reply:
        with self._lock:
            self.calls.append({"question": question, "history": list(history or []), "sources": sources})
        if self.delay:
            time.sleep(self.delay)
        if not self.available:
            return Reply(
                answer="The index is unavailable right now. Try again later.",
                abstained=True,
                notice="index_unavailable",
            )
        standalone = question
        previous = [m["content"] for m in history or [] if m.get("role") == "user"]
        if previous and question.lower().startswith(("and ", "what about", "how about")):
            standalone = f"{previous[-1]} {question}"
        hits = self._rank(standalone, sources)
        if not hits or hits[0][0] < 2:
            return Reply(answer="The report does not say.", abstained=True, standalone_question=standalone)
        _, source, start, end = hits[0]
        text = self.docs[source]
        quote = text[start:end]
        citation = Citation(
            n=1,
            source=source,
            title=self._title(source),
            section=self._section(text, start),
            quote=quote,
            chunk_id=f"{source}#{start}",
            char_start=start,
            char_end=end,
            printed_page="1",
        )
        return Reply(answer=f"{quote} [1]", citations=[citation], standalone_question=standalone)

    def search(self, query: str, k: int | None = None, sources: list[str] | None = None) -> list[Hit]:
        if not self.available:
            raise IndexUnavailableError("The index is unavailable (fake).")
        hits = []
        for overlap, source, start, end in self._rank(query, sources)[: k or 5]:
            text = self.docs[source]
            chunk = Chunk(
                chunk_id=f"{source}#{start}",
                text=text[start:end],
                source=source,
                title=self._title(source),
                section=self._section(text, start),
                char_start=start,
                char_end=end,
            )
            hits.append(Hit(chunk=chunk, score=float(overlap)))
        return hits

    def documents(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(source=s, title=self._title(s), report_number="GAO-00-000", date="2025", chunks=3)
            for s in self.docs
        ]

    def status(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "documents": len(self.docs) if self.available else 0,
            "chunks": 3 * len(self.docs) if self.available else 0,
            "embedding_model": "fake",
            "store": "embedded",
            "error": None if self.available else "fake index is down",
        }

    def source_text(self, source: str) -> str:
        return self.docs[source]

    # -- internals ---------------------------------------------------------------------------------
    def _rank(self, query: str, sources: list[str] | None) -> list[tuple[int, str, int, int]]:
        wanted = _words(query)
        ranked = []
        for source, text in self.docs.items():
            if sources and source not in sources:
                continue
            for match in re.finditer(r"[^\n.]+\.?", text):
                start, end = match.start(), match.end()
                while start < end and text[start] == " ":
                    start += 1
                overlap = len(wanted & _words(text[start:end]))
                if overlap:
                    ranked.append((overlap, source, start, end))
        ranked.sort(key=lambda r: -r[0])
        return ranked

    def _title(self, source: str) -> str:
        return self.docs[source].strip().splitlines()[0][:120] if self.docs[source].strip() else source

    @staticmethod
    def _section(text: str, start: int) -> str:
        headings = [p for p in text[:start].split("\n\n") if p.strip() and "." not in p and len(p) < 80]
        return headings[-1].strip() if len(headings) > 1 else ""
