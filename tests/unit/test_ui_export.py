"""The Markdown export: escaped so no viewer runs or fetches anything (finding 12), and made on request only
(finding 3: never written to disk, bound to the session and the login, forgotten with the session)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from markdown_it import MarkdownIt

from ui import render
from ui.exports import ExportLinks, export_filename, link_html

# Our own payloads: each would run script, fetch a remote resource or link to javascript: if left verbatim.
PAYLOADS = [
    "<script>alert('q')</script>",
    '<img src=x onerror="alert(1)">',
    "![pixel](https://tracker.example/pixel.png?u=1)",
    "[click me](javascript:alert(document.cookie))",
    "[ref link][evil]\n\n[evil]: javascript:alert(2)",
    "<javascript:alert(3)>",
    "<a href='javascript:alert(4)'>x</a>",
    "[x](<javascript:alert(5)>)",
    "&lt;script&gt;alert(6)&lt;/script&gt;",
    "`code` and \\[escaped\\](javascript:alert(7))",
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(8)>",
]


def turns_with(payload: str) -> list[dict]:
    citation = {"n": 1, "source": "a.txt", "title": payload, "section": payload, "quote": payload, "page": 2}
    reply = {"answer": f"{payload} [1]", "citations": [citation], "abstained": False, "standalone_question": payload}
    return [{"question": f"Q {payload}", "reply": reply}]


def rendered(markdown: str) -> str:
    """The export as a Markdown viewer shows it: CommonMark with raw HTML allowed, plus bare-URL links."""
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).render(markdown)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_export_renders_no_markup_from_questions_or_reports(payload):
    page = rendered(render.conversation_markdown(turns_with(payload)))
    assert not re.search(r"<(script|img|iframe|svg|a)\b", page, re.IGNORECASE), page
    assert "javascript:" not in " ".join(re.findall(r'(?:href|src)="[^"]*"', page))
    assert "onerror=" not in re.sub(r"&[a-z]+;|&#\d+;", "", "".join(re.findall(r"<[^>]+>", page)))


def test_the_export_still_reads_as_the_original_text():
    text = "Is [the plan](javascript:x) <b>due</b> & ready?"
    page = rendered(render.conversation_markdown(turns_with(text)))
    visible = re.sub(r"<[^>]+>", "", page).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert "Is [the plan](javascript:x) <b>due</b> & ready?" in visible.replace("&quot;", '"')


def test_an_export_link_is_bound_to_its_session_and_user():
    links = ExportLinks()
    turns = turns_with("q")
    token = links.offer("session-a", "ana", turns)
    assert links.offer("session-a", "ana", turns) == token  # one link per session
    assert links.turns(token, "ana") is turns
    assert links.turns(token, "bo") is None and links.turns(token, "") is None
    assert links.offer("session-a", "bo", turns) != token  # another login on the same session: a new link
    assert links.turns(token, "ana") is None


def test_an_export_link_is_forgotten_with_its_session_or_after_the_ttl():
    clock = [0.0]
    links = ExportLinks(ttl=60, clock=lambda: clock[0])
    token = links.offer("s", "", turns_with("q"))
    links.forget("s")
    assert links.turns(token, "") is None and len(links) == 0
    token = links.offer("s", "", turns_with("q"))
    clock[0] = 61
    assert links.turns(token, "") is None and len(links) == 0


def test_the_export_control_is_a_plain_download_link():
    assert 'href="export/abc"' in link_html("abc") and " download>" in link_html("abc")  # name from the response
    assert "href" not in link_html(None)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much is GAO requesting?", "2026-12-02-how-much-is-gao-requesting.md"),
        (
            "  Does DOD   concur with the 3 recommendations in GAO-25-108043? ",
            "2026-12-02-does-dod-concur-with-the-3.md",
        ),
        ("Qu'est-ce que l'énergie ?", "2026-12-02-qu-est-ce-que-l-energie.md"),
        ('<script>alert("x")</script>', "2026-12-02-script-alert-x-script.md"),
        ("\u0645\u0627 \u0647\u0648 ؟", "2026-12-02-conversation.md"),
        ("", "2026-12-02-conversation.md"),
    ],
)
def test_the_export_is_named_after_the_date_and_the_first_question(question, expected):
    turns = [{"question": question, "reply": {}}, {"question": "A later question", "reply": {}}]
    assert export_filename(turns, date(2026, 12, 2)) == expected


def test_an_export_is_named_in_its_download_response():
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from ui.exports import export_router

    exports = ExportLinks()
    token = exports.offer("s", "", [{"question": "How many lamps were replaced?", "reply": {"answer": "41"}}])
    solo = FastAPI()
    solo.include_router(export_router(exports, lambda request: ""))
    response = TestClient(solo).get(f"/export/{token}")
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["content-disposition"] == f'attachment; filename="{today}-how-many-lamps-were-replaced.md"'
    assert response.headers["cache-control"] == "no-store" and "## 1. How many lamps were replaced?" in response.text
