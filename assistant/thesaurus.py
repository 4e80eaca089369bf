"""Other names for the organisations government reports write about, and everyday phrasings of the words
audit reports use, so questions in everyday words find the report's own terms ("the Pentagon" -> "DOD",
"left out" -> "omitted"). Used for searching and matching only; what the user asked
is never rewritten in what they see.

The phrases live in ``assistant/resources/aliases.txt`` (phrase, tab, the report's term), with what they were
measured to be worth.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from assistant.ingest.wordlists import entries


def _read(name: str) -> dict[str, str]:
    terms = {}
    for line in entries(name):
        phrase, _, term = line.partition("\t")
        if phrase.strip() and term.strip():
            terms[phrase.strip().lower()] = term.strip()
    return terms


class Aliases:
    """A set of phrase -> report term entries, matched as whole words, case-insensitively."""

    def __init__(self, terms: dict[str, str]) -> None:
        self.terms = dict(terms)
        alternatives = "|".join(re.escape(k) for k in sorted(self.terms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w])({alternatives})(?![\w])", re.IGNORECASE) if self.terms else None

    def fold(self, text: str) -> str:
        """``text`` with everyday names and phrasings replaced by the report's terms."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.terms[m.group(1).lower()], text)

    def uses(self, phrase: str, text: str) -> bool:
        """Whether ``phrase`` (one entry) would be folded in ``text``, where no longer entry covers it."""
        return any(m.group(1).lower() == phrase for m in self._pattern.finditer(text)) if self._pattern else False

    def without(self, phrase: str) -> Aliases:
        return Aliases({k: v for k, v in self.terms.items() if k != phrase})


ALIASES = Aliases(_read("aliases"))  # assistant/resources/aliases.txt: phrase -> the report's term


@contextlib.contextmanager
def using(aliases: Aliases) -> Iterator[None]:
    """Answer with ``aliases`` instead of the data file's (for measuring what an entry is worth)."""
    global ALIASES
    saved, ALIASES = ALIASES, aliases
    try:
        yield
    finally:
        ALIASES = saved


def fold_aliases(text: str) -> str:
    """``text`` with everyday names and phrasings replaced by the report's terms."""
    return ALIASES.fold(text)
