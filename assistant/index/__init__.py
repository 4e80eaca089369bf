"""The index: chunk vectors in Chroma plus a BM25 lexical index, built in generations and queried together.

- :mod:`~assistant.index.core`: :class:`Index`, the entry point: ingest, then read the live generation.
- :mod:`~assistant.index.build`: ingest orchestration, a new generation built beside the live one.
- :mod:`~assistant.index.vectors`: chunk vectors and the precomputed sentence views (packed per chunk).
- :mod:`~assistant.index.records`: Chroma records of a generation (paged reads, chunk and document records).
- :mod:`~assistant.index.manifest`: what a generation depends on, and the compatibility check.
- :mod:`~assistant.index.garbage`: removal of old and unfinished generations.
- :mod:`~assistant.index.loaded`: one generation in memory for querying.
- :mod:`~assistant.index.lexical`: the BM25 index and its queries.
"""

from assistant.index.build import discover
from assistant.index.core import Index
from assistant.index.loaded import LoadedIndex
from assistant.index.records import chunk_from_record
from assistant.index.vectors import embedding_text

__all__ = ["Index", "LoadedIndex", "chunk_from_record", "discover", "embedding_text"]
