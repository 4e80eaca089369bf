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
