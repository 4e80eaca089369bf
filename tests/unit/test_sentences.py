"""assistant.sentences: answer units from retrieved chunks, the direct answer (Yes/No, the count), lexical support."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.analysis import answer_type_bonus
from assistant.sentences import (
    Lexicon,
    Unit,
    View,
    best_clause,
    compose_views,
    count_in,
    heading_weight,
    lead_for,
    read_alone,
    units_from_hits,
    views,
)
from assistant.types import Chunk, Hit

# Our own text: a section with a sentence that continues the one before it.
TEXT = (
    "**Ferry Audit**\n\n"
    "**Findings**\n\n"
    "The Ferry Board (FB) runs nine routes. This has resulted in long waits for the U.S. crews. Nobody agreed.\n"
)


def text_hit(start_at: str = "The Ferry Board", end_at: str = "agreed.") -> Hit:
    start = TEXT.index(start_at)
    end = TEXT.index(end_at) + len(end_at)
    chunk = Chunk("id1", TEXT[start:end], "ferry.txt", "Ferry Audit", "Findings", start, end, "text")
    return Hit(chunk, 0.5)


def test_units_are_sentences_plus_continuations() -> None:
    units = units_from_hits([text_hit()], lambda source: TEXT)
    readings = [u.text for u in units]
    assert readings == [
        "The Ferry Board (FB) runs nine routes.",
        "The Ferry Board (FB) runs nine routes. This has resulted in long waits for the U.S. crews.",
        "This has resulted in long waits for the U.S. crews.",
        "Nobody agreed.",
    ]
    for unit in units:
        assert " ".join(TEXT[s:e] for sentence in unit.spans for s, e in sentence) == unit.text
        assert unit.context == "Findings" and unit.reading.startswith("Findings: ")


def test_units_are_not_repeated_across_hits() -> None:
    units = units_from_hits([text_hit(), text_hit()], lambda source: TEXT)
    assert len(units) == len({u.spans for u in units})


def test_table_chunks_give_no_sentence_units() -> None:
    chunk = Chunk("t", "table text", "ferry.txt", "Ferry Audit", "Findings", 0, 10, "table")
    row = Chunk("r", "row text", "ferry.txt", "Ferry Audit", "Findings", 0, 8, "table_row")
    assert units_from_hits([Hit(chunk, 1.0), Hit(row, 1.0)], lambda source: TEXT) == []


def _unit(text: str, context: str = "") -> Unit:
    return Unit(Hit(Chunk("c", text, "ferry.txt", "Ferry Audit", "Findings", 0, len(text)), 1.0), (), text, context)


def test_views_add_the_leading_clause_of_long_sentences() -> None:
    short = "The board met twice."
    assert views(_unit(short)) == [View(short)]
    long = "The board is making four proposals, " + " ".join(["including that crews train more often"] * 4)
    lead = View("The board is making four proposals", "Findings", lead_of=long)  # read in the sentence's pass
    assert views(_unit(long, "Findings")) == [View(long, "Findings"), View(long), lead]  # with and without heading


def test_read_alone_reads_each_word_once() -> None:
    """A fake encoder (one-hot vectors by hand): the pair and the clause are made from their sentences'
    token vectors, so only the heading is encoded and only the two sentences are read token by token."""
    first, second = "The board met twice", "This was late"
    pair = View(f"{first} {second}", "Findings", parts=(first, second))
    clause = View("The board", lead_of=first)
    tokens = {  # per text: token vectors and their character spans ([CLS] and [SEP] have the span (0, 0))
        first: (np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]), [(0, 0), (0, 3), (4, 9), (0, 0)]),
        second: (np.array([[0, 0, 1.0], [0, 0, 1.0]]), [(0, 0), (0, 0)]),
    }
    encoded: list[list[str]] = []
    read: list[list[str]] = []

    def fake_encode(texts: list[str]) -> np.ndarray:
        encoded.append(texts)
        return np.array([[0.0, 1.0, 0.0]] * len(texts))

    def fake_tokens(texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        read.append(texts)
        return [tokens[t] for t in texts]

    out = read_alone([pair, clause, View(first)], fake_encode, fake_tokens)
    assert encoded == [["Findings"]] and read == [[first, second]]
    assert np.allclose(out[pair.text], np.array([2, 1, 3]) / np.sqrt(14))  # the mean of all six tokens
    assert np.allclose(out["The board"], np.array([1, 1, 0]) / np.sqrt(2))  # "The" and "board", not [CLS]
    assert np.allclose(out[first], np.array([2, 1, 1]) / np.sqrt(6))  # the sentence: all its tokens


def test_a_view_under_a_heading_leans_towards_the_heading_by_its_length() -> None:
    plain = {"Crew training": np.array([1.0, 0.0]), "The board trains crews.": np.array([0.0, 1.0])}
    alone, under = compose_views(
        [View("The board trains crews."), View("The board trains crews.", "Crew training")], plain.__getitem__
    )
    assert alone.tolist() == [0.0, 1.0]
    assert np.isclose(np.linalg.norm(under), 1.0) and 0 < under[0] < under[1]  # the sentence still weighs most
    assert heading_weight("The board trains crews.", "A much longer heading about crew training") > heading_weight(
        "The board trains crews.", "Crews"
    )
    assert View("text", "Heading").key != View("Heading: text").key  # a heading never collides with a sentence


@pytest.mark.parametrize(
    ("question", "sentence", "lead"),
    [
        ("Does the board run ferries?", "The board runs nine ferries.", "Yes"),
        ("Has the board set milestones?", "The board has not set milestones for hiring.", "No"),
        ("Did the board concur with all proposals?", "It concurred with two and did not concur with one.", "No"),
        ("Is the board not funded?", "The board is not funded.", "Yes"),
        ("Did the board hire crews?", "The board did hire crews, but it did not train them.", "Yes"),
        ("How many routes does the board run?", "The board runs nine routes.", "Nine"),
        ("How many routes does the board run?", "The board has 12 routes and 3 piers.", "12"),
        ("How many piers are there?", "The board runs nine routes.", ""),
        ("What does the board run?", "The board runs nine routes.", ""),
        ("Can you give an example?", "For example, the board runs nine routes.", ""),  # a request, not yes/no
        ("Could you list the routes?", "The board runs nine routes.", ""),
        ("Can the board run more routes?", "The board can run nine routes.", "Yes"),
    ],
)
def test_lead_for(question: str, sentence: str, lead: str) -> None:
    assert lead_for(question, sentence) == lead


def test_count_in_needs_the_counted_noun_nearby() -> None:
    assert count_in("How many officials were interviewed?", "GAO interviewed officials from six nations.") is None
    assert count_in("How many nations were visited?", "GAO interviewed officials from six nations.") == "six"
    assert count_in("What nations?", "six nations") is None


def test_best_clause_prefers_the_clause_about_the_question() -> None:
    sentence = "The board set goals, but it has not set milestones."
    assert best_clause("Has it set milestones?", sentence).strip() == "it has not set milestones."
    assert best_clause("Has the board set goals?", sentence).strip() == "The board set goals"


@pytest.mark.parametrize(
    ("question", "good", "bad"),
    [
        ("How many routes?", "It runs nine routes.", "It runs routes."),
        ("When was it issued?", "It was issued in 2024.", "It was issued."),
        ("Who is the contact? email", "Write to ferries@example.org.", "Write to us."),
        ("What is the source of the table?", "Source: a survey.", "A survey."),
        ("Give an example of a delay", "For example, the night boat.", "The night boat."),
        (
            "What could happen if the night boat is not repaired?",
            "Without repairs, the authority risks losing the night route.",
            "The night boat was built in 1998.",
        ),
    ],
)
def test_answer_type_bonus(question: str, good: str, bad: str) -> None:
    assert answer_type_bonus(question, good) > answer_type_bonus(question, bad) == 0.0


def test_lexicon_folds_defined_acronyms_and_weights_rare_words() -> None:
    lexicon = Lexicon(df={"board": 9, "ferri": 1, "rout": 1}, n_chunks=10)
    lexicon.add_text("Officials said the Ferry Board (FB) runs nine routes.")
    assert lexicon.acronyms == {"ferry board": "FB"}
    assert lexicon.fold("What does the Ferry Board run?") == "What does the FB run?"
    assert lexicon.idf("rout") > lexicon.idf("board")
    unit = Unit(text_hit(), ((0, 1),), "The FB runs nine routes.", "Findings")
    assert lexicon.coverage("How many routes does the Ferry Board run?", unit) == pytest.approx(1.0)
    assert lexicon.coverage("How many piers are there?", unit) < 0.5
    assert lexicon.coverage("the of and", unit) == 0.0


def test_lexicon_learns_acronyms_defined_after_the() -> None:
    lexicon = Lexicon()
    lexicon.add_text("The Ferry Board (FB) runs nine routes.")
    assert lexicon.acronyms == {"ferry board": "FB"}


# Sentences from the shared GAO reports (GAO-26-107815, GAO-08-587T, GAO-26-107592, GAO-26-107841, GAO-26-108534).
def test_count_is_the_number_as_written_with_its_thousands():
    sentence = (
        "DHS also paroled about 29,000 Ukrainians into the United States outside of the Uniting for Ukraine process."
    )
    assert count_in("How many Ukrainians did DHS parole?", sentence) == "29,000"
    assert lead_for("How many Ukrainians did DHS parole?", sentence) == "29,000"


def test_count_finds_the_counted_thing_past_its_own_words():
    assert (
        count_in(
            "How many GAO employees was the survey sent to?",
            "The survey was sent to all GAO employees except interns (a total of 3,002 employees).",
        )
        == "3,002"
    )
    assert count_in("How many recipients asked for extensions?",
                    "DOT officials told us that 47 of the 59 recipients of fiscal year 2022 awards requested "
                    "extensions.") == "47"  # fmt: skip
    assert (
        count_in(
            "How many agencies used stopgap placements?",
            "Forty-two child welfare agencies reported that they used stopgap placements.",
        )
        == "Forty-two"
    )


def test_count_tolerates_misspelt_questions_but_not_other_nouns():
    sentence = "FSA assessed servicers on these metrics for two quarters through the following actions."
    assert count_in("how many quartrs did fsa asses servicers", sentence) == "two"
    assert (
        count_in(
            "how many respondants gave substantive coments",
            "1113 respondents provided substantive comments to this question.",
        )
        == "1113"
    )
    assert count_in("How many states did GAO visit?", sentence) is None
    assert count_in("What did FSA assess?", sentence) is None  # not a count question


# Sentences from GAO-26-107551, GAO-07-791 and GAO-26-107815: a year, a measure joined by a hyphen and a
# percentage stand next to the counted noun but do not count it.
def test_count_is_never_a_year_a_hyphenated_measure_or_a_percentage():
    inventory = (
        "The January 2025 version of the federal program inventory demonstrates continued progress in fulfilling "
        "statutory requirements, beyond what was included in the February 2024 version."
    )
    assert count_in("How many federal programs did the January 2025 inventory include?", inventory) is None
    assert lead_for("How many federal programs did the January 2025 inventory include?", inventory) == ""
    plan = (
        "Similarly, DOT initiated a systematic 10-year plan for reviewing all of its sections of the CFR in order to "
        "satisfy the provisions of Section 610, along with other mandatory review requirements."
    )
    assert count_in("How many reviews did DOT complete under its 10-year plan?", plan) is None
    assert count_in("How many years does the plan cover?", plan) == "10"
    assert count_in("How many sections of the CFR does Section 610 review require?", plan) is None
    done = "DOT reported completing over 400 reviews between 2001 and 2006 under this 10-year plan."
    assert count_in("How many reviews did DOT complete under its 10-year plan?", done) == "400"
    assert count_in("How many states?", "In 12 states, officials reported delays.") == "12"
    share = "Ukrainians made up approximately 11 percent of all individuals who received ORR services."
    assert count_in("How many individuals received ORR services?", share) is None
