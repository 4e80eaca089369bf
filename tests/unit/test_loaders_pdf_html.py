"""PDF and HTML loaders: structure, exact spans, pages, tables, metadata, and bad input."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from assistant.chunking import chunk_document
from assistant.ingest import Document, LoadError, load_document
from assistant.tables import Table

pytest.importorskip("fpdf", reason="fpdf2 (dev extra) builds the test PDFs")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HTML_FIXTURE = FIXTURES / "multi_doc" / "orbital-debris.html"


def _fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("report_pdf_fixture", FIXTURES / "report_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fixture = _fixture_module()


def assert_spans_exact(doc: Document) -> None:
    """Every block, table row, header and footnote points at its own text."""
    for block in doc.blocks:
        span = doc.text[block.start : block.end]
        assert span.strip() == span and span, (block, span)
        if block.table is not None and block.kind == "table":
            table = block.table
            for row in table.rows:
                line = doc.text[row.start : row.end]
                assert "\n" not in line
                assert line.split("\t")[1:] == row.cells
            header = doc.text[table.header_start : table.header_end]
            assert header.split("\t")[-len(table.columns) :] == table.columns
            if table.title_start >= 0:
                assert doc.text[table.title_start : table.title_end] == table.title
            if table.source_note:
                assert doc.text[table.source_start : table.source_end].startswith("Source:")
            for marker, note in table.footnotes.items():
                assert doc.text[note.start : note.end] == note.text
                assert note.text.startswith(f"<sup>{marker}</sup>")


# -- PDF ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture.build_report_pdf(tmp_path_factory.mktemp("pdf") / "lunar-relay.pdf")


@pytest.fixture(scope="module")
def pdf_doc(pdf_path: Path) -> Document:
    return load_document(pdf_path)


def _block(doc: Document, starts: str) -> object:
    return next(b for b in doc.blocks if doc.span(b).startswith(starts))


def test_pdf_metadata(pdf_doc: Document) -> None:
    assert pdf_doc.title == fixture.TITLE
    assert pdf_doc.report_number == fixture.REPORT_NUMBER
    assert pdf_doc.date == fixture.DATE
    assert pdf_doc.pages == 3
    assert pdf_doc.sha256 and not pdf_doc.warnings


def test_pdf_title_from_first_page_without_metadata(tmp_path: Path) -> None:
    doc = load_document(fixture.build_report_pdf(tmp_path / "plain.pdf", title_metadata=False))
    assert doc.title == fixture.TITLE  # the large type on the cover, its two lines joined


def test_pdf_headings_and_sections(pdf_doc: Document) -> None:
    headings = [(pdf_doc.span(b), b.section, b.page) for b in pdf_doc.blocks if b.kind == "heading"]
    assert headings == [
        (fixture.TITLE, fixture.TITLE, 1),
        ("Background", "Background", 2),
        ("Program Costs", "Background > Program Costs", 2),
        ("Ground Stations", "Ground Stations", 3),
        ("Recommendation", "Recommendation", 3),
    ]
    costs = _block(pdf_doc, "Each relay satellite")
    assert costs.section == "Background > Program Costs"  # type: ignore[attr-defined]


def test_pdf_bold_lines_at_body_size_are_the_deepest_headings(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.add_page()

    def write(text: str, size: int, style: str = "") -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    body = "The depot completed its inspections on schedule and reported no open safety findings this year. " * 2
    write("Depot Readiness Review", 20, "B")
    write("Findings", 15, "B")
    write(body, 11)
    write("Inspection Backlog", 11, "B")  # a heading by weight alone
    write("The backlog fell from 40 inspections to 12 over two years, officials said. " * 2, 11)
    write("Officials agreed with the recommendation.", 11, "B")  # a bold sentence, not a heading
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.write(6, "Scope. ")  # a run-in heading: only the start of the line is bold
    pdf.set_font("Helvetica", size=11)
    pdf.write(6, "We reviewed records of three depots and interviewed their officials about staffing.")
    pdf.ln(9)
    path = tmp_path / "bold.pdf"
    pdf.output(str(path))

    doc = load_document(path)
    headings = [(doc.span(b), b.section) for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        ("Depot Readiness Review", "Depot Readiness Review"),
        ("Findings", "Findings"),
        ("Inspection Backlog", "Findings > Inspection Backlog"),
    ]
    backlog = _block(doc, "The backlog fell")
    assert backlog.section == "Findings > Inspection Backlog"  # type: ignore[attr-defined]
    assert any(b.kind == "paragraph" and "Officials agreed with" in doc.span(b) for b in doc.blocks)
    assert _block(doc, "Scope. We reviewed").kind == "paragraph"  # type: ignore[attr-defined]
    assert_spans_exact(doc)


def test_pdf_paragraphs_read_whole_and_pages(pdf_doc: Document) -> None:
    intro = _block(pdf_doc, "The Lunar Relay Network is")
    assert pdf_doc.span(intro) == fixture.INTRO  # line breaks joined into one paragraph
    assert (intro.page, intro.printed_page) == (2, "1")  # type: ignore[attr-defined]
    ground = _block(pdf_doc, "The ground station in Canberra")
    assert (ground.page, ground.printed_page) == (3, "2")  # type: ignore[attr-defined]
    cover = _block(pdf_doc, "A made-up report")
    assert (cover.page, cover.printed_page) == (1, None)  # type: ignore[attr-defined]


def test_pdf_running_header_and_page_numbers_dropped(pdf_doc: Document) -> None:
    assert "Page 1" not in pdf_doc.text and "Page 2" not in pdf_doc.text
    assert "Lunar Relay Network\n" not in pdf_doc.text
    assert pdf_doc.text.count(f"{fixture.REPORT_NUMBER}  Lunar") == 0


def test_pdf_table(pdf_doc: Document) -> None:
    (block,) = [b for b in pdf_doc.blocks if b.kind == "table"]
    table = block.table
    assert table is not None and block.page == 3 and block.printed_page == "2"
    assert table.title == fixture.TABLE_TITLE
    assert pdf_doc.text[table.title_start : table.title_end] == fixture.TABLE_TITLE
    assert table.columns == fixture.TABLE_COLUMNS
    assert [(r.label, r.markers, r.cells) for r in table.rows] == [
        (label, [marker] if marker else [], cells) for label, marker, cells in fixture.TABLE_ROWS
    ]
    assert set(table.footnotes) == {"a", "b"}
    assert table.footnotes["a"].plain == fixture.FOOTNOTES[0][1]
    assert table.source_note == fixture.SOURCE_NOTE
    assert pdf_doc.text[table.start :].startswith(fixture.TABLE_TITLE + "\n\tCanberra\tMadrid\tGoldstone\n")
    assert_spans_exact(pdf_doc)


def test_pdf_chunks_carry_pages(pdf_doc: Document) -> None:
    chunks = chunk_document(pdf_doc)
    assert chunks and all(c.page in (1, 2, 3) for c in chunks)
    for chunk in chunks:
        assert chunk.source == "lunar-relay.pdf" and chunk.title == fixture.TITLE
    rows = [c for c in chunks if c.kind == "table_row"]
    assert len(rows) == 3 and all(c.page == 3 and c.printed_page == "2" for c in rows)
    assert "Madrid: No" in rows[0].text
    launch = next(c for c in chunks if "fiscal year 2029" in c.text)
    assert launch.page == 2 and launch.section == "Background"


def test_pdf_hyphenated_line_break_is_joined() -> None:
    from assistant.ingest.pdf_layout import Cell, Line, join_lines

    lines = [
        Line(1, 100.0, 10.0, [Cell(0, 100, "the receivers were re-")]),
        Line(1, 88.0, 10.0, [Cell(0, 50, "placed")]),
    ]
    assert join_lines(lines) == "the receivers were replaced"
    lines[1].cells[0].text = "Ka-band signal"
    lines[0].cells[0].text = "the high-rate"
    assert join_lines(lines) == "the high-rate Ka-band signal"
    # the typesetter's line-end hyphen (pdfium: U+FFFE) mostly breaks compounds; the report's own words decide
    lines[0].cells[0].text, lines[1].cells[0].text = "a results\u00ad", "oriented plan"
    assert join_lines(lines) == "a results-oriented plan"
    lines[0].cells[0].text, lines[1].cells[0].text = "the telecom\u00ad", "munications rules"
    assert join_lines(lines, frozenset({"telecommunications"})) == "the telecommunications rules"


def test_truncated_pdf(pdf_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf_path.read_bytes()[: pdf_path.stat().st_size // 2])
    with pytest.raises(LoadError, match="truncated"):
        load_document(broken)


def test_corrupt_pdf(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(LoadError, match=r"corrupt\.pdf"):
        load_document(corrupt)


def test_not_a_pdf_and_empty(tmp_path: Path) -> None:
    fake = tmp_path / "notes.pdf"
    fake.write_text("just some words, not a PDF")
    with pytest.raises(LoadError, match="not a PDF"):
        load_document(fake)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match="empty"):
        load_document(empty)


def test_scanned_pdf_has_no_text(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"no extractable text \(scanned PDF\?\)"):
        load_document(fixture.build_scanned_pdf(tmp_path / "scan.pdf"))


def _gao_style_pdf(path: Path) -> Path:
    """A made-up report laid out like GAO's: cover, two-column Highlights page (the right column drawn first),
    contents and abbreviations, body pages with side headings in the left margin, a footnote under a paragraph
    that runs on to the next page, running footers, and the ordering page."""
    from fpdf import FPDF

    pdf = FPDF(format="Letter", unit="pt")
    pdf.set_auto_page_break(False)

    def text(x: float, y: float, width: float, body: str, size: float, style: str = "", leading: float = 1.2) -> float:
        pdf.set_font("Times", style=style, size=size)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, size * leading, body)
        return pdf.get_y()

    def footer(number: int) -> None:
        pdf.set_font("Times", style="B", size=8)
        pdf.set_xy(216, 752)
        pdf.cell(40, 10, f"Page {number}")
        pdf.set_xy(420, 752)
        pdf.cell(150, 10, "GAO-26-900009 Orbital Tests", align="R")

    pdf.add_page()  # cover
    text(216, 40, 350, "United States Government Accountability Office", 9, "B")
    text(36, 160, 150, "May 2026", 9, "B")
    text(216, 150, 350, "ORBITAL TESTS", 30)
    text(216, 210, 350, "Agency Should Track Readiness of Test Ranges", 30)
    text(36, 740, 150, "GAO-26-900009", 9, "B")

    pdf.add_page()  # Highlights: the right column is drawn before the left one, as in GAO's files
    text(226, 120, 350, "What GAO Found", 12, "B")
    right = "The test ranges met most readiness goals in 2025, but two ranges lacked spare telemetry receivers. " * 4
    text(226, 140, 350, right, 10.5)
    text(45, 60, 150, "Highlights", 30, "B")
    text(45, 120, 150, "Why GAO Did This Study", 12, "B")
    left = "Congress asked GAO to review how the agency prepares its orbital test ranges for launches. " * 4
    text(45, 140, 150, left, 10)

    pdf.add_page()  # contents, abbreviations, copyright notice
    text(36, 60, 300, "Contents", 27)
    for y, entry, number in ((150, "Letter", "1"), (165, "Background", "1"), (180, "Test Range Readiness", "2")):
        text(216, y, 300, entry, 11)
        text(540, y, 30, number, 11)
    text(216, 230, 300, "Abbreviations", 11, "B")
    for y, short, long in (
        (255, "NASA", "National Aeronautics and Space Administration"),
        (270, "TDRS", "Tracking and Data Relay Satellite"),
    ):
        text(216, y, 60, short, 11)
        text(270, y, 300, long, 11)
    text(
        216,
        320,
        340,
        "This is a work of the U.S. government and is not subject to copyright protection in the United States.",
        9,
    )

    body = "The agency operates three orbital test ranges that support launches of research satellites. " * 10
    pdf.add_page()
    text(36, 100, 160, "Background", 17)
    end = text(216, 100, 350, body + "Range managers told us that the receivers at the", 11)
    pdf.line(216, end + 12, 300, end + 12)
    pdf.set_font("Times", size=6)  # the footnote: a raised marker, then the note on the baseline
    pdf.text(216, end + 27, "1")
    pdf.set_font("Times", size=9)
    pdf.text(220, end + 30, "The ranges are in Florida, California, and Virginia.")
    footer(1)
    pdf.add_page()
    text(216, 100, 350, "southern range were replaced in 2024. Readiness reviews are held every quarter.", 11)
    text(36, 160, 160, "Test Range Readiness", 17)
    text(216, 160, 350, "Two of the three ranges met every readiness goal in fiscal year 2025. " * 3, 11)
    footer(2)
    pdf.add_page()
    text(36, 100, 160, "GAO's Mission", 17)
    text(
        216,
        100,
        350,
        "The Government Accountability Office, the audit, evaluation, and investigative arm of Congress.",
        11,
    )
    pdf.output(str(path))
    return path


def test_pdf_laid_out_like_a_gao_report(tmp_path: Path) -> None:
    doc = load_document(_gao_style_pdf(tmp_path / "orbital.pdf"))
    assert (doc.title, doc.report_number, doc.date) == (
        "ORBITAL TESTS: Agency Should Track Readiness of Test Ranges",
        "GAO-26-900009",
        "May 2026",
    )

    def block(starts: str):  # type: ignore[no-untyped-def]
        return next(b for b in doc.blocks if doc.span(b).startswith(starts))

    left, right = block("Congress asked GAO"), block("The test ranges met")
    assert left.start < right.start and "test ranges met" not in doc.span(left)  # column by column, left first
    assert (left.zone, left.section, right.section) == (
        "highlights",
        "Highlights > Why GAO Did This Study",
        "Highlights > What GAO Found",
    )
    assert [doc.span(b) for b in doc.blocks if b.kind == "toc"] == [
        "Letter 1",
        "Background 1",
        "Test Range Readiness 2",
    ]
    assert doc.abbreviations == {
        "NASA": "National Aeronautics and Space Administration",
        "TDRS": "Tracking and Data Relay Satellite",
    }
    assert block("This is a work of the U.S. government").kind == "boilerplate"
    paragraph = block("The agency operates three orbital test ranges")
    assert "the receivers at the southern range were replaced in 2024." in doc.span(paragraph)  # one block
    assert doc.span(paragraph).endswith("Readiness reviews are held every quarter.")
    assert (paragraph.kind, paragraph.zone, paragraph.section, paragraph.printed_page) == (
        "paragraph",
        "body",
        "Background",
        "1",
    )
    note = block("<sup>1</sup>")
    assert note.kind == "footnote" and "Florida" in doc.span(note) and note.start > paragraph.end
    assert block("Two of the three ranges").section == "Test Range Readiness"
    assert "Page 1" not in doc.text and "GAO-26-900009 Orbital Tests" not in doc.text
    assert {(b.kind, b.zone) for b in doc.blocks if b.page == 6} == {("boilerplate", "back")}
    assert_spans_exact(doc)


# -- HTML --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_doc() -> Document:
    return load_document(HTML_FIXTURE)


def test_html_metadata(html_doc: Document) -> None:
    assert html_doc.title == "Orbital Debris: Partners Share Tracking Data but Lack a Common Catalog"
    assert html_doc.report_number == "GAO-26-900002"
    assert html_doc.date == "January 2026"
    assert html_doc.pages is None


def test_html_structure(html_doc: Document) -> None:
    kinds = [(b.kind, html_doc.span(b)[:24], b.section) for b in html_doc.blocks if b.kind != "footnote"]
    title = html_doc.title
    assert kinds[:4] == [
        ("heading", title[:24], title),
        ("paragraph", "GAO-26-900002", title),
        ("paragraph", "January 2026", title),
        ("heading", "What We Found", "What We Found"),
    ]
    sensors = [b for b in html_doc.blocks if b.section == "Background > Tracking Sensors"]
    kinds_in_section = [b.kind for b in sensors]
    assert kinds_in_section == ["heading", "paragraph", *["list_item"] * 3, "table", "footnote", "figure"]
    assert html_doc.span(sensors[2]) == "Phased-array radars that watch low orbits."
    last = html_doc.blocks[-2]
    assert (html_doc.span(last), last.section) == (
        "The agency should lead work toward a common debris catalog by 2028.",
        "Recommendation",
    )
    assert "three years" in html_doc.span(html_doc.blocks[4])  # inline <b> kept as text
    assert_spans_exact(html_doc)


def test_html_table(html_doc: Document) -> None:
    (block,) = [b for b in html_doc.blocks if b.kind == "table"]
    table = block.table
    assert table is not None
    assert table.title == "Debris Tracking Arrangements with Partner Agencies"  # from <caption>
    assert html_doc.text[table.title_start : table.title_end] == table.title
    assert table.columns == ["Brazil", "Chile", "Kenya"]
    assert [(r.label, r.markers, r.cells) for r in table.rows] == [
        ("Radar data exchange", ["a"], ["Yes", "No", "Yes"]),
        ("Telescope time sharing", [], ["No", "Yes", "No"]),
    ]
    assert table.footnotes["a"].plain.startswith("Radar data exchange covers")
    assert table.source_note.startswith("Source: GAO analysis of partner agency agreements.")
    assert html_doc.text[table.header_start : table.header_end] == "Brazil\tChile\tKenya"
    chunks = chunk_document(html_doc)
    row = next(c for c in chunks if c.kind == "table_row" and c.row_index == 1)
    assert "Chile: Yes" in row.text and row.section == "Background > Tracking Sensors"


def test_html_is_data_only(html_doc: Document) -> None:
    text = html_doc.text
    assert "<script" not in text and "alert" not in text and "hijacked" not in text
    assert "font-family" not in text and "Hidden draft" not in text
    assert "Home" not in text  # site navigation is not report text
    assert "Read the full findings for details." in text  # a javascript: link keeps only its words
    assert "javascript" not in text.lower()
    for chunk in chunk_document(html_doc):
        assert "<script" not in chunk.text and "javascript:" not in chunk.text


def _html_table(path: Path, html: str) -> tuple[Document, Table]:
    """Load an HTML page; its document and first table."""
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    table = next(b.table for b in doc.blocks if b.kind == "table")
    assert table is not None
    return doc, table


def test_html_table_titled_by_heading_and_layout_tables(tmp_path: Path) -> None:
    doc, table = _html_table(
        tmp_path / "t.htm",
        "<html><body><h2>Launch Sites</h2><table><tr><th>Site</th><th>Pads</th><th>Active</th></tr>"
        "<tr><td>North <i>Cape</i></td><td>2</td><td>Yes</td></tr><tr><td>South\tBay</td><td>1</td><td>No</td></tr>"
        "</table><table><tr><td>just one layout cell</td></tr></table>"
        "<p>Escaped &lt;script&gt;alert(1)&lt;/script&gt; stays text.</p></body></html>",
    )
    assert table.title == "Launch Sites"
    assert table.columns == ["Pads", "Active"]
    assert [(r.label, r.cells) for r in table.rows] == [("North Cape", ["2", "Yes"]), ("South Bay", ["1", "No"])]
    assert any(doc.span(b) == "just one layout cell" for b in doc.blocks)
    assert_spans_exact(doc)


def test_html_rowspan_and_colspan(tmp_path: Path) -> None:
    doc, table = _html_table(
        tmp_path / "spans.html",
        "<html><body><h2>Depot Staffing</h2><table>"
        "<tr><th>Service</th><th>Region</th><th colspan='2'>Staff</th><th>Status</th></tr>"
        "<tr><td rowspan='2'>Army</td><td>Europe</td><td>12</td><td>3</td><td rowspan='3'>Open</td></tr>"
        "<tr><td>Pacific</td><td>9</td><td>1</td></tr>"
        "<tr><td>Navy</td><td>Atlantic</td><td colspan='2'>none</td></tr>"
        "<tr><td>Air Force</td><td rowspan='0'>Gulf</td><td>4</td><td>2</td><td>Closed</td></tr>"
        "</table></body></html>",
    )
    assert table.columns[:2] == ["Region", "Staff"] and len(table.columns) == 4
    assert [(r.label, r.cells) for r in table.rows] == [
        ("Army", ["Europe", "12", "3", "Open"]),
        ("Army", ["Pacific", "9", "1", "Open"]),  # both spans carried into the next row
        ("Navy", ["Atlantic", "none", "", "Open"]),
        ("Air Force", ["Gulf", "4", "2", "Closed"]),  # rowspan=0 (an invalid count) reads as 1
    ]
    assert_spans_exact(doc)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (b"<html><head><script>var a = 1;</script></head><body><style>p{}</style></body></html>", "no text"),
        (b"<html><body><h1>Only a title</h1></body></html>", "no text"),
    ],
)
def test_bad_html(tmp_path: Path, content: bytes, reason: str) -> None:
    page = tmp_path / "bad.html"
    page.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(page)


def test_html_declared_encoding(tmp_path: Path) -> None:
    page = tmp_path / "latin.html"
    page.write_bytes(
        b'<html><head><meta charset="iso-8859-1"><title>Caf\xe9 report</title></head>'
        b"<body><p>The caf\xe9 opened in May 2024.</p></body></html>"
    )
    doc = load_document(page)
    assert doc.title == "Café report" and "café opened" in doc.text
    assert doc.date == ""  # a date inside a sentence is not a publication date


def test_loader_registry_dispatch(tmp_path: Path, pdf_path: Path) -> None:
    copy = tmp_path / "Report.PDF"
    shutil.copy(pdf_path, copy)
    assert load_document(copy).pages == 3
