"""Follow-up questions rewritten into standalone ones (assistant.conversation), with a hand-made catalog."""

from __future__ import annotations

import pytest

from assistant.conversation import MAX_STANDALONE, EntityCatalog, condense, is_follow_up

# Our own names: three lighthouse stations and two kinds of equipment.
CATALOG = EntityCatalog(
    [
        {"Harbor Point": ["harbor point", "hp"], "Gull Rock": ["gull rock"], "Cape Fern": ["cape fern"]},
        {"Spare lamps (SL)": ["spare lamps", "sl"], "Backup generator": ["backup generator", "generators"]},
    ]
)


def turn(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_catalog_finds_mentions_in_order() -> None:
    found = CATALOG.find("Does Cape Fern have spare lamps or does Harbor Point?")
    assert [(name, group) for _, _, group, name in found] == [
        ("Cape Fern", 0),
        ("Spare lamps (SL)", 1),
        ("Harbor Point", 0),
    ]
    start, end, _, _ = found[0]
    assert "Does Cape Fern have spare lamps or does Harbor Point?"[start:end] == "Cape Fern"


def test_catalog_matches_whole_words_only() -> None:
    assert CATALOG.find("The shipment arrived") == []  # "hp" inside "shipment" is not Harbor Point


def test_without_history_the_question_is_unchanged() -> None:
    assert condense("What about Gull Rock?", [], CATALOG).text == "What about Gull Rock?"
    assert (
        condense("  Does Gull Rock have spare lamps?  ", None, CATALOG).text == "  Does Gull Rock have spare lamps?  "
    )


def test_a_complete_question_is_not_rewritten() -> None:
    history = turn("Does Gull Rock have spare lamps?", "No — the table marks Gull Rock “No”. [1]")
    question = "How many keepers retired from the district last winter?"
    assert condense(question, history, CATALOG).text == question


@pytest.mark.parametrize("follow_up", ["What about Cape Fern?", "And Cape Fern?", "Cape Fern?", "Does Cape Fern?"])
def test_ellipsis_swaps_the_name_of_the_same_kind(follow_up: str) -> None:
    history = turn("Does Gull Rock have spare lamps?", "No — the table marks Gull Rock “No”. [1]")
    assert condense(follow_up, history, CATALOG).text == "Does Cape Fern have spare lamps?"


def test_ellipsis_swaps_the_row_when_a_row_is_named() -> None:
    history = turn("Does Gull Rock have spare lamps?", "No — the table marks Gull Rock “No”. [1]")
    assert condense("What about the backup generator?", history, CATALOG).text == (
        "Does Gull Rock have the backup generator?"
    )


def test_plural_pronoun_refers_to_the_listed_names() -> None:
    history = turn(
        "Which stations have spare lamps?",
        "Harbor Point and Cape Fern are marked “Yes” for Spare lamps (SL) [1].",
    )
    standalone = condense("Do they have a backup generator?", history, CATALOG).text
    assert standalone == "Do Harbor Point and Cape Fern have a backup generator?"


def test_singular_pronoun_refers_to_the_one_name() -> None:
    history = turn("Does Gull Rock have a backup generator?", "No — the table marks Gull Rock “No” [1].")
    standalone = condense("Does it have spare lamps?", history, CATALOG).text
    assert standalone == "Does Gull Rock have spare lamps?"


def test_bare_count_after_a_which_question() -> None:
    history = turn("Which stations have spare lamps?", "Harbor Point and Cape Fern are marked “Yes” [1].")
    assert condense("How many of them?", history, CATALOG).text == "How many stations have spare lamps?"


@pytest.mark.parametrize(("ordinal", "expected"), [("first", "Harbor Point"), ("second", "Cape Fern")])
def test_ordinal_picks_from_the_previous_answer(ordinal: str, expected: str) -> None:
    history = turn("Which stations have spare lamps?", "Harbor Point and Cape Fern are marked “Yes” [1].")
    standalone = condense(f"Does the {ordinal} one have a backup generator?", history, CATALOG).text
    assert standalone == f"Does {expected} have a backup generator?"


def test_ordinal_follows_the_order_of_the_answer_not_the_catalog() -> None:
    history = turn("Which stations lack generators?", "Gull Rock and Harbor Point are marked “No” [1].")
    standalone = condense("What about the last one?", history, CATALOG).text
    assert "Harbor Point" in standalone and "Gull Rock" not in standalone, standalone
    assert "generators" in standalone, standalone  # the question it follows up is kept


def test_a_follow_up_of_a_follow_up_resolves() -> None:
    history = [
        *turn("Does Gull Rock have spare lamps?", "No — Gull Rock “No” [1]."),
        *turn("What about Cape Fern?", "Yes — Cape Fern “Yes” [1]."),
    ]
    assert condense("And Harbor Point?", history, CATALOG).text == "Does Harbor Point have spare lamps?"


def test_a_question_without_content_keeps_the_topic() -> None:
    history = turn("Does Gull Rock have spare lamps?", "No [1].")
    standalone = condense("Can you give an example?", history, CATALOG).text
    assert "Can you give an example?" in standalone and "Does Gull Rock have spare lamps?" in standalone


def test_unknown_name_keeps_the_previous_question_as_context() -> None:
    history = turn("Does Gull Rock have spare lamps?", "No [1].")
    standalone = condense("What about Pier Nine?", history, CATALOG).text
    assert "Pier Nine" in standalone and "spare lamps" in standalone


def test_gradio_multimodal_and_empty_messages_are_read() -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Does Gull Rock have spare lamps?"}]},
        {"role": "assistant", "content": ""},
        {"role": "system", "content": "ignored"},
        "not a message",
    ]
    assert condense("What about Cape Fern?", history, CATALOG).text == "Does Cape Fern have spare lamps?"


def test_standalone_is_bounded() -> None:
    history: list[dict[str, str]] = []
    for i in range(30):
        history += turn(f"Why does it matter {i}?" if history else "Why does Gull Rock lack spare lamps?", "[1].")
    assert len(condense("Why?", history, CATALOG).text) <= MAX_STANDALONE


def test_empty_catalog_still_condenses() -> None:
    history = turn("Which drills does Japan join?", "Two drills [1].")
    assert condense("What about Canada?", history).text == "Which drills does Canada join?"
    history = turn("Does Japan take part in the drill?", "No [1].")
    standalone = condense("What about Canada?", history).text
    assert "Canada" in standalone and "take part in the drill" in standalone


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What about Cape Fern?", True),
        ("How many of them?", True),
        ("Do they have radios?", True),
        ("Why?", True),
        ("Does the second one have a generator?", True),
        ("Which stations have spare lamps and backup generators?", False),
    ],
)
def test_is_follow_up(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_these_and_those_before_a_noun_keep_the_noun_and_carry_the_conversation() -> None:
    # GAO-26-109008's testimony: "those payments" is a noun phrase the user spelt out, not a pronoun to replace
    history = [
        {"role": "user", "content": "How much has USPS failed to pay for retiree health and pension benefits?"},
        {"role": "assistant", "content": "USPS has not made the required payments [1]."},
    ]
    for question in ("Why hasn't it made those payments?", "Are those payments required by law?"):
        resolved = condense(question, history)
        assert resolved.question == question  # not "the payments payments"
        assert "retiree health" in resolved.context
    assert condense("Why did the Postal Service raise prices?", history).context == ""  # a new question


def test_what_about_a_new_name_replaces_every_mention_of_the_name_it_stands_for() -> None:
    # GAO-26-108945's testimony: the State Department is named twice, once as "State"
    history = [
        {
            "role": "user",
            "content": "How many of GAO's fraud risk recommendations went to the State Department, and how many "
            "has State implemented?",
        },
        {"role": "assistant", "content": "14 recommendations went to State [1]."},
    ]
    assert condense("What about USAID?", history).question == (
        "How many of GAO's fraud risk recommendations went to the USAID, and how many has USAID implemented?"
    )


def test_a_question_that_goes_on_from_the_last_one_carries_it_as_context() -> None:
    # GAO-07-106: "And how much is added each year?" asks about the spent fuel of the question before
    history = [
        {"role": "user", "content": "According to GAO-07-106, how much spent nuclear fuel sits in interim storage?"},
        {"role": "assistant", "content": "About 55,000 tons [1]."},
    ]
    resolved = condense("And how much is added each year?", history)
    assert resolved.question == "And how much is added each year?" and "spent nuclear fuel" in resolved.context
    assert condense("When does DOE expect the repository to open?", history).context == ""


def test_a_new_name_replaces_a_name_not_the_report_number() -> None:
    history = [
        {"role": "user", "content": "According to GAO-07-106, how much fuel is stored in the United States?"},
        {"role": "assistant", "content": "About 55,000 tons [1]."},
    ]
    assert condense("What about Japan?", history).question == (
        "According to GAO-07-106, how much fuel is stored in the Japan?"
    )


def test_numbers_that_name_table_columns_are_no_referents_of_them() -> None:
    catalog = EntityCatalog([{"13": [], "20": []}])  # a table whose columns are counts
    history = turn(
        "With how many of the 13 key practices is the inventory consistent?",
        "The inventory is fully consistent with 13 and 20 of them [1].",
    )
    resolved = condense("With how many of them is it not consistent at all?", history, catalog)
    assert "13 and 20" not in resolved.question and "of 20" not in resolved.question


def test_what_about_with_a_question_of_its_own_is_not_swapped_into_the_last_one() -> None:
    history = turn("Which stations have spare lamps?", "Harbor Point and Cape Fern [1].")
    asked = "What about ferries: how many are there at Gull Rock?"
    resolved = condense(asked, history, CATALOG)
    assert "spare lamps" not in resolved.question and "Gull Rock" in resolved.question
