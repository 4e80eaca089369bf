"""The web app's shape: cheap imports, the chat's named endpoints, the queue limits, the mounted routes."""

from __future__ import annotations

import subprocess
import sys

from assistant import Settings
from ui.app import ASK_CONCURRENCY, CHAT_QUEUE_SIZE, create_app
from ui.chat import build_chat
from ui.testing import FakeAssistant


def test_importing_the_pure_ui_modules_does_not_import_gradio():
    code = "import sys, ui, ui.render, ui.auth, ui.feedback; assert 'gradio' not in sys.modules, 'gradio imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_chat_exposes_named_endpoints_for_clients():
    demo = build_chat(FakeAssistant())
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"ask", "select_citation", "clear", "documents"} <= names
    ask_fns = [fn for fn in demo.fns.values() if fn.concurrency_id == "ask"]
    # typed, Ask button, example, and the three suggested follow-ups
    assert len(ask_fns) == 6 and {fn.concurrency_limit for fn in ask_fns} == {ASK_CONCURRENCY}


def test_create_app_mounts_api_docs_and_chat_with_a_bounded_queue(tmp_path):
    app = create_app(FakeAssistant(), Settings(data_dir=tmp_path))
    assert {"/api/ask", "/api/search", "/api/health", "/api/documents"} <= set(app.openapi()["paths"])
    assert {"/docs", "/openapi.json"} <= {getattr(route, "path", "") for route in app.routes}
    gradio_app = next(route.app for route in app.routes if type(route).__name__ == "Mount" and route.path == "")
    assert gradio_app.get_blocks()._queue.max_size == CHAT_QUEUE_SIZE
