"""The PDF loader on six published GAO reports, read in place from ../shared/reports/.

Every expected value below was read off the rendered pages (covers, Highlights pages, the contents and
abbreviation pages, tables, the back page), not taken from the loader's output.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from assistant.ingest import Document, load_document

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "reports"
NAMES = ["GAO-05-927", "GAO-06-1046", "GAO-07-106", "GAO-07-283", "GAO-07-791", "GAO-08-587T"]

pytestmark = pytest.mark.skipif(
    not all((REPORTS / f"{name}.pdf").exists() for name in NAMES), reason="the real reports are not at ../shared"
)

# Cover pages: the large-type title (its two parts joined with ": "), the report number, the date at the left.
COVERS = {
    "GAO-05-927": (
        "MANAGING FOR RESULTS: Enhancing Agency Use of Performance Information for Management Decision Making",
        "September 2005",
    ),
    "GAO-06-1046": (
        "GRANTS MANAGEMENT: Enhancing Performance Accountability Provisions Could Lead to Better Results",
        "September 2006",
    ),
    "GAO-07-106": (
        "DEPARTMENT OF ENERGY: Key Challenges Remain for Developing and Deploying Advanced Energy Technologies "
        "to Meet Future Needs",
        "December 2006",
    ),
    "GAO-07-283": (
        "CRUDE OIL: Uncertainty about Future Oil Supply Makes It Important to Develop a Strategy for Addressing "
        "a Peak and Decline in Oil Production",
        "February 2007",
    ),
    "GAO-07-791": (
        "REEXAMINING REGULATIONS: Opportunities Exist to Improve Effectiveness and Transparency of "
        "Retrospective Reviews",
        "July 2007",
    ),
    # a testimony: one title part; its date is the delivery date ("Thursday, March 13, 2008")
    "GAO-08-587T": (
        "“The Government Accountability Office (GAO) Act of 2007” (H.R. 3268), and Other GAO Reforms",
        "March 13, 2008",
    ),
}

# Highlights page 2: the first two lines of the left column ("Why GAO Did This Study") and of the right one
# ("What GAO Found").
HIGHLIGHTS = {
    "GAO-05-927": (
        ("The Government Performance and", "Results Act (GPRA) of 1993 has"),
        ("Agencies can use performance information to make various types of", "management decisions to improve"),
    ),
    "GAO-06-1046": (
        ("Maximizing the extent to which", "grants achieve their long-term"),
        ("Accountability provisions in federal grants can vary widely. They can be", "financial (e.g., bonus"),
    ),
    "GAO-07-106": (
        ("Despite periodic price shocks and", "related energy crises, the United"),
        ("DOE’s total budget authority for energy R&D dropped by over 85 percent (in", "real terms) from 1978"),
    ),
    "GAO-07-283": (
        ("The U.S. economy depends heavily", "on oil, particularly in the"),
        ("Most studies estimate that oil production will peak sometime between now", "and 2040. This range"),
    ),
    "GAO-07-791": (
        ("Congress and presidents require", "agencies to review existing"),
        ("From 2001 through 2006, the selected agencies completed over 1,300 reviews", "of existing regulations."),
    ),
}

FOOTER = re.compile(r"\bPage [ivx\d]+ GAO-\d{2}-\d+|GAO-\d{2}-\d+[A-Z]? [A-Z][\w’' ]+ Page \d+")


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: load_document(REPORTS / f"{name}.pdf") for name in NAMES}


def block_with(doc: Document, phrase: str, kind: str | None = None):  # type: ignore[no-untyped-def]
    found = [b for b in doc.blocks if phrase in doc.span(b) and (kind is None or b.kind == kind)]
    assert found, f"no {kind or 'block'} with {phrase!r} in {doc.source}"
    return found[0]


@pytest.mark.parametrize("name", NAMES)
def test_cover_title_number_and_date(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    title, date = COVERS[name]
    assert (doc.title, doc.report_number, doc.date) == (title, name, date)
    assert not doc.warnings
    first = doc.blocks[[b.kind for b in doc.blocks].index("heading")]
    assert doc.span(first) == title and first.page == 1 and first.zone == "front"


@pytest.mark.parametrize("name", NAMES)
def test_running_footers_are_page_numbers_not_text(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    for block in doc.blocks:
        assert not FOOTER.search(doc.span(block)), (block.page, doc.span(block)[:200])
    assert not FOOTER.search(doc.text)


def test_printed_page_numbers(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    letter = block_with(doc, "The federal government is in a period of profound transition")
    assert (letter.page, letter.printed_page, letter.zone) == (5, "1", "body")  # footer "Page 1"
    assert block_with(doc, "Results in Brief 3", "toc").printed_page == "i"  # "Page i"
    assert block_with(doc, "Results in Brief", "heading").printed_page == "3"


@pytest.mark.parametrize("name", sorted(HIGHLIGHTS))
def test_highlights_page_read_column_by_column(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    (l1, l2), (r1, r2) = HIGHLIGHTS[name]
    left, right = block_with(doc, l1, "paragraph"), block_with(doc, r1, "paragraph")
    assert f"{l1} {l2}" in doc.span(left) and f"{r1} {r2}" in doc.span(right)  # no line of the other column between
    assert r1 not in doc.span(left) and l1 not in doc.span(right)
    assert left.start < right.start  # the left column first
    assert (left.page, left.zone, right.zone) == (2, "highlights", "highlights")
    assert left.section == "Highlights > Why GAO Did This Study"
    assert right.section == "Highlights > What GAO Found"


def test_abbreviation_list(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]  # page 4 (ii): 27 entries, BIC to WIA
    assert len(doc.abbreviations) == 27
    assert doc.abbreviations["NHTSA"] == "National Highway Traffic Safety Administration"
    assert doc.abbreviations["WIA"] == "Workforce Investment Act"
    assert doc.abbreviations["GPRA"] == "Government Performance and Results Act"
    entry = block_with(doc, "NOAA National Oceanic and Atmospheric Administration")
    assert (entry.kind, entry.zone, entry.page) == ("abbreviations", "front", 4)


def test_table_of_contents(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    for entry in (
        "Background 5",
        "Agencies Can Use Performance Information to Manage for Results 7",
        "Appendix I: Scope and Methodology 35",
    ):
        block = block_with(doc, entry, "toc")
        assert block.zone == "front" and block.page == 3


@pytest.mark.parametrize("name", NAMES)
def test_back_page_is_boilerplate(docs: dict[str, Document], name: str) -> None:
    doc = docs[name]
    for opening in (
        "GAO’s Mission",
        "Obtaining Copies of GAO Reports",
        "To Report Fraud, Waste, and Abuse",
        "Congressional Relations",
        "Public Affairs",
        "The first copy of each printed report is free",
    ):
        found = [b for b in doc.blocks if b.page == doc.pages and doc.span(b).startswith(opening)]
        assert [(b.kind, b.zone) for b in found] == [("boilerplate", "back")], opening


def test_copyright_notice_is_boilerplate(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    notice = block_with(doc, "This is a work of the U.S. government")
    assert (notice.kind, notice.zone, notice.page) == ("boilerplate", "front", 4)
    assert "reproduce this material separately." in doc.span(notice)  # the whole notice, one block


def test_footnotes_and_a_paragraph_across_a_page_break(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    # page 5 ends "... their use of performance information in", page 6 goes on "making key management decisions"
    paragraph = block_with(doc, "their use of performance information in making key management decisions")
    assert paragraph.kind == "paragraph" and paragraph.page == 5
    note = block_with(doc, "GPRA, Pub. L. No. 103-62 (Aug. 3, 1993)")
    assert note.kind == "footnote" and note.page == 5
    assert "making key management decisions" not in doc.span(note)


def test_zones_and_section_paths(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    why = block_with(doc, "Why GAO Did This Study", "heading")
    assert why.zone == "highlights"
    brief = block_with(doc, "Results in Brief", "heading")
    assert (brief.zone, brief.page) == ("body", 7)
    sub = block_with(doc, "Performance Information Can Be Used to Identify Problems in Programs and Take", "heading")
    assert sub.section == (
        "Agencies Can Use Performance Information to Manage for Results > "
        "Performance Information Can Be Used to Identify Problems in Programs and Take Corrective Action"
    )
    appendix = block_with(doc, "Scope and Methodology", "heading")
    assert doc.span(appendix) == "Appendix I: Scope and Methodology" and appendix.zone == "back"


def test_figure_captions(docs: dict[str, Document]) -> None:
    doc = docs["GAO-05-927"]
    listed = block_with(doc, "Figure 1: Practices That Can Enhance or Facilitate the Use of Performance")
    assert (listed.kind, listed.page) == ("toc", 3)  # its line in the contents
    caption = block_with(doc, "Figure 1: Practices That Can Enhance or Facilitate the Use of Performance", "figure")
    assert caption.page == 7
    assert doc.span(caption).endswith("Information for Management Decision Making")
    assert block_with(doc, "Figure 4: Uses of Performance Information", "figure").page == 12


def test_tables(docs: dict[str, Document]) -> None:
    grants = docs["GAO-06-1046"]
    table = block_with(grants, "Table 1: Examples of Accountability Provisions", "table").table
    assert table is not None
    assert table.columns == ["Accountability mechanism", "Definition"]
    rows = [(r.label, r.cells) for r in table.rows]
    assert ("Rewards", ["Bonus", "Onetime cash payment."]) in rows
    assert (
        "Rewards or penalties",
        ["Increase/decrease workload", "Manipulate the workload (e.g., case load)."],
    ) in rows
    energy = docs["GAO-07-106"]
    block = block_with(energy, "Table 1: Comparison of Conventional Pulverized Coal and IGCC", "table")
    coal = block.table
    assert block.page == 25 and coal is not None
    sulfur = next(r for r in coal.rows if r.label == "Sulfur dioxide emissions (tons/year)")
    assert sulfur.cells == ["3,027", "566", "276", "250"]
    assert coal.source_note == "Source: The Electric Power Research Institute and DOE."


def test_loads_fast() -> None:
    start = time.perf_counter()
    doc = load_document(REPORTS / "GAO-07-791.pdf")
    assert doc.pages == 122
    assert time.perf_counter() - start < 20  # about 2 s on an idle 2-core machine; generous for a busy one
