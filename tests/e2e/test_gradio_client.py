"""``gradio_client`` against the real server: a question, a follow-up, and sessions that stay apart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client

pytestmark = pytest.mark.e2e


def client(server) -> Client:
    return Client(server.url + "/", verbose=False, download_files=False)


def texts(chat: list[dict]) -> list[str]:
    """The text of each Chatbot message, in order."""
    return [" ".join(part.get("text", "") for part in m["content"]) for m in chat]


def ask(c: Client, question: str) -> tuple[list[dict], str]:
    _, chat, sources_html, _, _ = c.predict(question, api_name="/ask")
    return chat, sources_html


def test_question_then_follow_up_in_one_session(server):
    c = client(server)
    chat, sources = ask(c, "How many recommendations did GAO make to DOD?")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "recommendation" in texts(chat)[1].lower() and "cite" in texts(chat)[1]
    assert "<mark>" in sources and "What GAO Recommends" in sources

    chat, _ = ask(c, "Did DOD concur with them?")
    assert [m["role"] for m in chat] == ["user", "assistant"] * 2
    assert "concur" in texts(chat)[3].lower()

    # Selecting a citation re-renders the sources panel with that card selected.
    assert 'class="source-card selected" data-n="1"' in c.predict(1, api_name="/select_citation")


def test_two_sessions_keep_their_histories_apart(server):
    a, b = client(server), client(server)
    ask(a, "How many recommendations did GAO make to DOD?")
    chat_b, _ = ask(b, "Which countries take part in Operation Olympic Defender?")
    chat_a, _ = ask(a, "Did DOD concur with them?")
    assert len(chat_a) == 4 and len(chat_b) == 2
    assert not any("Olympic" in t for t in texts(chat_a))
    assert not any("recommendations did GAO" in t for t in texts(chat_b))
    # Clearing one session leaves the other alone.
    a.predict(api_name="/clear")
    chat_b, _ = ask(b, "Which of them has personnel exchanges?")
    assert len(chat_b) == 4


def test_many_concurrent_sessions_get_their_own_answers(server):
    questions = [
        "How many recommendations did GAO make to DOD?",
        "Which countries take part in Operation Olympic Defender?",
        "How many partner countries have data sharing agreements with U.S. Space Command?",
        "What is the capital of France?",
    ] * 2

    def run(question: str) -> list[str]:
        c = client(server)
        ask(c, question)
        second, _ = ask(c, "Tell me more.")
        return texts(second)

    with ThreadPoolExecutor(len(questions)) as pool:
        results = list(pool.map(run, questions))
    for question, chat in zip(questions, results, strict=True):
        assert len(chat) == 4
        assert chat[0] == question  # each session sees only its own first question
