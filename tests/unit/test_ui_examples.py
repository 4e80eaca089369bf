"""Example questions and follow-ups from a report's structure (our own small fixture chunks)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ui.examples import follow_ups, heading, report_examples, table_title, topic


@dataclass
class C:
    chunk_id: str
    source: str
    section: str
    char_start: int
    kind: str = "text"
    zone: str = ""
    table_id: str = ""
    row_index: int = -1
    table_json: str = ""


TABLE = json.dumps(
    {"title": "Table 2: Lamps Replaced by Station", "rows": [{"label": "North"}, {"label": "South"}, {"label": "East"}]}
)
LAMPS = [
    C("l1", "lamps.md", "Lighthouse Lamps", 0),
    C("l2", "lamps.md", "Highlights > What We Found", 100, zone="highlights"),
    C("l3", "lamps.md", "Background > Station Staffing", 300, zone="body"),
    C("l4", "lamps.md", "Lamp Supply", 500, kind="table", zone="body", table_id="t2", table_json=TABLE),
    C("l5", "lamps.md", "Lamp Supply", 520, kind="table_row", zone="body", table_id="t2", row_index=1),
    C("l6", "lamps.md", "Lamp Supply", 540, zone="body"),
    C("l7", "lamps.md", "Agency Comments", 900, zone="back"),
]
ROADS = [C("r1", "roads.txt", "Findings", 0), C("r2", "roads.txt", "Recommendations", 80)]
DOCS = {
    "lamps.md": {"source": "lamps.md", "title": "Lighthouse Lamps", "report_number": "LX-26-1"},
    "roads.txt": {"source": "roads.txt", "title": "Review of Rural Road Repairs", "report_number": ""},
}


def test_examples_come_from_each_report_in_turn():
    assert report_examples(LAMPS + ROADS, DOCS) == [
        "What is LX-26-1 about?",
        "What is “Review of Rural Road Repairs” about?",
        "What does the table “Lamps Replaced by Station” show?",
    ]
    assert report_examples(LAMPS + ROADS, DOCS, limit=1) == ["What is LX-26-1 about?"]
    assert report_examples([], {}) == []


def test_follow_ups_to_a_table_row_are_its_neighbour_rows_then_nearby_sections():
    source, questions = follow_ups(LAMPS, DOCS, ["l5"], asked=["What is LX-26-1 about?"])
    assert source == "lamps.md"
    assert questions == [
        "What does the table “Lamps Replaced by Station” show for North?",
        "What does the table “Lamps Replaced by Station” show for East?",
        "What does the report say about agency comments?",
    ]


def test_follow_ups_to_a_section_are_the_sections_around_it_minus_what_was_asked():
    source, questions = follow_ups(
        LAMPS, DOCS, ["missing", "l3"], asked=["What does the report say about lamp supply?"]
    )
    assert source == "lamps.md"
    assert questions == [
        "What does the report say about what we found?",
        "What does the report say about agency comments?",
    ]
    assert follow_ups(LAMPS, DOCS, ["nothing-cited"]) == ("", [])


def test_headings_and_titles_read_as_question_words():
    assert heading("Highlights > What GAO Found") == "What GAO Found"
    assert table_title("Table 2: Lamps  Replaced") == "Lamps Replaced"
    assert topic("What GAO Recommends") == "what GAO recommends"
    assert topic("DOD Space Force Staffing") == "DOD space force staffing"
