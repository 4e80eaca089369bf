"""The abstention decision's features (names, numbers and value types the evidence lacks) and its fit."""

from __future__ import annotations

from assistant.answer.abstention import (
    AbstentionModel,
    EvidenceFeatures,
    evidence_features,
    fit,
    missing,
    question_names,
    question_numbers,
    required,
    word_set,
)
from assistant.answer.analysis import asked_type, shows_type
from assistant.sentences import Lexicon


def lexicon() -> Lexicon:
    lex = Lexicon(n_chunks=10)
    lex.add_text("The Harbor Ferry Authority (HFA) hired deckhands. The Office of Night Crossings (ONC) agreed.")
    return lex


def test_kinds_of_value_asked_for_and_shown() -> None:
    assert asked_type("How much did the authority spend on deckhands?") == "money"
    assert asked_type("What percentage of crossings were delayed?") == "percent"
    assert asked_type("How many crossings were delayed?") == "quantity"
    assert asked_type("When did the authority hire deckhands?") == "date"
    assert asked_type("Why were crossings delayed?") == ""
    assert shows_type("money", "It spent $4.2 million.") and not shows_type("money", "It hired deckhands.")
    assert shows_type("percent", "About 12 percent were late.") and shows_type("date", "In March 2030, it hired.")
    assert shows_type("", "anything")


def test_numbers_and_names_of_a_question() -> None:
    assert question_numbers("In XYZ-31-400101, how much was spent in fiscal year 2029 on 1,200 crossings?") == [
        "2029",
        "1200",
    ]
    # the date naming a report and references into it are not facts to find
    assert question_numbers("In the agency's March 2030 report, what does Table 12 show for $5 fares?") == ["5"]
    names = question_names("How many deckhands did the HFA and Port Board hire, per XYZ-31-400101?")
    assert names == ["HFA", "Port", "Board"]


def test_missing_resolves_acronyms_and_number_formats() -> None:
    lex = lexicon()
    vocabulary = word_set("The Office of Night Crossings counted 1,200 crossings in 2029 for the U.S. Coast Guard.")
    assert missing(["ONC", "1200", "2029", "U.S."], vocabulary, lex) == []
    assert missing(["HFA", "2031", "Mars"], vocabulary, lex) == ["HFA", "2031", "Mars"]


def test_features_of_evidence_that_answers_and_of_evidence_that_does_not() -> None:
    lex = lexicon()
    scope = word_set("harbor ferry authority HFA deckhands crossings 2029 night office")
    answered = evidence_features(
        "How many deckhands did the HFA hire in 2029?",
        "In 2029, the HFA hired 14 deckhands.",
        "Staffing: In 2029, the HFA hired 14 deckhands.",
        0.8,
        lex,
        scope,
        set(),
    )
    assert answered.missing_numbers == answered.missing_names == answered.unknown_names == 0
    assert answered.type_mismatch == 0 and answered.coverage > 0.9
    unanswered = evidence_features(
        "How much did the HFA pay Zephyr Marine in 2031?",
        "The HFA hired deckhands.",
        "Staffing: The HFA hired deckhands.",
        0.5,
        lex,
        scope,
        set(),
    )
    assert unanswered.missing_numbers == 1 and unanswered.type_mismatch == 1
    assert unanswered.missing_names == 2 and unanswered.unknown_names == 2  # "Zephyr", "Marine"


def test_words_that_name_the_report_are_not_required_in_the_evidence() -> None:
    lex = lexicon()
    features = evidence_features(
        "In the Harbor report, how many deckhands were hired?",
        "The authority hired 14 deckhands.",
        "The authority hired 14 deckhands.",
        0.7,
        lex,
        word_set("harbor deckhands"),
        {"harbor"},
    )
    assert features.missing_names == 0


def test_the_names_and_numbers_required_leave_out_those_that_name_the_report() -> None:
    question = "Did GAO find in the Harbor audit that Night Crossings hired 14 deckhands in 2024?"
    names, numbers = required(question, lexicon(), {"harbor"})
    assert names == ["Night", "Crossings"]  # "Harbor" names the report and "GAO" wrote it
    assert numbers == ["14", "2024"]
    # a follow-up: only what the user stated counts
    assert required("What about 2025? Did HFA hire deckhands in 2024?", lexicon(), set(), stated="What about 2025?")[
        1
    ] == ["2025"]


def test_model_probability_and_fit() -> None:
    good = EvidenceFeatures(0.8, 0.9, 0, 0, 0, 0, 0.1)
    bad = EvidenceFeatures(0.4, 0.3, 1, 2, 1, 1, 0.9)
    bias, weights = fit([good, good, bad, bad, good, bad], [True, True, False, False, True, False], l2=1.0)
    model = AbstentionModel(bias, weights)
    assert model.answers(good) and not model.answers(bad)
    assert 0.0 < model.probability(bad) < model.probability(good) < 1.0
    # weighing answerable examples more moves the decision towards answering
    heavy_bias, heavy = fit([good, bad, bad], [True, False, True], l2=1.0, answerable_weight=5.0)
    light_bias, light = fit([good, bad, bad], [True, False, True], l2=1.0, answerable_weight=0.2)
    assert AbstentionModel(heavy_bias, heavy).probability(bad) > AbstentionModel(light_bias, light).probability(bad)


def test_numbers_the_question_states_must_be_in_the_passage_that_answers_first() -> None:
    lex = lexicon()
    scope = word_set("harbor ferry authority HFA deckhands crossings 2029 2031 night office")
    question = "How many deckhands did the HFA hire in 2031?"
    answer = "From 2027 through 2029, the HFA hired 14 deckhands. The HFA plans new routes in 2031."
    context = f"Staffing: {answer}"
    anywhere = evidence_features(question, answer, context, 0.7, lex, scope, set())
    assert anywhere.missing_numbers == 0  # 2031 is in the evidence, but not where the count is
    lead = "From 2027 through 2029, the HFA hired 14 deckhands. Staffing: From 2027 through 2029, the HFA hired 14."
    in_lead = evidence_features(question, answer, context, 0.7, lex, scope, set(), lead_context=lead)
    assert in_lead.missing_numbers == 1
    assert (
        evidence_features(
            "How many deckhands did the HFA hire in 2029?", answer, context, 0.7, lex, scope, set(), lead_context=lead
        ).missing_numbers
        == 0
    )
