"""Summaries from a report's own summary page (or its first body paragraphs), and metadata quoted from it."""

from __future__ import annotations

import json
import re

from assistant.answer.metadata import answer_metadata
from assistant.answer.summary import part_of, summarise, summary_draft
from assistant.types import Chunk, Citation, DocumentInfo

SOURCE = "ferries.md"


def _document(paragraphs: list[tuple[str, str, str]]) -> tuple[str, list[Chunk]]:
    """(zone, section, text) paragraphs -> the document text and one chunk per paragraph, sentences recorded."""
    text, chunks = "", []
    for i, (zone, section, paragraph) in enumerate(paragraphs):
        start = len(text)
        text += paragraph + "\n\n"
        spans, pos = [], start
        for sentence in re.split(r"(?<=[a-z0-9]\.)\s+(?=[A-Z])", paragraph):  # not after initials ("Q.")
            s = text.index(sentence, pos)
            spans.append([[s, s + len(sentence)]])
            pos = s + len(sentence)
        chunks.append(
            Chunk(
                f"c{i}",
                paragraph,
                SOURCE,
                "Harbor Ferries",
                section,
                start,
                start + len(paragraph),
                zone=zone,
                sentences=json.dumps(spans),
            )
        )
    return text, chunks


HIGHLIGHTS = [
    ("front", "Harbor Ferries", "Report: XYZ-31-400101 | Published: 2031-04-02"),
    ("highlights", "Highlights > What We Found", "Night ferries ran with short crews on most crossings in 2030. "
     "Crew shortages delayed forty crossings and cancelled six."),
    ("highlights", "Highlights > What We Found", "The authority has no plan for hiring deckhands before winter."),
    ("highlights", "Highlights > Why We Did This Study", "Lawmakers asked us to review night ferry staffing."),
    ("highlights", "Highlights > What We Recommend", "We recommend that the authority set a hiring plan for deckhands. "
     "The authority agreed."),
    ("highlights", "Highlights > What We Found", "For more information, contact Dana Q. Marsh at marshd@example.gov."),
    ("body", "Letter", "Ferries cross the harbor every night of the year and carry about 9,000 riders."),
]  # fmt: skip


def _source_text(text: str):  # type: ignore[no-untyped-def]
    return lambda source: text


def test_summary_parts_by_heading() -> None:
    assert part_of("Highlights > What GAO Found") == "findings"
    assert part_of("Highlights > What GAO Recommends") == "recommendations"
    assert part_of("Highlights > Why GAO Did This Study") == "purpose"
    assert part_of("Letter > Background") == ""


def test_overview_leads_with_findings_then_recommendations() -> None:
    text, chunks = _document(HIGHLIGHTS)
    picked = summarise("overview", chunks, _source_text(text), max_words=40)
    said = [p.text for p in picked]
    assert said[0].startswith("Night ferries ran with short crews")
    assert any(s.startswith("We recommend") for s in said)
    assert sum(len(s.split()) for s in said) <= 40
    assert not any("Lawmakers" in s for s in said)  # the study's purpose is not a finding


def test_each_kind_draws_from_its_part() -> None:
    text, chunks = _document(HIGHLIGHTS)
    recommends = summarise("recommendations", chunks, _source_text(text), max_words=60)
    assert [p.part for p in recommends] == ["recommendations"] and "hiring plan" in recommends[0].text
    purpose = summarise("purpose", chunks, _source_text(text), max_words=60)
    assert purpose[0].text.startswith("Lawmakers asked us")


def test_summary_citations_are_verbatim() -> None:
    text, chunks = _document(HIGHLIGHTS)

    def cite(chunk: Chunk, start: int, end: int) -> Citation:
        return Citation(0, chunk.source, chunk.title, chunk.section, text[start:end], chunk.chunk_id, start, end)

    draft = summary_draft("findings", chunks, _source_text(text), cite, max_words=80)
    assert draft is not None and draft.kind == "summary" and not draft.abstained
    for sentence, cites in draft.parts:
        assert cites and all(text[c.char_start : c.char_end] == c.quote for c in cites)
        assert cites[0].quote in sentence


def test_report_without_a_summary_page_is_summarised_from_its_body() -> None:
    text, chunks = _document(
        [
            ("front", "Cover", "Harbor Ferries"),
            ("body", "Letter", "Ferries cross the harbor every night and carry about nine thousand riders each week. "
             "Crews are short on most crossings."),
            ("body", "Letter", "The authority agreed to hire more deckhands before the winter season starts."),
        ]
    )  # fmt: skip
    picked = summarise("overview", chunks, _source_text(text), max_words=60)
    assert picked and picked[0].text.startswith("Ferries cross the harbor")


def test_key_findings_of_a_letter_without_a_summary_page_open_its_findings_sections() -> None:
    text, chunks = _document(
        [
            ("body", "Harbor Ferries", "This letter reports what ferry operators told us about night crossings. "
             "We convened a panel of six operators in May 2031."),
            ("body", "Background", "Ferries cross the harbor every night and carry about nine thousand riders."),
            ("body", "Operators Described Short Crews", "Operators said crews were short on most night crossings. "
             "Two operators cancelled routes."),
            ("body", "Operators Described Short Crews > One Operator's View", "“We cannot staff the night boat.” "
             "Source: panel participant."),
            ("body", "Operators Saw Limited Progress on Hiring", "Operators viewed the authority's progress on "
             "hiring as limited."),
            ("body", "Agency Comments", "We provided a draft of this letter to the authority for comment."),
        ]
    )  # fmt: skip
    picked = summarise("findings", chunks, _source_text(text), max_words=60)
    said = " ".join(p.text for p in picked)
    assert picked[0].text == "Operators said crews were short on most night crossings."
    assert "viewed the authority's progress on hiring as limited" in said
    assert "nine thousand riders" not in said and "draft of this letter" not in said  # background, comments
    # what the letter is about still comes from its opening
    about = summarise("about", chunks, _source_text(text), max_words=60)
    assert about[0].text.startswith("This letter reports")


def test_metadata_is_quoted_from_the_report() -> None:
    text, chunks = _document(HIGHLIGHTS)
    doc = DocumentInfo(SOURCE, "Harbor Ferries", "XYZ-31-400101", "April 2, 2031", len(chunks))
    date = answer_metadata("date", doc, chunks, _source_text(text))
    assert date is not None and "April 2, 2031" in date.text
    (_, start, end), *_ = date.spans
    assert text[start:end] == "2031-04-02"  # the converter's ISO date, where the report states it
    number = answer_metadata("number", doc, chunks, _source_text(text))
    assert number is not None and "XYZ-31-400101" in number.text


def test_contact_is_the_person_named_on_the_summary_page() -> None:
    text, chunks = _document(HIGHLIGHTS)
    doc = DocumentInfo(SOURCE, "Harbor Ferries", "XYZ-31-400101", "", len(chunks))
    fact = answer_metadata("contact", doc, chunks, _source_text(text))
    assert fact is not None and "Dana Q. Marsh" in fact.text
    _, start, end = fact.spans[0]
    assert "contact Dana Q. Marsh" in text[start:end]


def test_contact_from_the_signer_named_in_an_email_address() -> None:
    text, chunks = _document(
        [
            ("body", "Letter", "If you have questions about this report, please contact me at RowanP@example.gov. "
             "Staff who made key contributions are listed in appendix II."),
            ("body", "Letter", "Sincerely yours, Pat J. Rowan, Director of Harbor Programs."),
        ]
    )  # fmt: skip
    doc = DocumentInfo(SOURCE, "Harbor Ferries", "XYZ-31-400101", "", len(chunks))
    fact = answer_metadata("contact", doc, chunks, _source_text(text))
    assert fact is not None and "Pat J. Rowan" in fact.text, fact


def test_addressees_from_the_salutation() -> None:
    text, chunks = _document(
        [("body", "Statement", "Chair Lind, Ranking Member Osei, and Members of the Subcommittee:"),
         ("body", "Statement", "Thank you for the opportunity to discuss night ferry staffing today.")]
    )  # fmt: skip
    doc = DocumentInfo(SOURCE, "Harbor Ferries", "XYZ-30-77T", "", len(chunks))
    fact = answer_metadata("addressee", doc, chunks, _source_text(text))
    assert fact is not None and "Lind" in fact.text and "Osei" in fact.text


def test_what_a_report_without_a_summary_page_is_about_starts_with_its_scope_sentence() -> None:
    text, chunks = _document(
        [
            ("body", "Harbor Ferries", "The operators included pilots and dispatchers of six companies. "
             "The information in this letter summarizes what the operators told us about night crossings."),
            ("body", "Background", "Ferries cross the harbor every night and carry about nine thousand riders."),
        ]
    )  # fmt: skip
    picked = summarise("about", chunks, _source_text(text), max_words=60)
    assert picked[0].text.startswith("The information in this letter summarizes")
    assert len({id(p) for p in picked}) == len(picked)
