"""Question analysis: what kind of answer a question asks for, and about what. Pure functions of the question's
own words (general English question forms), never of any report.

    >>> analyse("Which officials did GAO interview?")
    QueryAnalysis(answer_type='list', focus='officials', value_kind='')
    >>> analyse("How much did the agency spend on ferries in 2024?").answer_type
    'money'
    >>> analyse("Did DOD agree with the recommendation?").answer_type
    'yes_no'

The answer types (``AnswerType``): ``yes_no``, ``count``, ``money``, ``percent``, ``date`` (a date or a period),
``person_org`` (who, which agency), ``consequence`` ("what could happen if ...", "what is at stake", "what
was the effect of ..."), ``list`` (which/what + a plural noun, "list", "name the"), ``reason`` (why),
``definition`` ("what does X stand for / mean", "what is X" for a short X), ``summary`` (overview requests, as
``assistant.answer.intent`` recognises them) and ``other``. ``value_kind`` is the kind of value the answer must
hold for the abstention decision ("percent", "money", "quantity", "date" or "").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from assistant.sentences import AUXILIARIES, count_in, is_request
from assistant.text import words

AnswerType = Literal[
    "yes_no",
    "count",
    "money",
    "percent",
    "date",
    "person_org",
    "list",
    "reason",
    "consequence",
    "definition",
    "summary",
    "other",
]


# The kind of value a question asks for, first match wins (a money question is also a "how much" one).
_ASKS: list[tuple[str, re.Pattern[str]]] = [
    ("percent", re.compile(r"\b(?:what|which)\s+(?:percent(?:age)?|share|proportion|fraction|rate)\b|"
                           r"\bhow\s+(?:large|big)\s+(?:a\s+)?(?:share|proportion|percentage)\b", re.I)),
    ("money", re.compile(r"\bhow\s+much\s+(?:money|funding|did\b.*\b(?:spend|cost|pay|receive|allocate|"
                         r"award|obligate|save|lose|collect))\b|\bhow\s+many\s+dollars\b|"
                         r"\bwhat\s+(?:was|is|were)\s+the\s+(?:total\s+)?(?:cost|amount|budget|price|value)\b", re.I)),
    ("quantity", re.compile(r"\bhow\s+(?:much|many)\b", re.I)),
    ("date", re.compile(r"^\W*when\b|\bwhat\s+(?:year|date|month|day)\b|\bsince\s+when\b|"
                        r"\bas\s+of\s+what\s+date\b|\bby\s+when\b", re.I)),
]  # fmt: skip
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
_SHOWS: dict[str, re.Pattern[str]] = {
    "percent": re.compile(r"\d\s*(?:%|percent\b)|\bpercent(?:age)?\b|\b(?:half|third|quarter|majority)\b", re.I),
    "money": re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion|dollars)\b|\bdollars?\b", re.I),
    "quantity": re.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|"
        r"million|billion|half|none|all|most|several|few|many|no)\b",
        re.I,
    ),
    "date": re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\b|\bfiscal year\b", re.I),
}
# "which agency ...", one of them (several agencies are a list)
_ORGANISATION = r"(?:agency|organi[sz]ation|office|department|official|entity|group|person|company|firm)(?!\w)"
# "What could happen if ...?", "What is at stake ...?", "What is the risk if ...?", "What was the effect of ...?"
_CONSEQUENCE = re.compile(
    r"^\W*what\s+(?:(?:could|would|might|will|can)\s+)?(?:happens?|go(?:es)?\s+wrong)\b|\bat\s+stake\b|"
    r"^\W*what\s+(?:is|are|was|were)\s+the\s+(?:likely\s+|possible\s+)?(?:risks?|consequences?|effects?|impacts?|"
    r"results?|dangers?)\s+(?:of|if|when|from)\b|^\W*what\s+(?:could|would|might)\s+(?:result|follow)\b",
    re.I,
)
# How reports state an effect: "Without X, the agency risks / may / could / cannot ...", "... more vulnerable".
EFFECT = re.compile(
    r"\b(?:without|unless|until)\b[^.;]*\b(?:risks?|could|may|might|will|would|cannot|can't|lacks?|lacked)\b|"
    r"\brisks?\s+\w+ing\b|\b(?:could|may|might)\s+(?:continue|miss|lose|fail|struggle|face|result|lead|hinder|"
    r"undermine)\b|\bmore\s+vulnerable\b|\b(?:result(?:ed|s|ing)?\s+in|lead(?:s|ing)?\s+to|led\s+to)\b",
    re.I,
)
_LIST_REQUEST = re.compile(r"^\W*(?:list|name|enumerate|give me (?:a list of|the))\b", re.I)
_DEFINITION = re.compile(
    r"\bwhat\s+(?:does|do|did)\s+.+?\s+(?:stand\s+for|mean)\b|\bwhat\s+is\s+(?:meant\s+by|the\s+meaning\s+of)\b|"
    r"\bdefin(?:e|ition)\b",
    re.I,
)
_WHAT_IS = re.compile(r"^\W*(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?([\w.&'’-]+(?:\s+[\w.&'’-]+){0,3})\W*$", re.I)


# A frame before the question proper: "According to GAO-07-106, which ...", "In its 2007 report on X, how ...".
_FRAME_START = r"^\W*(?:according to|in|for|from|per|based on|as of)\b"
_FRAME = re.compile(_FRAME_START + r"[^,?]{1,160},\s*(?=\w)", re.I)
# Frames that only name the report, before the question or after it ("..., as described in GAO's report on X?",
# "... according to GAO-26-107815?"); see question_proper.
_REPORTISH = r"(?:\b(?:report|testimony|review|study|statement|audit)s?\b|GAO\b|[A-Z]{2,6}-\d{2}-\d{2,6})"
_LEADING_NAMING = re.compile(_FRAME_START + rf"(?=[^,?]*{_REPORTISH})[^,?]{{1,160}},\s*(?=\w)", re.I)
_TRAILING_NAMING = re.compile(
    rf",?\s+(?:according to|in|per|from|as (?:described|defined|explained|used) in)\s+(?=[^,?]*{_REPORTISH})"
    r"[^,?]{1,160}(?=\??\s*$)",
    re.I,
)


@dataclass(frozen=True)
class QueryAnalysis:
    """What a question asks for: its answer type, its focus (the noun asked about, "" when none) and the kind of
    value the answer must hold."""

    answer_type: AnswerType
    focus: str = ""
    value_kind: str = ""

    @property
    def wants_several(self) -> bool:
        """The question asks for more than one thing ("Which officials ...?", "List the ...")."""
        return self.answer_type == "list"


def asked_type(question: str) -> str:
    """The kind of value the question asks for ("percent", "money", "quantity", "date"), or ""."""
    return next((kind for kind, pattern in _ASKS if pattern.search(question)), "")


def shows_type(kind: str, text: str) -> bool:
    """Whether ``text`` holds a value of that kind (always true for no kind)."""
    return not kind or bool(_SHOWS[kind].search(text))


# An amount as a sentence states it: money, a percentage, or a number with a magnitude or a unit of measure.
_AMOUNT = re.compile(
    rf"{_SHOWS['money'].pattern}|{_SHOWS['percent'].pattern}|"
    r"\b\d[\d,.]*\s*(?:thousand|million|billion|trillion|tons?|barrels?|gallons?|megawatts?|acres|miles|hours|"
    r"days|weeks|months|years)\b",
    re.I,
)


# A series as sentences give one: "A, B, and C" (three or more items), or the items after a colon.
_SERIES = re.compile(r"(?:[^,;:.()]{1,60},\s+){2,}(?:and|or)\s+\w|:\s*(?:•|\w[^,;]{0,60},\s+\w[^,;]{0,60},)")


def asks_series(question: str, analysis: QueryAnalysis) -> bool:
    """Whether the answer is a series of three or more things: a list question that does not ask for a pair
    ("Which two metrics ...?" is answered by "A and B", which is no series)."""
    return analysis.wants_several and not re.search(r"\b(?:which|what|the)\s+(?:two|2|both)\b", question, re.I)


def enumerates(text: str) -> bool:
    """Whether ``text`` gives a series of things ("North Pier, South Pier, and Cape Fern"): what a question asking
    for several things (a list question) is best answered with."""
    return bool(_SERIES.search(text))


def states_value(analysis: QueryAnalysis, text: str) -> bool:
    """Whether ``text`` states the figure a question asking for an amount needs: the amount of money or the
    percentage asked for, or for "how much ..." any of those or a measured number ("2,200 tons"). False for
    other questions (counts and dates have their own answer-type bonus)."""
    if analysis.value_kind in ("money", "percent"):
        return shows_type(analysis.value_kind, text)
    if analysis.value_kind == "quantity" and analysis.answer_type == "other":  # not "how many", not yes/no
        return bool(_AMOUNT.search(text))
    return False


def _plural(noun: str) -> bool:
    """Whether the head of a noun phrase is plural ("sources" in "sources of information")."""
    last = noun.lower().split(" of ")[0].split()[-1]
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _focus(question: str) -> str:
    """The noun phrase a which/what question asks about: the words before its auxiliary ("which officials did
    ..." -> "officials"), or, in a which-question about its subject ("which stations ran out ..."), the words up
    to the first plural noun; "" for other questions."""
    tokens = re.findall(r"[\w'’-]+", question.lower())
    if len(tokens) < 2 or tokens[0] not in ("which", "what"):
        return ""
    phrase = tokens[1:6]
    for i, token in enumerate(phrase):
        if token in AUXILIARIES:
            return " ".join(phrase[:i])
    if tokens[0] == "what":
        return ""  # "what happened to ...": without an auxiliary, "what" is the subject, not a determiner
    for i, token in enumerate(phrase):
        if _plural(token):
            return " ".join(phrase[: i + 1])
    return phrase[0]


def analyse(question: str, summary: bool = False) -> QueryAnalysis:
    """The answer type, focus and value kind of ``question``; ``summary`` when it is an overview request."""
    q = _FRAME.sub("", question_proper(question), count=1)
    kind = asked_type(q)
    first = (re.findall(r"[a-z']+", q.lower()) or [""])[0]
    focus = _focus(q)
    if summary:
        return QueryAnalysis("summary", focus, kind)
    if first in AUXILIARIES and not is_request(q):
        return QueryAnalysis("yes_no", focus, kind)
    if kind == "percent" or kind == "money" or kind == "date":
        return QueryAnalysis(kind, focus, kind)  # type: ignore[arg-type]  # the three names are answer types
    if kind == "quantity":
        return QueryAnalysis("count" if re.search(r"\bhow\s+many\b", q, re.I) else "other", focus, kind)
    if _CONSEQUENCE.search(q):
        return QueryAnalysis("consequence", focus, kind)
    if first == "why" or re.search(r"\b(?:what|which)\s+(?:is|was|were|are)\s+the\s+reasons?\b", q, re.I):
        return QueryAnalysis("reason", focus, kind)
    if _DEFINITION.search(q):
        return QueryAnalysis("definition", focus, kind)
    if first == "who" or re.search(rf"^\W*(?:which|what)\s+(?:{_ORGANISATION})\b", q, re.I):
        return QueryAnalysis("person_org", focus, kind)
    if _LIST_REQUEST.match(q) or (focus and _plural(focus)):
        return QueryAnalysis("list", focus, kind)
    what_is = _WHAT_IS.match(q)
    if what_is and len(what_is.group(1).split()) <= 3:
        return QueryAnalysis("definition", what_is.group(1), kind)
    return QueryAnalysis("other", focus, kind)


# A date as sentences state it: a year, or a day of a month whose year the passage gave before ("on November 15").
_DATE_STATED = re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b")


def answer_type_bonus(question: str, text: str, analysis: QueryAnalysis | None = None) -> float:
    """How much better an answer a unit is for holding the kind of thing asked for (the count, the date, an
    address): 1, 2 for a thing asked for by name (an e-mail address, a source line), else 0. Scaled by
    ``Settings.answer_type_bonus``. ``analysis``: the question's, when the caller has it already."""
    if (analysis or analyse(question)).answer_type == "consequence":
        return 1.0 if EFFECT.search(text) else 0.0  # an effect statement answers "what could happen if ..."
    q = question.lower()
    if "how many" in q:
        return 1.0 if count_in(question, text) else 0.0
    if q.startswith("when") or "what year" in q or "what date" in q:
        return 1.0 if _DATE_STATED.search(text) else 0.0
    if re.search(r"\b(e-?mail|contact|address|write to|reach|get in touch)\b", q):
        return 2.0 if "@" in text else 0.0
    if re.search(r"\bsource of (the|this|that) (table|figure|data|graphic)\b", q):
        return 2.0 if text.lstrip().lower().startswith("source") else 0.0
    if re.search(r"\b(example|instance)\b", q):
        return 1.0 if re.search(r"\bfor (example|instance)\b|\bsuch as\b", text, re.I) else 0.0
    if re.search(r"\bnumber\b", q) and "number of" not in q:
        return 1.0 if re.search(r"\d", text) else 0.0
    return 0.0


_SECOND_ASK = re.compile(r"\b(?:and|or)\s+(?:how|what|which|when|who|why|where)\b|,\s*(?:how|what|which|when)\b", re.I)


def states_answer(question: str, analysis: QueryAnalysis, text: str) -> bool:
    """Whether ``text`` alone answers a question that asks for one figure: the count of a "how many" question
    (:func:`assistant.sentences.count_in`), the amount or percentage of a "how much" one (:func:`states_value`).
    False for questions that ask a second thing ("how many ..., and how many ...?") and for other questions
    (a year in a sentence does not show it states the date asked for)."""
    if len(question_parts(question)) > 1:
        return False
    if analysis.answer_type == "count":
        return count_in(question, text) is not None
    return states_value(analysis, text)


def question_parts(question: str) -> list[str]:
    """The separate asks of a compound question, each a question of its own words ("How many reports did GAO
    review, and how many findings did it identify?" -> ["How many reports did GAO review", "how many findings
    did it identify?"]); ``[question]`` when it asks one thing, or when a part would be under three words
    ("how and why ...")."""
    q = _FRAME.sub("", question_proper(question), count=1)
    cuts = [m.start() for m in _SECOND_ASK.finditer(q)]
    if not cuts:
        return [question]
    bounds = [0, *cuts, len(q)]
    parts = [re.sub(r"^[\s,]*(?:(?:and|or)\s+)?", "", q[a:b]).strip(" ,") for a, b in itertools.pairwise(bounds)]
    if len(parts) < 2 or any(len(words(p)) < 3 for p in parts):
        return [question]
    return parts


def question_proper(question: str) -> str:
    """The question without the words that only say which report it is about: "In GAO's report on X, which
    four states ...?" -> "which four states ...?", "... according to GAO-26-107815?" -> "...?". Routing has used
    them; matched against the report's own sentences they would favour the ones that introduce the report."""
    q = " ".join(question.split())
    stripped = _TRAILING_NAMING.sub("", _LEADING_NAMING.sub("", q, count=1), count=1).strip()
    if len(words(stripped)) < 3:
        return q
    return stripped[:1].upper() + stripped[1:]
