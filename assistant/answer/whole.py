"""Questions about a report as a whole: its metadata, or an overview from its own summary page."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answer.corpus import CorpusFacts
from assistant.answer.draft import Draft
from assistant.answer.intent import classify
from assistant.answer.metadata import metadata_draft
from assistant.answer.summary import summary_draft
from assistant.types import Chunk, Citation, DocumentInfo


def whole_report_draft(
    facts: CorpusFacts,
    question: str,
    doc: DocumentInfo | None,
    source_text: Callable[[str], str],
    cite: Callable[[Chunk, int, int], Citation],
    max_words: int,
) -> Draft | None:
    """The answer when ``question`` asks for ``doc``'s metadata or an overview of it; None for any other question."""
    if doc is None:
        return None
    intent = classify(question, facts.title_stems.get(doc.source, set()))
    chunks = facts.by_source.get(doc.source, [])
    if intent.metadata:
        return metadata_draft(intent.metadata, doc, chunks, source_text, cite)
    if intent.summary:
        return summary_draft(intent.summary, chunks, source_text, cite, max_words)
    return None
