"""Pure rendering: replies, citations, documents -> escaped HTML for the chat (never Markdown); Markdown export.

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
from typing import Any, Protocol

from . import sources as src
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

MAX_CONTEXT_CHARS = src.MAX_CONTEXT_CHARS

PENDING_MESSAGE = '<span class="pending">Searching the report…</span>'
EMPTY_SOURCES_HTML = (
    '<div class="sources-empty">Ask a question: the passages an answer quotes appear here, '
    "highlighted in their paragraph.</div>"
)

SourceText = Callable[[str], str]


def escape_text(text: str) -> str:
    """Escape user or document text so it renders literally inside Markdown or HTML."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], text)


class Sources(Protocol):
    """What source cards need from the index (``ui.pages.SourceLibrary``)."""

    def text(self, source: str) -> str | None: ...
    def table(self, citation: Mapping[str, Any]) -> Mapping[str, Any] | None: ...
    def page_url(self, citation: Mapping[str, Any]) -> str | None: ...


def answer_body(reply: Mapping[str, Any], turn: int | None = None) -> str:
    """The answer as escaped HTML (never Markdown): each ``[n]`` a chip linking to source ``n`` of this turn."""
    body = html.escape(str(reply.get("answer", ""))).replace("\n", "<br>")
    if turn is None:
        body = _MARKER_RE.sub(r'<sup class="cite">[\1]</sup>', body)
    else:
        body = _MARKER_RE.sub(
            lambda m: (
                f'<a class="cite-chip" href="#src-{turn}-{m.group(1)}" title="Show source {m.group(1)}">'
                f"[{m.group(1)}]</a>"
            ),
            body,
        )
    if reply.get("abstained"):
        body = f'<div class="abstention">{body}</div>'
    else:
        body = f'<div class="answer-text">{body}</div>'
    notice = str(reply.get("notice") or "")
    # Bare codes (e.g. "index_unavailable") are for programs; the answer already says it in words.
    if notice and " " in notice:
        body += f'<div class="notice">Note: {html.escape(notice)}</div>'
    return body


def answer_markdown(reply: Mapping[str, Any]) -> str:
    """The answer alone as escaped HTML, markers styled (no sources, no chips)."""
    return answer_body(reply)


def answer_html(reply: Mapping[str, Any], turn: int, sources: Sources | None = None) -> str:
    """A whole assistant message: the answer with citation chips, its sources (collapsed until a chip or the
    summary opens them) and a Copy button whose text is the answer with its sources, plain."""
    citations = list(reply.get("citations") or [])
    body = answer_body(reply, turn)
    if not citations:
        return body + _copy_button(src.copy_text(reply))
    answer = str(reply.get("answer", ""))
    cards, quotes = [], {}
    for c in citations:
        text = sources.text(str(c.get("source", ""))) if sources else None
        where = src.locate_quote(text, c) if text else None
        if text and where:
            quotes[int(c.get("n", 0))] = src.plain_reading(text, *where)
        cards.append(
            src.source_card(
                c,
                text,
                anchor=f"src-{turn}-{c.get('n')}",
                answer=answer,
                table=sources.table(c) if sources else None,
                page_url=sources.page_url(c) if sources else None,
            )
        )
    count = f"{len(citations)} source{'s' if len(citations) != 1 else ''}"
    return (
        f'{body}<details class="msg-sources" id="sources-{turn}"><summary>Sources of this answer ({count})</summary>'
        f'<div class="sources">{"".join(cards)}</div></details>{_copy_button(src.copy_text(reply, quotes))}'
    )


def _copy_button(text: str) -> str:
    """The Copy button and, hidden beside it, the plain text it copies (``ui/chat_assets.py`` does the copying)."""
    return (
        '<div class="answer-actions"><button type="button" class="copy-answer" title="Copy the answer and its '
        f'sources as plain text">Copy answer</button><pre class="copy-text" hidden>{html.escape(text)}</pre></div>'
    )


def question_markdown(question: str) -> str:
    """A user's question as escaped HTML (never Markdown)."""
    return html.escape(question).replace("\n", "<br>")


def chat_messages(
    turns: Sequence[Mapping[str, Any]], pending: str | None = None, sources: Sources | None = None
) -> list[dict[str, str]]:
    """Chatbot messages (user/assistant pairs) for the session's turns, plus an optional pending question."""
    messages: list[dict[str, str]] = []
    for i, turn in enumerate(turns, start=1):
        messages.append({"role": "user", "content": question_markdown(turn["question"])})
        messages.append({"role": "assistant", "content": answer_html(turn["reply"], i, sources)})
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


locate_quote = src.locate_quote
enclosing_span = src.enclosing_span
passage_html = src.passage_html


def citation_label(citation: Mapping[str, Any], width: int = 80) -> str:
    """Short plain-text label for the citation picker: number, section and the quote's start, cut at a word
    boundary (Gradio escapes it). Footnote markers show as superscript glyphs, never as tags."""
    where = src.plain_inline(str(citation.get("section") or citation.get("title") or citation.get("source") or ""))
    label = f"[{citation.get('n')}] {_cut_words(where, 40)}"
    quote = src.plain_inline(str(citation.get("quote", "")))
    if quote:
        label += f": “{quote}”"
    if len(label) <= width:
        return label
    return _cut_words(label, width - 2) + "”"


def _cut_words(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters at a word boundary, with "…" when cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else cut
    return cut.rstrip(" ,;:–—-“") + "…"


class _TextOnly:
    """Sources from a ``source_text`` callable alone (no tables, no page images)."""

    def __init__(self, source_text: SourceText | None) -> None:
        self.source_text = source_text

    def text(self, source: str) -> str | None:
        if self.source_text is None:
            return None
        try:
            return self.source_text(source)
        except Exception:  # a missing or unreadable document must not break the panel: show the quote alone
            return None

    def table(self, citation: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return None

    def page_url(self, citation: Mapping[str, Any]) -> str | None:
        return None


def sources_html(
    reply: Mapping[str, Any] | None,
    source_text: SourceText | Sources | None = None,
    selected: int | None = None,
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
    sources: Sources = source_text if hasattr(source_text, "table") else _TextOnly(source_text)  # type: ignore[assignment]
    answer = str(reply.get("answer", ""))
    cards = [
        src.source_card(
            c,
            sources.text(str(c.get("source", ""))),
            anchor=f"panel-src-{c.get('n')}",
            answer=answer,
            table=sources.table(c),
            page_url=sources.page_url(c),
            selected=c.get("n") == selected,
        )
        for c in citations
    ]
    return '<div class="sources">' + "".join(cards) + "</div>"


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
                    str(p) for p in (c.get("title"), c.get("section"), src.page_note(c), c.get("source")) if p
                )
                lines.append(f"- \\[{c.get('n')}\\] {literal(where)}")
                lines.append(f"  > {literal(_one_line(str(c.get('quote', ''))))}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
