"""Cited question answering over government reports.

The public API; apps (the web UI, the eval harness, your code) import only these names.

    >>> from assistant import Assistant                                   # doctest: +SKIP
    >>> reply = Assistant().ask("What did GAO recommend?")                # doctest: +SKIP
    >>> print(reply.answer)                                               # doctest: +SKIP
    >>> for c in reply.citations: print(c.n, c.section, c.quote)          # doctest: +SKIP
"""

from assistant.answering import NOT_IN_REPORT, ExtractiveAnswerer
from assistant.chain import Assistant
from assistant.config import Settings
from assistant.embeddings import Embedder, EmbeddingModelError, load_embedder
from assistant.index import Index
from assistant.ingest import Document, LoadError, load_document
from assistant.ingest.pdf import PDFIUM_LOCK
from assistant.ingest.reflow import Reading, reading
from assistant.retrieval import HybridSearcher, ReportRetriever
from assistant.store import IndexLocked, IndexMismatch, IndexUnavailable
from assistant.types import Chunk, Citation, DocumentInfo, Hit, IngestReport, Reply, hit_to_dict

__all__ = [
    "NOT_IN_REPORT",
    "PDFIUM_LOCK",
    "Assistant",
    "Chunk",
    "Citation",
    "Document",
    "DocumentInfo",
    "Embedder",
    "EmbeddingModelError",
    "ExtractiveAnswerer",
    "Hit",
    "HybridSearcher",
    "Index",
    "IndexLocked",
    "IndexMismatch",
    "IndexUnavailable",
    "IngestReport",
    "LoadError",
    "Reading",
    "Reply",
    "ReportRetriever",
    "Settings",
    "hit_to_dict",
    "load_document",
    "load_embedder",
    "reading",
]
