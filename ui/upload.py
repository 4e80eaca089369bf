"""Adding a report from the browser: ``POST /upload-report``, validated like ``assistant ingest``.

Gradio's own upload route stays closed (:class:`ui.security.UploadGate`); this route takes one file as the
raw request body, its name in the ``X-Filename`` header (URL-encoded). In order, it refuses:

- a request without a login (when one is configured) or from a user not in ``Settings.upload_users``;
- a request from another site (CSRF): the ``Origin`` must be this server, or ``Sec-Fetch-Site`` must
  be ``same-origin``;
- a name without a supported extension, a body over ``MAX_UPLOAD_BYTES``, an empty body, a file already
  in the corpus (same name or same bytes);
- a file the ingest loaders cannot read (an HTML page saved as ``.pdf``, bad bytes, no text): the same
  reason ``assistant ingest`` gives.

Only then is the file moved into the corpus folder and the index updated (incrementally, the live index
switched when complete). Any refusal leaves the corpus and the index as they were. Files are never served
back by path: the Reports tab shows the indexed text.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant import LoadError, Settings, load_document

from .auth import is_loopback
from .security import public_text

log = logging.getLogger(__name__)

UPLOAD_PATH = "/upload-report"
MAX_UPLOAD_BYTES = 50_000_000  # the same cap as ingest (assistant.ingest.registry.MAX_FILE_BYTES)
UPLOAD_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".html", ".htm")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRefused(Exception):
    """The upload is refused; ``detail`` says why and what to do, ``status`` is the HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def may_upload(settings: Settings, user: str, login_enabled: bool) -> bool:
    """Whether ``user`` may add reports (see ``Settings.upload_users``)."""
    if not login_enabled:
        return is_loopback(settings.host)
    allowed = {u.strip() for u in (settings.upload_users or "").split(",") if u.strip()}
    return bool(user) and ("*" in allowed or user in allowed)


def safe_name(raw: str) -> str:
    """The corpus file name for an uploaded file's name: its last part, in plain letters, digits and ``._ -``.

    Example:
        >>> safe_name("../../etc/GAO-26-1 (final).PDF")
        'GAO-26-1 final.pdf'
    """
    name = unicodedata.normalize("NFKC", unquote(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .-")[:120]
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if stem and suffix else ""


def same_origin(request: Request) -> bool:
    """True when the request comes from a page of this server (the CSRF check)."""
    origin = request.headers.get("origin")
    if origin:
        parts = urlsplit(origin)
        return parts.netloc.lower() == request.headers.get("host", "").lower() and parts.scheme in ("http", "https")
    return request.headers.get("sec-fetch-site") == "same-origin"


@dataclass
class UploadResult:
    source: str
    title: str
    report_number: str
    chunks: int

    def message(self) -> str:
        number = f" ({self.report_number})" if self.report_number else ""
        return f"Added {self.source}: “{self.title}”{number}, {self.chunks} passages. It can be asked about now."


class ReportUploads:
    """Validates an uploaded file and adds it to the corpus and the index; one upload at a time."""

    def __init__(self, assistant: Any, settings: Settings) -> None:
        self.assistant, self.settings = assistant, settings
        self._lock = threading.Lock()

    def add(self, filename: str, data: bytes) -> UploadResult:
        """Add one file; raises :class:`UploadRefused` (nothing changed) when it cannot be indexed."""
        name = safe_name(filename)
        if not name or not name.endswith(UPLOAD_SUFFIXES):
            shown = filename.rsplit("/", 1)[-1][:80] or "(no name)"
            raise UploadRefused(422, f"{shown}: unsupported file type; add a .pdf, .md, .txt or .html file.")
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadRefused(413, f"{name}: larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        if not data.strip():
            raise UploadRefused(422, f"{name}: the file is empty")
        corpus = Path(self.settings.corpus_dir)
        corpus.mkdir(parents=True, exist_ok=True)
        with self._lock:
            target = corpus / name
            if target.exists():
                raise UploadRefused(409, f"{name}: a report of that name is already in the corpus; rename the file.")
            duplicate = _same_bytes(corpus, hashlib.sha256(data).hexdigest())
            if duplicate:
                raise UploadRefused(409, f"{name}: the same file is already in the corpus as {duplicate}.")
            with tempfile.TemporaryDirectory(prefix=".upload-", dir=corpus) as staging:
                staged = Path(staging) / name
                staged.write_bytes(data)
                try:
                    doc = load_document(staged, name)
                except LoadError as exc:
                    raise UploadRefused(422, public_text(str(exc))) from None
                shutil.move(staged, target)  # the staging dir is hidden from ingest (a dot folder)
            try:
                report = self.assistant.ingest()
            except Exception as exc:  # locked, store down...: take the file back out, say why
                target.unlink(missing_ok=True)
                log.warning("upload of %s: ingest failed: %s", name, exc)
                raise UploadRefused(503, f"{name}: the index could not be updated: {public_text(str(exc))}") from None
            if name in report.skipped:
                target.unlink(missing_ok=True)
                self.assistant.ingest()  # back to the corpus as it was
                raise UploadRefused(422, f"{name}: {report.skipped[name]}")
        info = next((d for d in self.assistant.documents() if d.source == name), None)
        return UploadResult(
            name, info.title if info else doc.title, info.report_number if info else "", info.chunks if info else 0
        )


def _same_bytes(corpus: Path, digest: str) -> str | None:
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(corpus).parts):
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                    return path.relative_to(corpus).as_posix()
            except OSError:
                continue
    return None


def upload_endpoint(
    uploads: ReportUploads, identify: Callable[[Request], str | None], login_enabled: bool
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The handler of ``POST /upload-report`` (see the module docstring)."""

    async def upload_report(request: Request) -> JSONResponse:
        try:
            if request.method != "POST":
                raise UploadRefused(405, "Send the file with POST.")
            user = identify(request)
            if user is None:
                raise UploadRefused(401, "Sign in to add reports.")
            if not may_upload(uploads.settings, user, login_enabled):
                raise UploadRefused(403, "Your login may not add reports (ASSISTANT_UPLOAD_USERS).")
            if not same_origin(request):
                raise UploadRefused(403, "Reports can only be added from this site's own page.")
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
                raise UploadRefused(413, f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
            data = await _read_capped(request)
            result = await anyio.to_thread.run_sync(uploads.add, request.headers.get("x-filename", ""), data)
        except UploadRefused as exc:
            return JSONResponse({"ok": False, "detail": exc.detail}, exc.status)
        except Exception:  # never a traceback to the user
            log.exception("upload failed")
            return JSONResponse({"ok": False, "detail": "The report could not be added; nothing was changed."}, 500)
        return JSONResponse({"ok": True, "detail": result.message(), "source": result.source})

    return upload_report


class UploadRoute:
    """ASGI middleware serving ``UPLOAD_PATH`` itself, in front of the 1 MB body limit the other routes have.

    Placed inside the Host allow-list, the security headers and the client address middleware, so those
    still apply; the endpoint enforces its own cap (``MAX_UPLOAD_BYTES``) while it reads the body.
    """

    def __init__(self, app: ASGIApp, endpoint: Callable[[Request], Awaitable[JSONResponse]]) -> None:
        self.app, self.endpoint = app, endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == UPLOAD_PATH:
            response = await self.endpoint(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_capped(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise UploadRefused(413, f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
        chunks.append(chunk)
    return b"".join(chunks)
