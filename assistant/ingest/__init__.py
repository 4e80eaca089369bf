"""Ingestion: corpus files -> :class:`Document` of typed blocks -> (see :mod:`assistant.chunking`) chunks.

- :mod:`~assistant.ingest.document`: the document model (blocks, spans, sentences) shared by every loader.
- :mod:`~assistant.ingest.registry`: which loader reads a file (by content and extension).
- :mod:`~assistant.ingest.text`, :mod:`~assistant.ingest.markdown`, :mod:`~assistant.ingest.pdf`,
  :mod:`~assistant.ingest.html`: one loader per format.
- :mod:`~assistant.ingest.metadata`: title, report number and date from where a document states them.
"""

from assistant.ingest.document import Block, Document, LoadError, decode_text, sha256_bytes
from assistant.ingest.registry import load_document, register, supported_suffixes

__all__ = [
    "Block",
    "Document",
    "LoadError",
    "decode_text",
    "load_document",
    "register",
    "sha256_bytes",
    "supported_suffixes",
]
