"""The HTTP API under ``/api``: ask, search, health, documents. Validation and auth, then the Assistant."""

from __future__ import annotations

import logging
from functools import partial
from typing import Annotated, Any, Literal, Protocol

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import Citation, hit_to_dict

from .auth import Authenticator
from .chat_guard import replay_body
from .limits import MAX_BODY_BYTES, MAX_HISTORY_MESSAGES, MAX_JSON_DEPTH, MAX_K, MAX_MESSAGE_CHARS, MAX_QUESTION_CHARS
from .security import public_reply, public_text
from .throttle import TooManyAttempts

log = logging.getLogger(__name__)


class AssistantLike(Protocol):
    """What the web app needs from :class:`assistant.Assistant` (a fake can stand in for tests)."""

    def ask(
        self, question: str, history: list[dict[str, Any]] | None = ..., sources: list[str] | None = ...
    ) -> Any: ...
    def search(self, query: str, k: int | None = ..., sources: list[str] | None = ...) -> list[Any]: ...
    def documents(self) -> list[Any]: ...
    def status(self) -> dict[str, Any]: ...
    def source_text(self, source: str) -> str: ...


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_MESSAGE_CHARS)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "How many recommendations did GAO make?"}]},
    )
    question: str = Field(max_length=MAX_QUESTION_CHARS, description="The question, in plain language.")
    history: list[ChatMessage] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_MESSAGES,
        description="Earlier turns, oldest first, so follow-ups ('and the third?') can be resolved.",
    )
    sources: list[Annotated[str, Field(max_length=500)]] | None = Field(
        None, max_length=50, description="Restrict the answer to these documents (file names); null for all."
    )

    _check_question = field_validator("question")(_not_blank)


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"query": "personnel exchanges", "k": 5}]}
    )
    query: str = Field(max_length=MAX_QUESTION_CHARS, description="Words to search for.")
    k: int | None = Field(None, ge=1, le=MAX_K, description="How many chunks to return (default: top_k).")
    source: str | None = Field(None, max_length=500, description="Only this document (file name), or null.")

    _check_query = field_validator("query")(_not_blank)


class AskResponse(BaseModel):
    answer: str = Field(description="Markdown with [n] markers pointing into citations.")
    citations: list[Citation]  # the library's own record: one definition of the fields
    abstained: bool = Field(description="True when the corpus does not support an answer.")
    standalone_question: str
    notice: str
    support: float = Field(0.0, description="How well the best passage matches the question (about 0..1).")


class SearchResponse(BaseModel):
    query: str
    results: list[dict[str, Any]] = Field(description="Ranked chunks: text, score, ranks and chunk metadata.")


class HealthResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    available: bool
    documents: int
    chunks: int
    embedding_model: str
    store: str
    error: str | None = None


class LoginRequired:
    """A FastAPI dependency requiring HTTP basic (any ``ASSISTANT_AUTH`` pair) or the bearer token.

    With neither configured it lets every request through (the server then only binds to loopback).
    Failed attempts count towards the same throttle as the chat's login form.
    """

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator
        # Declared as router dependencies too, so /docs shows an "Authorize" button for both schemes.
        self.basic = HTTPBasic(auto_error=False, realm="assistant")
        self.bearer = HTTPBearer(auto_error=False)

    @property
    def enabled(self) -> bool:
        return self.authenticator.enabled

    async def __call__(self, request: Request) -> None:
        if not self.enabled:
            return
        client = request.client.host if request.client else ""
        try:
            if await self._accepted(request, client):
                return
        except TooManyAttempts as exc:
            raise HTTPException(429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
        raise HTTPException(
            status_code=401,
            detail="Authentication required: use HTTP basic auth with a login from ASSISTANT_AUTH"
            + (" or 'Authorization: Bearer <ASSISTANT_API_TOKEN>'." if self.authenticator.api_token else "."),
            headers={"WWW-Authenticate": 'Basic realm="assistant"'},
        )

    async def _accepted(self, request: Request, client: str) -> bool:
        basic_login = await self.basic(request)
        if basic_login is not None:
            login = partial(self.authenticator.login, client, basic_login.username, basic_login.password)
            return await anyio.to_thread.run_sync(login)
        bearer_login = await self.bearer(request)
        if bearer_login is not None and bearer_login.scheme.lower() == "bearer":
            return self.authenticator.token(client, bearer_login.credentials)
        return False


def create_api_router(
    assistant: AssistantLike,
    authenticator: Authenticator | None = None,
    ask_concurrency: int = 4,
) -> APIRouter:
    """The ``/api`` routes over ``assistant``; every route needs a login when one is configured."""
    login = LoginRequired(authenticator or Authenticator([]))
    security = [Security(login.basic), Security(login.bearer)] if login.enabled else []
    router = APIRouter(dependencies=[*security, Depends(login)])
    # Answers are CPU-bound (embedding + scoring on the shared model): more parallel calls than a few per
    # core only add contention, so extra requests wait here instead of in 40 busy threads.
    limiter = anyio.CapacityLimiter(ask_concurrency)

    @router.post("/ask", response_model=AskResponse, summary="Answer a question with citations")
    async def ask(body: AskRequest) -> dict[str, Any]:
        history = [m.model_dump() for m in body.history]
        call = partial(assistant.ask, body.question, history, body.sources or None)
        reply = await anyio.to_thread.run_sync(call, limiter=limiter)
        return public_reply(reply.to_dict())

    @router.post("/search", response_model=SearchResponse, summary="Ranked chunks for a query")
    async def search(body: SearchRequest) -> dict[str, Any]:
        call = partial(assistant.search, body.query, body.k, [body.source] if body.source else None)
        try:
            hits = await anyio.to_thread.run_sync(call, limiter=limiter)
        except Exception as exc:  # IndexUnavailable and friends: the client can retry later
            log.warning("search failed: %s", exc)
            raise HTTPException(status_code=503, detail=public_text(f"The index is unavailable: {exc}")) from exc
        return {
            "query": body.query,
            "results": [{"rank": i, **hit_to_dict(hit)} for i, hit in enumerate(hits, start=1)],
        }

    @router.get("/health", response_model=HealthResponse, summary="Index status")
    async def health() -> JSONResponse:
        status = await anyio.to_thread.run_sync(assistant.status)
        if status.get("error"):
            status = {**status, "error": public_text(str(status["error"]))}
        return JSONResponse(status, status_code=200 if status.get("available") else 503)

    @router.get("/documents", summary="The indexed reports")
    async def documents() -> list[dict[str, Any]]:
        try:
            docs = await anyio.to_thread.run_sync(assistant.documents)
        except Exception as exc:
            raise HTTPException(status_code=503, detail=public_text(f"The index is unavailable: {exc}")) from exc
        return [d.to_dict() for d in docs]

    # Anything else under /api is a JSON error, not the chat page the mount at "/" would serve.
    known = {"ask": "POST", "search": "POST", "health": "GET", "documents": "GET"}

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def unknown(path: str, request: Request) -> None:
        if path in known:
            raise HTTPException(
                status_code=405,
                detail=f"Use {known[path]} for /api/{path}; see /docs.",
                headers={"Allow": known[path]},
            )
        raise HTTPException(status_code=404, detail=f"No API endpoint /api/{path}; see /docs.")

    return router


def install_error_handlers(app: FastAPI) -> None:
    """Validation errors as 422 with a readable summary, without echoing (possibly huge) input back."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p != "body"]
            where = "body" if err.get("type") == "json_invalid" else ".".join(loc) or "body"
            problem = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append({"field": where, "problem": problem, "type": err.get("type")})
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return JSONResponse(status_code=422, content={"detail": f"Invalid request: {summary}", "errors": problems})


def invalid_body(problem: str) -> JSONResponse:
    """The 422 for a body that is not UTF-8 JSON of a sane depth (same shape as validation errors)."""
    return JSONResponse(
        status_code=422,
        content={
            "detail": f"Invalid request: body: {problem}",
            "errors": [{"field": "body", "problem": problem, "type": "json_invalid"}],
        },
    )


def json_problem(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why ``body`` cannot be a JSON document here (not UTF-8, nested too deeply), or None.

    Syntax errors are left to the parser, which reports them as 422 with their position.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (byte {exc.start})"
    if text.count("[") + text.count("{") <= max_depth:
        return None
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return f"JSON nested deeper than {max_depth} levels"
        elif char in "]}":
            depth -= 1
    return None


class BodySizeLimit:
    """Reject request bodies over ``max_bytes`` with 413, and JSON that is not UTF-8 or too deep with 422.

    Applies to every path under ``prefix`` (the API, the chat's event routes, the login form), before the
    body is parsed: Gradio and FastAPI would otherwise read any size, and answer 400 for bad bytes.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, prefix: str = "/") -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await self._too_large(send)
                return
        body = b"".join(chunks)
        problem = json_problem(body) if body and b"json" in headers.get(b"content-type", b"json") else None
        if problem:
            await invalid_body(problem)({"type": "http"}, _no_receive, send)
            return
        await self.app(scope, replay_body(body, receive), send)

    async def _too_large(self, send: Send) -> None:
        response = JSONResponse(
            status_code=413, content={"detail": f"Request body is larger than {self.max_bytes} bytes."}
        )
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
