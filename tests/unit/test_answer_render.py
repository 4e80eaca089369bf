"""Rendering an answer: [n] markers before each sentence's final punctuation, citations numbered once, and the
JSON views of replies and hits."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from assistant.answering import Draft, abstain
from assistant.table_answers import NOT_IN_REPORT
from assistant.types import Chunk, Citation, Hit, IngestReport, Reply, hit_to_dict

SOURCE = "Ferries run at night. Crews are short. The board agreed."


def cite(quote: str, source: str = "ferry.txt") -> Citation:
    start = SOURCE.index(quote)
    return Citation(0, source, "Ferry Audit", "Findings", quote, "cid", start, start + len(quote))


def test_markers_go_before_the_final_punctuation() -> None:
    draft = Draft([("Yes — Ferries run at night.", [cite("Ferries run at night.")]), ("Crews are short!", [])])
    answer, citations = draft.render()
    assert answer == "Yes — Ferries run at night [1]. Crews are short!"
    assert [c.n for c in citations] == [1]


def test_marker_before_closing_quote_and_when_no_punctuation() -> None:
    answer, _ = Draft(
        [("He said “run.”", [cite("Crews are short.")]), ("No stop", [cite("The board agreed.")])]
    ).render()
    assert answer == "He said “run [1].” No stop [2]"


def test_the_same_quote_is_numbered_once() -> None:
    same = cite("Crews are short.")
    draft = Draft([("A.", [same]), ("B.", [same, cite("The board agreed.")]), ("C.", [cite("Crews are short.")])])
    answer, citations = draft.render()
    assert answer == "A [1]. B [1][2]. C [1]."
    assert [(c.n, c.quote) for c in citations] == [(1, "Crews are short."), (2, "The board agreed.")]


def test_same_span_in_another_source_is_another_citation() -> None:
    draft = Draft([("A.", [cite("Crews are short."), cite("Crews are short.", source="other.txt")])])
    _, citations = draft.render()
    assert [(c.n, c.source) for c in citations] == [(1, "ferry.txt"), (2, "other.txt")]


def test_rendering_keeps_the_citation_offsets() -> None:
    original = cite("The board agreed.")
    _, (rendered,) = Draft([("A.", [original])]).render()
    assert SOURCE[rendered.char_start : rendered.char_end] == rendered.quote == original.quote
    assert original.n == 0  # the input is not mutated


def test_abstain_draft() -> None:
    draft = abstain(f"{NOT_IN_REPORT} anything about ferries.", support=0.12)
    answer, citations = draft.render()
    assert draft.abstained and draft.support == 0.12
    assert answer.startswith(NOT_IN_REPORT) and citations == []


def test_reply_to_dict_is_json_with_the_documented_keys() -> None:
    chunk = Chunk("cid", "Crews are short.", "ferry.txt", "Ferry Audit", "Findings", 22, 38, "text")
    reply = Reply(
        answer="Crews are short [1].",
        citations=[Citation(1, "ferry.txt", "Ferry Audit", "Findings", "Crews are short.", "cid", 22, 38)],
        standalone_question="Are crews short?",
        support=0.123456,
        hits=[Hit(chunk, 0.5, 1, None, 0.8)],
    )
    data = json.loads(json.dumps(reply.to_dict()))
    assert set(data) == {"answer", "citations", "abstained", "standalone_question", "notice", "support"}
    assert data["support"] == 0.1235
    assert set(data["citations"][0]) == {f.name for f in fields(Citation)}
    with_hits = json.loads(json.dumps(reply.to_dict(include_hits=True)))
    assert with_hits["hits"][0]["text"] == "Crews are short." and with_hits["hits"][0]["dense_rank"] == 1


def test_hit_to_dict_is_flat_and_has_no_table_json() -> None:
    chunk = Chunk("t", "table", "ferry.txt", "Ferry Audit", "Findings", 0, 5, "table", table_json='{"x": 1}')
    data = hit_to_dict(Hit(chunk, 0.25, None, 3))
    assert "table_json" not in data and data["kind"] == "table" and data["lexical_rank"] == 3
    assert "page" not in data  # None values are left out of chunk metadata
    json.dumps(data)


def test_ingest_report_ok_only_when_something_is_indexed() -> None:
    assert not IngestReport(skipped={"a.txt": "the file is empty"}).ok
    assert IngestReport(files_unchanged=["b.txt"], chunks=3).ok


class _Source:
    def source_text(self, source: str) -> str:
        return SOURCE


def _reply(answer: str, *quotes: str, abstained: bool = False, shift: int = 0) -> Reply:
    citations = []
    for n, quote in enumerate(quotes, 1):
        start = SOURCE.index(quote) + shift
        citations.append(Citation(n, "ferry.txt", "Ferry Audit", "Findings", quote, "cid", start, start + len(quote)))
    return Reply(answer, citations, abstained=abstained)


def test_the_shared_citation_check_accepts_sound_replies(check_reply) -> None:
    check_reply(
        _Source(), _reply("Yes — Crews are short [1]. The board agreed [2].", "Crews are short.", "The board agreed.")
    )
    check_reply(_Source(), _reply(f"{NOT_IN_REPORT} anything about that.", abstained=True))


@pytest.mark.parametrize(
    "reply",
    [
        _reply("Crews are short [1].", "Crews are short.", shift=1),  # offsets do not match the quote
        _reply("Crews are short [1]. The board agreed.", "Crews are short."),  # a sentence without a marker
        _reply("Crews are short [2].", "Crews are short."),  # a marker without a citation
        _reply("Crews are short.", "Crews are short."),  # a citation never referred to
        _reply("Crews are short.", abstained=False),  # an answer without citations
        _reply(f"{NOT_IN_REPORT} [1].", "Crews are short.", abstained=True),  # an abstention with citations
        _reply("I do not know.", abstained=True),  # an abstention in other words
    ],
)
def test_the_shared_citation_check_rejects_unsound_replies(check_reply, reply: Reply) -> None:
    with pytest.raises(AssertionError):
        check_reply(_Source(), reply)
