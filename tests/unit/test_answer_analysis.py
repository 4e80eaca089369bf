"""Question analysis (answer type, focus, value kind) on hand-written questions about invented reports."""

from __future__ import annotations

import pytest

from assistant.answer.analysis import (
    EFFECT,
    analyse,
    answer_type_bonus,
    asks_series,
    enumerates,
    question_parts,
    question_proper,
    states_answer,
    states_value,
)


@pytest.mark.parametrize(
    ("question", "answer_type"),
    [
        ("Did the ferry authority agree with the recommendation?", "yes_no"),
        ("Is the harbor office hiring more deckhands?", "yes_no"),
        ("How many crossings were late in 2024?", "count"),
        ("How much did the authority spend on deckhands?", "money"),
        ("What percentage of crossings were late?", "percent"),
        ("When will the authority replace the lamps?", "date"),
        ("Who asked the auditors to review the ferries?", "person_org"),
        ("Which agency runs the harbor lights?", "person_org"),
        ("Why were the crossings late?", "reason"),
        ("What does HLO stand for?", "definition"),
        ("What is HLO?", "definition"),
        ("Which stations ran out of lamps?", "list"),
        ("What steps did the authority take?", "list"),
        ("What sources of information did the auditors use?", "list"),
        ("List the recommendations.", "list"),
        ("What is the status of the lamp contract?", "other"),
        ("What could happen if the authority does not replace the lamps?", "consequence"),
        ("What is at stake if the ferries stay docked?", "consequence"),
        ("What was the effect of the lamp shortage?", "consequence"),
        ("What happened to the old lamps?", "other"),  # what became of them, not an effect
        # a frame before the question proper does not hide its form
        ("According to HX-12-345, which two stations ran out of lamps?", "list"),
        ("In the 2024 report on harbor lights, how many lamps failed?", "count"),
    ],
)
def test_answer_type(question: str, answer_type: str) -> None:
    assert analyse(question).answer_type == answer_type


def test_focus_and_value_kind() -> None:
    stations = analyse("Which two stations ran out of lamps?")
    assert (stations.focus, stations.wants_several) == ("two stations", True)
    assert analyse("How much did the authority spend?").value_kind == "money"
    assert analyse("Which station is the oldest?").answer_type == "other"  # one station: not a list
    assert analyse("Summarize the report.", summary=True).answer_type == "summary"


@pytest.mark.parametrize(
    ("sentence", "states_an_effect"),
    [
        ("Without a replacement plan, the authority risks leaving two lights dark every winter.", True),
        ("Until the lamps are replaced, ships may continue to miss the harbor entrance at night.", True),
        ("The shortage resulted in two dark lights for more than a week.", True),
        ("The authority replaced 14 lamps in 2024.", False),
        ("Three stations ran out of spare lamps during the winter storms.", False),
    ],
)
def test_effect_statements(sentence: str, states_an_effect: bool) -> None:
    assert bool(EFFECT.search(sentence)) is states_an_effect


# Sentences from GAO-26-107841, GAO-26-109008 and GAO-07-106.
def test_a_question_asking_for_an_amount_is_stated_by_the_sentence_with_the_figure() -> None:
    money = analyse("How much can a stage 2 grant provide?")
    assert states_value(money, "The stage 2 grants could receive up to $15 million.")
    assert not states_value(money, "For fiscal year 2024 stage 2 grants, 28 stage 1 recipients applied for stage 2.")
    how_much = analyse("How much in net losses has the Postal Service accumulated since fiscal year 2007?")
    assert states_value(how_much, "While accumulating $118 billion in net losses over that time, USPS has maintained")
    assert not states_value(how_much, "This figure includes USPS's net losses from fiscal year 2007 through 2025.")
    assert states_value(analyse("And how much is added each year?"), "about 2,200 tons are added each year")
    share = analyse("What percentage of Danish electricity came from wind power in 2005?")
    assert states_value(share, "including 19 percent from wind power")
    # counts, dates and yes/no questions have their own leads: no amount preference
    assert not states_value(analyse("How many reviews did DOT complete?"), "DOT completed 406 reviews, $2 million.")
    assert not states_value(analyse("When did the survey close?"), "It cost $5 million.")


# Sentences from GAO-26-107841 and GAO-26-107815.
def test_a_sentence_alone_answers_a_question_for_one_figure_that_it_states() -> None:
    count = "How many recipients of fiscal year 2022 awards requested extensions?"
    sentence = "DOT officials told us that 47 of the 59 recipients of fiscal year 2022 awards requested extensions."
    assert states_answer(count, analyse(count), sentence)
    assert not states_answer(count, analyse(count), "DOT requires recipients to submit quarterly reports.")
    two = "How many ORR monitoring reports did GAO review, and how many findings did it identify?"
    assert not states_answer(
        two, analyse(two), "We reviewed 31 ORR monitoring reports from fiscal years 2022 through 2024."
    )
    framed = "According to GAO-26-107841, how many recipients of fiscal year 2022 awards requested extensions?"
    assert states_answer(framed, analyse(framed), sentence)  # the report-naming frame is no second ask
    when = "As of what date did USAID cease administering foreign aid?"
    assert not states_answer(when, analyse(when), "GAO reported on a 2023 United Nations assessment in Somalia.")


def test_a_frame_after_the_question_does_not_hide_what_it_asks() -> None:
    assert analyse("What is a QRTP, as described in GAO's report on Family First and congregate care?") == analyse(
        "What is a QRTP?"
    )
    assert analyse("What is the FPI, according to GAO-26-107551?").answer_type == "definition"
    assert analyse("How many reviews did DOT complete, according to GAO-07-791?").answer_type == "count"


# Questions of the real eval set's shape, on invented reports.
@pytest.mark.parametrize(
    ("question", "proper"),
    [
        (
            "In GAO's report on ferry safety, which four piers had the most delays?",
            "Which four piers had the most delays?",
        ),
        ("According to XYZ-31-400101, how many deckhands were hired?", "How many deckhands were hired?"),
        ("How many deckhands were hired, according to XYZ-31-400101?", "How many deckhands were hired?"),
        ("Which five piers did GAO visit in XYZ-31-400101?", "Which five piers did GAO visit?"),
        ("What is a QRTP, as described in GAO's report on congregate care?", "What is a QRTP?"),
        # frames that are part of the question stay
        ("In fiscal year 2024, how many deckhands were hired?", "In fiscal year 2024, how many deckhands were hired?"),
        ("Who is the GAO contact for XYZ-31-400101?", "Who is the GAO contact for XYZ-31-400101?"),
        ("In the report on ferries, why?", "In the report on ferries, why?"),  # too little left
        # "reported" is not "report": the words after "in" here are the question's own
        (
            "Per GAO's review of ferries, how much in fares reported by the operator in 2021 was not collected?",
            "How much in fares reported by the operator in 2021 was not collected?",
        ),
    ],
)
def test_the_question_proper_drops_only_the_words_that_name_the_report(question: str, proper: str) -> None:
    assert question_proper(question) == proper


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "In XYZ-31-400101, how many piers did GAO visit, and what share of them had delays?",
            ["How many piers did GAO visit", "what share of them had delays?"],
        ),
        (
            "When was the ferry survey launched and when did it close, per XYZ-31-400101?",
            ["When was the ferry survey launched", "when did it close?"],
        ),
        (
            "How many deckhands were hired, how many left, and what did the hiring cost?",
            ["How many deckhands were hired", "how many left", "what did the hiring cost?"],
        ),
        # one ask: a frame before the question is no second ask, nor are parts under three words
        (
            "Per GAO's review of ferries, how many piers were closed?",
            ["Per GAO's review of ferries, how many piers were closed?"],
        ),
        ("How and why did fares rise?", ["How and why did fares rise?"]),
        ("Which piers and what docks did GAO visit?", ["Which piers and what docks did GAO visit?"]),
        ("What did the operator do and why?", ["What did the operator do and why?"]),
    ],
)
def test_a_compound_question_is_split_into_its_asks(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


@pytest.mark.parametrize(
    ("sentence", "series"),
    [
        ("We selected Brazil, Denmark, France, Germany, Japan, and Spain.", True),
        ("It covered the Departments of Commerce, Labor, and Transportation.", True),
        ("The seven sectors were: communications, energy, water, and transportation.", True),
        ("DOT concurred, and said it would act.", False),
        ("The operator visited Iowa and Texas.", False),  # a pair is no series
    ],
)
def test_a_sentence_that_gives_a_series(sentence: str, series: bool) -> None:
    assert enumerates(sentence) is series


def test_a_series_is_asked_for_by_list_questions_that_do_not_ask_for_a_pair() -> None:
    for question, series in [
        ("Which six countries did GAO review?", True),
        ("Which states did GAO visit?", True),
        ("Which two metrics did the office stop assessing?", False),
        ("How many piers did GAO visit?", False),
    ]:
        assert asks_series(question, analyse(question)) is series, question


def test_a_when_question_is_answered_by_a_day_of_a_month_as_by_a_year() -> None:
    question = "When was the ferry survey launched?"
    assert answer_type_bonus(question, "The survey was launched on Thursday, November 15.") == 1.0
    assert answer_type_bonus(question, "The survey was launched in 2007.") == 1.0
    assert answer_type_bonus(question, "The survey may be launched soon.") == 0.0  # "may" is no month
