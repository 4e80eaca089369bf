"""Publisher boilerplate (copyright, distribution and ordering notices), from the data file beside the code."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from assistant.text import normalize


@lru_cache(maxsize=1)
def openings() -> tuple[str, ...]:
    """The boilerplate openings of ``assistant/resources/boilerplate.txt`` (comments and blank lines skipped)."""
    text = resources.files("assistant").joinpath("resources/boilerplate.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_boilerplate(reading: str) -> bool:
    """Whether a paragraph's reading text is publisher boilerplate."""
    head = normalize(reading)[:200]
    return any(head.startswith(opening) for opening in openings())
