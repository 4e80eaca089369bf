"""One ASGI app: FastAPI with the HTTP API under ``/api``, OpenAPI docs at ``/docs``, the chat at ``/``."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from assistant import Settings

from .api import BodySizeLimit, create_api_router, install_error_handlers
from .auth import parse_credentials
from .chat import CSS, TITLE, build_chat
from .feedback import FeedbackLog

# Concurrency. Answering is CPU-bound (query embedding + scoring on one shared model, ~25 ms a question
# here): running more questions at once than ~2 per core only adds contention, so each path (the chat queue,
# the API) admits a few at a time and queues the rest in order. Measured on 2 cores with 20 concurrent API
# clients (benchmarks/ui_concurrency.py): limits 1, 2 and 4 give similar p50/p95 (~0.4-0.6 s), 8 is clearly
# worse (p95 ~0.9 s); 4 keeps the CPU busy while a request waits on I/O. The chat queue is bounded so that,
# under a flood, new users get Gradio's "queue is full" message at once instead of minutes of spinner.
ASK_CONCURRENCY = 4
CHAT_QUEUE_SIZE = 64
# Cheap events (selecting a citation, clearing, listing documents) need no model time.
CHEAP_EVENT_CONCURRENCY = 16


def create_app(
    assistant: object,
    settings: Settings | None = None,
    *,
    ask_concurrency: int = ASK_CONCURRENCY,
    queue_size: int = CHAT_QUEUE_SIZE,
) -> FastAPI:
    """Build the web app over ``assistant`` (an ``assistant.Assistant`` or anything shaped like it).

    Login comes from ``settings.auth`` (the chat and the API) and ``settings.api_token`` (the API).
    Run it with uvicorn in one process: the embedded index is not shared between processes.

    Example:
        >>> from ui.testing import FakeAssistant
        >>> app = create_app(FakeAssistant(), Settings(data_dir="/tmp/assistant-doc"))
        >>> sorted(app.openapi()["paths"])
        ['/api/ask', '/api/documents', '/api/health', '/api/search']
    """
    settings = settings or Settings()
    credentials = parse_credentials(settings.auth)
    app = FastAPI(
        title=f"{TITLE} API",
        description="Cited answers over the indexed GAO reports. The chat UI is at `/`.",
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit)
    install_error_handlers(app)
    # API routes first: the Gradio app mounted at "/" catches every path not matched before it.
    app.include_router(
        create_api_router(assistant, credentials, settings.api_token, ask_concurrency),  # type: ignore[arg-type]
        prefix="/api",
        tags=["assistant"],
    )
    blocks = build_chat(
        assistant,  # type: ignore[arg-type]
        feedback=FeedbackLog(settings.feedback_path),
        ask_concurrency=ask_concurrency,
    )
    blocks.queue(max_size=queue_size, default_concurrency_limit=CHEAP_EVENT_CONCURRENCY)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        auth=credentials or None,
        auth_message="Sign in with a login from ASSISTANT_AUTH." if credentials else None,
        css=CSS,
        footer_links=["api", "settings"],
        run_history=False,  # conversations are not persisted in the browser
        mcp_server=False,
        show_error=False,
        ssr_mode=False,
    )
