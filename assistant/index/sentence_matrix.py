"""Every stored sentence view vector of one index generation in memory, in the chunks' reading order: the
answerer's vectors without a store round trip, and a search of the reports by their nearest sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.index.records import get_all
from assistant.index.vectors import unpack_views


@dataclass(frozen=True)
class SentenceMatrix:
    """``vectors`` (one row per view), ``rows`` (each row's chunk position, ascending: a chunk's rows and a
    document's chunks are consecutive), ``keys`` (each row's view key) and each chunk's row range."""

    vectors: np.ndarray
    rows: np.ndarray
    keys: list[str]
    ranges: dict[int, tuple[int, int]]

    @classmethod
    def read(cls, sentences: Any, by_id: dict[str, int]) -> SentenceMatrix | None:
        """The matrix of a generation's ``sentences`` collection (None when it holds none)."""
        got = get_all(sentences, documents=False)
        records = zip(got["ids"], got["metadatas"], strict=True)
        found = {by_id[cid]: unpack_views(meta) for cid, meta in records if cid in by_id}
        parts = [(pos, views) for pos, views in sorted(found.items(), key=lambda p: p[0]) if views]
        if not parts:
            return None
        keys = [key for _, views in parts for key in views]
        vectors = np.concatenate([np.stack(list(views.values())) for _, views in parts]).astype(np.float32)
        rows = np.concatenate([np.full(len(views), pos) for pos, views in parts])
        ranges, start = {}, 0
        for pos, views in parts:
            ranges[pos] = (start, start + len(views))
            start += len(views)
        return cls(vectors, rows, keys, ranges)

    def views_of(self, position: int) -> dict[str, np.ndarray]:
        """A chunk's view vectors by key ({} for a chunk without stored views)."""
        lo, hi = self.ranges.get(position, (0, 0))
        return dict(zip(self.keys[lo:hi], self.vectors[lo:hi], strict=True))

    def nearest(self, vector: np.ndarray, n: int, spans: list[tuple[int, int]]) -> list[tuple[int, float]]:
        """(chunk position, cosine of its best view) of the ``n`` chunks nearest ``vector`` among the chunk
        positions ``spans`` ([lo, hi) ranges) cover."""
        found: list[tuple[int, float]] = []
        for first, last in spans:
            lo, hi = int(np.searchsorted(self.rows, first)), int(np.searchsorted(self.rows, last))
            if hi <= lo:
                continue
            part = self.rows[lo:hi]
            # einsum, not BLAS: BLAS threads left spinning after a product slow the model's next pass on 2 cores
            sims = np.einsum("ij,j->i", self.vectors[lo:hi], vector.astype(np.float32))
            starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
            best = np.maximum.reduceat(sims, starts)
            found += [(int(part[starts[i]]), float(best[i])) for i in np.argsort(-best)[:n]]
        return sorted(found, key=lambda f: -f[1])[:n]
