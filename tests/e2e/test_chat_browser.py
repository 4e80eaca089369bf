"""Headless Chromium against the real server: ask, cite, select a citation, follow up; HTML injection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BOT = "#chatbot [data-testid='bot']"


def open_chat(page, server) -> list[str]:
    """Open the chat; returns a list that collects any JS dialog (alert/confirm) the page opens."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(server.url + "/")
    page.wait_for_selector("#question textarea")
    return dialogs


def ask(page, question: str) -> object:
    """Type a question, send it, and wait until its answer (not the placeholder) is shown."""
    before = page.locator(BOT).count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        """([selector, n]) => {
            const bots = document.querySelectorAll(selector);
            return bots.length > n && !bots[bots.length - 1].querySelector('.pending');
        }""",
        arg=[BOT, before],
    )
    return page.locator(BOT).nth(before)  # this answer, not whichever is last when the locator is used


def test_ask_cite_select_and_follow_up(page, server, output_dir):
    dialogs = open_chat(page, server)
    # An empty chat offers example questions drawn from the indexed reports.
    page.get_by_text("What is GAO-25-108043 about?").wait_for()
    assert page.get_by_text("What is ZX-01-2025 about?").is_visible()

    answer = ask(page, "How many recommendations did GAO make to DOD?")
    assert answer.locator("a.cite-chip").count() >= 1, answer.inner_text()
    assert "recommendation" in answer.inner_text().lower()

    # The sources panel shows each citation's quote highlighted inside its paragraph.
    cards = page.locator("#sources .source-card")
    assert cards.count() >= 1
    first = cards.first
    assert "DOD Is Pursuing Efforts" in first.inner_text()
    assert first.locator("mark").inner_text().strip()
    paragraph = first.locator(".passage").inner_text()
    assert len(paragraph) >= len(first.locator("mark").inner_text())

    # Selecting a citation marks that source.
    picks = page.locator("#citation-pick label")
    n = picks.count()
    assert n == cards.count()
    picks.nth(n - 1).click()
    selected = page.locator(f"#sources .source-card.selected[data-n='{n}']")
    selected.wait_for()
    quote = selected.locator("mark").inner_text().strip()
    corpus_text = (server.corpus_dir / "GAO-25-108043.txt").read_text(encoding="utf-8")
    assert " ".join(quote.split())[:60] in " ".join(corpus_text.split())

    # A follow-up in the same session is resolved against the first question.
    follow_up = ask(page, "Did DOD concur with them?")
    assert "concur" in follow_up.inner_text().lower()
    assert page.locator(BOT).count() == 2

    # Thumbs up on the first answer lands in the feedback log with question, answer and citations.
    page.locator("button[aria-label='Like']").first.click()
    entries: list[dict] = []
    for _ in range(40):  # the rating is written by a queued event: poll briefly
        if server.feedback_path.exists():
            entries = [json.loads(line) for line in server.feedback_path.read_text().splitlines()]
            if entries:
                break
        page.wait_for_timeout(250)
    assert any(
        e["rating"] == "up" and e["question"].startswith("How many recommendations") and e["citations"] for e in entries
    )

    # Export downloads the conversation as Markdown with its sources.
    with page.expect_download() as download:
        page.click("#export")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## 1. How many recommendations did GAO make to DOD?" in exported
    assert "## 2. Did DOD concur with them?" in exported and "Sources:" in exported

    page.screenshot(path=str(output_dir / "chat-answered.png"), full_page=True)
    assert dialogs == []


def test_clear_conversation_and_documents_view(page, server):
    open_chat(page, server)
    ask(page, "Which countries take part in Operation Olympic Defender?")
    page.click("#clear")
    page.wait_for_function(f'document.querySelectorAll("{BOT}").length === 0')
    assert page.get_by_text("What is GAO-25-108043 about?").is_visible()

    page.get_by_role("tab", name="Reports").click()
    table = page.locator("#documents table.documents")
    table.wait_for()
    text = table.inner_text()
    assert "GAO-25-108043" in text and "Zebra Crossing Paint Audit" in text


def test_abstention_looks_different(page, server):
    open_chat(page, server)
    answer = ask(page, "What is the capital of France?")
    assert answer.locator(".abstention").count() == 1
    assert page.locator("#sources .abstention").count() == 1


INJECTION_QUESTIONS = [
    "How many zebra crossings were repainted in 2024?",
    "How quickly did zebra crossing paint fade?",
    "What schedule does the district keep for zebra crossings?",
]


def test_html_injection_in_the_corpus_runs_nothing(page, server, output_dir):
    dialogs = open_chat(page, server)
    for question in INJECTION_QUESTIONS:
        answer = ask(page, question)
        assert "zebra" in answer.inner_text().lower()
        page.wait_for_timeout(300)  # give any injected handler a chance to fire
    text = page.locator("body").inner_text()
    # The payloads are visible as text...
    assert '<script>window.__xssRan = "script"' in text
    assert "<img src=x onerror=" in text
    # the Markdown link is shown in reading form: its text, without the target (which never becomes a link)
    assert "zebra crossing repaint schedule" in text
    # ...and nothing ran.
    assert page.evaluate("window.__xssRan") is None
    assert dialogs == []
    assert page.locator("#chatbot img[src='x'], #sources img").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    # Clicking every link in the answers and sources still runs nothing.
    for link in page.locator("#chatbot .message-content a, #sources a").all():
        link.click(modifiers=["Control"])
    assert page.evaluate("window.__xssRan") is None and dialogs == []
    page.screenshot(path=str(output_dir / "chat-injection.png"), full_page=True)
