"""The feedback log: one JSON line per rating, safe under concurrent sessions."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from ui.feedback import FeedbackLog

REPLY = {
    "answer": "Three. [1]",
    "citations": [{"n": 1, "source": "a.txt", "quote": "Three."}],
    "abstained": False,
    "standalone_question": "How many?",
    "notice": "",
}


def test_record_writes_question_answer_citations_and_time(tmp_path):
    log = FeedbackLog(tmp_path / "nested" / "feedback.jsonl")
    log.record("How many?", REPLY, liked=False, session="s1")
    (entry,) = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert entry["rating"] == "down" and entry["question"] == "How many?" and entry["answer"] == "Three. [1]"
    assert entry["citations"][0]["quote"] == "Three." and entry["session"] == "s1" and "T" in entry["time"]


def test_concurrent_records_do_not_interleave(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: log.record(f"q{i} " + "x" * 5000, REPLY, liked=i % 2 == 0), range(200)))
    entries = log.read()
    assert len(entries) == 200 and {e["rating"] for e in entries} == {"up", "down"}


def test_read_skips_a_torn_last_line(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("q", REPLY, liked=True)
    with log.path.open("a") as f:
        f.write('{"time": "2025')
    assert len(log.read()) == 1
    assert FeedbackLog(tmp_path / "missing.jsonl").read() == []


# -- hardening: one vote per turn, capped fields, retention, no forged lines (findings 4 and 5) ----------------


def test_voting_twenty_times_on_a_huge_turn_keeps_one_small_entry(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    huge = {**REPLY, "answer": "A" * 1_000_000, "citations": [{"n": i, "quote": "q" * 100_000} for i in range(200)]}
    for i in range(20):
        log.record("Q" * 1_000_000, huge, liked=i % 2 == 0, session="s1", turn=0)
    (entry,) = log.read()
    assert entry["rating"] == "down"  # the latest vote wins (i = 19)
    assert log.path.stat().st_size < 100_000
    assert len(entry["question"]) <= 4000 and len(entry["answer"]) <= 4000 and len(entry["citations"]) <= 20
    assert all(len(c["quote"]) <= 1000 for c in entry["citations"])


def test_votes_on_other_turns_and_sessions_are_kept(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("q0", REPLY, liked=True, session="s1", turn=0)
    log.record("q1", REPLY, liked=True, session="s1", turn=1)
    log.record("q0", REPLY, liked=False, session="s2", turn=0)
    log.record("q0", REPLY, liked=False, session="s1", turn=0)
    assert sorted((e["session"], e["turn"], e["rating"]) for e in log.read()) == [
        ("s1", 0, "down"),
        ("s1", 1, "up"),
        ("s2", 0, "down"),
    ]


def test_line_separators_in_a_question_cannot_forge_entries(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    question = 'real question \u2028{}\u2028[1,2]\u2029 {"rating": "up"}\x85\x0b\x0c\r end'
    log.record(question, REPLY, liked=True, session="s1", turn=0)
    (entry,) = log.read()
    assert entry["question"] == question
    assert log.path.read_bytes().isascii() and log.path.read_bytes().count(b"\n") == 1


def test_ratings_older_than_the_retention_period_are_dropped(tmp_path):
    from datetime import UTC, datetime, timedelta

    clock = [datetime(2025, 1, 1, tzinfo=UTC)]
    log = FeedbackLog(tmp_path / "feedback.jsonl", retention_days=30, now=lambda: clock[0])
    log.record("old", REPLY, liked=True, session="s1", turn=0)
    clock[0] += timedelta(days=31)
    log.record("new", REPLY, liked=True, session="s2", turn=0)
    assert [e["question"] for e in log.read()] == ["new"]
    clock[0] += timedelta(days=31)
    log.prune()
    assert log.read() == []


def test_retention_zero_records_nothing(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl", retention_days=0)
    assert log.record("q", REPLY, liked=True) is None
    assert not log.path.exists()


def test_the_size_cap_drops_the_oldest_ratings(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl", max_bytes=20_000)
    for i in range(50):
        log.record(f"question {i} " + "x" * 1000, REPLY, liked=True, session="s", turn=i)
    entries = log.read()
    assert log.path.stat().st_size <= 20_000
    assert entries and entries[-1]["turn"] == 49 and entries[0]["turn"] > 0


def test_a_reason_and_comment_are_saved_with_the_vote_of_that_turn(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("First?", REPLY, liked=True, session="s1", turn=0)
    log.record("Second?", REPLY, liked=False, session="s1", turn=1)
    log.record("Other session", REPLY, liked=False, session="s2", turn=1)
    saved = log.annotate("s1", 1, "wrong source", "  The quote is from another table.  ")
    assert saved is not None and saved["question"] == "Second?"
    by_question = {e["question"]: e for e in log.read()}
    assert by_question["Second?"]["reason"] == "wrong source"
    assert by_question["Second?"]["comment"] == "The quote is from another table."
    assert by_question["Second?"]["rating"] == "down"  # the vote itself is kept
    assert "reason" not in by_question["First?"] and "reason" not in by_question["Other session"]


def test_a_reason_needs_a_vote_and_one_of_the_known_reasons(tmp_path):
    import pytest

    log = FeedbackLog(tmp_path / "feedback.jsonl")
    assert log.annotate("s1", 0, "wrong") is None  # nothing voted yet: nothing stored
    assert not log.path.exists()
    log.record("q", REPLY, liked=False, session="s1", turn=0)
    with pytest.raises(ValueError, match="reason must be one of"):
        log.annotate("s1", 0, "<script>")
    assert log.annotate("s1", 0, None, "x" * 5000)["comment"] == "x" * 999 + "…"  # capped
    assert log.read()[0]["reason"] is None
