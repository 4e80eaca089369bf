"""Tables: the published tab-separated layout parsed into data (on a hand-made report and on the GAO file),
and questions read against a table (rows, columns, negation, intersection, counts) and phrased with citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest import Document, load_document
from assistant.ingest.text import parse_text
from assistant.table_answers import NOT_IN_REPORT, TableAnswerer
from assistant.tables import (
    Table,
    analyse,
    answer_table,
    column_aliases,
    row_names,
    table_from_json,
    table_to_json,
)
from assistant.types import Chunk, Citation

# Our own miniature report: three stations, two rows with footnotes, a source line, text after the table.
HARBOR = (
    "**Harbor Lights Need Spare Parts**\n"
    "\n"
    "**Station Equipment**\n"
    "\n"
    "\t\t\t\n"
    "\tHarbor Point\tGull Rock\tCape Fern\n"
    "Spare lamps (SL) <sup>a</sup>\tYes\tNo\tYes\n"
    "Backup generator\tNo\tNo\tYes\n"
    "Radio beacon <sup>b</sup>\tYes\tYes\n"
    "\n"
    "<sup>a</sup>Spare lamps (SL) are stored at the station itself.\n"
    "\n"
    "<sup>b</sup>Beacons broadcast every six minutes.\n"
    "\n"
    "Source: Invented survey of three stations. | HX-1\n"
    "\n"
    "The keepers asked for more generators.\n"
)


def harbor() -> tuple[Document, Table]:
    doc = parse_text(HARBOR, "harbor.txt")
    tables = [b.table for b in doc.blocks if b.kind == "table" and b.table is not None]
    assert len(tables) == 1
    return doc, tables[0]


def row(table: Table, label_start: str):
    return next(r for r in table.rows if r.label.startswith(label_start))


# -- parsing a hand-made table -----------------------------------------------------------------------------


def test_header_row_gives_the_columns() -> None:
    _, table = harbor()
    assert table.columns == ["Harbor Point", "Gull Rock", "Cape Fern"]
    assert HARBOR[table.header_start : table.header_end] == "Harbor Point\tGull Rock\tCape Fern"


def test_the_heading_before_the_table_is_its_title_not_a_section() -> None:
    doc, table = harbor()
    assert table.title == "Station Equipment"
    assert HARBOR[table.title_start : table.title_end] == "**Station Equipment**"
    assert "Station Equipment" not in [doc.span(b) for b in doc.blocks if b.kind == "heading"]


def test_rows_have_labels_without_markers_and_their_cells() -> None:
    _, table = harbor()
    assert [r.label for r in table.rows] == ["Spare lamps (SL)", "Backup generator", "Radio beacon"]
    assert row(table, "Spare").markers == ["a"]
    assert row(table, "Backup").markers == []
    assert row(table, "Spare").cells == ["Yes", "No", "Yes"]


def test_a_short_row_is_padded_to_the_columns() -> None:
    _, table = harbor()
    assert row(table, "Radio").cells == ["Yes", "Yes", ""]


def test_row_spans_are_the_row_lines() -> None:
    _, table = harbor()
    for r in table.rows:
        line = HARBOR[r.start : r.end]
        assert "\n" not in line
        assert line.split("\t")[1:] == [c for c in r.cells if c]


def test_footnotes_and_source_line_belong_to_the_table() -> None:
    doc, table = harbor()
    assert set(table.footnotes) == {"a", "b"}
    for marker, note in table.footnotes.items():
        assert HARBOR[note.start : note.end] == note.text
        assert note.text.startswith(f"<sup>{marker}</sup>")
        assert "<sup>" not in note.plain
    assert table.source_note == "Source: Invented survey of three stations. | HX-1"
    assert HARBOR[table.source_start : table.source_end] == table.source_note
    assert [f.marker for f in table.row_footnotes(row(table, "Spare"))] == ["a"]
    table_block = next(b for b in doc.blocks if b.kind == "table")
    assert table_block.end == table.end == HARBOR.index("| HX-1") + len("| HX-1")


def test_text_after_the_source_line_is_a_paragraph_again() -> None:
    doc, _ = harbor()
    last = doc.blocks[-1]
    assert last.kind == "paragraph" and doc.span(last) == "The keepers asked for more generators."


def test_several_markers_on_one_row() -> None:
    text = "\tNorth\tSouth\nPiers <sup>a</sup><sup>b</sup>\tYes\tNo\n\n<sup>a</sup>One.\n\n<sup>b</sup>Two.\n"
    table = next(b.table for b in parse_text(text, "t.txt").blocks if b.table is not None)
    assert table.rows[0].markers == ["a", "b"]
    assert [f.marker for f in table.row_footnotes(table.rows[0])] == ["a", "b"]


def test_a_header_without_rows_is_not_a_table() -> None:
    doc = parse_text("Intro paragraph.\n\n\tNorth\tSouth\n", "t.txt")
    assert not [b for b in doc.blocks if b.kind == "table"]


def test_json_round_trip_keeps_everything() -> None:
    _, table = harbor()
    again = table_from_json(table_to_json(table))
    assert again == table


def test_render_row_reads_alone() -> None:
    _, table = harbor()
    spare = row(table, "Spare")
    text = table.render_row(spare)
    assert table.title in text and spare.label in text
    for column, value in zip(table.columns, spare.cells, strict=True):
        assert f"{column}: {value}" in text
    assert table.footnotes["a"].plain in text
    assert table.footnotes["b"].plain not in text


def test_render_whole_table_lists_every_row_and_note() -> None:
    _, table = harbor()
    text = table.render()
    assert all(r.label in text for r in table.rows)
    assert all(c in text for c in table.columns)
    assert all(f.plain in text for f in table.footnotes.values())
    assert table.source_note in text


def test_names_of_a_row_include_acronym_and_defined_term() -> None:
    _, table = harbor()
    names = row_names(table, row(table, "Spare"))
    assert "spare lamps (sl)" in names and "spare lamps" in names and "sl" in names


def test_column_aliases_include_initials() -> None:
    assert column_aliases("United Kingdom")[:3] == ["united kingdom", "uk", "u.k."]
    assert column_aliases("Norway") == ["norway"]


# -- the GAO table, read from the corpus file -----------------------------------------------------------------


@pytest.fixture(scope="module")
def gao(gao_path: Path) -> tuple[str, Table]:
    doc = load_document(gao_path)
    tables = [b.table for b in doc.blocks if b.kind == "table" and b.table is not None]
    assert len(tables) == 1
    return doc.text, tables[0]


def test_gao_table_columns_and_rows_match_the_file(gao: tuple[str, Table]) -> None:
    text, table = gao
    header = next(li for li in text.splitlines() if li.startswith("\t") and li.strip())
    assert table.columns == header.strip().split("\t")
    row_lines = [li for li in text.splitlines() if "\t" in li and li.strip() and not li.startswith("\t")]
    assert len(table.rows) == len(row_lines) == 3
    for r, line in zip(table.rows, row_lines, strict=True):
        cells = line.split("\t")
        assert r.cells == cells[1:]
        assert r.label == re.sub(r"\s*<sup>.*?</sup>", "", cells[0]).strip()
        assert r.markers == re.findall(r"<sup>(.*?)</sup>", cells[0])
        assert text[r.start : r.end] == line


def test_gao_table_title_footnotes_and_source(gao: tuple[str, Table]) -> None:
    text, table = gao
    assert table.title == "U.S. Space Operations and Activities with Select Allies and Partners"
    assert sorted(table.footnotes) == sorted(m for r in table.rows for m in r.markers)
    for note in table.footnotes.values():
        assert text[note.start : note.end] == note.text
    assert table.source_note.startswith("Source: GAO analysis")
    assert text[table.source_start : table.source_end] == table.source_note
    assert text[table.start : table.end].startswith("**U.S. Space Operations")
    assert text[table.start : table.end].endswith("GAO-25-108043")


def test_gao_ood_row_is_named_by_its_footnote(gao: tuple[str, Table]) -> None:
    _, table = gao
    ood = next(r for r in table.rows if "(OOD)" in r.label)
    assert "operation olympic defender" in row_names(table, ood)


# -- reading questions against a table ------------------------------------------------------------------------


def query(question: str, vocabulary: set[str] | None = None, capitalised: list[str] | None = None):
    _, table = harbor()
    return analyse(question, table, vocabulary or set(), capitalised or [])


def test_lookup_of_one_cell() -> None:
    q = query("Does Gull Rock have spare lamps?")
    assert q.yes_no and q.columns == ["Gull Rock"] and [m.row.label for m in q.rows] == ["Spare lamps (SL)"]
    finding = answer_table(q)
    assert finding is not None and finding.kind == "lookup"
    assert finding.values == {("Spare lamps (SL)", "Gull Rock"): "No"}


def test_which_lists_the_yes_columns() -> None:
    finding = answer_table(query("Which stations have spare lamps?"))
    assert finding is not None and finding.kind == "list"
    assert finding.columns == ["Harbor Point", "Cape Fern"]


def test_negation_lists_the_no_columns() -> None:
    q = query("Which stations do not have a backup generator?")
    assert q.rows[0].negated
    finding = answer_table(q)
    assert finding is not None and finding.columns == ["Harbor Point", "Gull Rock"]


def test_intersection_with_negation() -> None:
    finding = answer_table(query("Which stations have a radio beacon but no spare lamps?"))
    assert finding is not None and finding.columns == ["Gull Rock"]


def test_explicit_value_marked_no() -> None:
    finding = answer_table(query("Which stations are marked No for spare lamps?"))
    assert finding is not None and finding.columns == ["Gull Rock"]


def test_count_question() -> None:
    q = query("How many stations have a backup generator?")
    assert q.wants_count
    finding = answer_table(q)
    assert finding is not None and finding.columns == ["Cape Fern"]


@pytest.mark.parametrize(
    ("question", "wanted"),
    [("Which stations have all the rows?", "Yes"), ("Which stations have none of the rows?", "No")],
)
def test_all_rows_question(question: str, wanted: str) -> None:
    _, table = harbor()
    expected = [c for i, c in enumerate(table.columns) if all(r.cells[i] == wanted for r in table.rows)]
    finding = answer_table(query(question))
    assert finding is not None and finding.kind == "list"
    assert finding.columns == expected


def test_column_summary() -> None:
    finding = answer_table(query("What does the table show for Cape Fern?"))
    assert finding is not None and finding.kind == "column"
    _, table = harbor()
    assert finding.values == {(r.label, "Cape Fern"): r.cells[2] for r in table.rows}


def test_unknown_capitalised_name_is_reported() -> None:
    q = query("Does Pier Nine have spare lamps?", vocabulary={"spare", "lamps"}, capitalised=["Pier", "Nine"])
    assert q.unknown_entities == ["Pier", "Nine"]


def test_question_about_something_else_is_not_relevant() -> None:
    assert not query("What did the keepers ask for?").relevant


# -- phrasing table answers with citations ---------------------------------------------------------------------


@pytest.fixture
def answerer() -> TableAnswerer:
    doc, table = harbor()
    chunk = Chunk("c1", table.render(), doc.source, doc.title, "Station Equipment", table.start, table.end, "table")

    def cite(chunk: Chunk, start: int, end: int) -> Citation:
        return Citation(0, chunk.source, chunk.title, chunk.section, HARBOR[start:end], chunk.chunk_id, start, end)

    return TableAnswerer({table.table_id: (table, chunk)}, cite)


def ask(answerer: TableAnswerer, question: str, unknown: list[str] | None = None):
    vocabulary = {"harbor", "point", "gull", "rock", "cape", "fern", "spare", "lamps", "backup", "generator"}
    result = answerer.answer(question, list(answerer.tables), vocabulary, unknown or [])
    assert result is not None, question
    return result


def test_yes_no_lookup_leads_with_the_cell_and_cites_row_and_footnote(answerer: TableAnswerer) -> None:
    parts, abstained = ask(answerer, "Does Gull Rock have spare lamps?")
    assert not abstained
    text, cites = parts[0]
    assert text.startswith("No — ") and "Gull Rock" in text
    _, table = harbor()
    spare = row(table, "Spare")
    assert [c.quote for c in cites] == [HARBOR[spare.start : spare.end]]
    all_quotes = [c.quote for _, cs in parts for c in cs]
    assert table.footnotes["a"].text in all_quotes


def test_count_answer_states_the_number(answerer: TableAnswerer) -> None:
    parts, _ = ask(answerer, "How many stations have spare lamps?")
    assert parts[0][0].startswith("Two — ")
    assert "Harbor Point" in parts[0][0] and "Cape Fern" in parts[0][0] and "Gull Rock" not in parts[0][0]


def test_empty_intersection_says_none(answerer: TableAnswerer) -> None:
    parts, abstained = ask(answerer, "Which stations have no spare lamps and no radio beacon?")
    assert not abstained
    assert parts[0][0].startswith("None — ")


def test_unknown_station_abstains(answerer: TableAnswerer) -> None:
    parts, abstained = ask(answerer, "Does Pier Nine have spare lamps?", unknown=["Pier Nine"])
    assert abstained
    text, cites = parts[0]
    assert text.startswith(NOT_IN_REPORT) and "Pier Nine" in text and not cites


def test_wrong_stated_count_abstains(answerer: TableAnswerer) -> None:
    parts, abstained = ask(answerer, "Which 12 partners have spare lamps?")
    assert abstained and parts[0][0].startswith(NOT_IN_REPORT)


def test_why_questions_are_left_to_the_sentences(answerer: TableAnswerer) -> None:
    assert answerer.answer("Why does Gull Rock have no spare lamps?", list(answerer.tables), set(), []) is None


# -- a table of values (entities as rows, periods as columns) -------------------------------------------------

FERRY = (
    "**Ferry Costs Rose**\n"
    "\n"
    "**Operating Costs**\n"
    "\n"
    "\t\t\n"
    "\t10-year period\t20-year period\n"
    "Diesel ferries\t4.1\t3.8\n"
    "Electric ferries\t5.2\t3.1\n"
    "\n"
    "Source: Invented cost model. | FX-2\n"
)


def ferry_answerer() -> tuple[TableAnswerer, Table]:
    doc = parse_text(FERRY, "ferry.txt")
    table = next(b.table for b in doc.blocks if b.kind == "table" and b.table is not None)
    chunk = Chunk("f1", table.render(), doc.source, doc.title, "Operating Costs", table.start, table.end, "table")

    def cite(chunk: Chunk, start: int, end: int) -> Citation:
        return Citation(0, chunk.source, chunk.title, chunk.section, FERRY[start:end], chunk.chunk_id, start, end)

    return TableAnswerer({table.table_id: (table, chunk)}, cite), table


def test_a_column_is_named_by_the_words_of_its_header() -> None:
    _, table = ferry_answerer()
    q = analyse("What is the cost of electric ferries over a 20-year period?", table, set(), [])
    assert q.columns == ["20-year period"] and [m.row.label for m in q.rows] == ["Electric ferries"]
    finding = answer_table(q)
    assert finding is not None and finding.values == {("Electric ferries", "20-year period"): "3.1"}


def test_a_row_of_values_is_answered_with_every_cell_under_its_column() -> None:
    answerer, table = ferry_answerer()
    assert not any(c in ("yes", "no") for r in table.rows for c in r.cells)
    result = answerer.answer("What do diesel ferries cost to operate?", list(answerer.tables), set(), [])
    assert result is not None
    parts, abstained = result
    assert not abstained
    text, cites = parts[0]
    assert "10-year period: 4.1" in text and "20-year period: 3.8" in text
    assert [c.quote for c in cites] == ["Diesel ferries\t4.1\t3.8"]
    assert "marked" not in text  # values, not yes/no marks


def test_a_question_naming_a_row_but_asking_something_else_is_left_to_the_sentences() -> None:
    answerer, _ = ferry_answerer()
    tables = list(answerer.tables)
    # "retired" and "fleet" are no words of the table: its cells cannot say what happened to the ferries
    assert answerer.answer("What happened to diesel ferries retired from the fleet?", tables, set(), []) is None
    assert answerer.answer("When were diesel ferries retired from the fleet?", tables, set(), []) is None
    # the same words, asked of the table itself: its row
    result = answerer.answer("What does the table give for diesel ferries retired from the fleet?", tables, set(), [])
    assert result is not None and "10-year period: 4.1" in result[0][0][0]


def test_a_number_in_a_condition_is_not_a_stated_count(answerer: TableAnswerer) -> None:
    parts, abstained = ask(answerer, "Which stations have all three rows?")
    assert not abstained and not parts[0][0].startswith(NOT_IN_REPORT)


def test_definition_questions_are_left_to_the_sentences_that_define() -> None:
    from assistant.table_answers import is_definition

    assert is_definition("What is a QRTP, as described in GAO's report on Family First and congregate care?")
    assert is_definition("What does PRTF stand for?")
    assert not is_definition("How many states reported sufficient capacity in QRTPs?")
    assert not is_definition("What is the status of the December 2019 recommendation?")


def test_response_columns_and_totals_are_not_things_a_conversation_is_about() -> None:
    from assistant.tables import names_a_thing

    assert not names_a_thing("Yes") and not names_a_thing("Don’t know") and not names_a_thing(" Not applicable ")
    assert not names_a_thing("Total")
    assert names_a_thing("Therapeutic foster homes") and names_a_thing("FY24 stage 2")


# A table whose rows are labelled by a department while the offices it is asked about stand in another cell.
PARKS = (
    "**Parks and Rivers**\n"
    "\n"
    "\t\t\n"
    "Department\tSelected offices\tProgram type\n"
    "Interior\tNational Park Service (NPS) runs the parks and their visitor centers.\tGrants-based\n"
    "Agriculture\tForest Service manages national forests and grasslands.\tRegulatory-based\n"
    "Commerce\tNational Weather Service and the Forest Service share fire forecasts.\tService-based\n"
    "\n"
)


def parks_query(question: str):
    doc = parse_text(PARKS, "parks.txt")
    (table,) = [b.table for b in doc.blocks if b.kind == "table" and b.table is not None]
    return analyse(question, table, set(), [])


def test_a_row_is_found_by_a_name_in_another_of_its_cells_when_a_column_is_asked() -> None:
    q = parks_query("What program type is listed for the National Park Service?")
    assert q.columns == ["Program type"] and [m.row.label for m in q.rows] == ["Interior"]
    finding = answer_table(q)
    assert finding is not None and finding.kind == "lookup"
    assert finding.values == {("Interior", "Program type"): "Grants-based"}
    assert [m.row.label for m in parks_query("What program type is listed for NPS?").rows] == ["Interior"]


def test_a_name_in_the_cells_of_two_rows_or_without_a_column_names_no_row() -> None:
    assert parks_query("What program type is listed for the Forest Service?").rows == []  # two rows hold it
    assert parks_query("What does the National Park Service run?").rows == []  # no column asked


def test_a_question_for_an_amount_is_not_answered_by_cells_that_hold_none(answerer: TableAnswerer) -> None:
    vocabulary = {"harbor", "point", "gull", "rock", "cape", "fern", "spare", "lamps", "backup", "generator"}
    asked = "According to the harbor report, how much did Gull Rock spend on spare lamps?"
    assert answerer.answer(asked, list(answerer.tables), vocabulary, []) is None  # Yes/No cells: the sentences may
    parts, abstained = ask(answerer, "Does Gull Rock have spare lamps?")
    assert not abstained and parts[0][0].startswith("No")


# A survey table whose columns are responses, one of them a denial.
SURVEY = (
    "**Operators Reporting More Crossings**\n"
    "\n"
    "\t\t\t\n"
    "Crossings\tYes, increased\tNo, did not increase\tDon’t know\n"
    "North Pier crossings\t10\t11\t26\n"
    "South Pier crossings\t12\t14\t22\n"
    "\n"
)


def survey_answerer() -> TableAnswerer:
    doc = parse_text(SURVEY, "survey.txt")
    table = next(b.table for b in doc.blocks if b.kind == "table" and b.table is not None)
    chunk = Chunk("s1", table.render(), doc.source, doc.title, "Survey", table.start, table.end, "table")

    def cite(chunk: Chunk, start: int, end: int) -> Citation:
        return Citation(0, chunk.source, chunk.title, chunk.section, SURVEY[start:end], chunk.chunk_id, start, end)

    return TableAnswerer({table.table_id: (table, chunk)}, cite)


def test_a_response_column_that_denies_is_named_only_by_a_question_that_denies() -> None:
    doc = parse_text(SURVEY, "survey.txt")
    table = next(b.table for b in doc.blocks if b.kind == "table" and b.table is not None)
    assert analyse("How many reported an increase in North Pier crossings?", table, set(), []).columns == [
        "Yes, increased"
    ]
    assert analyse("How many did not know about North Pier crossings?", table, set(), []).columns == ["Don’t know"]
    assert analyse("How many did not increase North Pier crossings?", table, set(), []).columns == [
        "No, did not increase"
    ]


def test_a_compound_question_looks_up_each_column_it_asks_for() -> None:
    answerer = survey_answerer()
    asked = "How many operators reported an increase in North Pier crossings, and how many did not know?"
    result = answerer.answer(asked, list(answerer.tables), set(), [])
    assert result is not None
    parts, abstained = result
    text = " ".join(t for t, _ in parts)
    assert not abstained and "10" in text and "26" in text and "11" not in text, text
