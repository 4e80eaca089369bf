"""Source cards, chips and Copy text: expected values written by hand from the small texts below."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from ui import render, sources

# A hard-wrapped paragraph as a PDF converter writes it, with a footnote marker.
WRAPPED = (
    "Heading\n\n"
    "The program office estimated that the network would cost about 1.9 billion\n"
    "dollars to develop.<sup>3</sup> Officials expect the first launch in fiscal year\n"
    "2029.\n\n"
    "Next paragraph."
)

TABLE_TEXT = "Table 1\n\n\tAlpha\tBravo\nLamps <sup>a</sup>\tYes\tNo\nMotors\tNo\tNo\n\nAfter."
LAMPS_ROW = "Lamps <sup>a</sup>\tYes\tNo"
TABLE = {
    "title": "Table 1: Readiness",
    "columns": ["Alpha", "Bravo"],
    "rows": [
        {
            "label": "Lamps",
            "markers": ["a"],
            "cells": ["Yes", "No"],
            "start": TABLE_TEXT.index(LAMPS_ROW),
            "end": TABLE_TEXT.index(LAMPS_ROW) + len(LAMPS_ROW),
        },
        {
            "label": "Motors",
            "markers": [],
            "cells": ["No", "No"],
            "start": TABLE_TEXT.index("Motors"),
            "end": TABLE_TEXT.index("Motors") + len("Motors\tNo\tNo"),
        },
    ],
    "footnotes": {"a": {"marker": "a", "text": "<sup>a</sup>Spare lamps only.", "start": 0, "end": 0}},
    "source_note": "Source: made up.",
}


def _citation(text: str, quote: str, n: int = 1, **kw):
    start = text.index(quote)
    data = {
        "n": n,
        "source": "doc.txt",
        "title": "Doc title",
        "section": "Findings > Costs",
        "quote": quote,
        "chunk_id": "c1",
        "char_start": start,
        "char_end": start + len(quote),
        "page": None,
        "printed_page": None,
    }
    data.update(kw)
    return data


class FakeSources:
    def __init__(self, texts, tables=None, pages=None):
        self.texts, self.tables, self.pages = texts, tables or {}, pages or {}

    def text(self, source):
        return self.texts.get(source)

    def table(self, citation):
        return self.tables.get(citation["n"])

    def page_url(self, citation):
        return self.pages.get(citation["n"])


def test_passage_is_reflowed_with_the_quote_marked_and_the_footnote_a_superscript():
    quote = "Officials expect the first launch in fiscal year\n2029."
    out = sources.passage_html(_citation(WRAPPED, quote), WRAPPED)
    assert out == (
        '<div class="passage">The program office estimated that the network would cost about 1.9 billion '
        "dollars to develop.<sup>3</sup> <mark>Officials expect the first launch in fiscal year 2029.</mark></div>"
    )


def test_a_quote_starting_with_a_hash_or_quote_mark_is_text():
    text = "Intro\n\n# Not a heading > not a quote\n\nEnd"
    out = sources.passage_html(_citation(text, "# Not a heading > not a quote"), text)
    # the reflow drops a converter's heading marks; nothing becomes an <h1> or a <blockquote>
    assert "<h1" not in out and "<blockquote" not in out and "Not a heading &gt; not a quote" in out


def test_plain_inline_and_superscripts():
    assert sources.plain_inline("Combined operations (OOD) <sup>a</sup>") == "Combined operations (OOD) ᵃ"
    assert sources.plain_inline("cost<sup>12</sup> and<br>more") == "cost¹² and more"
    assert sources.superscript("Q") == "^(Q)"
    assert sources.rich_inline("x <sup>b</sup> <script>y</script>") == "x <sup>b</sup> &lt;script&gt;y&lt;/script&gt;"


def test_table_citation_shows_a_table_with_the_cited_cell_and_its_headers_marked():
    citation = _citation(TABLE_TEXT, LAMPS_ROW)
    card = sources.source_card(
        citation, TABLE_TEXT, anchor="src-1-1", answer="Bravo has no lamps [1]. Other text [2].", table=TABLE
    )
    assert '<td class="cited"><mark>No</mark></td>' in card  # Lamps x Bravo
    assert card.count('class="cited"') == 1
    assert '<th scope="col" class=cited-head>Bravo</th>' in card and '<th scope="col">Alpha</th>' in card
    assert '<th scope="row" class="cited-head">Lamps<sup>a</sup></th>' in card
    assert '<div class="table-title">Table 1: Readiness</div><div class="table-scroll" tabindex="0"' in card
    assert '<caption class="visually-hidden">Table 1: Readiness</caption>' in card
    assert '<p class="table-note"><sup>a</sup>Spare lamps only.</p>' in card
    assert "<sup>a</sup>" in card and "&lt;sup&gt;" not in card


def test_cited_columns_match_whole_words_only():
    table = {"columns": ["Japan", "Norway", "UK"]}
    assert sources.cited_columns(table, "Japan and Norway are marked No [1].") == [0, 1]
    assert sources.cited_columns(table, "The UKRAINE office [1].") == []


def test_statement_of_returns_the_sentence_with_the_marker():
    answer = "Japan is marked No [1]. Canada is marked Yes [2]."
    assert sources.statement_of(answer, 2) == "Canada is marked Yes [2]."


def test_card_meta_gives_section_path_and_pages():
    citation = _citation(WRAPPED, "Next paragraph.", page=14, printed_page="12")
    card = sources.source_card(citation, WRAPPED, anchor="a")
    assert '<div class="source-meta">Findings &gt; Costs · p. 12 (PDF page 14) · doc.txt</div>' in card


def test_pdf_card_shows_the_page_image_from_a_route_without_paths():
    citation = _citation(WRAPPED, "Next paragraph.", page=3, source="lunar.pdf")
    card = sources.source_card(citation, WRAPPED, anchor="a", page_url="source-page/abc/3?start=1&end=2")
    assert '<img src="source-page/abc/3?start=1&amp;end=2" loading="lazy"' in card
    assert "PDF page 3" in card


def test_answer_html_has_chips_sources_and_plain_copy_text():
    quote = "dollars to develop."
    reply = {
        "answer": "# It costs 1.9 billion dollars [1].\n> <b>more</b>",
        "citations": [_citation(WRAPPED, quote)],
        "abstained": False,
        "notice": "",
    }
    out = render.answer_html(reply, 4, FakeSources({"doc.txt": WRAPPED}))
    assert '<a class="cite-chip" href="#src-4-1" title="Show source 1">[1]</a>' in out
    assert 'id="src-4-1"' in out and '<details class="msg-sources" id="sources-4">' in out
    assert "# It costs" in out and "&gt; &lt;b&gt;more&lt;/b&gt;" in out and "<b>" not in out
    copied = out.split('<pre class="copy-text" hidden>')[1].split("</pre>")[0]
    # escaped once for HTML: the browser's textContent (what Copy writes) is the plain text
    assert copied == (
        "# It costs 1.9 billion dollars [1].\n&gt; more\n\n"
        "Sources:\n[1] Doc title, Findings &gt; Costs: “dollars to develop.”\n"
    )


def test_copy_text_is_plain():
    text = "Row\n\nCombined operations (OOD) <sup>a</sup>\tYes\tNo\n\nEnd"
    citation = _citation(text, "Combined operations (OOD) <sup>a</sup>\tYes\tNo", title="DOD &amp; Allies")
    reply = {"answer": "The report's table marks Japan “No” [1].", "citations": [citation]}
    copied = sources.copy_text(reply)
    assert copied == (
        "The report's table marks Japan “No” [1].\n\nSources:\n"
        "[1] DOD &amp; Allies, Findings > Costs: “Combined operations (OOD) ᵃ Yes No”\n"
    )


def test_abstention_has_no_sources_block_but_can_be_copied():
    out = render.answer_html({"answer": "The report does not say.", "abstained": True, "citations": []}, 1)
    assert out.startswith('<div class="abstention">The report does not say.</div><div class="answer-actions">')
    assert "msg-sources" not in out and '<pre class="copy-text" hidden>The report does not say.\n</pre>' in out


# -- property: whatever a document or an answer holds, the message HTML has only our own elements -----------

OUR_TAGS = {
    "div", "span", "a", "sup", "mark", "br", "details", "summary", "table", "caption", "thead", "tbody", "tr",
    "th", "td", "p", "img", "button", "pre",
}  # fmt: skip
PIECES = st.sampled_from(
    ["<script>x()</script>", "<img src=x onerror=y()>", "[a](javascript:z)", "# ", "> ", "- ", "<sup>a</sup>",
     "&amp;", "&#60;", "\n", "\n\n", "[1]", "**", "`", "word", " ", "é", "\u202e"]
)  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@settings(max_examples=150, deadline=None)
@given(doc=st.lists(PIECES, min_size=1, max_size=30).map("".join), answer=st.lists(PIECES, max_size=12).map("".join))
def test_message_html_has_only_our_elements_whatever_the_text(doc, answer):
    quote = doc[len(doc) // 3 : len(doc) // 3 + 12] or doc
    citation = _citation(doc, quote)
    reply = {"answer": answer + " [1]", "citations": [citation], "abstained": False, "notice": ""}
    out = render.answer_html(reply, 1, FakeSources({"doc.txt": doc}))
    parser = _Tags()
    parser.feed(out)
    for tag, attrs in parser.tags:
        assert tag in OUR_TAGS, (tag, out)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value is not None and value.startswith("#src-1-"), value
    assert "javascript:z)" not in "".join(str(v) for _, attrs in parser.tags for _, v in attrs)
