"""Title, report number and publication date, read from where a document states them.

Sources, most explicit first: a converter's ``**Report:** GAO-26-108534 | **Published:** 2026-03-11`` line, the
cover or front matter (a line that is only a date, "Highlights of GAO-05-927"), the letter's date line. A date
inside a sentence ("As of August 2025, EM estimated ...") is never a publication date. Unknown stays "".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from assistant.text import render_inline

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH = "|".join(MONTHS)
# A report number such as GAO-26-108534, GAO-08-587T or GAO-05-927 (and other agencies' NNN-YY-NNNN forms).
REPORT_NUMBER = re.compile(r"\b([A-Z]{2,6}-\d{2}-\d{2,6}[A-Z]{0,2})\b")
_DATE_ONLY_LINE = re.compile(
    rf"^[\s*_#]*(?:(?:published|issued|dated|date)\s*:?\s*)?((?:{_MONTH})(?:\s+\d{{1,2}},)?\s+\d{{4}})[\s*_.]*$",
    re.IGNORECASE | re.MULTILINE,
)
_CONVERTER_LINE = re.compile(
    r"\*\*Report:\*\*\s*(?P<number>[^|\n]+?)\s*\|\s*\*\*Published:\*\*\s*(?P<date>\d{4}-\d{2}-\d{2})", re.IGNORECASE
)
_ATX_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BOLD_LINE = re.compile(r"^\s*\*\*(.+?)\*\*\s*$", re.MULTILINE)
FRONT_CHARS = 6000  # how far into a document its cover and front matter reach


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    report_number: str = ""
    date: str = ""


def iso_to_text(value: str) -> str:
    """ "2026-03-11" -> "March 11, 2026" (the form reports print); other text is returned as it is."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def report_number(text: str, front: str) -> str:
    """The report's own number: one in the front matter, preferring the one its page footers repeat."""
    counts = Counter(REPORT_NUMBER.findall(text))
    in_front = list(dict.fromkeys(REPORT_NUMBER.findall(front)))
    if in_front:
        return max(in_front, key=lambda n: (counts[n], -in_front.index(n)))
    if counts:
        number, n = counts.most_common(1)[0]
        return number if n >= 3 else ""  # a number repeated in running footers, not one cited once
    return ""


def front_date(front: str) -> str:
    """The first line of the front matter that is only a date ("July 2025", "March 5, 2026")."""
    match = _DATE_ONLY_LINE.search(front)
    return " ".join(match.group(1).split()) if match else ""


def read_metadata(text: str, fallback_title: str = "") -> Metadata:
    """Metadata of a text or Markdown document (see the module docstring for where each piece comes from)."""
    front = text[:FRONT_CHARS]
    converter = _CONVERTER_LINE.search(front)
    title = ""
    heading = _ATX_H1.search(front) or _BOLD_LINE.search(front)
    if heading:
        title = render_inline(heading.group(1))
    if converter:
        number = REPORT_NUMBER.search(converter.group("number"))
        return Metadata(
            title or fallback_title,
            number.group(1) if number else render_inline(converter.group("number")),
            iso_to_text(converter.group("date")),
        )
    return Metadata(title or fallback_title, report_number(text, front), front_date(front))
