"""The chat's event routes get the same care as ``/api``: valid events only, and limits per session and client.

Gradio accepts any JSON on ``/gradio_api/queue/join`` (and ``/call``, ``/run``): an unknown ``fn_index``
gives a 500, a value of the wrong type a traceback in the log for every request, and one client can fill
the whole queue. :class:`ChatGuard` checks each event before Gradio sees it and answers a bad one with a
4xx that says what is wrong (and one log line):

- the caller is logged in (when a login or token is configured);
- the event names a function of the app (by ``fn_index``, or a public API name);
- the session id is a short token; the values fit their components (text within the question limit,
  choices among the component's current choices, like/select data with an index);
- a session has at most ``MAX_PENDING_PER_SESSION`` events waiting or running, a client address at most
  ``MAX_PENDING_PER_CLIENT``; more get 429 with ``Retry-After``.

The request body itself (size, UTF-8, depth) is checked earlier by ``ui.api.BodySizeLimit``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .limits import MAX_PENDING_PER_CLIENT, MAX_PENDING_PER_SESSION, MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

EVENT_ROUTE = re.compile(r"/gradio_api/(?:queue/join|(?P<kind>call/v2|call|run|api)/(?P<api_name>[^/]+))/?")
SESSION_HASH = re.compile(r"[A-Za-z0-9_-]{1,64}")
INDEXED_EVENTS = frozenset({"like", "select", "example_select"})  # their EventData reads "index" and "value"
MAX_CHOICES = 200


class EventRefused(Exception):
    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.retry_after = status, detail, retry_after


class ChatGuard:
    """ASGI middleware in front of the mounted Gradio app; ``blocks`` is the chat's ``gr.Blocks``."""

    def __init__(
        self,
        app: ASGIApp,
        blocks: gr.Blocks,
        per_session: int = MAX_PENDING_PER_SESSION,
        per_client: int = MAX_PENDING_PER_CLIENT,
        identify: Callable[[Request], str | None] | None = None,
    ) -> None:
        self.app, self.blocks, self.identify = app, blocks, identify
        self.per_session, self.per_client = per_session, per_client
        self._api_info: dict[str, Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = EVENT_ROUTE.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self.identify is not None and self.identify(Request(scope)) is None:
            response = JSONResponse({"detail": "Not authenticated: sign in first."}, 401)
            await response(scope, receive, send)
            return
        body = await _read_body(receive)
        client = scope["client"][0] if scope.get("client") else ""
        try:
            kind = match["kind"]
            fills_state = kind in ("call", "call/v2")
            self.check(match["api_name"], body, client, named=kind == "call/v2", fills_state=fills_state)
        except EventRefused as exc:
            log.warning("refused a chat event from %s: %s", client or "?", exc.detail)
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
            await JSONResponse({"detail": refusal_detail(exc)}, exc.status, headers=headers)(scope, receive, send)
            return
        await self.app(scope, replay_body(body, receive), send)

    def check(
        self, api_name: str | None, raw: bytes, client: str, named: bool = False, fills_state: bool = False
    ) -> None:
        """Raise :class:`EventRefused` unless ``raw`` is a well-formed event this session may send now.

        ``named``: the ``/call/v2`` form, whose body maps parameter names to values. ``fills_state``: the route
        (``/call``, ``/call/v2``) puts the server-side state inputs in itself, so the body may leave them out;
        on the queue every input must be there (Gradio would fail on a short list).
        """
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise EventRefused(422, "The event is not valid JSON.") from None
        if not isinstance(body, dict):
            raise EventRefused(422, "The event must be a JSON object.")
        fn = self._function(api_name, body)
        session = body.get("session_hash")
        needs_session = api_name is None or session is not None  # /call makes one up when there is none
        if needs_session and (not isinstance(session, str) or not SESSION_HASH.fullmatch(session)):
            raise EventRefused(422, "session_hash must be 1-64 letters, digits, '-' or '_'.")
        data = self._named_data(api_name, body) if named and api_name else body.get("data")
        self._check_data(fn, data, session, fills_state)
        self._check_event_data(fn, body.get("event_data"))
        self._check_load(session, client)

    # -- the parts ----------------------------------------------------------------------------------------
    def _function(self, api_name: str | None, body: dict[str, Any]) -> Any:
        fns = self.blocks.fns
        if api_name is None:
            index = body.get("fn_index")
            if not isinstance(index, int) or isinstance(index, bool) or index not in fns:
                raise EventRefused(404, f"fn_index {index!r:.20} is not an event of this app.")
            return fns[index]
        for fn in fns.values():
            if fn.api_name == api_name and fn.api_visibility == "public":
                return fn
        raise EventRefused(404, f"No chat endpoint named {api_name[:40]!r}; see /gradio_api/info.")

    def _named_data(self, api_name: str, body: dict[str, Any]) -> list[Any]:
        """The values of a ``/call/v2`` body in input order (defaults for the ones left out)."""
        if self._api_info is None:
            self._api_info = dict(self.blocks.get_api_info() or {})
        endpoint = self._api_info.get("named_endpoints", {}).get("/" + api_name, {})
        parameters = endpoint.get("parameters", [])
        names = {p.get("parameter_name") for p in parameters}
        unknown = sorted(str(k)[:40] for k in body if k not in names and k != "oauth_token")
        if unknown:
            raise EventRefused(422, f"Unknown parameters {unknown}; this endpoint takes {sorted(map(str, names))}.")
        missing = [p.get("parameter_name") for p in parameters if not p.get("parameter_has_default")]
        missing = [name for name in missing if name not in body]
        if missing:
            raise EventRefused(422, f"Missing parameters {missing}.")
        return [body.get(p.get("parameter_name"), p.get("parameter_default")) for p in parameters]

    def _check_data(self, fn: Any, data: Any, session: str | None, fills_state: bool = False) -> None:
        inputs = list(fn.inputs)
        if not isinstance(data, list):
            raise EventRefused(422, f"'data' must be a list of {len(inputs)} values.")
        if len(data) != len(inputs) and fills_state:  # API clients may leave out the server-side state inputs
            inputs = [block for block in inputs if not getattr(block, "skip_api", False)]
        if len(data) != len(inputs):
            raise EventRefused(422, f"'data' has {len(data)} values; this event takes {len(inputs)}.")
        for position, (block, value) in enumerate(zip(inputs, data, strict=True), start=1):
            problem = value_problem(self._session_block(block, session), value)
            if problem:
                label = getattr(block, "label", None) or type(block).__name__
                raise EventRefused(422, f"Input {position} ({label}): {problem}")

    def _session_block(self, block: Any, session: str | None) -> Any:
        """The component as this session sees it (choices change per session), else as built."""
        holder = self.blocks.state_holder
        if session and session in holder:
            return holder[session].blocks_config.blocks.get(block._id, block)
        return block

    def _check_event_data(self, fn: Any, event_data: Any) -> None:
        if not fn.collects_event_data:
            return
        if not isinstance(event_data, dict):
            raise EventRefused(422, "This event needs 'event_data' (an object).")
        if {name for _, name in fn.targets} & INDEXED_EVENTS:
            if "index" not in event_data or "value" not in event_data:
                raise EventRefused(422, "'event_data' needs an 'index' and a 'value'.")
            if not is_index(event_data["index"]):
                raise EventRefused(422, "'event_data.index' must be a number or a pair of numbers.")

    def _check_load(self, session: str | None, client: str) -> None:
        events = pending_events(self.blocks)
        if session and sum(e.session_hash == session for e in events) >= self.per_session:
            raise EventRefused(429, "Too many requests at once from this chat session; wait for the answers.", 5)
        if client and sum(_client_of(e) == client for e in events) >= self.per_client:
            raise EventRefused(429, "Too many requests at once from this address; wait for the answers.", 5)


def refusal_detail(exc: EventRefused) -> Any:
    """The response detail: a 422 in the shape of Gradio's own validation errors (clients show its message)."""
    if exc.status == 422:
        return [{"__type__": "validate", "is_valid": False, "message": exc.detail}]
    return exc.detail


def value_problem(block: Any, value: Any) -> str | None:
    """What is wrong with ``value`` for ``block`` (a Gradio component), or None when it fits."""
    if isinstance(block, gr.State):
        return None  # Gradio uses the session's own state; whatever the client sent is ignored
    if isinstance(block, gr.Textbox):
        if value is not None and not isinstance(value, str):
            return "must be text."
        if value and len(value) > MAX_QUESTION_CHARS:
            return f"is {len(value):,} characters long; the limit is {MAX_QUESTION_CHARS:,}."
        return None
    if isinstance(block, gr.CheckboxGroup):
        if not isinstance(value, list) or len(value) > MAX_CHOICES:
            return "must be a list of choices."
        return _unknown_choice(block, value)
    if isinstance(block, gr.Dropdown):  # the report filter chips (multiselect) and the report reader
        if block.multiselect:
            if not isinstance(value, list) or len(value) > MAX_CHOICES:
                return "must be a list of choices."
            return _unknown_choice(block, value)
        return None if value is None else _unknown_choice(block, [value])
    if isinstance(block, gr.Radio):
        return None if value is None else _unknown_choice(block, [value])
    return None


def _unknown_choice(block: Any, values: Sequence[Any]) -> str | None:
    known = [value for _, value in block.choices or []]
    for value in values:
        if isinstance(value, dict | list) or value not in known:
            return f"{str(value)[:40]!r} is not one of its choices."
    return None


def is_index(value: Any) -> bool:
    def number(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    return number(value) or (isinstance(value, list) and 1 <= len(value) <= 2 and all(map(number, value)))


def pending_events(blocks: gr.Blocks) -> list[Any]:
    """The events waiting in Gradio's queue or running now (Gradio keeps no count per session itself)."""
    queue = blocks._queue
    events = [e for q in queue.event_queue_per_concurrency_id.values() for e in q.queue]
    events += [e for job in queue.active_jobs if job for e in job]
    return events


def _client_of(event: Any) -> str:
    client = getattr(getattr(event, "request", None), "client", None)
    return str(client.host) if client else ""


async def _read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Callable[[], Any]:
    """A ``receive`` that hands the app the body already read, then whatever follows."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
