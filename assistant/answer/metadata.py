"""A report's own metadata, quoted where the report states it: title, report number, publication date, the
GAO contact and the addressees of the letter or statement. Pure: the document's record, chunks and text in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.draft import Draft
from assistant.answer.intent import MetadataKind
from assistant.ingest.metadata import MONTHS
from assistant.ingest.wordlists import entries
from assistant.types import Chunk, Citation, DocumentInfo

_EMAIL = re.compile(r"\b([A-Za-z][\w.%+-]*)@[\w-]+(?:\.[\w-]+)+")
_NAME = r"[A-Z][a-zA-Z’'-]+(?:\s+(?:[A-Z]\.|[A-Z][a-zA-Z’'-]+)){1,3}"
# "contact Dana Q. Marsh at ...", "Pat J. Rowan at RowanP@example.gov", "Lee Ortiz, (202) 555-0100"
_CONTACT_NAME = [
    re.compile(rf"\bcontact(?:ed)?:?\s+(?P<name>{_NAME})(?=\s+at\b|\s*,|\s*\(|\s+or\b)"),
    re.compile(rf"(?P<name>{_NAME})\s+at\s+(?:\(\d{{3}}\)\s*[\d-]+|[\w.%+-]+@)"),
    re.compile(rf"(?P<name>{_NAME}),\s*\(\d{{3}}\)\s*\d{{3}}-\d{{4}}"),
]
# The salutation of a letter or statement: "Chair Ernst, Ranking Member Markey, and Members of the Committee:"
_SALUTATION = re.compile(
    r"^(?:Dear\s+|Chair(?:man|woman)?\s+|Ranking\s+Member\s+|Members?\s+of\s+|Mr\.\s+|Madam\s+|Senator\s+)"
    r"[^\n]{0,300}[:,]\s*$",
    re.M,
)
_ADDRESSEE = re.compile(r"^The Honorable [^\n]+$", re.M)


def _not_a_name(word: str) -> bool:
    """A capitalised word that opens a contact line without being a first name (``contact_non_names.txt``)."""
    return word.lower() in entries("contact_non_names")


@dataclass(frozen=True)
class Fact:
    """A metadata answer: the sentence to say, and the verbatim spans (with their chunks) that support it."""

    text: str
    spans: list[tuple[Chunk, int, int]]


def _chunk_at(chunks: Sequence[Chunk], start: int) -> Chunk | None:
    """The chunk whose span holds ``start`` (else the nearest before it)."""
    before = [c for c in chunks if c.char_start <= start]
    inside = [c for c in before if start < c.char_end]
    pool = inside or before or list(chunks)
    return max(pool, key=lambda c: c.char_start) if pool else None


def _date_forms(value: str) -> list[str]:
    """How a date may be printed: "March 16, 2026" also as "March 2026" and as "2026-03-16"."""
    forms = [value]
    match = re.match(r"^([A-Z][a-z]+)\s+(\d{1,2}),\s+(\d{4})$", value)
    if match and match.group(1) in MONTHS:
        month = MONTHS.index(match.group(1)) + 1
        forms += [f"{match.group(3)}-{month:02d}-{int(match.group(2)):02d}", f"{match.group(1)} {match.group(3)}"]
    return forms


def _quote(label: str, template: str, value: str, forms: list[str], chunks: Sequence[Chunk], text: str) -> Fact | None:
    for form in forms:
        start = text.find(form)
        chunk = _chunk_at(chunks, start) if start >= 0 else None
        if chunk is not None:
            return Fact(template.format(label=label, value=value), [(chunk, start, start + len(form))])
    return None


def _sentence_around(chunks: Sequence[Chunk], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The verbatim spans of the sentence that holds ``text[start:end]``: the chunk's own sentence when a chunk
    holds it (a sentence may run over several source lines), else the sentence within its line."""
    holder = _chunk_at(chunks, start)
    if holder is not None and holder.char_start <= start < holder.char_end:
        for sentence in holder.sentence_spans():
            if any(s <= start < e for s, e in sentence):
                return list(sentence)
    line_start = text.rfind("\n", 0, start) + 1
    stop = text.find("\n", end)
    line_end = len(text) if stop < 0 else stop
    before = text.rfind(". ", line_start, start)
    after = text.find(". ", end, line_end)
    return [((before + 2 if before >= 0 else line_start), (after + 1 if after >= 0 else line_end))]


def _contact(label: str, chunks: Sequence[Chunk], text: str) -> Fact | None:
    """The person to contact: named in a "contact ..." line (the summary page's first), else the signer whose
    name the contact e-mail address carries ("please contact me at RowanP@..." -> Pat J. Rowan)."""
    body_start = min((c.char_start for c in chunks if c.zone == "body"), default=len(text))

    def rank(position: int) -> int:
        holder = _chunk_at(chunks, position)
        if position < body_start or (holder is not None and holder.zone in ("highlights", "front")):
            return 0  # the summary page or cover ("For more information, contact ...")
        return 1 if holder is not None and "contact" in holder.section.lower() else 2

    found: list[tuple[int, int, int, int, str]] = []
    for order, pattern in enumerate(_CONTACT_NAME):
        for match in pattern.finditer(text):
            name = " ".join(match.group("name").split())
            if not _not_a_name(name.split()[0]):
                found.append((rank(match.start()), order, match.start("name"), match.end("name"), name))
    if found:
        _, _, position, name_end, name = min(found)
        holder = _chunk_at(chunks, position)
        spans = [(holder, s, e) for s, e in _sentence_around(chunks, text, position, name_end)] if holder else []
        return Fact(f"The GAO contact for {label} is {name}.", spans) if spans else None
    for email in _EMAIL.finditer(text):
        around = _sentence_around(chunks, text, email.start(), email.end())
        if not any("contact" in text[s:e].lower() for s, e in around):
            continue
        local = email.group(1).lower()
        for candidate in re.finditer(_NAME, text):
            tokens = candidate.group(0).split()
            at = next((i for i, t in enumerate(tokens) if i and len(t) >= 3 and t.lower() in local), 0)
            if not at or _not_a_name(tokens[0]):
                continue
            name = " ".join(tokens[: at + 1])
            holder, signer = _chunk_at(chunks, email.start()), _chunk_at(chunks, candidate.start())
            if holder is None or signer is None:
                continue
            line_end = text.find("\n", candidate.start())
            line_end = len(text) if line_end < 0 else line_end  # the signature line: name and title
            spans = [(holder, s, e) for s, e in around] + [(signer, candidate.start(), line_end)]
            return Fact(f"The GAO contact for {label} is {name} ({email.group(0)}).", spans)
    return None


def _addressees(label: str, chunks: Sequence[Chunk], text: str) -> Fact | None:
    """Whom a letter or statement is addressed to: its salutation, else its "The Honorable ..." lines."""
    for pattern in (_SALUTATION, _ADDRESSEE):
        matches = [m for m in pattern.finditer(text) if _chunk_at(chunks, m.start()) is not None]
        if matches:
            first = matches[: 1 if pattern is _SALUTATION else 4]
            spans = []
            for m in first:
                holder = _chunk_at(chunks, m.start())
                if holder is not None:
                    spans.append((holder, m.start(), m.end()))
            said = "; ".join(" ".join(m.group(0).split()).rstrip(":,") for m in first)
            return Fact(f"{label} is addressed to {said}.", spans)
    return None


def answer_metadata(
    kind: MetadataKind, doc: DocumentInfo, chunks: Sequence[Chunk], source_text: Callable[[str], str]
) -> Fact | None:
    """The ``kind`` of metadata of one report, quoted from it; None when the report does not state it."""
    if not chunks:
        return None
    text = source_text(doc.source)
    label = doc.report_number or f"“{doc.title}”"
    if kind == "title" and doc.title:
        return _quote(label, "{label} is titled “{value}”.", doc.title, [doc.title], chunks, text)
    if kind == "number" and doc.report_number:
        return _quote(label, "The report number is {value}.", doc.report_number, [doc.report_number], chunks, text)
    if kind == "date" and doc.date:
        return _quote(label, "{label} is dated {value}.", doc.date, _date_forms(doc.date), chunks, text)
    if kind == "contact":
        return _contact(label, chunks, text)
    if kind == "addressee":
        return _addressees(label, chunks, text)
    return None


def metadata_draft(
    kind: MetadataKind,
    doc: DocumentInfo,
    chunks: Sequence[Chunk],
    source_text: Callable[[str], str],
    cite: Callable[[Chunk, int, int], Citation],
) -> Draft | None:
    """The metadata answer as a cited draft; None when the report does not state it."""
    fact = answer_metadata(kind, doc, chunks, source_text)
    if fact is None:
        return None
    cites = [cite(chunk, start, end) for chunk, start, end in fact.spans]
    return Draft([(fact.text, cites)], support=1.0, kind="metadata", trace={"metadata": kind})
