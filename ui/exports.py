"""Markdown exports of a chat session, made when the user downloads one and never written to disk.

After each answer the chat shows an *Export as Markdown* link, ``export/<token>``: the token is random,
bound to the session and to the logged-in user, and forgotten when the conversation is cleared or the
session ends (or after ``ttl`` seconds without use). Following the link renders the conversation at that
moment (``render.conversation_markdown``, escaped, sources with their pages) and sends it as an attachment
named after the date and the first question (``2026-12-02-how-much-is-gao-requesting.md``) with
``Cache-Control: no-store``. Nothing lands in Gradio's file cache or anywhere else on the server.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from . import render

EXPORT_TTL = 12 * 3600.0
NO_EXPORT_HTML = '<span class="export-link disabled" id="export" aria-disabled="true">Export as Markdown</span>'


@dataclass
class _Export:
    session: str
    owner: str
    turns: Sequence[Any]
    used: float = field(default_factory=time.monotonic)


class ExportLinks:
    """The export link of each chat session that has answers (see the module docstring)."""

    def __init__(self, ttl: float = EXPORT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._by_token: dict[str, _Export] = {}
        self._token_of: dict[str, str] = {}
        self._lock = threading.Lock()

    def offer(self, session: str, owner: str, turns: Sequence[Any]) -> str:
        """The session's export token, now exporting ``turns`` (a new token for a new session or owner)."""
        with self._lock:
            self._expire()
            old = self._token_of.get(session)
            entry = self._by_token.get(old) if old else None
            if old is not None and entry is not None and entry.owner == owner:
                entry.turns, entry.used = turns, self.clock()
                return old
            if old is not None:
                self._by_token.pop(old, None)
            token = secrets.token_urlsafe(24)
            self._token_of[session] = token
            self._by_token[token] = _Export(session, owner, turns, used=self.clock())
            return token

    def forget(self, session: str) -> None:
        with self._lock:
            token = self._token_of.pop(session, None)
            if token:
                self._by_token.pop(token, None)

    def turns(self, token: str, user: str) -> Sequence[Any] | None:
        """What the link ``token`` exports for ``user``, or None (unknown, expired or someone else's)."""
        with self._lock:
            self._expire()
            entry = self._by_token.get(token)
            if entry is None or not secrets.compare_digest(entry.owner.encode(), user.encode()):
                return None
            entry.used = self.clock()
            return entry.turns

    def __len__(self) -> int:
        return len(self._by_token)

    def _expire(self) -> None:
        cutoff = self.clock() - self.ttl
        for token in [t for t, e in self._by_token.items() if e.used < cutoff]:
            entry = self._by_token.pop(token)
            self._token_of.pop(entry.session, None)


FILENAME_WORDS = 6
FILENAME_CHARS = 60


def export_filename(turns: Sequence[Any], day: date | None = None) -> str:
    """The export's file name: the date and the first question's first words.

    Example:
        >>> export_filename([{"question": "How much is GAO requesting for FY 2027?"}], date(2026, 12, 2))
        '2026-12-02-how-much-is-gao-requesting-for.md'
    """
    day = day or datetime.now(UTC).date()
    first = str(turns[0].get("question", "")) if turns and isinstance(turns[0], dict) else ""
    ascii_text = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:FILENAME_WORDS]
    slug = "-".join(words)[:FILENAME_CHARS].strip("-") or "conversation"
    return f"{day.isoformat()}-{slug}.md"


def link_html(token: str | None) -> str:
    """The chat's export control: a download link once there is something to export.

    The file name comes from the response (``Content-Disposition``), made when the link is followed.
    """
    if not token:
        return NO_EXPORT_HTML
    href = html.escape(f"export/{token}", quote=True)
    return f'<a class="export-link" id="export" href="{href}" download>Export as Markdown</a>'


def export_router(links: ExportLinks, identify: Callable[[Request], str | None]) -> APIRouter:
    """``GET /export/{token}``; ``identify`` gives the request's logged-in user ("" without login, None: refused)."""
    router = APIRouter()

    @router.get("/export/{token}", include_in_schema=False)
    async def download(token: str, request: Request) -> Response:
        user = identify(request)
        if user is None:
            raise HTTPException(401, detail="Sign in to download this conversation.")
        turns = links.turns(token, user)
        if turns is None:
            raise HTTPException(404, detail="This export link has expired. Ask a question, then export again.")
        return Response(
            render.conversation_markdown(turns),
            media_type="text/markdown; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{export_filename(list(turns))}"',
                "Cache-Control": "no-store",
            },
        )

    return router
