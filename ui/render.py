"""Pure rendering: replies, citations, documents -> escaped HTML/Markdown for the chat; Markdown export.

Everything that comes from a document or a user passes through :func:`escape_text` (or ``html.escape``)
before it reaches the browser, so a corpus containing ``<script>``, ``<img onerror=...>`` or a
``[link](javascript:...)`` shows as text and runs nothing. Gradio's own Chatbot sanitizer stays on as a
second layer. No gradio import here: these functions are unit-tested on plain data.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .markdown_safe import literal

# Characters that could start markup in Markdown or HTML. Replaced by numeric entities, which the browser
# shows as the original character but which no Markdown or HTML parser treats as syntax: no tags, no links
# (``[``/``]``), no link definitions, no code spans (whose content would be shown double-escaped).
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "`": "&#96;",
    "$": "&#36;",  # KaTeX delimiters
}
_ENTITY_RE = re.compile("|".join(re.escape(c) for c in _ENTITIES))
_MARKER_RE = re.compile(r"\[(\d{1,3})\]")

# How much context a cited passage gets: its blank-line-separated paragraph, or its line when the paragraph
# is longer than this (tables are one block of lines), or a window around the quote as a last resort.
MAX_CONTEXT_CHARS = 1200

PENDING_MESSAGE = '<span class="pending">Searching the report…</span>'
EMPTY_SOURCES_HTML = (
    '<div class="sources-empty">Ask a question: the passages an answer quotes appear here, '
    "highlighted in their paragraph.</div>"
)

SourceText = Callable[[str], str]


def escape_text(text: str) -> str:
    """Escape user or document text so it renders literally inside Markdown or HTML."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], text)


def answer_markdown(reply: Mapping[str, Any]) -> str:
    """The chat bubble for a reply: escaped text, ``[n]`` markers styled, abstentions muted."""
    body = escape_text(str(reply.get("answer", "")))
    body = re.sub(r"&#91;(\d{1,3})&#93;", r'<sup class="cite">&#91;\1&#93;</sup>', body)
    if reply.get("abstained"):
        # One HTML block (a blank line would end it and leak the closing tag as text).
        body = '<div class="abstention">' + body.replace("\n", "<br>") + "</div>"
    notice = str(reply.get("notice") or "")
    # Bare codes (e.g. "index_unavailable") are for programs; the answer already says it in words.
    if notice and " " in notice:
        body += f'\n\n<div class="notice">Note: {escape_text(notice)}</div>'
    return body


def question_markdown(question: str) -> str:
    return escape_text(question)


def chat_messages(turns: Sequence[Mapping[str, Any]], pending: str | None = None) -> list[dict[str, str]]:
    """Chatbot messages (user/assistant pairs) for the session's turns, plus an optional pending question."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": question_markdown(turn["question"])})
        messages.append({"role": "assistant", "content": answer_markdown(turn["reply"])})
    if pending is not None:
        messages.append({"role": "user", "content": question_markdown(pending)})
        messages.append({"role": "assistant", "content": PENDING_MESSAGE})
    return messages


def history_for_assistant(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The raw (unescaped) conversation, in the ``history`` format ``Assistant.ask`` takes."""
    history: list[dict[str, str]] = []
    for turn in turns:
        history.append({"role": "user", "content": turn["question"]})
        history.append({"role": "assistant", "content": turn["reply"]["answer"]})
    return history


def locate_quote(text: str, citation: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where the citation's quote is in ``text``: its offsets if they match, else the first occurrence."""
    quote = str(citation.get("quote", ""))
    if not quote:
        return None
    start, end = citation.get("char_start"), citation.get("char_end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


def enclosing_span(text: str, start: int, end: int, max_chars: int = MAX_CONTEXT_CHARS) -> tuple[int, int]:
    """The blank-line-separated paragraph around ``text[start:end]``; its line(s) if that is too long."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    if para_end - para_start <= max_chars:
        return para_start, para_end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if line_end - line_start <= max_chars:
        return line_start, line_end
    # One enormous line: a window around the quote, cut at whitespace.
    slack = max(0, (max_chars - (end - start)) // 2)
    win_start, win_end = max(line_start, start - slack), min(line_end, end + slack)
    if win_start > line_start:
        space = text.find(" ", win_start, start)
        win_start = space + 1 if space >= 0 else win_start
    if win_end < line_end:
        space = text.rfind(" ", end, win_end)
        win_end = space if space >= 0 else win_end
    return win_start, win_end


def passage_html(citation: Mapping[str, Any], source_text: str | None) -> str:
    """The quote highlighted (``<mark>``) inside its surrounding paragraph or table row, all escaped."""
    quote = str(citation.get("quote", ""))
    where = locate_quote(source_text, citation) if source_text else None
    if source_text is None or where is None:
        return f'<div class="passage"><mark>{html.escape(quote)}</mark></div>'
    start, end = where
    ctx_start, ctx_end = enclosing_span(source_text, start, end)
    before = source_text[ctx_start:start].lstrip()
    after = source_text[end:ctx_end].rstrip()
    prefix = "… " if ctx_start > 0 and source_text[ctx_start - 1] not in "\n" else ""
    suffix = " …" if ctx_end < len(source_text) and source_text[ctx_end] not in "\n" else ""
    return (
        f'<div class="passage">{prefix}{html.escape(before)}<mark>{html.escape(source_text[start:end])}'
        f"</mark>{html.escape(after)}{suffix}</div>"
    )


def citation_label(citation: Mapping[str, Any], width: int = 80) -> str:
    """Short plain-text label for the citation picker: number, section and the quote's start (Gradio escapes it)."""
    where = _one_line(str(citation.get("section") or citation.get("title") or citation.get("source") or ""))
    label = f"[{citation.get('n')}] {where[:40]}"
    quote = _one_line(str(citation.get("quote", "")))
    if quote:
        label += f": “{quote}”"
    return label if len(label) <= width else label[: width - 2] + "…”"


def _page_note(citation: Mapping[str, Any]) -> str:
    if citation.get("printed_page"):
        return f"p. {citation['printed_page']}"
    if citation.get("page"):
        return f"PDF page {citation['page']}"
    return ""


def sources_html(
    reply: Mapping[str, Any] | None, source_text: SourceText | None = None, selected: int | None = None
) -> str:
    """The sources panel for the latest reply: one card per citation, the selected one marked."""
    if reply is None:
        return EMPTY_SOURCES_HTML
    citations = list(reply.get("citations") or [])
    if not citations:
        if reply.get("abstained"):
            return '<div class="sources-empty abstention">No sources: the report does not answer this.</div>'
        return '<div class="sources-empty">This answer has no citations.</div>'
    if selected is None:
        selected = citations[0].get("n")
    texts: dict[str, str | None] = {}
    cards = []
    for citation in citations:
        source = str(citation.get("source", ""))
        if source not in texts:
            texts[source] = _safe_source_text(source_text, source)
        n = int(citation.get("n", 0))
        css_class = "source-card selected" if citation.get("n") == selected else "source-card"
        meta = " · ".join(
            html.escape(str(part))
            for part in (citation.get("section"), _page_note(citation), citation.get("source"))
            if part
        )
        cards.append(
            f'<div class="{css_class}" data-n="{n}">'
            f'<div class="source-head"><span class="source-n">[{n}]</span> '
            f'<span class="source-title">{html.escape(str(citation.get("title") or source))}</span></div>'
            f'<div class="source-meta">{meta}</div>'
            f"{passage_html(citation, texts[source])}</div>"
        )
    return '<div class="sources">' + "".join(cards) + "</div>"


def _safe_source_text(source_text: SourceText | None, source: str) -> str | None:
    if source_text is None:
        return None
    try:
        return source_text(source)
    except Exception:  # a missing or unreadable document must not break the panel: show the quote alone
        return None


def documents_html(documents: Sequence[Mapping[str, Any]]) -> str:
    """The documents view: one escaped table row per indexed report."""
    if not documents:
        return '<div class="sources-empty">No documents are indexed yet. Run <code>make index</code>.</div>'
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(value))}</td>"
            for value in (
                doc.get("title", ""),
                doc.get("report_number", ""),
                doc.get("date", ""),
                doc.get("chunks", ""),
                "" if doc.get("pages") is None else doc.get("pages"),
                doc.get("source", ""),
            )
        )
        + "</tr>"
        for doc in documents
    )
    return (
        '<table class="documents"><thead><tr><th>Title</th><th>Number</th><th>Date</th><th>Chunks</th>'
        f"<th>Pages</th><th>File</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def conversation_markdown(turns: Sequence[Mapping[str, Any]], now: datetime | None = None) -> str:
    """The conversation as a Markdown document, each answer followed by its numbered sources.

    Questions, answers and quotes are escaped (``markdown_safe.literal``): no HTML, image or link in them
    survives into the file.
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Conversation with the GAO report assistant", "", f"Exported {stamp}.", ""]
    for i, turn in enumerate(turns, start=1):
        reply = turn["reply"]
        lines += [f"## {i}. {literal(_one_line(turn['question']))}", ""]
        if reply.get("standalone_question") and reply["standalone_question"] != turn["question"]:
            lines += [f"_Searched as: {literal(_one_line(reply['standalone_question']))}_", ""]
        lines += [literal(str(reply.get("answer", "")).strip()), ""]
        if reply.get("abstained"):
            lines += ["_(The report does not answer this question.)_", ""]
        citations = reply.get("citations") or []
        if citations:
            lines += ["Sources:", ""]
            for c in citations:
                where = ", ".join(
                    str(p) for p in (c.get("title"), c.get("section"), _page_note(c), c.get("source")) if p
                )
                lines.append(f"- \\[{c.get('n')}\\] {literal(where)}")
                lines.append(f"  > {literal(_one_line(str(c.get('quote', ''))))}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
