"""The Markdown loader on converted reports of shapes other than the seed's (our own small fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.ingest import Document, load_document
from assistant.ingest.reflow import reading_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "converted"


@pytest.fixture(scope="module")
def widget() -> Document:
    return load_document(FIXTURES / "widget-safety.md")


def sentences(doc: Document) -> list[str]:
    return [reading_text(doc.text, s) for b in doc.blocks for s in b.sentences]


def test_metadata_from_the_converter_line(widget: Document) -> None:
    assert widget.title == "Widget Safety: Agency Should Track Recalls More Closely"
    assert widget.report_number == "WSB-24-1017"
    assert widget.date == "June 14, 2024"


def test_metadata_never_from_a_body_sentence() -> None:
    doc = load_document(FIXTURES / "harbor-notes.md")
    assert doc.title == "Harbor Dredging Notes"
    assert doc.date == ""  # "May 2023" stands inside a sentence, and "2018" in the body
    assert doc.report_number == ""


def test_hard_wrapped_lines_are_joined_into_sentences(widget: Document) -> None:
    assert (
        "The Widget Safety Board (WSB) reviewed recall data for 2019 through 2023 and found that the agency "
        "closed 412 recalls without confirming that retailers had removed the products from their shelves."
    ) in sentences(widget)
    doc = load_document(FIXTURES / "harbor-notes.md")
    assert (
        "Dredging the east channel would cost an estimated $4.2 million, of which the city would pay 30 percent."
        in sentences(doc)
    )


def test_bullets_on_their_own_lines_start_items(widget: Document) -> None:
    said = sentences(widget)
    assert "• Tracking. The agency does not record when a retailer confirms removal." in said
    assert "• Follow-up. Inspectors visited 38 of 120 selected retailers." in said


def test_page_footers_are_furniture_with_page_numbers(widget: Document) -> None:
    assert len(widget.furniture) == 3
    for start, end in widget.furniture:
        assert widget.text[start:end].startswith("Page ")
    for chunk in chunk_document(widget):
        assert "WSB-24-1017 Widget Safety" not in chunk.text
    letter = next(b for b in widget.blocks if widget.span(b).startswith("Widget recalls protect"))
    assert letter.printed_page == "1"


def test_a_sentence_interrupted_by_a_footer_is_one_sentence_in_two_spans(widget: Document) -> None:
    block = next(b for b in widget.blocks if widget.span(b).startswith("The agency's recall manual"))
    first = block.sentences[0]
    assert len(first) == 2
    assert "Page 2" not in "".join(widget.text[s:e] for s, e in first)
    assert reading_text(widget.text, first) == (
        "The agency's recall manual, last revised in 2016, requires inspectors to confirm that products are off "
        "the shelves, but the manual does not say how inspectors should record the confirmation."
    )


def test_footnotes_markers_figures_contents_and_boilerplate(widget: Document) -> None:
    kinds = {widget.span(b)[:24]: b.kind for b in widget.blocks}
    assert kinds["Widget Safety Board, Ann"] == "reference"  # a footnote that only cites a source
    assert kinds["*[Figure 1: Recalls Clos"] == "figure"
    assert kinds["Letter 1\nBackground 3\nAp"] == "toc"
    assert kinds["This is a work of the U."] == "boilerplate"
    said = sentences(widget)
    assert "Widget recalls protect buyers from products that can overheat." in said  # the " [1]" marker goes
    assert not any(re.search(r"see original PDF|Letter 1|work of the U.S. government", s) for s in said)


def test_abbreviation_list_is_data(widget: Document) -> None:
    assert widget.abbreviations == {"WSB": "Widget Safety Board", "CPR": "Closed product recall"}


def test_highlights_zone(widget: Document) -> None:
    found = next(b for b in widget.blocks if widget.span(b).startswith("The Widget Safety Board (WSB)"))
    assert found.zone == "highlights" and found.section == "Highlights > What the Board Found"
    letter = next(b for b in widget.blocks if widget.span(b).startswith("Widget recalls protect"))
    assert letter.zone == "body"


def test_pipe_table_with_br_cells(widget: Document) -> None:
    table = next(b.table for b in widget.blocks if b.kind == "table" and b.table is not None)
    assert table.title == "Table 1: Recalls Closed, by Year"  # the converter's "Col2" placeholders dropped
    assert table.columns == ["Recalls closed", "Confirmed removals"]
    assert [(r.label, r.cells) for r in table.rows] == [
        ("2021", ["97", "61"]),
        ("2022", ["130", "70"]),
        ("2023", ["185", "88"]),
    ]
    row = table.rows[1]
    assert widget.text[row.start : row.end] == "|2022|130|<br>70|"
