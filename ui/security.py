"""What every response gets: security headers, a Host allow-list, no server paths, no upload route.

- :class:`SecurityHeaders`: a Content-Security-Policy the app works under (scripts only from this server,
  inline scripts only by their SHA-256, no framing), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``.
- :func:`allowed_hosts`: the names the server answers to (loopback names, the bound address, and
  ``ASSISTANT_ALLOWED_HOSTS``); Starlette's ``TrustedHostMiddleware`` refuses the rest, which defeats DNS
  rebinding against a server without login on loopback.
- :class:`UploadGate`: Gradio's upload route is closed while the app has no upload component.
- :func:`public_text`: error texts for clients, with absolute server paths cut to their last part.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

# Scripts run only from this server's files and from the inline scripts of the page being served, allowed
# one by one by their hash: an injected <script> element or on* attribute does not run. 'unsafe-eval' is
# there because Gradio 6 needs it: its HTML component evaluates each value as a JavaScript template string
# (new Function) and there is no option to turn that off. 'unsafe-inline' for styles only: Gradio's
# components set style attributes.
CSP_BASE = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "media-src": "'self' data: blob:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_MAX_HTML_BYTES = 5_000_000


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The CSP header value, allowing the given inline-script hashes (``'sha256-…'``)."""
    directives = dict(CSP_BASE)
    hashes = " ".join(sorted(set(script_hashes)))
    if hashes:
        directives["script-src"] += " " + hashes
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def inline_script_hashes(html: bytes) -> list[str]:
    """``'sha256-…'`` sources for every inline ``<script>`` of a page, as a browser hashes them."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(html)
    ]


class SecurityHeaders:
    """ASGI middleware adding the security headers; HTML pages get their inline scripts' hashes in the CSP.

    HTML is buffered to hash it, so page requests ask the app below for an uncompressed body (pages are
    small; scripts, styles and API responses are passed through as they stream).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _wants_html(scope):
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        start: Message | None = None
        body: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in STATIC_HEADERS.items():
                    headers.setdefault(name, value)
                if _is_plain_html(headers):
                    start = message  # held until the whole page is there to hash
                    return
                headers["content-security-policy"] = content_security_policy()
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body") and sum(map(len, body)) < _MAX_HTML_BYTES:
                    return
                page = b"".join(body)
                headers = MutableHeaders(scope=start)
                headers["content-security-policy"] = content_security_policy(inline_script_hashes(page))
                if "content-length" in headers:
                    headers["content-length"] = str(len(page))
                await send(start)
                message = {**message, "body": page}
                start = None
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_html(scope: Scope) -> bool:
    accept = dict(scope["headers"]).get(b"accept", b"")
    return scope["method"] in ("GET", "HEAD") and b"text/html" in accept


def _is_plain_html(headers: MutableHeaders) -> bool:
    return headers.get("content-type", "").startswith("text/html") and "content-encoding" not in headers


def allowed_hosts(host: str, extra: str | None) -> list[str]:
    """Host names to accept: loopback names, the bound address (unless a wildcard one) and ``extra``.

    Example:
        >>> allowed_hosts("0.0.0.0", "assistant.example.org, *.corp.example")
        ['127.0.0.1', 'localhost', '[::1]', 'assistant.example.org', '*.corp.example']
    """
    hosts = list(LOOPBACK_HOSTS)
    bound = host.strip()
    if bound and bound not in ("0.0.0.0", "::", "[::]"):
        hosts.append(f"[{bound.strip('[]')}]" if ":" in bound else bound)
    hosts += [h.strip() for h in (extra or "").split(",") if h.strip()]
    return list(dict.fromkeys(h.lower() for h in hosts))


class UploadGate:
    """ASGI middleware closing Gradio's upload route (the chat has no upload component)."""

    def __init__(self, app: ASGIApp, path: str = "/gradio_api/upload") -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") in (self.path, self.path + "_progress"):
            response = JSONResponse({"detail": "This app accepts no file uploads."}, status_code=404)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])(?:/[\w.@+~%=-]+){2,}/?")


def public_text(text: str) -> str:
    """``text`` for a client: absolute server paths shortened to their last part.

    Example:
        >>> public_text("The index manifest /srv/app/.data/index/reports-manifest.json cannot be read.")
        'The index manifest …/reports-manifest.json cannot be read.'
    """
    return _ABSOLUTE_PATH.sub(lambda m: "…/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], str(text))


def public_reply(reply: Mapping[str, Any]) -> dict[str, Any]:
    """A reply dict for a client: error and unavailability messages without server paths."""
    out = dict(reply)
    if out.get("notice") in ("index_unavailable", "error") or out.get("abstained"):
        out["answer"] = public_text(str(out.get("answer", "")))
    return out
