"""Routing a question to the report it names: by number, by title words or topic, and through a conversation."""

from __future__ import annotations

from assistant.answer.reports import ReportCatalog, RouteWeights, conversation_report, number_core, numbers_in, vote
from assistant.types import Chunk, DocumentInfo


def _chunk(source: str, text: str, zone: str = "body", n: int = 0) -> Chunk:
    return Chunk(f"{source}-{n}", text, source, "", "Section", 0, len(text), zone=zone)


TITLES = {
    "ferries.md": ("Harbor Ferries: Crew Shortages Delay Night Crossings", "XYZ-31-400101"),
    "orchards.md": ("Orchard Grants: Better Data Needed on Pollinator Loss", "XYZ-31-400202"),
    "bridges.md": ("Bridge Inspections: Agency Should Track Corrosion Repairs", "XYZ-30-77T"),
}
DOCS = {source: DocumentInfo(source, title, number, "", 3) for source, (title, number) in TITLES.items()}
CHUNKS = [
    _chunk("ferries.md", "The harbor authority runs ferries at night with crews that are often short.", "highlights"),
    _chunk("ferries.md", "Crew shortages delayed 40 crossings; the authority agreed to hire deckhands.", n=1),
    _chunk("ferries.md", "The agency reviewed schedules for fiscal year 2024.", n=2),
    _chunk(
        "orchards.md", "Orchard grants fund pollinator habitat; data on bee colony loss are incomplete.", "highlights"
    ),
    _chunk("orchards.md", "The agency reviewed grant files for fiscal year 2024 and interviewed growers.", n=1),
    _chunk("bridges.md", "Inspectors found corrosion on steel bridges; repairs are not tracked.", "highlights"),
    _chunk("bridges.md", "The agency reviewed inspection records for fiscal year 2024.", n=1),
]


def catalog() -> ReportCatalog:
    return ReportCatalog.from_chunks(CHUNKS, DOCS, RouteWeights(min_confidence=0.2, min_margin=1.5))


def test_number_cores_with_and_without_the_agency_prefix() -> None:
    assert number_core("XYZ-31-400101") == "31-400101"
    assert numbers_in("Compare xyz-31-400101 with 30-77t and 2022-2024.") == ["31-400101", "30-77t"]


def test_a_question_naming_a_report_number_is_routed_to_it() -> None:
    route = catalog().route("What did the agency review in 31-400202?")
    assert route.sources == ("orchards.md",) and route.explicit and route.via == "number"
    assert catalog().route("Summarize XYZ-30-77T.").source == "bridges.md"


def test_two_numbers_route_to_both_reports() -> None:
    assert catalog().route("Compare XYZ-31-400101 and XYZ-31-400202").sources == ("ferries.md", "orchards.md")


def test_title_and_topic_words_route_without_a_number() -> None:
    route = catalog().route("In the report on ferry crew shortages, how many crossings were delayed?")
    assert route.source == "ferries.md" and route.via == "topic"
    assert catalog().route("What data on pollinator loss are missing?").source == "orchards.md"


def test_words_every_report_shares_do_not_route() -> None:
    route = catalog().route("What did the agency review for fiscal year 2024?")
    assert route.sources == () and route.via == ""


def test_one_report_corpus_never_routes() -> None:
    single = ReportCatalog.from_chunks(CHUNKS[:3], {"ferries.md": DOCS["ferries.md"]})
    assert single.route("XYZ-31-400101 ferries").sources == ()


def test_labels_use_the_report_number() -> None:
    assert catalog().label("bridges.md") == "XYZ-30-77T"
    assert catalog().label("unknown.md") == "unknown.md"


def test_the_conversation_is_about_the_last_report_named() -> None:
    cat = catalog()
    questions = ["How many crossings did the ferry crew shortages delay?", "Did they agree?"]
    answers = ["In XYZ-31-400101: Crew shortages delayed 40 crossings [1].", ""]
    assert conversation_report(cat, questions, answers) == ("ferries.md",)
    # a later question naming another report moves the conversation there
    questions.append("And in XYZ-30-77T?")
    assert conversation_report(cat, questions, [*answers, ""]) == ("bridges.md",)


def test_the_previous_answer_names_the_report_when_the_question_did_not() -> None:
    cat = catalog()
    answers = ["In XYZ-31-400202: Data on bee colony loss are incomplete [1]."]
    assert conversation_report(cat, ["What is missing?"], answers) == ("orchards.md",)
    # numbers quoted inside an answer's text do not name its report
    assert conversation_report(cat, ["What is missing?"], ["Repairs cost 31-400202 dollars."]) == ()


def test_the_passages_found_can_settle_a_close_call() -> None:
    cat = catalog()
    route = cat.route("What did the agency find about crews and grants?")  # words of two reports: no route
    assert route.sources == ()
    best = route.ranked[0][0]
    agree = [(best, 0.03), (best, 0.02), ("bridges.md", 0.002)]
    assert vote(route, agree, min_share=0.8) == best
    split = [(best, 0.03), ("bridges.md", 0.03)]
    assert vote(route, split, min_share=0.8) is None
    # a report the question's words do not rank among the first two is never chosen by the passages alone
    assert vote(route, [("bridges.md", 0.05)], min_share=0.8, candidates=1) is None


def test_a_question_naming_a_reports_date_prefers_it() -> None:
    docs = {
        "a.md": DocumentInfo("a.md", "Grants: Results Vary", "XYZ-06-1", "September 2006", 1),
        "b.md": DocumentInfo("b.md", "Grants: Results Vary Widely", "XYZ-07-2", "February 2007", 1),
    }
    chunks = [_chunk("a.md", "Grant results vary across programs."), _chunk("b.md", "Grant results vary widely.")]
    cat = ReportCatalog.from_chunks(chunks, docs, RouteWeights(min_confidence=0.1, min_margin=1.5))
    assert cat.route("In the February 2007 report on grants, what varies?").source == "b.md"
    assert cat.route("In the 2006 report on grants, what varies?").source == "a.md"
