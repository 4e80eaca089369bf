"""Rendering of replies, citations and documents: escaping, highlighting, abstentions, export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ui import render

INJECTION = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) `x` $$y$$'


def _reply(answer: str = "Three recommendations. [1]", **kw):
    data = {"answer": answer, "citations": [], "abstained": False, "standalone_question": "", "notice": ""}
    data.update(kw)
    return data


def _citation(text: str, quote: str, n: int = 1, **kw):
    start = text.index(quote)
    data = {
        "n": n,
        "source": "doc.txt",
        "title": "Doc title",
        "section": "Findings",
        "quote": quote,
        "chunk_id": "c1",
        "char_start": start,
        "char_end": start + len(quote),
        "page": None,
        "printed_page": "12",
    }
    data.update(kw)
    return data


def test_escape_text_leaves_no_markup():
    escaped = render.escape_text(INJECTION)
    for dangerous in ("<", ">", "[", "]", "`", "$", '"'):
        assert dangerous not in escaped
    assert "&lt;script&gt;" in escaped


def test_answer_markdown_escapes_and_styles_markers():
    md = render.answer_markdown(_reply(f"{INJECTION} Three. [1] [2]"))
    # HTML, never Markdown: the link syntax stays text and no element but ours is made
    assert "<script" not in md and "<img" not in md and "href" not in md and "<a" not in md
    assert md.count('<sup class="cite">') == 2
    assert 'class="abstention"' not in md


def test_abstention_is_muted_and_one_html_block():
    md = render.answer_markdown(_reply("The report does not say.\n\nTry rephrasing.", abstained=True))
    assert md.startswith('<div class="abstention">') and md.endswith("</div>")
    assert "\n\n" not in md


def test_notice_shown_only_when_it_is_a_sentence():
    assert "Note:" in render.answer_markdown(_reply(notice="Your question was truncated to 2000 characters."))
    assert "Note:" not in render.answer_markdown(_reply(notice="index_unavailable"))


def test_chat_messages_and_history_keep_raw_text_for_the_assistant():
    turns = [{"question": "<b>hi</b>", "reply": _reply("A <i>b</i> [1]")}]
    messages = render.chat_messages(turns, pending="next?")
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert "<b>" not in messages[0]["content"]
    assert messages[-1]["content"] == render.PENDING_MESSAGE
    assert render.history_for_assistant(turns) == [
        {"role": "user", "content": "<b>hi</b>"},
        {"role": "assistant", "content": "A <i>b</i> [1]"},
    ]


def test_enclosing_span_is_the_blank_line_paragraph():
    text = "Title\n\nFirst paragraph. Second sentence here.\nSame paragraph.\n\nNext paragraph."
    start = text.index("Second")
    s, e = render.enclosing_span(text, start, start + 6)
    assert text[s:e] == "First paragraph. Second sentence here.\nSame paragraph."


def test_enclosing_span_falls_back_to_the_table_row():
    rows = "\n".join(f"Row {i}\tYes\tNo\tYes" for i in range(200))
    text = f"Intro\n\n{rows}\n\nAfter"
    start = text.index("Row 57\t")
    s, e = render.enclosing_span(text, start, start + 6)
    assert text[s:e] == "Row 57\tYes\tNo\tYes"


def test_enclosing_span_windows_a_huge_line():
    text = "word " * 5000 + "NEEDLE " + "word " * 5000
    start = text.index("NEEDLE")
    s, e = render.enclosing_span(text, start, start + 6, max_chars=200)
    assert s <= start and e >= start + 6 and e - s <= 200
    assert text[s] != " " and not text[s - 1].isalnum()


def test_passage_html_highlights_quote_inside_escaped_paragraph():
    text = "Head\n\nBefore <img src=x onerror=alert(1)>. DOD concurred with two. After.\n\nTail"
    html_out = render.passage_html(_citation(text, "DOD concurred with two."), text)
    assert "<mark>DOD concurred with two.</mark>" in html_out
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_out and "<img" not in html_out
    assert "Tail" not in html_out


def test_passage_html_finds_quote_when_offsets_are_stale():
    text = "Alpha.\n\nThe quote is here."
    citation = _citation(text, "The quote is here.", char_start=0, char_end=5)
    assert "<mark>The quote is here.</mark>" in render.passage_html(citation, text)


def test_passage_html_without_source_shows_the_quote_alone():
    citation = _citation("x quote y", "quote")
    assert render.passage_html(citation, None) == '<div class="passage"><mark>quote</mark></div>'


def test_sources_html_cards_mark_the_selected_citation():
    text = "P1 first claim.\n\nP2 second claim."
    reply = _reply(citations=[_citation(text, "first claim."), _citation(text, "second claim.", n=2)])
    out = render.sources_html(reply, lambda source: text, selected=2)
    assert out.count('class="source-card"') == 1 and out.count('class="source-card selected"') == 1
    assert re.search(r'selected" data-n="2"', out)
    assert "p. 12" in out and "Findings" in out


def test_sources_html_survives_a_failing_source_text():
    def broken(source: str) -> str:
        raise KeyError(source)

    reply = _reply(citations=[_citation("abc quote", "quote", title="<script>x</script>")])
    out = render.sources_html(reply, broken)
    assert "<mark>quote</mark>" in out and "<script>" not in out


def test_sources_html_empty_states():
    assert render.sources_html(None) == render.EMPTY_SOURCES_HTML
    assert "does not answer" in render.sources_html(_reply(abstained=True))


def test_documents_html_escapes_every_cell():
    docs = [
        {
            "source": "a.md",
            "title": "<img src=x onerror=alert(1)>",
            "report_number": "GAO-1",
            "date": "2025",
            "chunks": 3,
            "pages": None,
        }
    ]
    out = render.documents_html(docs)
    assert "<img" not in out and "GAO-1" in out and "<td>3</td>" in out
    assert "make index" in render.documents_html([])


def test_conversation_markdown_lists_answers_and_sources():
    text = "The quote."
    turns = [
        {"question": "Q one?", "reply": _reply("The quote. [1]", citations=[_citation(text, "The quote.")])},
        {"question": "and two?", "reply": _reply("Not said.", abstained=True, standalone_question="Q two?")},
    ]
    md = render.conversation_markdown(turns, now=datetime(2025, 7, 1, tzinfo=UTC))
    assert "Exported 2025-07-01 00:00 UTC." in md
    assert "## 1. Q one?" in md and "- \\[1\\] Doc title, Findings, p. 12, doc.txt" in md and "> The quote." in md
    assert "_Searched as: Q two?_" in md and "does not answer" in md


def test_citation_label_is_short_and_cut_at_whole_words():
    label = render.citation_label({"n": 3, "section": "S" * 200, "quote": "Q " * 100})
    assert label.startswith("[3] " + "S" * 39 + "…: “Q Q") and len(label) <= 80 and label.endswith("…”")
    assert render.citation_label({"n": 1, "section": "Intro", "quote": "Short."}) == "[1] Intro: “Short.”"
    long = {"n": 2, "section": "Findings", "quote": "Officials said they will continue to drive the program forward"}
    assert render.citation_label(long, width=40) == "[2] Findings: “Officials said they…”"


def test_citation_label_shows_footnote_markers_as_superscript_not_tags():
    citation = {"n": 1, "section": "What GAO Found", "quote": "Combined operations (OOD) <sup>a</sup>"}
    label = render.citation_label(citation)
    assert label == "[1] What GAO Found: “Combined operations (OOD) ᵃ”"
