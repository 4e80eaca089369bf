"""Loading a text report into structure (sections, metadata, links) and chunking it: structure-following chunks
that never cut a sentence, stable ids, location metadata, tables whole and row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chunking import MAX_CHARS, chunk_document
from assistant.ingest import Document, LoadError, decode_text, load_document
from assistant.ingest.text import parse_text
from assistant.tables import Table
from assistant.text import render_inline, sentence_spans, words
from assistant.types import Chunk

KINDS = {"text", "table", "table_row", "footnote"}
METADATA_KEYS = {"chunk_id", "source", "title", "section", "char_start", "char_end", "kind"}

# Our own small report, with front matter, two sections, a link and a table with a footnote.
SMALL = (
    "**Ferry Schedules Slip as Crews Retire**\n"
    "\n"
    "GAO-24-900321\n"
    "\n"
    "March 4, 2024\n"
    "\n"
    "Questions? Write to [the ferry office](mailto:ferries@example.org).\n"
    "\n"
    "**What We Found**\n"
    "\n"
    "The ferry authority runs nine routes. Dr. A. Lund said the U.S. crews are aging. Two routes closed.\n"
    "\n"
    "Night service stopped in May.\n"
    "\n"
    "**Crew Levels**\n"
    "\n"
    "\tNorth Route\tSouth Route\n"
    "Full crew <sup>a</sup>\tYes\tNo\n"
    "\n"
    "<sup>a</sup>A full crew is five people.\n"
    "\n"
    "**What We Recommend**\n"
    "\n"
    "The authority should hire twelve deckhands.\n"
)


def small() -> Document:
    return parse_text(SMALL, "ferries.txt")


def tables_of(doc: Document) -> list[Table]:
    return [b.table for b in doc.blocks if b.kind == "table" and b.table is not None]


@pytest.fixture(scope="module")
def gao_doc(gao_path: Path) -> Document:
    return load_document(gao_path)


@pytest.fixture(scope="module")
def gao_chunks(gao_doc: Document) -> list[Chunk]:
    return chunk_document(gao_doc)


# -- loading ---------------------------------------------------------------------------------------------------


def test_bold_lines_are_headings_and_the_first_is_the_title() -> None:
    doc = small()
    headings = [render_inline(doc.span(b)) for b in doc.blocks if b.kind == "heading"]
    assert doc.title == "Ferry Schedules Slip as Crews Retire"
    assert headings == ["Ferry Schedules Slip as Crews Retire", "What We Found", "What We Recommend"]
    assert "Crew Levels" not in headings  # the heading right above a table is the table's title
    assert tables_of(doc)[0].title == "Crew Levels"


def test_paragraphs_carry_their_section() -> None:
    doc = small()
    section_of = {doc.span(b): b.section for b in doc.blocks if b.kind == "paragraph"}
    assert section_of["Night service stopped in May."] == "What We Found"
    assert section_of["The authority should hire twelve deckhands."] == "What We Recommend"
    assert section_of["GAO-24-900321"] == doc.title  # front matter belongs to the title


def test_report_number_and_date_metadata() -> None:
    doc = small()
    assert doc.report_number == "GAO-24-900321"
    assert doc.date == "March 4, 2024"


def test_markdown_heading_and_no_metadata() -> None:
    doc = parse_text("# Tide Gauges\n\nSome gauges drift.\n", "tides.md")
    assert doc.title == "Tide Gauges" and doc.report_number == "" and doc.date == ""


def test_title_falls_back_to_the_file_name() -> None:
    assert parse_text("Just a paragraph.\n", "notes/harbor-notes.txt").title == "harbor-notes"


def test_block_spans_are_exact() -> None:
    doc = small()
    for block in doc.blocks:
        span = doc.span(block)
        assert span == span.strip("\n") and span.strip(), block


def test_gao_sections_title_and_metadata(gao_doc: Document, gao_path: Path) -> None:
    text = gao_path.read_text(encoding="utf-8")
    bold_lines = [li.strip()[2:-2] for li in text.splitlines() if li.strip().startswith("**")]
    assert gao_doc.title == bold_lines[0]
    sections = list(dict.fromkeys(b.section for b in gao_doc.blocks))
    table_titles = [t.title for t in tables_of(gao_doc)]
    assert sections == [name for name in bold_lines if name not in table_titles]
    number = next(li for li in text.splitlines() if li.startswith("GAO-"))
    assert gao_doc.report_number == number.strip()
    assert gao_doc.date and gao_doc.date in text[:400]
    assert gao_doc.text == text  # spans refer to the file itself


def test_decode_refuses_empty_binary_and_wrong_encoding() -> None:
    with pytest.raises(LoadError, match=r"x\.txt: the file is empty"):
        decode_text(b"  \n", "x.txt")
    with pytest.raises(LoadError, match=r"x\.txt: .*binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00", "x.txt")
    with pytest.raises(LoadError, match=r"x\.txt: not valid UTF-8"):
        decode_text("Caf\u00e9 prices".encode("latin-1"), "x.txt")


def test_decode_accepts_bom_and_utf16() -> None:
    assert decode_text("\ufeffHello".encode(), "x.txt") == "Hello"
    assert decode_text("Hello there".encode("utf-16"), "x.txt") == "Hello there"


def test_load_document_errors_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK")
    with pytest.raises(LoadError, match=r"notes\.docx: unsupported file type \.docx"):
        load_document(tmp_path / "notes.docx")
    (tmp_path / "only-heading.txt").write_text("**Just a Title**\n")
    with pytest.raises(LoadError, match=r"only-heading\.txt: no text found"):
        load_document(tmp_path / "only-heading.txt")


# -- chunks ----------------------------------------------------------------------------------------------------


def boundaries(doc: Document) -> tuple[set[int], set[int]]:
    """Where a chunk may start and end: block edges and sentence edges inside blocks."""
    starts, ends = set(), set()
    for block in doc.blocks:
        starts.add(block.start)
        ends.add(block.end)
        if block.table is not None:
            starts.add(block.table.start)
            ends.add(block.table.end)
            for r in block.table.rows:
                starts.add(r.start)
                ends.add(r.end)
        for s, e in sentence_spans(doc.text, block.start, block.end):
            starts.add(s)
            ends.add(e)
            # inline markup around a sentence ("**Title**") is not part of its reading text
            starts.add(s + len(doc.text[s:e]) - len(doc.text[s:e].lstrip("*_[")))
            ends.add(e - len(doc.text[s:e]) + len(doc.text[s:e].rstrip("*_")))
    return starts, ends


def check_chunks(doc: Document, chunks: list[Chunk]) -> None:
    starts, ends = boundaries(doc)
    for c in chunks:
        assert c.kind in KINDS
        assert set(c.metadata()) >= METADATA_KEYS, c.metadata().keys()
        assert "text" not in c.metadata()
        assert c.source == doc.source and c.title == doc.title
        assert 0 <= c.char_start < c.char_end <= len(doc.text)
        assert c.char_start in starts, f"chunk starts mid-sentence: {doc.text[c.char_start : c.char_end]!r}"
        assert c.char_end in ends, f"chunk ends mid-sentence: {doc.text[c.char_start : c.char_end]!r}"
        source_slice = doc.text[c.char_start : c.char_end]
        if c.kind in ("text", "footnote"):
            assert words(render_inline(source_slice)) == words(c.text)
        elif c.kind == "table_row":
            assert "\n" not in source_slice and source_slice.count("\t") >= 1
        assert c.text.strip()


def test_small_report_chunks() -> None:
    doc = small()
    chunks = chunk_document(doc)
    check_chunks(doc, chunks)
    texts = {c.kind: c for c in chunks}
    assert set(texts) == KINDS
    assert "Write to the ferry office." in chunks[0].text
    assert "mailto:" not in chunks[0].text and "](" not in chunks[0].text


def test_gao_chunks_follow_structure_and_metadata(gao_doc: Document, gao_chunks: list[Chunk]) -> None:
    check_chunks(gao_doc, gao_chunks)
    sections = {b.section for b in gao_doc.blocks}
    assert {c.section for c in gao_chunks} <= sections
    assert {c.kind for c in gao_chunks} == KINDS
    assert all(c.report_number == gao_doc.report_number and c.date == gao_doc.date for c in gao_chunks)


def test_every_paragraph_is_in_some_chunk(gao_doc: Document, gao_chunks: list[Chunk]) -> None:
    for block in gao_doc.blocks:
        if block.kind == "paragraph":
            assert any(c.char_start <= block.start and block.end <= c.char_end for c in gao_chunks), block


def test_chunks_do_not_cross_sections(gao_chunks: list[Chunk], gao_doc: Document) -> None:
    for c in gao_chunks:
        inside = [b for b in gao_doc.blocks if c.char_start <= b.start and b.end <= c.char_end]
        assert len({b.section for b in inside if b.kind != "heading"}) <= 1


def test_table_indexed_whole_and_row_by_row(gao_doc: Document, gao_chunks: list[Chunk]) -> None:
    (table,) = tables_of(gao_doc)
    whole = [c for c in gao_chunks if c.kind == "table"]
    rows = [c for c in gao_chunks if c.kind == "table_row"]
    assert len(whole) == 1 and whole[0].table_id == table.table_id and whole[0].table_json
    assert (whole[0].char_start, whole[0].char_end) == (table.start, table.end)
    assert [c.row_index for c in rows] == list(range(len(table.rows)))
    for c, r in zip(rows, table.rows, strict=True):
        assert (c.char_start, c.char_end) == (r.start, r.end)
        assert c.table_id == table.table_id
        assert table.title in c.text and r.label in c.text
        assert all(column in c.text for column in table.columns)
        for note in table.row_footnotes(r):
            assert note.plain in c.text
        assert "table_json" not in c.metadata()
    footnotes = [c for c in gao_chunks if c.kind == "footnote"]
    assert len(footnotes) == len(table.footnotes)  # the Source line is a credit line, not answer text
    assert all(c.table_id == table.table_id for c in footnotes)
    assert not any(c.text.startswith("Source:") for c in gao_chunks if c.kind != "table")


def test_long_paragraph_is_split_between_sentences() -> None:
    sentences = [f"Crew member number {i} filed report {i} about the North Route ferry delays." for i in range(60)]
    text = "**Long Report**\n\n" + " ".join(sentences) + "\n"
    doc = parse_text(text, "long.txt")
    chunks = [c for c in chunk_document(doc) if c.kind == "text" and c.char_start >= text.index("Crew")]
    check_chunks(doc, chunks)
    assert len(chunks) > 1
    assert all(c.char_end - c.char_start <= MAX_CHARS for c in chunks)
    assert " ".join(c.text for c in chunks) == " ".join(sentences)


def test_a_single_huge_sentence_stays_whole() -> None:
    sentence = "The ferry " + "very " * 400 + "late."
    doc = parse_text(f"**T**\n\n{sentence}\n", "huge.txt")
    (chunk,) = [c for c in chunk_document(doc) if sentence[:20] in c.text]
    assert doc.text[chunk.char_start : chunk.char_end] == sentence


# -- stable ids --------------------------------------------------------------------------------------------------


def test_ids_are_stable_across_runs(gao_path: Path) -> None:
    first = [c.chunk_id for c in chunk_document(load_document(gao_path))]
    second = [c.chunk_id for c in chunk_document(load_document(gao_path))]
    assert first == second and len(set(first)) == len(first)


def _changed(before: str, after: str) -> tuple[set[str], set[str]]:
    """Texts of the chunks whose id changed: (before the edit, after it)."""
    old = chunk_document(parse_text(before, "report.txt"))
    new = chunk_document(parse_text(after, "report.txt"))
    assert len(old) == len(new)
    pairs = [(c, d) for c, d in zip(old, new, strict=True) if c.chunk_id != d.chunk_id]
    return {c.text for c, _ in pairs}, {d.text for _, d in pairs}


def _paragraph(text: str, starting: str) -> str:
    start = text.index(starting)
    return text[start : text.index("\n", start)]


def test_editing_one_paragraph_in_place_changes_only_its_id(gao_path: Path) -> None:
    text = gao_path.read_text(encoding="utf-8")
    paragraph = _paragraph(text, "Lastly, GAO found")
    edited = text.replace(paragraph, paragraph.replace("Lastly,", "Latest,"))  # same length
    assert len(edited) == len(text)
    changed_old, changed_new = _changed(text, edited)
    assert changed_old == {paragraph}
    assert changed_new == {paragraph.replace("Lastly,", "Latest,")}


def test_editing_one_paragraph_changes_only_its_id(gao_path: Path) -> None:
    text = gao_path.read_text(encoding="utf-8")
    paragraph = _paragraph(text, "Lastly, GAO found")
    edited = text.replace(paragraph, paragraph.replace("Lastly,", "Last of all,"))
    changed_old, _ = _changed(text, edited)
    assert changed_old == {paragraph}
