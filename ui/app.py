"""One ASGI app: FastAPI with the HTTP API under ``/api``, OpenAPI docs at ``/docs``, the chat at ``/``.

Every request passes, outermost first: the Host allow-list, the security headers, the client address
(for login throttling), the report upload route (``ui.upload``, its own 50 MB cap), the body limits (size,
UTF-8, JSON depth), the closed Gradio upload route and the chat event guard; then the API routes, the
export links, and the Gradio app.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import gradio as gr
from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount

from assistant import Settings

from .api import BodySizeLimit, create_api_router, install_error_handlers
from .auth import Authenticator, parse_credentials
from .chat import CSS, TITLE, build_chat
from .chat_assets import CITATION_CSS, CITATION_JS
from .chat_guard import ChatGuard
from .exports import ExportLinks, export_router
from .feedback import FeedbackLog
from .pages import SourceLibrary, pages_router
from .security import SecurityHeaders, UploadGate, allowed_hosts
from .sessions import user_of
from .throttle import ClientAddress, TooManyAttempts
from .upload import ReportUploads, UploadRoute, may_upload, upload_endpoint

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

    ``settings.auth`` and ``settings.api_token`` protect everything (chat and API); ``settings.host`` and
    ``settings.allowed_hosts`` make the Host allow-list. Run it with uvicorn in one process: the embedded
    index is not shared between processes.

    Example:
        >>> from ui.testing import FakeAssistant
        >>> app = create_app(FakeAssistant(), Settings(data_dir="/tmp/assistant-doc"))
        >>> sorted(app.openapi()["paths"])
        ['/api/ask', '/api/documents', '/api/health', '/api/search']
    """
    settings = settings or Settings()
    authenticator = Authenticator(parse_credentials(settings.auth), settings.api_token)
    app = FastAPIOffline(  # Swagger UI from files in the installed package, not a CDN
        title=f"{TITLE} API",
        description="Cited answers over the indexed GAO reports. The chat UI is at `/`.",
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    # API routes first: the Gradio app mounted at "/" catches every path not matched before it.
    app.include_router(
        create_api_router(assistant, authenticator, ask_concurrency),  # type: ignore[arg-type]
        prefix="/api",
        tags=["assistant"],
    )
    feedback = FeedbackLog(settings.feedback_path, settings.feedback_retention_days, settings.feedback_max_bytes)
    feedback.prune()
    exports = ExportLinks()

    # -- issue 11b: who may add reports from the browser (ui/upload.py)
    def can_upload(request: gr.Request) -> bool:
        return may_upload(settings, user_of(request), authenticator.enabled)

    library = SourceLibrary(assistant)  # issue 11a: source cards (tables, PDF pages) for the chat
    blocks = build_chat(
        assistant,  # type: ignore[arg-type]
        feedback=feedback,
        ask_concurrency=ask_concurrency,
        exports=exports,
        can_upload=can_upload,
        library=library,
    )
    # api_open=False: Gradio's direct /run routes would skip the queue and its limits.
    blocks.queue(max_size=queue_size, default_concurrency_limit=CHEAP_EVENT_CONCURRENCY, api_open=False)
    gradio_apps: list[object] = []
    identify = _identify(authenticator, gradio_apps)
    app.include_router(export_router(exports, identify))
    app.include_router(pages_router(library, identify))  # issue 11a: cited PDF pages, login-checked
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        auth=authenticator.gradio_login if authenticator.enabled else None,
        auth_message=_login_message(authenticator) or None,
        css=CSS + CITATION_CSS,
        js=CITATION_JS,
        footer_links=[],  # staff see no developer links; the API docs stay at /docs
        run_history=False,  # conversations are not persisted in the browser
        mcp_server=False,
        show_error=False,
        ssr_mode=False,
    )
    gradio_apps += [route.app for route in app.routes if isinstance(route, Mount) and route.path == ""]
    # Middleware: the last added runs first.
    app.add_middleware(ChatGuard, blocks=blocks, identify=identify if authenticator.enabled else None)
    app.add_middleware(UploadGate)
    app.add_middleware(BodySizeLimit)
    # -- issue 11b: POST /upload-report, served before the 1 MB body limit (it caps at 50 MB itself)
    uploads = ReportUploads(assistant, settings)
    app.add_middleware(UploadRoute, endpoint=upload_endpoint(uploads, identify, authenticator.enabled))
    app.add_middleware(ClientAddress)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings.host, settings.allowed_hosts))
    app.state.authenticator = authenticator
    return app


def _login_message(authenticator: Authenticator) -> str:
    if authenticator.credentials and authenticator.api_token:
        return "Sign in with a login from ASSISTANT_AUTH, or with any user name and the API token as password."
    if authenticator.credentials:
        return "Sign in with a login from ASSISTANT_AUTH."
    if authenticator.api_token:
        return "Sign in with any user name and the API token (ASSISTANT_API_TOKEN) as the password."
    return ""


def _identify(authenticator: Authenticator, gradio_apps: list[object]) -> Callable[[Request], str | None]:
    """Who a plain HTTP request is logged in as: the chat's session cookie, or HTTP basic ("" without login)."""

    def identify(request: Request) -> str | None:
        if not authenticator.enabled:
            return ""
        for gradio_app in gradio_apps:
            cookie_id = getattr(gradio_app, "cookie_id", "")
            token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(
                f"access-token-unsecure-{cookie_id}"
            )
            user = getattr(gradio_app, "tokens", {}).get(token) if token else None
            if user:
                return str(user)
        return _basic_user(authenticator, request)

    return identify


def _basic_user(authenticator: Authenticator, request: Request) -> str | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        client = request.client.host if request.client else ""
        return user if authenticator.login(client, user, password) else None
    except (binascii.Error, UnicodeDecodeError, TooManyAttempts):
        return None
