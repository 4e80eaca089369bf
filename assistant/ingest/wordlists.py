"""Word lists the loaders use, kept as data files in ``assistant/resources/`` (one entry per line)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from assistant.text import normalize


@cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of ``assistant/resources/<name>.txt`` (comments and blank lines skipped)."""
    text = resources.files("assistant").joinpath(f"resources/{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_boilerplate(reading: str) -> bool:
    """Whether a paragraph's reading text opens like publisher boilerplate (``boilerplate.txt``)."""
    head = normalize(reading)[:200]
    return any(head.startswith(opening) for opening in entries("boilerplate"))


def is_summary_heading(name: str) -> bool:
    """Whether a heading names the report's own summary (``summary_headings.txt``)."""
    return normalize(name).strip(" .:") in entries("summary_headings")
