"""Fuzzing the HTTP API and the chat's event routes of a real server: no 5xx, no traceback, no stray files."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import assert_server_clean, budget, tried
from hypothesis import given
from hypothesis import strategies as st
from strategies import ask_body, event_data, history, json_values, search_body, session_hash, text

pytestmark = [pytest.mark.fuzz, pytest.mark.e2e]

ACCEPTABLE = {200, 401, 403, 404, 405, 413, 422, 429}  # 403: /upload-report from another origin


@pytest.fixture(scope="module")
def http(fuzz_server):
    with httpx.Client(base_url=fuzz_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def events(http) -> list[dict[str, Any]]:
    """The chat's events from /config: id, API name and the type of each input."""
    config = http.get("/config").json()
    types = {c["id"]: c.get("type", "") for c in config["components"]}
    return [
        {"id": d["id"], "api_name": d.get("api_name"), "inputs": [types.get(i, "") for i in d["inputs"]]}
        for d in config["dependencies"]
    ]


def value_for(kind: str) -> st.SearchStrategy[Any]:
    """Values of the right type for a component (and now and then of a wrong one)."""
    typed = {
        "textbox": text,
        "checkboxgroup": st.lists(st.sampled_from(["space.txt", "nope.txt"]) | text, max_size=3),
        # the report filter chips (a multiselect) and the report reader (one choice)
        "dropdown": st.none()
        | st.sampled_from(["space.txt", "nope.txt"])
        | st.lists(st.sampled_from(["space.txt", "nope.txt"]) | text, max_size=3)
        | text,
        "radio": st.none() | st.integers(-1, 5) | text,
        "state": st.none(),
        "browserstate": json_values,  # the conversations kept in the browser: whatever the client sends
        "button": text,  # a suggested follow-up sends its label
    }.get(kind, json_values)
    return st.one_of(typed, typed, typed, json_values)


@st.composite
def chat_event(draw, events) -> dict[str, Any]:
    event = draw(st.sampled_from(events))
    fn_index = draw(st.sampled_from([event["id"]] * 4 + [999, -1, 10**12]) | json_values)
    data = draw(st.tuples(*[value_for(kind) for kind in event["inputs"]]).map(list) | st.lists(json_values, max_size=4))
    body = {"data": data, "fn_index": fn_index, "session_hash": draw(session_hash), "event_data": draw(event_data)}
    extra = draw(st.dictionaries(st.sampled_from(["trigger_id", "batched", "simple_format", "x"]), json_values))
    shape = draw(st.sampled_from(["event", "event", "event", "list", "null", "number"]))
    return {"event": {**extra, **body}, "list": [body], "null": None, "number": 1}[shape]


def check(response: httpx.Response) -> None:
    assert response.status_code in ACCEPTABLE, (response.status_code, response.text[:500])


@budget(400)
@given(body=ask_body)
def test_fuzz_api_ask_bodies(http, fuzz_server, body):
    tried("api bodies")
    check(http.post("/api/ask", json=body))


@budget(250)
@given(body=search_body)
def test_fuzz_api_search_bodies(http, body):
    tried("api bodies")
    check(http.post("/api/search", json=body))


@budget(300)
@given(raw=st.binary(max_size=3000) | st.just(b"[" * 3000) | st.just(b"x" * 1_000_001))
def test_fuzz_raw_bytes_to_every_post_route(http, raw):
    tried("raw bodies")
    for path in (
        "/api/ask",
        "/api/search",
        "/gradio_api/queue/join",
        "/gradio_api/call/ask",
        "/login",
        "/upload-report",
    ):
        check(http.post(path, content=raw, headers={"content-type": "application/json"}))


@budget(300)
@given(question=text, turns=history)
def test_fuzz_questions_and_histories(http, question, turns):
    tried("questions+histories")
    response = http.post("/api/ask", json={"question": question, "history": turns})
    check(response)
    if response.status_code == 200:
        assert isinstance(response.json()["answer"], str)


@budget(800)
@given(data=st.data())
def test_fuzz_chat_events(http, events, data):
    tried("chat events")
    check(http.post("/gradio_api/queue/join", json=data.draw(chat_event(events))))


@budget(200)
@given(name=st.sampled_from(["ask", "select_citation", "clear", "documents", "rate", "nope"]) | text, body=json_values)
def test_fuzz_named_chat_endpoints(http, name, body):
    tried("chat events")
    for route in ("call", "call/v2", "run"):
        check(http.post(f"/gradio_api/{route}/{quote(name, safe='')}", json=body))


def test_after_fuzzing_the_server_logged_no_traceback_and_wrote_nothing_outside_its_data_dir(fuzz_server, http):
    time.sleep(2)  # let queued events finish
    assert http.get("/api/health").status_code == 200
    assert_server_clean(fuzz_server)
