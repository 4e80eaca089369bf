"""History, feedback and export in Chromium against the real server (desktop and phone sizes), and that
asking questions writes nothing on the server (its data dir and its temp dir are listed before and after)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_chat_browser import BOT, ask, open_chat

pytestmark = pytest.mark.e2e


def listing(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folders`` with its size and modification time (ns)."""
    out = {}
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in files:
                path = Path(root, name)
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                out[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return out


STORED = "Object.keys(localStorage).sort().map(k => k + '=' + localStorage.getItem(k)).join('|')"


def ask_and_save(page, question: str) -> object:
    """Ask, and wait until the browser has stored the conversation (a separate event after the answer)."""
    before = page.evaluate(STORED)
    answer = ask(page, question)
    page.wait_for_function(f"() => ({STORED}) !== {json.dumps(before)}")
    return answer


def test_asking_questions_writes_nothing_on_the_server(page, server):
    open_chat(page, server)
    ask(page, "Warm-up: which countries take part in Operation Olympic Defender?")  # model and caches loaded
    page.wait_for_timeout(500)
    before = listing(server.data_dir, server.tmp_dir)
    for question in (
        "How many recommendations did GAO make to DOD?",
        "Did DOD concur with them?",
        "What is the capital of France?",
        "Does Japan take part in Operation Olympic Defender?",
    ):
        ask(page, question)
    page.reload(wait_until="load")  # the conversation comes back from the browser, not from the server
    page.locator(BOT).first.wait_for()
    page.wait_for_timeout(500)
    after = listing(server.data_dir, server.tmp_dir)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed == set(), changed


def test_history_survives_a_reload_and_clear_can_be_undone(sized_page, server, output_dir):
    page = sized_page
    open_chat(page, server)
    ask_and_save(page, "How many recommendations did GAO make to DOD?")
    ask_and_save(page, "Did DOD concur with them?")

    page.reload(wait_until="load")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(BOT)}).length === 2")
    texts = page.locator("#chatbot").inner_text()
    assert "How many recommendations did GAO make to DOD?" in texts and "Did DOD concur with them?" in texts
    # The restored conversation goes on: a follow-up is still read against it.
    follow_up = ask_and_save(page, "And how many did DOD not concur with?")
    assert page.locator(BOT).count() == 3 and follow_up.inner_text()
    # The browser stores it, small.
    stored = page.evaluate("Object.values(localStorage).reduce((n, v) => n + v.length, 0)")
    assert 0 < stored < 400_000

    page.click("#clear")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(BOT)}).length === 0")
    page.locator("#undo-clear").click()
    page.wait_for_function(f"document.querySelectorAll({json.dumps(BOT)}).length === 3")

    # A second conversation, then the first one reopened from the list.
    page.click("#clear")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(BOT)}).length === 0")
    ask_and_save(page, "Which countries take part in Operation Olympic Defender?")
    page.locator("#past-conversations input").click()
    page.get_by_role("option", name="How many recommendations did GAO make to DOD?", exact=False).click()
    page.wait_for_function(f"document.querySelectorAll({json.dumps(BOT)}).length === 3")
    page.screenshot(path=str(output_dir / f"history-restored-{page.viewport_name}.png"), full_page=True)


def test_another_login_in_the_same_browser_does_not_see_the_history(browser, login_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, login_server, "ana", "first-password-1")
        ask_and_save(page, "How many recommendations did GAO make to DOD?")
        page.reload(wait_until="load")
        page.locator(BOT).first.wait_for()
        context.clear_cookies()  # sign out; localStorage stays
        sign_in(page, login_server, "bo", "second-password-2")
        page.wait_for_timeout(1500)  # the restore event has run
        assert page.locator(BOT).count() == 0
        assert "How many recommendations" not in page.locator("#past-conversations").inner_text()
        # ASSISTANT_UPLOAD_USERS is unset: with a login on, nobody is offered the upload box.
        page.get_by_role("tab", name="Reports").click()
        page.locator("#documents table.documents").wait_for()
        assert page.locator("#report-file").count() == 0 or not page.locator("#report-file").is_visible()
    finally:
        context.close()


def sign_in(page, server, user: str, password: str) -> None:
    page.goto(server.url + "/", wait_until="load")
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#question textarea")


@pytest.fixture(scope="module")
def login_server(tmp_path_factory, launch_server):
    root = Path(__file__).resolve().parents[2]
    files = {"GAO-25-108043.txt": root / "corpus" / "GAO-25-108043.txt"}
    auth = {"ASSISTANT_AUTH": "ana:first-password-1,bo:second-password-2"}
    with launch_server(tmp_path_factory.mktemp("history-login"), files, auth) as running:
        yield running


def test_feedback_thanks_and_saves_the_reason(sized_page, server, output_dir):
    page = sized_page
    open_chat(page, server)
    question = f"Which countries take part in Operation Olympic Defender? ({page.viewport_name})"
    ask(page, question)
    page.locator("#chatbot button[aria-label='Dislike']").last.click()
    thanks = page.locator("#feedback-thanks")
    thanks.wait_for()
    page.get_by_text("Thanks for your feedback").first.wait_for()
    page.locator("#feedback-reason label", has_text="Incomplete").click()
    page.locator("#feedback-comment textarea").fill("It left out <b>Norway</b>.")
    page.locator("#feedback-send").click()
    page.get_by_text("your reason was saved").wait_for()
    page.screenshot(path=str(output_dir / f"feedback-reason-{page.viewport_name}.png"), full_page=True)

    entry: dict = {}
    for _ in range(40):
        lines = server.feedback_path.read_text().splitlines() if server.feedback_path.exists() else []
        entries = [json.loads(line) for line in lines]
        entry = next((e for e in entries if e["question"] == question), {})
        if entry.get("reason"):
            break
        page.wait_for_timeout(250)
    assert entry["rating"] == "down" and entry["reason"] == "incomplete"
    assert entry["comment"] == "It left out <b>Norway</b>." and entry["answer"]


def test_export_is_named_after_the_date_and_first_question(sized_page, server, output_dir):
    page = sized_page
    open_chat(page, server)
    ask(page, "How many recommendations did GAO make to DOD?")
    ask(page, "Did DOD concur with them?")
    with page.expect_download() as download:
        page.click("#export")
    today = datetime.now(UTC).date().isoformat()
    assert download.value.suggested_filename == f"{today}-how-many-recommendations-did-gao-make.md"
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("# Conversation with the GAO report assistant")
    assert "## 1. How many recommendations did GAO make to DOD?" in exported
    assert "## 2. Did DOD concur with them?" in exported
    assert "Sources:" in exported and "GAO-25-108043.txt" in exported
    page.screenshot(path=str(output_dir / f"export-{page.viewport_name}.png"), full_page=True)
