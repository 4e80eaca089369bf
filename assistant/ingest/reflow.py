"""Reading text of hard-wrapped source, with a map back to the source, and sentences as verbatim spans.

Reports converted from PDF break lines inside sentences, set bullets on lines of their own and interrupt
paragraphs with page footers and footnotes. A block hands us its source *pieces* (one, or more when it goes
on after an interruption); we join soft line breaks into spaces, keep hard ones (a bullet, a short line such
as an address or a heading), drop inline markup (``**``, ``_``, links, footnote markers such as `` [3]``), and
split the result into sentences. Each sentence comes back as the source spans it covers, so a citation still
quotes the file verbatim while the UI can show the reflowed reading text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import sentence_spans

Span = tuple[int, int]
Sentence = tuple[Span, ...]

BULLET_MARKER = re.compile(r"^\s*(?:[•●▪◦‣∙·\-–*]|`?o`?|y|\d{1,2}[.)]|\([a-z0-9]{1,3}\))\s*$")
BULLET_START = re.compile(r"^\s*(?:[•●▪◦‣∙·–]|`o`)\s+\S")
RUN_IN_WORDS = 3  # a "sentence" this short that opens a line is a run-in heading of the next one
SOFT_WRAP_SHARE = 0.6
MIN_WRAP_WIDTH = 50.0  # narrower "paragraphs" are address blocks and lists: their short lines end lines
SOFT_ENDINGS = (",", "-", "—", "–", "(", "/")
# A line that ends with one of these words goes on in the next line (it cannot end a title or an address line).
FUNCTION_WORDS = frozenset(
    """a an the and or nor but of to in on at by for with from as than that which who whose into over under
    about between among through during including such""".split()  # noqa: SIM905
)  # a line at least this share of its paragraph's longest line was wrapped by the layout
_INLINE_MARKUP = re.compile(
    r"(?:^|(?<=\n))#{1,6}\s+"  # an ATX heading's marks
    r"|\*\*|`"  # bold and code marks (underscore emphasis only in pairs: see _UNDERSCORES)
    r"|<br\s*/?>|</?sup>|</?sub>|</?b>|</?i>|</?em>|</?strong>"  # inline HTML the converters write
    r"|\]\((?:[^()\s]|\([^()\s]*\))*\)|(?<!\S)\[(?=[^\]\n]*\]\()"  # a link keeps its text: no "[", "](url)"
    r"|\s?\[(?:\d{1,3}|[a-z])\](?!\()",  # footnote and table-note markers: " [3]", "[a]"
    re.IGNORECASE,
)


_UNDERSCORES = re.compile(r"(?<!\w)(__?)(?=\S)[^\n]+?(?<=\S)\1(?!\w)")  # _italic_ and __bold__, in pairs


@dataclass(frozen=True)
class Reading:
    """Reading text and, for every character of it, the source offset it comes from."""

    text: str
    origin: list[int]
    markup: frozenset[int] = frozenset()  # source offsets of markup left out of the reading text
    source: str = ""

    def source_spans(self, start: int, end: int, pieces: Sequence[Span]) -> Sentence:
        """The source spans of reading characters ``start:end``, one per source piece they touch; markup glued
        to the ends ("**Title**", "[name](mailto:...)") stays in the verbatim span."""
        spans: list[Span] = []
        for p_start, p_end in pieces:
            inside = [o for o in self.origin[start:end] if p_start <= o < p_end]
            if inside:
                s, e = inside[0], inside[-1] + 1
                while s > p_start and s - 1 in self.markup and not self.source[s - 1].isspace():
                    s -= 1
                while e < p_end and e in self.markup and not self.source[e].isspace():
                    e += 1
                spans.append((s, e))
        return tuple(spans)


def _is_hard_break(line: str, following: str, width: float) -> bool:
    """Whether the line break after ``line`` ends a line of the text (a bullet, an address line, a heading)
    rather than a line of the layout; ``width`` is the paragraph's typical line length."""
    stripped, nxt = line.strip(), following.lstrip()
    bare = stripped.rstrip("*_")
    last_word = bare.rsplit(None, 1)[-1].lower() if bare else ""
    if BULLET_START.match(following) or (BULLET_MARKER.match(following) and not bare.endswith(SOFT_ENDINGS)):
        return True
    if BULLET_MARKER.match(line):
        return False  # the marker's item follows on the next line
    if nxt[:1].islower() or bare.endswith(SOFT_ENDINGS) or last_word in FUNCTION_WORDS:
        return False
    return len(stripped) < SOFT_WRAP_SHARE * width


def reading(text: str, pieces: Sequence[Span]) -> Reading:
    """Join the pieces' lines into reading text (see the module docstring); ``origin`` maps it back."""
    chars: list[str] = []
    origin: list[int] = []

    def put(s: str, at: int) -> None:
        chars.extend(s)
        origin.extend([at] * len(s))

    for n, (p_start, p_end) in enumerate(pieces):
        if n and chars and chars[-1] != " ":
            put(" ", p_start)
        lines = []
        pos = p_start
        for raw in text[p_start:p_end].split("\n"):
            lines.append((pos, raw))
            pos += len(raw) + 1
        widths = sorted(len(raw.strip()) for _, raw in lines[:-1])
        width = max(float(widths[len(widths) // 2]) if widths else 0.0, MIN_WRAP_WIDTH)
        for i, (l_start, raw) in enumerate(lines):
            line = raw.rstrip()
            lead = len(line) - len(line.lstrip())
            for k, ch in enumerate(line[lead:]):
                chars.append(" " if ch in "\t\r" else ch)
                origin.append(l_start + lead + k)
            if i + 1 < len(lines):
                hard = _is_hard_break(raw, lines[i + 1][1], width)
                sep = "\n" if hard else ("" if line.endswith("-") and not line.endswith(" -") else " ")
                if sep:
                    put(sep, l_start + len(line))
    joined = "".join(chars)
    keep = [True] * len(joined)
    for match in _INLINE_MARKUP.finditer(joined):
        for k in range(match.start(), match.end()):
            keep[k] = False
    for match in _UNDERSCORES.finditer(joined):
        width = len(match.group(1))
        for k in (*range(match.start(), match.start() + width), *range(match.end() - width, match.end())):
            keep[k] = False
    out_chars: list[str] = []
    out_origin: list[int] = []
    markup: set[int] = set()
    for ch, at, kept in zip(joined, origin, keep, strict=True):
        if not kept:
            markup.add(at)
            continue
        if ch == " " and (not out_chars or out_chars[-1] in " \n"):
            continue  # fold runs of spaces left by removed markup
        out_chars.append(ch)
        out_origin.append(at)
    while out_chars and out_chars[-1] in " \n":
        out_chars.pop()
        out_origin.pop()
    return Reading("".join(out_chars), out_origin, frozenset(markup), text)


def segment(text: str, pieces: Sequence[Span]) -> list[Sentence]:
    """Sentences of the source pieces, each as the verbatim source spans it covers (in order)."""
    view = reading(text, pieces)
    bounds: list[Span] = []
    for start, end in sentence_spans(view.text):
        previous = view.text[bounds[-1][0] : bounds[-1][1]] if bounds else ""
        same_line = bool(bounds) and "\n" not in view.text[bounds[-1][1] : start]
        if same_line and len(previous.split()) <= RUN_IN_WORDS and not BULLET_MARKER.match(previous):
            bounds[-1] = (bounds[-1][0], end)  # a run-in heading ("Outreach.") belongs to its sentence
        else:
            bounds.append((start, end))
    sentences = [view.source_spans(start, end, pieces) for start, end in bounds]
    return [s for s in sentences if s]


def reading_text(text: str, spans: Sequence[Span]) -> str:
    """The reading form of verbatim spans (a sentence, a quote): one line, markup and markers removed."""
    return _reading_text(text, tuple(spans))


@lru_cache(maxsize=200_000)
def _reading_text(text: str, spans: tuple[Span, ...]) -> str:
    # every ask reads the sentences of the retrieved chunks again: remember them (the key holds a reference to
    # the document text, not a copy, and str caches its hash)
    return " ".join(reading(text, spans).text.split())
