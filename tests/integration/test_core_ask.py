"""The assistant end to end on the real model and a real Chroma: retrieval, answers with verbatim citations,
abstention, follow-ups, and incremental ingest.

Expected values are derived from the parsed report (the table's cells, the report's own words), not copied
from the assistant's output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant import NOT_IN_REPORT, Assistant, Reply, Settings
from assistant.ingest import load_document
from assistant.table_answers import number_name
from assistant.tables import Table, TableRow

pytestmark = pytest.mark.integration

GAO = "GAO-25-108043.txt"
Check = Callable[[Any, Any], None]


@pytest.fixture(scope="module")
def bot(assistant_session: Assistant) -> Assistant:
    return assistant_session


@pytest.fixture(scope="module")
def table(gao_path: Path) -> Table:
    doc = load_document(gao_path)
    (found,) = [b.table for b in doc.blocks if b.table is not None and b.kind == "table"]
    return found


def row_named(table: Table, word: str) -> TableRow:
    return next(r for r in table.rows if word.lower() in r.label.lower())


def marked(table: Table, row: TableRow, value: str) -> list[str]:
    return [c for c, v in zip(table.columns, row.cells, strict=True) if v == value]


def first_sentence(answer: str) -> str:
    return re.split(r"(?<=\])\.\s", answer, maxsplit=1)[0]


def ask(bot: Assistant, check: Check, question: str, history: list[dict[str, str]] | None = None) -> Reply:
    reply = bot.ask(question, history=history)
    check(bot, reply)
    return reply


# -- retrieval -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 7])
def test_search_returns_k_hits_with_scores_and_metadata(bot: Assistant, k: int) -> None:
    hits = bot.search("personnel exchange agreements with partner countries", k=k)
    assert len(hits) == k
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    for hit in hits:
        assert hit.dense_rank is not None or hit.lexical_rank is not None
        meta = hit.chunk.metadata()
        assert {"chunk_id", "source", "title", "section", "char_start", "char_end", "kind"} <= set(meta)
        text = bot.source_text(hit.chunk.source)
        assert 0 <= hit.chunk.char_start < hit.chunk.char_end <= len(text)


def test_fusion_rewards_agreement_of_both_retrievers(bot: Assistant) -> None:
    hits = bot.search("Space Force positions within its service components", k=5)
    both = [h for h in hits if h.dense_rank is not None and h.lexical_rank is not None]
    assert both, "the best hits should be found by both the dense and the lexical retriever"
    assert hits[0] in both
    assert "Space Force" in hits[0].chunk.text


def test_japan_ood_question_retrieves_the_ood_row(bot: Assistant, table: Table) -> None:
    ood = row_named(table, "OOD")
    hits = bot.search("Does Japan take part in OOD?", k=5)
    rows = [h.chunk for h in hits if h.chunk.kind == "table_row"]
    assert any(c.char_start == ood.start and c.char_end == ood.end for c in rows), [h.chunk.text for h in hits]


def test_sources_filter(bot: Assistant) -> None:
    assert all(h.chunk.source == GAO for h in bot.search("milestones", k=3, sources=[GAO]))
    assert bot.search("milestones", k=3, sources=["not-indexed.txt"]) == []


def test_search_of_nothing_is_empty(bot: Assistant) -> None:
    assert bot.search("  \x00 ", k=3) == []


# -- answers from the table --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "row_word", "country"),
    [
        ("Does Japan take part in OOD?", "OOD", "Japan"),
        ("Does Canada take part in Operation Olympic Defender?", "OOD", "Canada"),
        ("Does Norway have personnel exchanges?", "Personnel", "Norway"),
        ("Does France have data sharing agreements?", "Data sharing", "France"),
    ],
)
def test_yes_no_from_the_table(
    bot: Assistant, check_reply: Check, table: Table, question: str, row_word: str, country: str
) -> None:
    row = row_named(table, row_word)
    expected = row.cells[table.columns.index(country)]
    reply = ask(bot, check_reply, question)
    assert not reply.abstained
    assert reply.answer.startswith(expected), reply.answer
    assert country in first_sentence(reply.answer)
    text = bot.source_text(GAO)
    quotes = [c.quote for c in reply.citations]
    assert text[row.start : row.end] in quotes, "the row is quoted"
    for note in table.row_footnotes(row):
        assert note.text in quotes, "the row's footnote is quoted"


def test_which_countries_names_exactly_the_yes_columns(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood = row_named(table, "OOD")
    reply = ask(bot, check_reply, "Which countries take part in Operation Olympic Defender?")
    lead = first_sentence(reply.answer)
    assert all(c in lead for c in marked(table, ood, "Yes")), reply.answer
    assert not any(c in lead for c in marked(table, ood, "No")), reply.answer


def test_negation(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood = row_named(table, "OOD")
    reply = ask(bot, check_reply, "Which countries do not take part in OOD?")
    lead = first_sentence(reply.answer)
    assert all(c in lead for c in marked(table, ood, "No")), reply.answer
    assert not any(c in lead for c in marked(table, ood, "Yes")), reply.answer


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("Which countries take part in OOD and have personnel exchanges?", {"OOD": "Yes", "Personnel": "Yes"}),
        ("Which countries have personnel exchanges but not combined operations?", {"Personnel": "Yes", "OOD": "No"}),
    ],
)
def test_intersection(bot: Assistant, check_reply: Check, table: Table, question: str, wanted: dict[str, str]) -> None:
    expected = [
        c
        for i, c in enumerate(table.columns)
        if all(row_named(table, word).cells[i] == value for word, value in wanted.items())
    ]
    assert expected and len(expected) < len(table.columns)
    reply = ask(bot, check_reply, question)
    lead = first_sentence(reply.answer)
    assert [c for c in table.columns if c in lead] == expected, reply.answer
    quotes = {c.quote for c in reply.citations}
    text = bot.source_text(GAO)
    assert all(text[row_named(table, w).start : row_named(table, w).end] in quotes for w in wanted)


def test_how_many_from_the_table(bot: Assistant, check_reply: Check, table: Table) -> None:
    exchanges = row_named(table, "Personnel")
    count = len(marked(table, exchanges, "Yes"))
    reply = ask(bot, check_reply, "How many countries have personnel exchanges?")
    assert reply.answer.lower().startswith(number_name(count)), reply.answer


def test_how_many_prefers_the_count_a_footnote_states(bot: Assistant, check_reply: Check, table: Table) -> None:
    # footnote b: agreements "with 33 partner countries"; the table shows only some of them
    shared = row_named(table, "Data sharing")
    reply = ask(bot, check_reply, "How many countries have data sharing agreements?")
    assert reply.answer.startswith("33"), reply.answer
    assert number_name(len(marked(table, shared, "Yes"))) in reply.answer, reply.answer


# -- answers from the text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "lead", "quoted"),
    [
        ("Has DOD issued guidance clarifying roles and responsibilities?", "No", "has not issued guidance"),
        ("Did GAO interview foreign government officials?", "Yes", "interviewed foreign government officials"),
        ("Did DOD concur with all of the recommendations?", "No", "did not concur"),
        ("Has DOD set specific milestones for integrating allies?", "No", "has not set specific milestones"),
    ],
)
def test_yes_no_from_the_text(bot: Assistant, check_reply: Check, question: str, lead: str, quoted: str) -> None:
    assert quoted in bot.source_text(GAO)
    reply = ask(bot, check_reply, question)
    assert reply.answer.startswith(lead), reply.answer
    assert any(quoted in c.quote for c in reply.citations), reply.citations


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("How many recommendations is GAO making?", "three"),
        ("How many partner nations did GAO interview officials from?", "six"),
    ],
)
def test_how_many_from_the_text(bot: Assistant, check_reply: Check, question: str, number: str) -> None:
    reply = ask(bot, check_reply, question)
    assert reply.answer.lower().startswith(number), reply.answer
    assert any(number in c.quote for c in reply.citations)


def test_how_many_data_sharing_partners_overall(bot: Assistant, check_reply: Check) -> None:
    reply = ask(
        bot, check_reply, "How many partner countries does U.S. Space Command have data sharing agreements with?"
    )
    assert reply.answer.startswith("33"), reply.answer


@pytest.mark.parametrize(
    "question",
    ["What is the source of the table?", "Where do the numbers in the table on data sharing come from?"],
)
def test_table_source_questions_quote_the_source_line(
    bot: Assistant, check_reply: Check, table: Table, gao_path: Path, question: str
) -> None:
    reply = ask(bot, check_reply, question)
    assert not reply.abstained
    stated = table.source_note.removeprefix("Source: ").split(" | ")[0].rstrip(".")
    assert stated and stated in reply.answer
    assert any(c.quote.startswith("Source:") for c in reply.citations)


def test_sources_of_the_audit_are_not_the_table_source(bot: Assistant) -> None:
    reply = bot.ask("What sources of information did GAO use for this review?")
    assert "The source of the table" not in reply.answer


def test_metadata_questions_quote_the_front_matter(bot: Assistant, check_reply: Check) -> None:
    doc = load_document(bot.settings.corpus_dir / GAO)
    title = ask(bot, check_reply, "What is the title of the report?")
    assert doc.title in title.answer and title.citations[0].quote == doc.title
    date = ask(bot, check_reply, "When was the report published?")
    assert doc.date in date.answer and date.citations[0].quote == doc.date


# -- abstention ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "Does Germany take part in OOD?",
        "Write a poem about space.",
        "What was the budget of the Brazilian space agency in 2019?",
    ],
)
def test_abstains_without_citations(bot: Assistant, check_reply: Check, question: str) -> None:
    reply = ask(bot, check_reply, question)
    assert reply.abstained, reply.answer
    assert reply.citations == []
    assert reply.answer.startswith(NOT_IN_REPORT)


def test_country_not_in_table_is_named_in_the_abstention(bot: Assistant, table: Table) -> None:
    assert "Germany" not in bot.source_text(GAO)
    reply = bot.ask("Does Germany take part in OOD?")
    assert "Germany" in reply.answer
    assert all(c in reply.answer for c in table.columns), "says which countries the table covers"


def test_reply_to_dict_round_trips_through_json(bot: Assistant) -> None:
    reply = bot.ask("Does Japan take part in OOD?")
    data = json.loads(json.dumps(reply.to_dict()))
    assert set(data) == {"answer", "citations", "abstained", "standalone_question", "notice", "support"}
    assert data["answer"] == reply.answer and len(data["citations"]) == len(reply.citations)
    assert data["citations"][0]["quote"] == reply.citations[0].quote
    with_hits = json.loads(json.dumps(reply.to_dict(include_hits=True)))
    assert len(with_hits["hits"]) == len(reply.hits) == bot.settings.top_k


# -- follow-ups ------------------------------------------------------------------------------------------------------


def converse(bot: Assistant, check: Check, *questions: str) -> list[Reply]:
    history: list[dict[str, str]] = []
    replies = []
    for question in questions:
        reply = ask(bot, check, question, history)
        replies.append(reply)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": reply.answer}]
    return replies


def test_ellipsis_follow_up(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood = row_named(table, "OOD")
    _, canada = converse(bot, check_reply, "Does Japan take part in OOD?", "What about Canada?")
    assert canada.standalone_question == "Does Canada take part in OOD?"
    assert canada.answer.startswith(ood.cells[table.columns.index("Canada")])


def test_pronoun_follow_up_after_a_list(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood, exchanges = row_named(table, "OOD"), row_named(table, "Personnel")
    listed = marked(table, ood, "Yes")
    _, follow = converse(bot, check_reply, "Which countries take part in OOD?", "Do they have personnel exchanges?")
    assert all(c in follow.standalone_question for c in listed), follow.standalone_question
    assert "personnel exchanges" in follow.standalone_question
    values = {exchanges.cells[table.columns.index(c)] for c in listed}
    if len(values) == 1:
        assert follow.answer.startswith(values.pop())
    assert all(c in first_sentence(follow.answer) for c in listed)


def test_bare_count_follow_up(bot: Assistant, check_reply: Check, table: Table) -> None:
    listed = marked(table, row_named(table, "OOD"), "Yes")
    _, count = converse(bot, check_reply, "Which countries take part in OOD?", "How many of them?")
    assert count.standalone_question.lower().startswith("how many")
    assert "OOD" in count.standalone_question
    assert count.answer.lower().startswith(number_name(len(listed)))


def test_bare_count_after_a_pronoun_follow_up(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood, exchanges = row_named(table, "OOD"), row_named(table, "Personnel")
    both = [c for i, c in enumerate(table.columns) if ood.cells[i] == exchanges.cells[i] == "Yes"]
    *_, count = converse(
        bot, check_reply, "Which countries take part in OOD?", "Do they have personnel exchanges?", "How many of them?"
    )
    assert count.answer.lower().startswith(number_name(len(both))), count.answer


@pytest.mark.parametrize(("ordinal", "index"), [("second", 1), ("first", 0)])
def test_ordinal_follow_up(bot: Assistant, check_reply: Check, table: Table, ordinal: str, index: int) -> None:
    ood, exchanges = row_named(table, "OOD"), row_named(table, "Personnel")
    named = marked(table, ood, "No")[index]
    _, follow = converse(
        bot,
        check_reply,
        "Which countries do not take part in OOD?",
        f"Does the {ordinal} one have personnel exchanges?",
    )
    assert follow.standalone_question == f"Does {named} have personnel exchanges?"
    assert follow.answer.startswith(exchanges.cells[table.columns.index(named)])


def test_last_one_after_a_list(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood = row_named(table, "OOD")
    last = marked(table, ood, "Yes")[-1]
    _, follow = converse(bot, check_reply, "Which countries take part in OOD?", "What about the last one?")
    assert last in follow.standalone_question and "OOD" in follow.standalone_question, follow.standalone_question
    assert follow.answer.startswith(ood.cells[table.columns.index(last)]), follow.answer


def test_which_of_them_stays_within_the_listed_countries(bot: Assistant, check_reply: Check, table: Table) -> None:
    ood, exchanges = row_named(table, "OOD"), row_named(table, "Personnel")
    listed = marked(table, ood, "Yes")
    expected = [c for c in listed if exchanges.cells[table.columns.index(c)] == "Yes"]
    _, follow = converse(
        bot, check_reply, "Which countries take part in OOD?", "Which of them have personnel exchanges?"
    )
    assert all(c in follow.standalone_question for c in listed)
    lead = first_sentence(follow.answer)
    assert [c for c in table.columns if c in lead] == expected, follow.answer


def test_history_of_another_topic_does_not_leak(bot: Assistant, check_reply: Check) -> None:
    _, reply = converse(bot, check_reply, "Does Japan take part in OOD?", "How many recommendations is GAO making?")
    assert reply.standalone_question == "How many recommendations is GAO making?"
    assert reply.answer.lower().startswith("three")


# -- LangChain retriever ---------------------------------------------------------------------------------------------


def test_retriever_invoke_with_k(bot: Assistant) -> None:
    docs = bot.retriever.invoke("Which countries have personnel exchanges?", k=2)
    assert len(docs) == 2
    for doc in docs:
        assert isinstance(doc.metadata["score"], float)
        assert {"chunk_id", "source", "section", "kind", "char_start", "char_end"} <= set(doc.metadata)
        assert doc.page_content


# -- incremental ingest ------------------------------------------------------------------------------------------------

LIGHTS = (
    "**Lighthouse Keepers Need Spare Parts**\n\n"
    "GAO-24-900777\n\n"
    "April 2024\n\n"
    "**Findings**\n\n"
    "The district keeps twelve lighthouses along the granite coast. Keepers reported that spare lamps ran out "
    "twice last winter.\n"
)
BRIDGES = "# Bridge Inspections\n\nInspectors examined forty timber footbridges over the canal. Most were sound.\n"


def sources_for(bot: Assistant, query: str) -> list[str]:
    return [h.chunk.source for h in bot.search(query, k=3)]


def test_incremental_ingest(make_corpus: Callable[..., Path], tmp_path: Path) -> None:
    corpus = make_corpus({"lights.txt": LIGHTS, "bridges.md": BRIDGES, "notes/ferries.txt": "Ferries run late.\n"})
    bot = Assistant(Settings(corpus_dir=corpus, data_dir=tmp_path / "data"))

    first = bot.ingest(progress=False)
    assert sorted(first.files_indexed) == ["bridges.md", "lights.txt", "notes/ferries.txt"]
    assert first.files_unchanged == [] and first.files_removed == [] and first.skipped == {}
    assert first.ok and first.chunks >= 3
    assert sources_for(bot, "timber footbridges canal")[0] == "bridges.md"
    assert {d.source for d in bot.documents()} == {"bridges.md", "lights.txt", "notes/ferries.txt"}
    assert next(d for d in bot.documents() if d.source == "lights.txt").report_number == "GAO-24-900777"

    again = bot.ingest(progress=False)
    assert again.files_indexed == [] and again.files_removed == []
    assert sorted(again.files_unchanged) == sorted(first.files_indexed)

    (corpus / "lights.txt").write_text(LIGHTS.replace("granite coast", "basalt cliffs of the north"))
    (corpus / "bridges.md").unlink()
    changed = bot.ingest(progress=False)
    assert changed.files_indexed == ["lights.txt"]
    assert changed.files_removed == ["bridges.md"]
    assert changed.files_unchanged == ["notes/ferries.txt"]
    assert "bridges.md" not in sources_for(bot, "timber footbridges canal")
    assert {d.source for d in bot.documents()} == {"lights.txt", "notes/ferries.txt"}
    assert "basalt cliffs" in bot.source_text("lights.txt") and "granite" not in bot.source_text("lights.txt")
    reply = bot.ask("How many lighthouses does the district keep?")
    # an answer drawn from one report among several names it first
    assert reply.answer.startswith("In GAO-24-900777: "), reply.answer
    assert reply.answer.removeprefix("In GAO-24-900777: ").lower().startswith("twelve"), reply.answer
    assert reply.citations and reply.citations[0].source == "lights.txt"
    assert "basalt cliffs" in reply.citations[0].quote

    assert bot.search("basalt cliffs", k=2, sources=["notes/ferries.txt"])[0].chunk.source == "notes/ferries.txt"


def test_sentence_vector_cache_stays_bounded_and_answers_do_not_change(
    bot: Assistant, check_reply: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.answering as answering

    questions = [
        "How many recommendations did GAO make?",
        "Did DOD concur with the recommendations?",
        "What challenges does DOD face in sharing information with allies?",
    ]
    before = [bot.ask(q).answer for q in questions]
    full = len(bot.answerer._vectors)  # type: ignore[attr-defined]
    monkeypatch.setattr(answering, "VECTOR_CACHE_MAX", 10)
    bot.answerer._vectors, bot.answerer._fetched = {}, set()  # type: ignore[attr-defined]
    after = [ask(bot, check_reply, q).answer for q in questions]
    assert after == before
    assert full > 10, "the corpus should have more sentence vectors than the tiny limit"
    assert len(bot.answerer._vectors) < full  # type: ignore[attr-defined]


def test_every_reply_traces_its_stages(bot: Assistant) -> None:
    reply = bot.ask("How many recommendations did GAO make?")
    assert reply.trace["analysis"]["answer_type"] == "count"
    assert reply.trace["answer"]["kind"] in ("sentences", "table") and not reply.trace["answer"]["abstained"]
    assert set(reply.trace["route"]) == {"sources", "via"}
    # a follow-up with too few words of its own carries the question it is about, shown but never parsed back
    history = [
        {"role": "user", "content": "What risk has Space Force not addressed?"},
        {"role": "assistant", "content": reply.answer},
    ]
    why = bot.ask("Why does that matter?", history=history)
    assert why.standalone_question == "Why does that matter? (about: What risk has Space Force not addressed?)"
    assert why.trace["analysis"]["answer_type"] == "reason"
