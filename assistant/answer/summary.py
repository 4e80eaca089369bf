"""Overviews of a report from its own summary: the Highlights page's "What GAO Found" and "What GAO Recommends"
(or "Why GAO Did This Study"), the opening sentence of each paragraph first, within a word budget. A report
without such a page is summarised from its first body paragraphs. Pure: chunks and the document text in,
chosen sentences out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from assistant.answer.draft import Draft
from assistant.answer.intent import SummaryKind
from assistant.ingest.reflow import Sentence, reading_text
from assistant.ingest.wordlists import entries
from assistant.text import normalize, words
from assistant.types import Chunk, Citation

MIN_SENTENCE_WORDS = 4  # shorter lines of a summary page are labels, not statements
# A statement ends like a sentence; headings, captions and "Highlights of GAO-..., a report to ..." lines do not.
_STATEMENT_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# The sentence that says what the report itself covers ("This report examines ...", "This statement discusses").
_SCOPE = re.compile(r"\b(?:this|the|our)\s+(?:report|statement|testimony|study|review|work|letter)\b", re.I)
_PLAN: dict[str, tuple[str, ...]] = {
    "about": ("purpose", "findings"),
    "overview": ("findings", "recommendations"),
    "findings": ("findings",),
    "recommendations": ("recommendations",),
    "purpose": ("purpose", "findings"),
}


@dataclass(frozen=True)
class Picked:
    """One sentence of a summary: where it is (chunk and verbatim spans) and its reading text."""

    chunk: Chunk
    sentence: Sentence
    text: str
    part: str


@cache
def _parts() -> tuple[tuple[str, str], ...]:
    out = []
    for line in entries("summary_parts"):
        part, _, phrase = line.partition("\t")
        out.append((part.strip(), normalize(phrase.strip())))
    return tuple(out)


def part_of(section: str) -> str:
    """Which part of a summary a section heading names ("findings", "recommendations", "purpose"), or ""."""
    heading = normalize(section.rsplit(">", 1)[-1])
    return next((part for part, phrase in _parts() if phrase in heading), "")


def _sentences(chunk: Chunk, text: str) -> list[tuple[Sentence, str]]:
    out = []
    for sentence in chunk.sentence_spans():
        reading = " ".join(reading_text(text, sentence).split())
        statement = _STATEMENT_END.search(reading) and " | " not in reading  # not a heading or a table line
        if statement and len(words(reading)) >= MIN_SENTENCE_WORDS:
            out.append((sentence, reading))
    return out


def _by_part(chunks: Sequence[Chunk], text: str) -> dict[str, list[list[Picked]]]:
    """The summary page's sentences by part, as paragraphs (one list per chunk), in document order."""
    parts: dict[str, list[list[Picked]]] = {}
    for chunk in chunks:
        if chunk.zone != "highlights" or chunk.kind != "text":
            continue
        part = part_of(chunk.section) or "findings"
        paragraph = [Picked(chunk, s, r, part) for s, r in _sentences(chunk, text)]
        if paragraph:
            parts.setdefault(part, []).append(paragraph)
    return parts


def _body_opening(chunks: Sequence[Chunk], text: str) -> list[list[Picked]]:
    """The first body paragraphs (for a report without a summary page), as paragraphs."""
    body = [c for c in chunks if c.kind == "text" and c.zone in ("body", "")]
    out = []
    for chunk in body:
        paragraph = [Picked(chunk, s, r, "findings") for s, r in _sentences(chunk, text)]
        if len(paragraph) >= 2 or (paragraph and len(words(paragraph[0].text)) >= 15):
            out.append(paragraph)
        if len(out) >= 4:
            break
    return out


def _findings_sections(chunks: Sequence[Chunk], text: str) -> list[list[Picked]]:
    """For a report without a summary page, asked for its findings: the first paragraph of each section after
    the opening that is not background, method or back matter (``not_findings_headings.txt``). GAO letters open
    each finding's section with the finding ("Industry panelists identified positive and negative impacts
    ..."); a paragraph that opens with a quotation (a participant's view set apart) is not one."""
    skipped = entries("not_findings_headings")
    opening = chunks[0].section if chunks else ""
    firsts: dict[str, list[Picked]] = {}
    for chunk in chunks:
        top = chunk.section.split(" > ")[0]
        if chunk.kind != "text" or chunk.zone not in ("body", "") or top == opening or top in firsts:
            continue
        if normalize(top).startswith(skipped):
            continue
        paragraph = [Picked(chunk, s, r, "findings") for s, r in _sentences(chunk, text)]
        if paragraph and not paragraph[0].text.startswith(("“", '"')):
            firsts[top] = paragraph
        if len(firsts) >= 4:
            break
    return list(firsts.values())


def _opening(chunks: Sequence[Chunk], text: str) -> list[list[Picked]]:
    """The first statements of the report, in whatever zone (the last resort for an overview)."""
    out = []
    for chunk in chunks:
        if chunk.kind == "text":
            paragraph = [Picked(chunk, s, r, "findings") for s, r in _sentences(chunk, text)]
            if paragraph:
                out.append(paragraph)
        if len(out) >= 4:
            break
    return out


def _recommendation_sentences(chunks: Sequence[Chunk], text: str) -> list[list[Picked]]:
    """Sentences that state recommendations, for a report whose summary page has no recommendations part:
    a section headed as recommendations, else body sentences that recommend."""
    sectioned = [c for c in chunks if c.kind == "text" and part_of(c.section) == "recommendations"]
    if sectioned:
        paragraphs = [[Picked(c, s, r, "recommendations") for s, r in _sentences(c, text)] for c in sectioned]
        return [p for p in paragraphs if p]
    cues = entries("recommendation_cues")
    found: list[list[Picked]] = []
    for zones in (("highlights",), ("body", "")):
        for chunk in chunks:
            if chunk.kind != "text" or chunk.zone not in zones:
                continue
            for s, r in _sentences(chunk, text):
                if any(cue in normalize(r) for cue in cues):
                    found.append([Picked(chunk, s, r, "recommendations")])
            if len(found) >= 3:
                return found
        if found:
            return found
    return found


def summarise(
    kind: SummaryKind, chunks: Sequence[Chunk], source_text: Callable[[str], str], max_words: int
) -> list[Picked]:
    """The sentences that summarise one report (``chunks``: its chunks), at most about ``max_words`` words.

    Each part the kind asks for contributes its first sentence; then the opening sentences of its further
    paragraphs, then further sentences, in that order, while the budget lasts. Returned in reading order.
    """
    if not chunks:
        return []
    ordered = sorted(chunks, key=lambda c: c.char_start)
    text = source_text(ordered[0].source)
    parts = _by_part(ordered, text)
    if not parts.get("findings") and not parts.get("purpose"):
        found = _findings_sections(ordered, text) if kind in ("findings", "overview") else []
        parts["findings"] = found or _body_opening(ordered, text)
    if "recommendations" in _PLAN[kind] and not parts.get("recommendations"):
        parts["recommendations"] = _recommendation_sentences(ordered, text) if kind == "recommendations" else []
    if kind == "about":
        # what the report covers first: its own scope sentence ("This report examines ..."), from the summary
        # page's purpose part, else from the opening paragraphs of a report without one
        source = parts.get("purpose") or parts.get("findings") or []
        scoped = [[s] for para in source for s in para if _SCOPE.search(s.text)]
        if parts.get("purpose") or scoped:
            parts["purpose"] = scoped[:1] or parts["purpose"][:1]
    plan = [p for p in _PLAN[kind] if parts.get(p)]
    if not plan:
        # never refuse an overview of a report that has text: its opening statements, whatever their zone
        parts["findings"] = parts.get("findings") or _opening(ordered, text)
        plan = ["findings"] if parts["findings"] else []
    # candidates in priority order: each part's first sentence, then paragraph openings, then the rest
    rounds: list[Picked] = [parts[p][0][0] for p in plan]
    rounds += [para[0] for p in plan for para in parts[p][1:]]
    rounds += [s for p in plan for para in parts[p] for s in para[1:]]
    chosen: list[Picked] = []
    used = 0
    for picked in rounds:
        n = len(words(picked.text))
        if (chosen and used + n > max_words) or any(c is picked for c in chosen):
            continue
        chosen.append(picked)
        used += n
    order: dict[int, int] = {}
    for i, sentence in enumerate(s for p in plan for para in parts[p] for s in para):
        order.setdefault(id(sentence), i)  # a sentence in two parts is said where the first puts it
    return sorted(chosen, key=lambda s: order[id(s)])


def summary_draft(
    kind: SummaryKind,
    chunks: Sequence[Chunk],
    source_text: Callable[[str], str],
    cite: Callable[[Chunk, int, int], Citation],
    max_words: int,
) -> Draft | None:
    """The summary of one report as a cited draft (each sentence quoting itself); None when it has no text."""
    picked = summarise(kind, chunks, source_text, max_words)
    if not picked:
        return None
    parts = [(p.text, [cite(p.chunk, s, e) for s, e in p.sentence]) for p in picked]
    return Draft(parts, support=1.0, kind="summary", trace={"summary": kind, "parts": [p.part for p in picked]})
