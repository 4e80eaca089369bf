"""Garbage collection of index generations: once a generation is live, every other one goes.

Older generations are dropped after the manifest switched away from them, and leftovers of a killed ingest
(a generation that never became live, a store's temporary files) on the next ingest.
"""

from __future__ import annotations

import logging

from assistant.store import Store, hold_point

log = logging.getLogger("assistant.index")


def collect_garbage(store: Store, live: str) -> None:
    """Remove every generation but the live one: older ones, and leftovers of a killed ingest."""
    dropped = 0
    for generation in store.generations():
        if generation != live:
            store.drop_generation(generation)
            dropped += 1
            hold_point("collecting")
    if hasattr(store, "remove_temp_files"):
        store.remove_temp_files()
    if dropped:
        log.info("removed %d old or unfinished index generation(s)", dropped)
