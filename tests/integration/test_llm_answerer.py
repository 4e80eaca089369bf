"""The optional LLM answerer against a FAKE Ollama / OpenAI-compatible server (a real HTTP server on
loopback that plays the model: we cannot run an LLM here). The retrieval, index and citations are real."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assistant import Assistant
from assistant.llm import SYSTEM_PROMPT

pytestmark = pytest.mark.integration


class FakeModel:
    """Answers like an obedient model: quotes the first passage containing ``keyword`` and cites it."""

    def __init__(self) -> None:
        self.keyword = "concurred"
        self.mode = "answer"  # or "sentinel", "uncited", "error"
        self.requests: list[dict[str, Any]] = []

    def reply(self, messages: list[dict[str, str]]) -> str:
        user = messages[-1]["content"]
        if self.mode == "sentinel":
            return "The report does not say."
        if self.mode == "uncited":
            return "DOD agreed with everything and the moon is made of cheese."
        for number, text in re.findall(r"^\[(\d+)\] (.+)$", user, re.MULTILINE):
            if self.keyword in text:
                return f"No. {text} [{number}] Extra claim without a marker."
        return "The report does not say."


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[tuple[str, FakeModel]]:
    model = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if model.mode == "error":
                self.send_response(500)
                self.end_headers()
                return
            content = model.reply(body["messages"])
            if self.path == "/api/chat":
                payload: dict[str, Any] = {"message": {"role": "assistant", "content": content}}
            else:
                payload = {"choices": [{"message": {"role": "assistant", "content": content}}]}
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", model
    server.shutdown()


def _bot(session: Assistant, **llm: Any) -> Assistant:
    settings = session.settings.model_copy(update=llm)
    return Assistant(settings, index=session.index)


def _check_verbatim(bot: Assistant, reply: Any) -> None:
    for c in reply.citations:
        assert bot.source_text(c.source)[c.char_start : c.char_end] == c.quote


def test_ollama_answer_keeps_only_cited_sentences(assistant_session: Assistant, fake_llm: Any) -> None:
    url, model = fake_llm
    model.mode, model.requests = "answer", []
    bot = _bot(assistant_session, llm="ollama", llm_url=url, llm_model="fake")
    reply = bot.ask("Did DOD agree with all of GAO's recommendations?")
    assert model.requests and model.requests[0]["path"] == "/api/chat"
    sent = model.requests[0]["body"]
    assert sent["model"] == "fake" and sent["messages"][0]["content"] == SYSTEM_PROMPT
    assert not reply.abstained
    assert "concurred" in reply.answer and "Extra claim" not in reply.answer  # the uncited sentence is dropped
    assert reply.citations and all("concur" in c.quote for c in reply.citations)
    _check_verbatim(bot, reply)


def test_openai_compatible_server_with_key(assistant_session: Assistant, fake_llm: Any) -> None:
    url, model = fake_llm
    model.mode, model.requests = "answer", []
    bot = _bot(assistant_session, llm="openai", llm_url=url, llm_model="fake", llm_api_key="secret-key")
    reply = bot.ask("Did DOD agree with all of GAO's recommendations?")
    assert model.requests[0]["path"] == "/v1/chat/completions"
    assert model.requests[0]["auth"] == "Bearer secret-key"
    assert reply.citations and not reply.abstained
    _check_verbatim(bot, reply)


def test_sentinel_means_abstain(assistant_session: Assistant, fake_llm: Any) -> None:
    url, model = fake_llm
    model.mode = "sentinel"
    # (overviews such as "What did GAO recommend?" come from the report's own summary page, without the model)
    question = "What challenges does DOD face in sharing information with allies?"
    reply = _bot(assistant_session, llm="ollama", llm_url=url).ask(question)
    assert reply.abstained and not reply.citations
    assert reply.answer.startswith("The report does not say")


@pytest.mark.parametrize("mode", ["uncited", "error"])
def test_bad_or_failing_model_falls_back_to_extractive(assistant_session: Assistant, fake_llm: Any, mode: str) -> None:
    url, model = fake_llm
    model.mode = mode
    bot = _bot(assistant_session, llm="ollama", llm_url=url, llm_timeout=5)
    reply = bot.ask("What did GAO recommend?")
    expected = assistant_session.ask("What did GAO recommend?")
    assert reply.answer == expected.answer and reply.citations == expected.citations
    assert "cheese" not in reply.answer


def test_unreachable_llm_falls_back(assistant_session: Assistant) -> None:
    bot = _bot(assistant_session, llm="ollama", llm_url="http://127.0.0.1:9", llm_timeout=2)
    reply = bot.ask("How many recommendations does GAO make?")
    assert not reply.abstained and reply.citations


def test_table_questions_never_go_to_the_llm(assistant_session: Assistant, fake_llm: Any) -> None:
    url, model = fake_llm
    model.mode, model.requests = "uncited", []
    reply = _bot(assistant_session, llm="ollama", llm_url=url).ask("Does Japan take part in OOD?")
    assert not model.requests
    assert reply.answer.startswith("No")
