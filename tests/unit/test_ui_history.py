"""Conversations kept in the browser: per login, capped, and checked again when the browser sends them back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ui import history

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def turn(question: str, answer: str = "Three [1].", quote: str = "GAO is making three recommendations.") -> dict:
    citation = {"n": 1, "source": "a.txt", "title": "Roads", "section": "Findings", "quote": quote, "page": 4}
    return {"question": question, "reply": {"answer": answer, "citations": [citation], "abstained": False}}


def test_a_saved_conversation_comes_back_for_its_login_only():
    stored = history.save({}, "ana", "c1", [turn("How many?"), turn("Did DOD concur?")], NOW)
    assert "ana" not in json.dumps(stored)  # the login is stored as a hash
    conversation_id, turns = history.restore(stored, "ana")
    assert conversation_id == "c1" and [t["question"] for t in turns] == ["How many?", "Did DOD concur?"]
    assert turns[0]["owner"] == "ana" and turns[0]["reply"]["citations"][0]["page"] == 4
    assert history.restore(stored, "bo") == (None, [])
    assert history.restore(stored, "") == (None, [])
    assert history.choices(stored, "ana") == [("2026-12-02 09:30 · How many?", "c1")]


def test_another_login_saving_replaces_the_blob():
    stored = history.save({}, "ana", "c1", [turn("Ana's question")], NOW)
    stored = history.save(stored, "bo", "c2", [turn("Bo's question")], NOW)
    assert history.conversations_of(stored, "ana") == []
    assert [c["title"] for c in history.conversations_of(stored, "bo")] == ["Bo's question"]


def test_the_latest_conversation_comes_first_and_keeps_its_start_time():
    stored = history.save({}, "", "c1", [turn("First")], NOW)
    stored = history.save(stored, "", "c2", [turn("Second")], NOW.replace(hour=10))
    stored = history.save(stored, "", "c1", [turn("First"), turn("Again")], NOW.replace(hour=11))
    assert [c["id"] for c in history.conversations_of(stored, "")] == ["c1", "c2"]
    assert history.conversations_of(stored, "")[0]["started"] == "2026-12-02 09:30"
    assert history.restore(stored, "", "c2")[1][0]["question"] == "Second"


def test_the_blob_stays_under_its_size_cap():
    big = turn("Q " + "x" * 5000, answer="A " + "y" * 20_000, quote="z" * 5000)
    stored: dict = {}
    for i in range(40):
        stored = history.save(stored, "ana", f"c{i}", [big] * 50, NOW)
    assert history.size_of(stored) <= history.MAX_STORED_BYTES < 400_000
    conversations = history.conversations_of(stored, "ana")
    assert conversations and conversations[0]["id"] == "c39"  # the newest is kept
    kept = conversations[0]["turns"][0]
    assert len(kept["question"]) == history.MAX_QUESTION_CHARS and kept["question"].endswith("…")
    assert len(kept["reply"]["answer"]) == history.MAX_ANSWER_CHARS


def test_whatever_the_browser_sends_back_is_checked():
    owner = history.owner_key("ana")
    junk_values = (None, "text", 3, [], {"owner": owner, "conversations": "no"}, {"owner": owner, "conversations": 7})
    for junk in (*junk_values, {"owner": owner, "conversations": [{"id": "c", "turns": 5}]}):
        assert history.restore(junk, "ana") == (None, [])
    stored = {
        "owner": owner,
        "conversations": [
            {"id": 5, "turns": [turn("bad id")]},
            {"id": "c1", "turns": ["text", {"question": 3}, {"question": "Kept?", "reply": {"citations": 9}}]},
            "junk",
        ],
    }
    conversation_id, turns = history.restore(stored, "ana")
    assert conversation_id == "c1" and len(turns) == 1
    assert turns[0]["question"] == "Kept?" and turns[0]["reply"]["answer"] == "" and turns[0]["owner"] == "ana"


def test_clearing_every_turn_removes_the_conversation():
    stored = history.save({}, "", "c1", [turn("First")], NOW)
    assert history.conversations_of(history.save(stored, "", "c1", [], NOW), "") == []
