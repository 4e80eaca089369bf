"""Acronym questions answered from the report's own definitions ("Long Form (ACR)" or its abbreviation list)."""

from __future__ import annotations

from assistant.answer.definitions import asked_acronyms, definition_parts, definitions
from assistant.types import Chunk, Citation

TEXT = (
    "Abbreviations\n"
    "HFA Harbor Ferry Authority\n"
    "\n"
    "The U.S. Night Crossing Office (USNCO) reviewed schedules. Crews use automated mooring winch "
    "systems (AMWS) on long routes, and the Harbor Ferry Authority (HFA) hires them."
)


def test_questions_asking_what_an_acronym_means() -> None:
    assert asked_acronyms("What does HFA stand for?") == ["HFA"]
    assert asked_acronyms("In the report, what is an AMWS, and how long are the routes?") == ["AMWS"]
    assert asked_acronyms("what is USNCO?") == ["USNCO"]
    assert asked_acronyms("What is the HFA doing about crews?") == []  # a question about the HFA, not its name
    assert asked_acronyms("What is Harbor?") == []


def test_definitions_in_the_abbreviation_list_and_in_the_text() -> None:
    found = definitions("HFA", TEXT)
    assert [long for _, _, long in found] == ["Harbor Ferry Authority", "Harbor Ferry Authority"]
    start, end, _ = found[1]
    assert TEXT[start:end] == "Harbor Ferry Authority (HFA)"
    (start, end, long_form), *_ = definitions("AMWS", TEXT)
    assert long_form == "automated mooring winch systems" and TEXT[end - 6 : end] == "(AMWS)"
    assert definitions("USNCO", TEXT)[0][2] == "U.S. Night Crossing Office"  # "U.S." gives both letters
    assert definitions("XYZ", TEXT) == []


def test_definition_parts_quote_a_passage_of_the_report() -> None:
    body_start = TEXT.index("The U.S.")
    chunk = Chunk("c1", TEXT[body_start:], "ferries.md", "Ferries", "Letter", body_start, len(TEXT))

    def cite(c: Chunk, start: int, end: int) -> Citation:
        return Citation(0, c.source, c.title, c.section, TEXT[start:end], c.chunk_id, start, end)

    ((sentence, (citation,)),) = definition_parts("What does HFA stand for?", [chunk], TEXT, cite)
    assert sentence == "HFA stands for Harbor Ferry Authority."
    assert citation.quote == "Harbor Ferry Authority (HFA)"  # the list line is in no passage: the text's own
