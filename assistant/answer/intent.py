"""What a question asks for at the level of a whole report: an overview of it, one piece of its metadata, or
(neither) a fact inside it. Pure functions over the question text.

An overview request is recognised by its main clause ("Summarize ...", "What are the key findings ...",
"What does GAO recommend ...", "What is ... about?", "Tell me about ..."); whatever follows that clause only
has to name the report (by number, by a word such as "report" or "testimony", or by its title's words), so
"What did GAO find about call quality?" stays a question about one finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.answer.reports import numbers_in
from assistant.text import STOPWORDS, stem, words

SummaryKind = Literal["about", "overview", "findings", "recommendations", "purpose"]
MetadataKind = Literal["title", "number", "date", "contact", "addressee"]

_WHO = r"(?:gao|the (?:report|study|review|testimony|statement|audit|auditors?)|it|they|you)"
_DO = r"(?:does|did|do|will|would|is|was)"
# Main clauses of overview requests; group "rest" is what follows (it must name the report, or be empty).
_SUMMARY: list[tuple[SummaryKind, re.Pattern[str]]] = [
    (
        "recommendations",
        re.compile(
            rf"^(?:what|which)\s+(?:recommendations?|next steps|steps|actions?)\s+{_DO}\s+{_WHO}\s+"
            rf"(?:make|recommend|suggest|propose|call for)\b(?P<rest>.*)$|"
            rf"^what\s+{_DO}\s+{_WHO}\s+(?:recommend|suggest|propose|call for)\b(?P<rest2>.*)$|"
            r"^what\s+(?:are|were)\s+(?:the\s+|gao's\s+|its\s+|their\s+)?(?:main\s+|key\s+)?"
            r"(?:recommendations|next steps)\b(?P<rest3>.*)$",
            re.I,
        ),
    ),
    (
        "findings",
        re.compile(
            rf"^what\s+{_DO}\s+{_WHO}\s+(?:find|found|conclude)\b(?P<rest>.*)$|"
            r"^what\s+(?:are|were)\s+(?:the\s+|gao's\s+|its\s+|their\s+)?(?:key\s+|main\s+|major\s+|principal\s+"
            r"|primary\s+|most important\s+)?(?:findings|conclusions|takeaways|results|points)\b(?P<rest2>.*)$|"
            r"^(?:list|give me|tell me)\s+(?:the\s+)?(?:key\s+|main\s+)?(?:findings|conclusions|takeaways)"
            r"\b(?P<rest3>.*)$",
            re.I,
        ),
    ),
    (
        "purpose",
        re.compile(
            r"^(?:why|for what reason)\s+did\s+gao\s+(?:do|conduct|undertake|write)\b(?P<rest>.*)$|"
            r"^what\s+(?:did|does)\s+(?:gao|the (?:report|study|review))\s+(?:examine|review|look at|assess|study)"
            r"\b(?P<rest2>.*)$",
            re.I,
        ),
    ),
    (
        "about",
        re.compile(
            r"^(?:what\s+is|what's|what\s+was)\s+(?P<rest>.+?)\s+(?:about|all about)$|"
            r"^(?:tell|inform)\s+me\s+(?:more\s+)?about\s+(?P<rest2>.+)$|"
            r"^what\s+(?:is|are)\s+the\s+(?:topic|subject|focus|scope)\s+of\b(?P<rest3>.+)$",
            re.I,
        ),
    ),
    (
        "overview",
        re.compile(
            r"^(?:please\s+|can you\s+|could you\s+)?(?:summari[sz]e|sum up|recap|outline|describe|overview)"
            r"\b(?P<rest>.*)$|"
            r"^(?:give|write|provide)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:short\s+|brief\s+|quick\s+)?"
            r"(?:summary|overview|synopsis|gist|rundown)\b(?P<rest2>.*)$|"
            r"^(?:what\s+is|what's)\s+(?:the\s+)?(?:summary|overview|gist|synopsis|main point|bottom line)"
            r"\b(?P<rest3>.*)$|"
            r"^(?:key|main)\s+(?:findings|points|takeaways)\b(?P<rest4>.*)$",
            re.I,
        ),
    ),
]
# A report referred to by a noun, a pronoun or a report number.
_REPORT_NOUN = re.compile(
    r"\b(?:report|reports|study|review|testimony|statement|audit|document|paper|publication|product|gao)\b",
    re.I,
)
# A question about a part of the report, or about another document it cites, is not about its metadata.
_PART_OF_REPORT = re.compile(
    r"\b(?:table|figure|chart|graphic|appendix|exhibit|classified|restricted|original|earlier|previous|prior|"
    r"version)\b",
    re.I,
)
_TRAILING_LINK = re.compile(r"^\s*(?:in|of|from|for|on|about|regarding|concerning|by|made|makes|make|with|to)\b", re.I)

_METADATA: list[tuple[MetadataKind, re.Pattern[str]]] = [
    (
        "title",
        re.compile(
            r"\b(?:the|its|full|official)\s+title\b(?!\s+[IVX]+\b)|\b(?:report|study|testimony)'s\s+title\b|"
            r"\b(?:report|study|document|testimony|statement)\s+(?:is\s+)?(?:called|named|titled)\b|"
            r"\bname of (?:the|this) (?:report|study|testimony)\b|^what\s+is\s+\S+\s+(?:called|titled)$",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\b(?:report|document|study|gao|product) number\b|\bnumber of (?:the|this) (?:report|study|testimony)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^when\s+(?:was|is|were)\s+.{1,120}?\b(?:published|issued|released|dated|delivered|made public|"
            r"come out|came out)\b|^when\s+did\s+.{1,120}?\b(?:come out|get published|appear)\b|"
            r"\b(?:publication|release|issue|issuance) date\b|\bdate of (?:the|this) (?:report|study|testimony)\b|"
            r"^(?:what|which)\s+(?:date|day|month|year)\s+(?:was|is)\s+.{1,120}?\b(?:published|issued|released|dated)\b",
            re.I,
        ),
    ),
    (
        "contact",
        re.compile(
            r"\bwho\s+(?:is|are|was|were)\s+(?:the\s+)?(?:gao\s+|main\s+|primary\s+|report\s+)?contacts?\b|"
            r"\b(?:contact person|point of contact|whom? (?:should|can|do|could) (?:i|we|you|one) "
            r"(?:contact|reach|call|write to|e-?mail|direct questions to|ask))\b|"
            r"\bcontact (?:information|details)\b",
            re.I,
        ),
    ),
    (
        "addressee",
        re.compile(
            r"\bto whom\b.{0,80}\b(?:addressed|sent|delivered|presented|directed)\b|"
            r"\bwho\s+(?:was|is|were)\s+.{1,80}\b(?:addressed|sent|delivered|presented)\s+to\b|"
            r"\b(?:addressees?|recipients?) of\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class Intent:
    """What the question asks for at the report level (``kind`` "" when it asks a fact inside a report).

    ``rest`` is the part of an overview request after its main clause (what names the report, if anything).
    """

    kind: Literal["", "summary", "metadata"] = ""
    summary: SummaryKind | None = None
    metadata: MetadataKind | None = None
    rest: str = ""


def _clean(question: str) -> str:
    q = " ".join(question.split()).strip()
    q = re.sub(r"^(?:and|so|ok|okay|also|now|then)\b[,\s]*", "", q, flags=re.I)
    q = re.sub(
        r"^(?:please|can you|could you|would you)\s+(?=(?:tell|give|list|summari|describe|outline))", "", q, flags=re.I
    )
    return q.rstrip(" ?.!")


def names_a_report(rest: str, title_stems: set[str] | None = None) -> bool:
    """Whether the words after an overview clause only name a report: nothing, a report noun ("the report",
    "GAO's testimony on ..."), a report number, or mostly words of the routed report's title."""
    rest = rest.strip(" ?.!,;:")
    bare = _TRAILING_LINK.sub("", rest).strip(" ?.!,;:").lower()
    if bare in ("", "it", "this", "that", "them", "these", "those"):
        return True
    if numbers_in(rest) or _REPORT_NOUN.search(rest):
        return True
    content = {stem(w) for w in words(rest) if w not in STOPWORDS}
    if not content or not title_stems:
        return not content
    return len(content & title_stems) >= max(1, round(0.6 * len(content)))


def classify(question: str, title_stems: set[str] | None = None) -> Intent:
    """The report-level intent of ``question``; ``title_stems`` (stems of the title of the report the question
    is routed to) lets "Tell me about <the title's words>" count as an overview request."""
    q = _clean(question)
    if not q or re.match(r"^how\s+(?:many|much)\b", q, re.I):
        return Intent()
    for kind, pattern in _METADATA:
        if pattern.search(q) and not (kind in ("title", "number", "date") and _PART_OF_REPORT.search(q)):
            return Intent("metadata", metadata=kind)
    for summary_kind, pattern in _SUMMARY:
        match = pattern.match(q)
        if not match:
            continue
        rest = next((g for g in match.groups() if g is not None), "")
        if rest.strip() and not _TRAILING_LINK.match(rest) and summary_kind in ("findings", "recommendations"):
            continue  # "What did GAO find that ...": a clause of its own, not the name of a report
        if names_a_report(rest, title_stems):
            return Intent("summary", summary=summary_kind, rest=rest.strip())
    return Intent()
