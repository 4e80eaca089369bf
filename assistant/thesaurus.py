"""Other names for the organisations government reports write about, and everyday phrasings of the words
audit reports use, so questions in everyday words find the report's own terms ("the Pentagon" -> "DOD",
"left out" -> "omitted"). Used for searching and matching only; what the user asked
is never rewritten in what they see.

The phrases live in ``assistant/resources/aliases.txt`` (phrase, tab, the report's term), with what they were
measured to be worth.
"""

from __future__ import annotations

import re

from assistant.ingest.wordlists import entries


def _read(name: str) -> dict[str, str]:
    terms = {}
    for line in entries(name):
        phrase, _, term = line.partition("\t")
        if phrase.strip() and term.strip():
            terms[phrase.strip().lower()] = term.strip()
    return terms


_TERMS = _read("aliases")  # assistant/resources/aliases.txt: phrase -> the report's term

_PATTERN = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(_TERMS, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)


def fold_aliases(text: str) -> str:
    """``text`` with everyday names and phrasings replaced by the report's terms."""
    return _PATTERN.sub(lambda m: _TERMS[m.group(1).lower()], text)
