"""Report-level intents: overview requests and metadata questions, told apart from questions about one fact."""

from __future__ import annotations

import pytest

from assistant.answer.intent import classify, names_a_report

TITLE = {"harbor", "ferri", "crew", "shortag", "delay", "night", "crossing"}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Summarize the report.", "overview"),
        ("summarize XYZ-31-400101", "overview"),
        ("Can you give me a short summary of the ferry report?", "overview"),
        ("What is XYZ-31-400101 about?", "about"),
        ("What is this report about?", "about"),
        ("Tell me about the harbor ferries report", "about"),
        ("What are the key findings of the agency's 2031 report on harbor ferries?", "findings"),
        ("What did GAO find?", "findings"),
        ("What were the main findings?", "findings"),
        ("What does GAO recommend in its report on ferry crews?", "recommendations"),
        ("What recommendations did GAO make?", "recommendations"),
        ("What next steps does GAO suggest in XYZ-31-400101?", "recommendations"),
        ("Why did GAO do this study?", "purpose"),
    ],
)
def test_overview_requests(question: str, kind: str) -> None:
    intent = classify(question, TITLE)
    assert intent.kind == "summary" and intent.summary == kind, intent


@pytest.mark.parametrize(
    "question",
    [
        "How many recommendations did GAO make?",
        "What did GAO find about night crossings in winter storms?",
        "Describe the deckhand hiring program",
        "What is the Night Owl program about?",
        "What did GAO recommend that the authority do about schedules?",
        "Did the authority agree with the recommendations?",
        "Tell me about pollinators",
    ],
)
def test_questions_about_one_fact_are_not_overviews(question: str) -> None:
    assert classify(question, TITLE).kind == "", classify(question, TITLE)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is the title of the report?", "title"),
        ("What is the report called?", "title"),
        ("What is the report number?", "number"),
        ("When was XYZ-31-400101 published?", "date"),
        ("When was the report issued?", "date"),
        ("What is the publication date?", "date"),
        ("Who is the GAO contact for XYZ-31-400101?", "contact"),
        ("Who is the contact for the report?", "contact"),
        ("Who do I write to with questions about this study?", "contact"),
        ("To whom was testimony XYZ-30-77T addressed?", "addressee"),
    ],
)
def test_metadata_questions(question: str, kind: str) -> None:
    intent = classify(question)
    assert intent.kind == "metadata" and intent.metadata == kind, intent


@pytest.mark.parametrize(
    "question",
    ["What is the title of Table 2?", "What does Title IV-E fund?", "When was the earlier version published?"],
)
def test_parts_of_a_report_are_not_its_metadata(question: str) -> None:
    assert classify(question).kind != "metadata"


def test_what_names_a_report() -> None:
    assert names_a_report("")
    assert names_a_report("of it")
    assert names_a_report("in XYZ-31-400101")
    assert names_a_report("of the agency's testimony on bridges")
    assert names_a_report("the harbor ferry crew shortages", TITLE)
    assert not names_a_report("about winter storms", TITLE)
