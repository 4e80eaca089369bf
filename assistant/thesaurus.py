"""Other names for the organisations government reports write about, so questions in everyday words find
the report's own terms ("the Pentagon" -> "DOD"). Used for searching and matching only; what the user asked
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
    "spacecom": "U.S. Space Command",
    "ussf": "Space Force",
    "u.s. space force": "Space Force",
}
_PATTERN = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(ALIASES, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)


def fold_aliases(text: str) -> str:
    """``text`` with everyday names replaced by the report's terms."""
    return _PATTERN.sub(lambda m: ALIASES[m.group(1).lower()], text)
