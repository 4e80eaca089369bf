"""Example questions drawn from the indexed reports' own structure, and follow-ups after an answer.

General templates filled from each report's number (or title), its tables and its section headings;
never text written about one report. After an answer, two or three follow-ups come from the same report:
other rows of the table it cited, and the sections next to the one it cited (asked of that report).
Pure functions over chunks (``assistant.Chunk`` or anything with its attributes) and documents' metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_EXAMPLES = 6
MAX_FOLLOW_UPS = 3
_TABLE_NUMBER = re.compile(r"^(?:table|figure)\s+\w+\s*[:.\-–]\s*", re.IGNORECASE)


def report_ref(doc: Any) -> str:
    """How a question names a report: its number, else its title in quotes (shortened)."""
    number = str(_get(doc, "report_number") or "")
    if number:
        return number
    return f"“{_short(str(_get(doc, 'title') or _get(doc, 'source') or 'the report'), 60)}”"


def heading(section: str) -> str:
    """The last part of a section path ("Highlights > What GAO Found" -> "What GAO Found")."""
    return " ".join(section.rsplit(">", 1)[-1].split())


def table_title(raw: str) -> str:
    """A table's title without its "Table 2:" label."""
    return _short(_TABLE_NUMBER.sub("", " ".join(raw.split())), 70)


def report_examples(chunks: Iterable[Any], documents: Mapping[str, Any], limit: int = MAX_EXAMPLES) -> list[str]:
    """A few example questions per report, taken in turn from each report until ``limit``."""
    by_source: dict[str, list[Any]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk)
    per_report = []
    for source in sorted(documents):
        doc = documents[source]
        per_report.append(_examples_of(doc, sorted(by_source.get(source, []), key=lambda c: c.char_start)))
    out: list[str] = []
    for round_ in range(max((len(q) for q in per_report), default=0)):
        for questions in per_report:
            if round_ < len(questions) and questions[round_] not in out:
                out.append(questions[round_])
    return out[:limit]


def _examples_of(doc: Any, chunks: Sequence[Any]) -> list[str]:
    questions = [f"What is {report_ref(doc)} about?"]
    tables = [c for c in chunks if c.kind == "table" and c.table_json]
    if tables:
        name = table_title(_table(tables[0]).get("title", ""))
        if name:
            questions.append(f"What does the table “{name}” show?")
    return questions


def follow_ups(
    chunks: Sequence[Any],
    documents: Mapping[str, Any],
    cited_chunk_ids: Sequence[str],
    asked: Iterable[str] = (),
    limit: int = MAX_FOLLOW_UPS,
) -> tuple[str, list[str]]:
    """Questions to ask next about the report the answer cited (the same table's other rows, the sections
    before and after the cited one), and that report's source: the chat asks them of that report only."""
    by_id = {c.chunk_id: c for c in chunks}
    cited = next((by_id[i] for i in cited_chunk_ids if i in by_id), None)
    if cited is None or cited.source not in documents:
        return "", []
    doc = documents[cited.source]
    own = sorted((c for c in chunks if c.source == cited.source), key=lambda c: c.char_start)
    out: list[str] = []
    if cited.kind in ("table", "table_row") and cited.table_id:
        table = next((c for c in own if c.kind == "table" and c.table_id == cited.table_id and c.table_json), None)
        if table is not None:
            data = _table(table)
            name = table_title(str(data.get("title", ""))) or "this table"
            rows = [str(r.get("label", "")).strip() for r in data.get("rows", []) if isinstance(r, Mapping)]
            at = cited.row_index if cited.kind == "table_row" else -1
            order = sorted(range(len(rows)), key=lambda i: (abs(i - at), i))
            for i in order:
                if i != at and rows[i]:
                    out.append(f"What does the table “{name}” show for {_short(rows[i], 60)}?")
                if len(out) >= 2:
                    break
    title = " ".join(str(_get(doc, "title") or "").split())
    sections = [s for s in dict.fromkeys(c.section for c in own if c.kind == "text") if heading(s) not in ("", title)]
    if cited.section in sections:
        at = sections.index(cited.section)
        for i in (at + 1, at - 1, at + 2):
            if 0 <= i < len(sections) and i != at:
                out.append(f"What does the report say about {topic(heading(sections[i]))}?")
    elif sections:
        out.append(f"What does the report say about {topic(heading(sections[0]))}?")
    seen = {" ".join(q.split()).lower() for q in asked}
    return cited.source, [q for q in dict.fromkeys(out) if q.lower() not in seen][:limit]


def topic(heading_text: str) -> str:
    """A heading as words inside a question: title-case words lowered, acronyms and names kept.

    Example:
        >>> topic("What GAO Recommends")
        'what GAO recommends'
    """
    words = [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in _short(heading_text, 70).split()]
    return " ".join(words)


def _table(chunk: Any) -> dict[str, Any]:
    try:
        data = json.loads(chunk.table_json)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _get(doc: Any, name: str) -> Any:
    return doc.get(name) if isinstance(doc, Mapping) else getattr(doc, name, None)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
