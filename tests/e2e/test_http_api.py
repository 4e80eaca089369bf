"""The HTTP API of the real server over real HTTP (the fast, fake-backed tests are in tests/integration)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_health_reports_the_real_index(server):
    health = httpx.get(f"{server.url}/api/health").json()
    assert health["available"] is True and health["chunks"] > 0
    assert health["documents"] == len(list(server.corpus_dir.iterdir()))  # the GAO report, the zebra audit, the PDF
    assert health["embedding_model"].endswith("all-MiniLM-L6-v2") and health["store"] == "embedded"


def test_ask_returns_a_cited_answer_whose_quotes_are_in_the_source(server):
    r = httpx.post(f"{server.url}/api/ask", json={"question": "How many recommendations did GAO make?"})
    assert r.status_code == 200
    reply = r.json()
    assert not reply["abstained"] and reply["citations"]
    text = (server.corpus_dir / "GAO-25-108043.txt").read_text(encoding="utf-8")
    for c in reply["citations"]:
        assert f"[{c['n']}]" in reply["answer"]
        assert c["quote"] in text


def test_ask_follow_up_with_history(server):
    history = [
        {"role": "user", "content": "How many recommendations did GAO make?"},
        {"role": "assistant", "content": "GAO is making three recommendations [1]."},
    ]
    r = httpx.post(f"{server.url}/api/ask", json={"question": "Did DOD concur?", "history": history})
    assert r.status_code == 200 and "concur" in r.json()["answer"].lower()


def test_search_filters_by_source(server):
    r = httpx.post(
        f"{server.url}/api/search", json={"query": "zebra crossing paint", "k": 3, "source": "zebra-audit.md"}
    )
    results = r.json()["results"]
    assert r.status_code == 200 and results and {h["source"] for h in results} == {"zebra-audit.md"}


def test_bad_requests_are_4xx(server):
    assert (
        httpx.post(f"{server.url}/api/ask", content=b"{", headers={"content-type": "application/json"}).status_code
        == 422
    )
    assert httpx.post(f"{server.url}/api/ask", json={"question": "x" * 100_000}).status_code == 422
    assert httpx.post(f"{server.url}/api/search", json={"query": "x", "k": 1000}).status_code == 422


def test_concurrent_api_clients_all_succeed(server):
    def one(i: int) -> int:
        return httpx.post(
            f"{server.url}/api/ask", json={"question": "Which countries have personnel exchanges?"}, timeout=60
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        assert set(pool.map(one, range(40))) == {200}
