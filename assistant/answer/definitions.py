"""What an acronym stands for, as the report defines it: "Long Form (ACR)" in its text, or "ACR Long Form" in its
abbreviation list. Pure functions over the question and the document text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.text import STOPWORDS
from assistant.types import Chunk, Citation

# "What does HFA stand for?", "What is an AMWS?", "what is USNCO, and what did it find ...?"
_ASKS = re.compile(
    r"\b(?i:what)\s+(?:does|do|did)\s+(?:the\s+)?(?:acronym\s+|abbreviation\s+|term\s+)?(?P<a>[A-Z][A-Za-z0-9&]{1,11})"
    r"\s+(?:stand|stands)\s+for\b|"
    r"\b(?i:what)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<b>[A-Z][A-Z0-9&]{1,11})s?(?=\s*(?:[?,.;]|$|\band\b))|"
    r"\b(?i:define|spell out|expand)\s+(?:the\s+)?(?:acronym\s+)?(?P<c>[A-Z][A-Za-z0-9&]{1,11})\b",
)
_TOKEN = re.compile(r"[A-Za-z][\w.&’'-]*")


def _connects(token: str) -> bool:
    """A connecting word ("of", "and", "for") that an acronym may skip."""
    return token == "&" or token.lower() in STOPWORDS


def asked_acronyms(question: str) -> list[str]:
    """The acronyms whose meaning the question asks for."""
    found = []
    for match in _ASKS.finditer(question):
        acronym = next(g for g in match.groups() if g)
        if sum(ch.isupper() for ch in acronym) >= 2:
            found.append(acronym)
    return list(dict.fromkeys(found))


def _letters(token: str) -> list[str]:
    """What a word can contribute to an acronym: its initial, or all its capitals ("U.S." -> "US")."""
    capitals = "".join(ch for ch in token if ch.isupper())
    options = [token[0].upper()]
    if len(capitals) > 1:
        options.append(capitals)
    return options


def _spells(tokens: list[str], acronym: str) -> bool:
    """Whether the words spell the acronym by their initials (connecting words may be skipped or counted)."""
    target = acronym.upper().rstrip("S") if acronym.endswith("s") else acronym.upper()

    def walk(i: int, pos: int) -> bool:
        if i == len(tokens):
            return pos == len(target)
        token = tokens[i]
        if _connects(token) and walk(i + 1, pos):
            return True
        return any(target.startswith(option, pos) and walk(i + 1, pos + len(option)) for option in _letters(token))

    return bool(tokens) and walk(0, 0)


def definitions(acronym: str, text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` defines ``acronym``, as (start, end, long form): its abbreviation-list line ("ACR Long
    Form") first, then each "Long Form (ACR)" in the text (the long form's first word to the closing parenthesis)."""
    found = []
    for line in re.finditer(rf"^[ \t]*{re.escape(acronym)}[ \t]+([A-Za-z][^\n]{{2,120}})$", text, re.M):
        tokens = [t.group(0) for t in _TOKEN.finditer(line.group(1))]
        if _spells(tokens, acronym):
            found.append((line.start(), line.end(), " ".join(line.group(1).split())))
    for match in re.finditer(rf"\(\s*{re.escape(acronym)}\s*\)", text):
        before = list(_TOKEN.finditer(text, max(0, match.start() - 160), match.start()))
        for n in range(1, min(len(before), 12) + 1):
            words = before[-n:]
            if _connects(words[0].group(0)):
                continue
            if _spells([w.group(0) for w in words], acronym):
                start = words[0].start()
                found.append((start, match.end(), " ".join(text[start : match.start()].split())))
                break
    return found


def definition_parts(
    question: str,
    chunks: Sequence[Chunk],
    text: str,
    cite: Callable[[Chunk, int, int], Citation],
) -> list[tuple[str, list[Citation]]]:
    """ "ACR stands for Long Form." for each acronym the question asks about, quoting the report's own definition
    (``chunks`` and ``text``: the report's chunks and text; a definition inside a retrievable passage first)."""
    parts = []
    for acronym in asked_acronyms(question):
        found = definitions(acronym, text)
        placed = [(d, c) for d in found for c in chunks if c.char_start <= d[0] and d[1] <= c.char_end]
        if placed:
            (start, end, long_form), chunk = placed[0]
            parts.append((f"{acronym} stands for {long_form}.", [cite(chunk, start, end)]))
    return parts
