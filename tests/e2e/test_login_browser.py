"""With ASSISTANT_AUTH set, the browser gets a login form before the chat (fake assistant: no model needed)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from assistant import Settings
from ui.app import create_app
from ui.testing import FakeAssistant

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def secured_url(tmp_path_factory) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("login"), auth="ana:correct-horse", api_token=None)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(FakeAssistant(), settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_browser_must_log_in_before_chatting(page, secured_url):
    page.goto(secured_url + "/")
    page.get_by_label("username").fill("ana")
    page.get_by_label("password").fill("wrong")
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Incorrect Credentials").wait_for()

    page.get_by_label("username").fill("ana")  # the form is reset after a failed attempt
    page.get_by_label("password").fill("correct-horse")
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#question textarea")
    page.fill("#question textarea", "How many partner countries have data sharing agreements?")
    page.click("#ask")
    page.locator("#sources .source-card mark").wait_for()


def test_api_needs_the_same_login(secured_url):
    assert httpx.get(f"{secured_url}/api/health").status_code == 401
    assert httpx.get(f"{secured_url}/api/health", auth=("ana", "correct-horse")).status_code == 200
