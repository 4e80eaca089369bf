"""What a generation's manifest records, and the check that the configured model and chunker may use it.

The manifest records what the vectors depend on: the embedding model (name and SHA-256 of its weights
file), the chunker version, and each document's SHA-256. A model with other weights is refused until
``assistant ingest --rebuild``; a copy or move of the same model folder (identical weights) is accepted.
"""

from __future__ import annotations

import time
from typing import Any

from assistant.chunking import CHUNKER_VERSION
from assistant.config import Settings
from assistant.embeddings import Embedder, _weights_hash, resolve_model_path
from assistant.store import IndexMismatch


def configured_weights_hash(settings: Settings, embedder: Embedder | None = None) -> str:
    """SHA-256 of the configured model's weights, without loading the model (cached per process).

    An embedder passed in (already loaded, or a test's fake) speaks for itself."""
    if embedder is not None:
        return str(getattr(embedder, "weights_hash", "") or "")
    try:
        return _weights_hash(resolve_model_path(settings.embedding_model))
    except Exception:
        return ""


def check_compatible(manifest: dict[str, Any], settings: Settings, weights_hash: str, chunker: bool = True) -> None:
    """Refuse to mix vectors of another model, or chunks of another chunker version.

    The model is identified by the SHA-256 of its weights file when both sides have one (``weights_hash`` is
    the configured model's): a copy of the same model folder under another path or name is the same model.
    Without a local weights file (a hub name), the configured name must match.

    Raises:
        IndexMismatch: the index was built with another model, or (when ``chunker``) another chunker version.
    """
    built_name, name = manifest.get("embedding_model"), settings.embedding_model
    built_hash, current = str(manifest.get("embedding_weights_sha256") or ""), weights_hash
    same = built_hash == current if built_hash and current else built_name == name
    if not same:
        built = f"{built_name!r}" + (f" (weights {built_hash[:12]}…)" if built_hash else "")
        configured = f"{name!r}" + (f" (weights {current[:12]}…)" if current else "")
        raise IndexMismatch(
            f"The index was built with the embedding model {built} but {configured} is configured; their "
            "vectors cannot be mixed. Run `assistant ingest --rebuild` to re-embed everything with the "
            "configured model (or configure the model the index was built with)."
        )
    if chunker and manifest.get("chunker_version") != CHUNKER_VERSION:
        raise IndexMismatch(
            f"The index was built by chunker version {manifest.get('chunker_version')!r}, this is "
            f"{CHUNKER_VERSION!r}. Run `assistant ingest --rebuild`."
        )


def new_manifest(
    generation: str, settings: Settings, weights_hash: str, dimension: int, chunks: int, hashes: dict[str, str]
) -> dict[str, Any]:
    """The manifest of a complete generation; ``hashes`` maps each document's source to its file's SHA-256."""
    return {
        "generation": generation,
        "embedding_model": settings.embedding_model,
        "embedding_weights_sha256": weights_hash,
        "embedding_dimension": dimension,
        "chunker_version": CHUNKER_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunks": chunks,
        "document_count": len(hashes),
        "documents": dict(sorted(hashes.items())),  # source -> SHA-256 of the file
    }
