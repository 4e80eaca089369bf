"""Tables a PDF converter flattened into lines (a bold header, one line per row) read as tables, and only
when their column names can be read without guessing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest import load_document
from assistant.ingest.markdown import parse_markdown
from assistant.ingest.markdown_flat_tables import column_names, row_cells
from assistant.tables import Table

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "reports"

FLAT = """# Ferry Service: Night Crossings

## What We Found

Most routes ran late in winter (see table 1).

**Table 1: Crossings by Route and Season**

**Route** **Winter** **Summer** **Number of**
**late crossings**

North Pier [a] 14 9 6

South Pier 1,210 875 $4.5

Cape Fern 12% 3% —

a The North Pier route ran only on weekdays.

The authority plans to add a route.
"""


def tables(text: str) -> list[Table]:
    return [b.table for b in parse_markdown(text, "ferry.md").blocks if b.kind == "table" and b.table is not None]


def test_a_flattened_table_becomes_a_table_with_verbatim_rows() -> None:
    (table,) = tables(FLAT)
    assert table.title == "Table 1: Crossings by Route and Season"
    assert table.columns == ["Winter", "Summer", "Number of late crossings"]
    assert [(r.label, r.markers, r.cells) for r in table.rows] == [
        ("North Pier", ["a"], ["14", "9", "6"]),
        ("South Pier", [], ["1,210", "875", "$4.5"]),
        ("Cape Fern", [], ["12%", "3%", "—"]),
    ]
    assert FLAT[table.rows[1].start : table.rows[1].end] == "South Pier 1,210 875 $4.5"
    assert FLAT[table.header_start : table.header_end].startswith("**Route**")
    assert FLAT[table.title_start : table.title_end] == "**Table 1: Crossings by Route and Season**"
    prose = [FLAT[b.start : b.end] for b in parse_markdown(FLAT, "ferry.md").blocks if b.kind == "paragraph"]
    assert "The authority plans to add a route." in prose  # the text after the table is still prose
    assert not any("North Pier" in p for p in prose)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("**Route** **Winter**\n**the same** **Summer** **Late**", "a name broken over lines, maybe out of order"),
        ("**Route** **Winter** **Summer**", "is Route the label column or a value column?"),
    ],
)
def test_a_flattened_table_whose_columns_would_be_a_guess_stays_prose(header: str, why: str) -> None:
    text = FLAT.replace("**Route** **Winter** **Summer** **Number of**\n**late crossings**", header)
    assert tables(text) == [], why


def test_a_label_that_ends_in_a_number_leaves_the_values_ambiguous() -> None:
    assert row_cells("FY24 stage 2 28 8 $85.5", 3) is None  # is "2" the label's or a value?
    assert row_cells("Therapeutic foster homes [a] 4 38 2 4", 4) == (
        "Therapeutic foster homes",
        ["a"],
        ["4", "38", "2", "4"],
    )
    assert row_cells("Total 1,073 135 $ 289.2", 3) == ("Total", [], ["1,073", "135", "$289.2"])
    assert row_cells("The authority ran 14 crossings", 2) is None
    assert column_names(["Number of", "selected projects", "Yes"]) == ["Number of selected projects", "Yes"]


@pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/reports is not there")
def test_the_flattened_capacity_table_of_a_real_report() -> None:
    doc = load_document(REPORTS / "GAO-26-107592.md")
    table = next(b.table for b in doc.blocks if b.table is not None and b.table.title.startswith("Table 1:"))
    assert table.columns == ["Yes", "No", "Don’t know", "Not applicable"]
    first = table.rows[0]
    assert (first.label, first.cells) == ("Therapeutic foster homes", ["4", "38", "2", "4"])
    assert doc.text[first.start : first.end] == "Therapeutic foster homes [a] 4 38 2 4"
    assert len(table.rows) == 7


SURVEY = """# Ferry Service: Survey of Operators

**Table 2: Operators Reporting More Night Crossings**

**Operators**

**Yes,**

**increased**

**No,**

**did not increase**

**Don’t**

**know**

North Pier crossings [a] 10 10 26

South Pier crossings 12 14 22

a Weekdays only.
"""

AWARDS = """# Ferry Service: Awards

**Table 3: Ferry Safety Awards, by Fiscal Year**

**Award information** **2022** **2023** **2024**

Number of awards 169 179 132

Source: Invented.
"""


def test_names_broken_over_two_lines_are_joined_when_each_piece_stands_alone() -> None:
    (table,) = tables(SURVEY)
    assert table.columns == ["Yes, increased", "No, did not increase", "Don’t know"]
    assert [(r.label, r.cells) for r in table.rows] == [
        ("North Pier crossings", ["10", "10", "26"]),
        ("South Pier crossings", ["12", "14", "22"]),
    ]


def test_a_lower_case_piece_beside_others_still_leaves_the_names_a_guess() -> None:
    garbled = SURVEY.replace("**No,**\n\n**did not increase**", "**No,** **Maybe**\n\n**did not increase**")
    assert tables(garbled) == []


def test_a_one_row_table_whose_names_are_years() -> None:
    (table,) = tables(AWARDS)
    assert table.columns == ["2022", "2023", "2024"]
    assert [(r.label, r.cells) for r in table.rows] == [("Number of awards", ["169", "179", "132"])]


def test_a_label_ending_in_a_number_is_read_among_rows_that_show_how_many_values_there_are() -> None:
    text = FLAT.replace("Cape Fern 12% 3% —", "Cape Fern 2 12% 3% —")
    (table,) = tables(text)
    assert [r.label for r in table.rows] == ["North Pier", "South Pier", "Cape Fern 2"]
    assert table.rows[2].cells == ["12%", "3%", "—"]
    all_ambiguous = FLAT.replace("North Pier [a] 14", "North Pier 1 [a] 14").replace(
        "South Pier 1,210", "South 2 1,210"
    )
    assert tables(all_ambiguous.replace("Cape Fern 12%", "Cape 3 12%")) == []
