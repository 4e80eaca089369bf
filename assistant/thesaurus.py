"""Other names for the organisations government reports write about, and everyday phrasings of the words
audit reports use, so questions in everyday words find the report's own terms ("the Pentagon" -> "DOD",
"left out" -> "omitted"). Used for searching and matching only; what the user asked
is never rewritten in what they see.

Add aliases here when a report family uses names people rarely type. Keys are lower case, whole phrases.
"""

from __future__ import annotations

import re

ALIASES: dict[str, str] = {
    "the pentagon": "DOD",
    "pentagon": "DOD",
    "defense department": "DOD",
    "department of defense": "DOD",
    "dod's": "DOD’s",
    "government accountability office": "GAO",
    "the watchdog": "GAO",
    "watchdog": "GAO",
    "the auditors": "GAO",
    "auditors": "GAO",
    "auditor": "GAO",
}
# Everyday phrasings and the words audit reports use for them ("left out" -> "omitted"). Whole phrases only,
# and only where the report word means the same in any context a question about a report would use.
PLAIN_WORDS: dict[str, str] = {
    "left out": "omitted",
    "leave out": "omit",
    "leaves out": "omits",
    "taken out": "removed",
    "held back": "withheld",
    "kept secret": "classified",
    "agree with": "concur with",
    "agrees with": "concurs with",
    "agreed with": "concurred with",
    "disagree with": "not concur with",
    "disagreed with": "did not concur with",
    "go along with": "concur with",
    "went along with": "concurred with",
    "proposals": "recommendations",
    "suggestions": "recommendations",
    "proposed fixes": "recommendations",
    "look into": "review",
    "looked into": "reviewed",
    "looking into": "reviewing",
    "find out": "determine",
    "found out": "determined",
    "set up": "established",
    "put in place": "implemented",
    "carry out": "conduct",
    "carried out": "conducted",
    "follow through on": "implement",
    "keep track of": "monitor",
    "kept track of": "monitored",
    "keeps track of": "monitors",
    "empty posts": "unfilled positions",
    "vacant posts": "unfilled positions",
    "open posts": "unfilled positions",
    "vacancies": "unfilled positions",
    "pitfalls": "challenges",
    "hurdles": "challenges",
    "obstacles": "challenges",
    "roadblocks": "challenges",
    "ground rules": "guidance",
    "rulebook": "guidance",
    "deadlines": "milestones",
    "timelines": "milestones",
    "spelled out": "clarified",
    "spell out": "clarify",
    "who is in charge": "roles and responsibilities",
    "who does what": "roles and responsibilities",
}
_TERMS = {**PLAIN_WORDS, **ALIASES}
_PATTERN = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(_TERMS, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)


def fold_aliases(text: str) -> str:
    """``text`` with everyday names and phrasings replaced by the report's terms."""
    return _PATTERN.sub(lambda m: _TERMS[m.group(1).lower()], text)
