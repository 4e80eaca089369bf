"""The HTTP API over a FakeAssistant: every endpoint, validation errors, auth on and off.

Fast (no model): the real Assistant is exercised by ``test_api_real.py`` and the e2e suite.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant import Settings
from ui.app import create_app
from ui.testing import FakeAssistant

QUESTION = "How many partner countries have data sharing agreements?"
LOCAL = "http://127.0.0.1"  # the Host allow-list admits loopback names only


@pytest.fixture(scope="module")
def fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture(scope="module")
def client(fake, tmp_path_factory) -> TestClient:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), auth=None, api_token=None)
    with TestClient(create_app(fake, settings), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def secured(tmp_path_factory) -> TestClient:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), auth="ana:pw-1,bo:p:w", api_token="tok-123")
    with TestClient(create_app(FakeAssistant(), settings), base_url=LOCAL) as c:
        yield c


# -- endpoints ------------------------------------------------------------------------------------------


def test_ask_returns_reply_dict_with_citations(client):
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"answer", "citations", "abstained", "standalone_question", "notice", "support"}
    assert body["abstained"] is False and "[1]" in body["answer"]
    (c,) = body["citations"]
    assert c["quote"] == "DOD has data sharing agreements with 33 partner countries."
    assert {"n", "source", "title", "section", "chunk_id", "char_start", "char_end", "page"} <= set(c)


def test_ask_passes_history_and_sources_through(client, fake):
    history = [
        {"role": "user", "content": "How many recommendations did GAO make?"},
        {"role": "assistant", "content": "Three. [1]"},
    ]
    r = client.post("/api/ask", json={"question": "and did DOD concur?", "history": history, "sources": ["space.txt"]})
    assert r.status_code == 200
    assert fake.calls[-1]["history"] == history and fake.calls[-1]["sources"] == ["space.txt"]
    assert r.json()["standalone_question"].startswith("How many recommendations")


def test_ask_abstains_without_support(client):
    body = client.post("/api/ask", json={"question": "purple elephants"}).json()
    assert body["abstained"] is True and body["citations"] == []


@pytest.mark.parametrize("question", ["<script>alert(1)</script>", "emoji 🚀 and עברית", "nul\x00 ctrl\x07"])
def test_ask_accepts_odd_but_valid_text(client, question):
    assert client.post("/api/ask", json={"question": question}).status_code == 200


def test_search_returns_ranked_chunks_with_metadata(client):
    r = client.post("/api/search", json={"query": "recommendations DOD", "k": 2, "source": "space.txt"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [h["rank"] for h in results] == [1, 2]
    assert {"text", "score", "chunk_id", "source", "title", "section", "char_start"} <= set(results[0])
    assert results[0]["score"] >= results[1]["score"]


def test_search_unknown_source_is_empty_not_an_error(client):
    r = client.post("/api/search", json={"query": "recommendations", "source": "nope.txt"})
    assert r.status_code == 200 and r.json()["results"] == []


def test_health_and_documents(client):
    health = client.get("/api/health").json()
    assert health["available"] is True
    assert {"documents", "chunks", "embedding_model", "store"} <= set(health)
    docs = client.get("/api/documents").json()
    assert docs[0]["source"] == "space.txt" and docs[0]["chunks"] == 3


def test_docs_and_chat_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/health"} <= set(paths)
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()


# -- the index is down ------------------------------------------------------------------------------------


def test_unavailable_index_is_reported_not_crashed(tmp_path):
    with TestClient(create_app(FakeAssistant(available=False), Settings(data_dir=tmp_path)), base_url=LOCAL) as c:
        ask = c.post("/api/ask", json={"question": QUESTION})
        assert ask.status_code == 200 and ask.json()["notice"] == "index_unavailable"
        search = c.post("/api/search", json={"query": "x"})
        assert search.status_code == 503 and "unavailable" in search.json()["detail"]
        health = c.get("/api/health")
        assert health.status_code == 503 and health.json()["available"] is False


# -- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "question", "Field required"),
        ({"question": ""}, "question", "must not be empty"),
        ({"question": "   \n"}, "question", "must not be empty"),
        ({"question": 42}, "question", "valid string"),
        ({"question": "x" * 20_001}, "question", "at most 20000 characters"),
        ({"question": "ok", "history": [{"role": "system", "content": "x"}]}, "history.0.role", "'user'"),
        ({"question": "ok", "history": [{"role": "user"}]}, "history.0.content", "Field required"),
        ({"question": "ok", "history": [{"role": "user", "content": "x"}] * 101}, "history", "at most 100"),
        ({"question": "ok", "colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_ask_validation_errors_are_clear_422s(client, body, field, words):
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422
    detail = r.json()
    assert detail["detail"].startswith("Invalid request:")
    assert any(e["field"] == field and words in e["problem"] for e in detail["errors"]), detail
    assert "x" * 1000 not in r.text  # oversized input is not echoed back


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "k": 51}, "k"),
        ({"query": "x", "k": "many"}, "k"),
        ({"query": ""}, "query"),
        ({"query": "x", "source": "s" * 501}, "source"),
    ],
)
def test_search_validation_errors(client, body, field):
    r = client.post("/api/search", json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("raw", [b"{bad json", b"", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_is_a_422(client, raw):
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"].startswith("Invalid request")


def test_oversized_body_is_a_413(client):
    big = b'{"question": "' + b"x" * 1_200_000 + b'"}'
    r = client.post("/api/ask", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]


def test_oversized_chunked_body_is_a_413(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(30):
            yield b"x" * 50_000
        yield b'"}'

    r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_wrong_method_and_unknown_route(client):
    r = client.get("/api/ask")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and "/docs" in r.json()["detail"]
    r = client.post("/api/nope", json={})
    assert r.status_code == 404 and "No API endpoint" in r.json()["detail"]


# -- auth ---------------------------------------------------------------------------------------------------


def test_auth_off_needs_no_credentials(client):
    assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize("path", ["/api/health", "/api/documents"])
def test_auth_on_rejects_anonymous_with_a_clear_message(secured, path):
    r = secured.get(path)
    assert r.status_code == 401
    assert "ASSISTANT_AUTH" in r.json()["detail"] and r.headers["www-authenticate"].startswith("Basic")


def test_auth_on_rejects_anonymous_ask_before_validating(secured):
    assert secured.post("/api/ask", json={"question": QUESTION}).status_code == 401


@pytest.mark.parametrize(
    "kwargs",
    [
        {"auth": ("ana", "wrong")},
        {"auth": ("nobody", "pw-1")},
        {"headers": {"Authorization": "Bearer wrong"}},
        {"headers": {"Authorization": "Basic !!!not-base64"}},
        {"headers": {"Authorization": "Token tok-123"}},
    ],
)
def test_auth_on_rejects_bad_credentials(secured, kwargs):
    assert secured.get("/api/health", **kwargs).status_code == 401


@pytest.mark.parametrize(
    "kwargs",
    [{"auth": ("ana", "pw-1")}, {"auth": ("bo", "p:w")}, {"headers": {"Authorization": "Bearer tok-123"}}],
)
def test_auth_on_accepts_basic_or_bearer(secured, kwargs):
    assert secured.post("/api/ask", json={"question": QUESTION}, **kwargs).status_code == 200


def test_auth_on_protects_the_chat_ui(secured):
    assert secured.get("/config").status_code == 401
    assert secured.post("/login", data={"username": "ana", "password": "wrong"}).status_code == 400
    assert secured.post("/login", data={"username": "ana", "password": "pw-1"}).status_code == 200
    assert secured.get("/config").status_code == 200
    secured.cookies.clear()


def test_openapi_declares_both_schemes_when_auth_is_on(secured):
    schemes = secured.get("/openapi.json").json()["components"]["securitySchemes"]
    assert set(schemes) == {"HTTPBasic", "HTTPBearer"}


# -- hardening: bodies that are not UTF-8 JSON of a sane depth are 422, not 400 (finding 13) ------------------


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"question": "\xff\xfe"}', "not valid UTF-8"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"question": "ok", "history": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested deeper than 32"),
        (b"[" * 100_000, "nested deeper than 32"),
    ],
)
def test_bodies_that_are_not_json_are_422_with_a_reason(client, raw, problem):
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and problem in r.json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    r = client.post("/api/ask", json={"question": "[" * 5000 + " what? " + "{" * 5000})
    assert r.status_code == 200
