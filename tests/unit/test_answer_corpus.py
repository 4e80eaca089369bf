"""Names a question uses that the corpus never mentions (answer/corpus.py)."""

from __future__ import annotations

from assistant.answer.corpus import corpus_facts, unknown_names
from assistant.tables import column_aliases
from assistant.types import Chunk

TEXT = "The Harbor Board and the U.S. Coast Watch inspected 12 piers in 2024."


def test_names_the_corpus_never_mentions_are_unknown() -> None:
    facts = corpus_facts([Chunk("c1", TEXT, "harbor.txt", "Pier Audit", "Findings", 0, len(TEXT), "text")])
    assert unknown_names("Did the Harbor Board inspect the Zephyr Docks in 2024?", facts.vocabulary) == [
        "Zephyr",
        "Docks",
    ]
    assert unknown_names("How many piers did it inspect in 2031?", facts.vocabulary) == ["2031"]


def test_dotted_initials_are_the_same_name_as_undotted_ones() -> None:
    # a table's names list a place with its initials ("ni", "n.i."); the question writes "N.I."
    vocabulary = {"does", "take", "part", *column_aliases("North Island")}
    assert unknown_names("Does the N.I. take part?", vocabulary) == []
    assert unknown_names("Does the NI take part?", vocabulary) == []
    # and the other way round: the report writes "N.I.", the question "NI"
    text = "Officials of N.I. inspected 12 piers."
    facts = corpus_facts([Chunk("c1", text, "harbor.txt", "Pier Audit", "Findings", 0, len(text), "text")])
    assert unknown_names("Did NI officials inspect piers?", facts.vocabulary) == []
