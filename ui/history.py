"""Conversations kept in the browser (``gr.BrowserState``), so a reload or a closed tab loses nothing.

Nothing about a user's questions is stored on the server: the browser holds one small blob (encrypted by
Gradio with a per-server secret, so a server restart starts afresh),
``{"v": 1, "owner": <hash of the login>, "conversations": [{"id", "title", "started", "turns"}, ...]}``,
newest first. The blob belongs to the login that wrote it: another login in the same browser sees none of
it, and its first answer replaces it. It is kept under ``MAX_STORED_BYTES`` (oldest conversations, then
oldest turns, dropped; long texts capped), and everything read back from the browser is checked and capped
again, since the browser can send anything.

Pure functions on plain data; :func:`wire_history` adds the Gradio events (restore on load, save after
each answer, reopen a past conversation, Clear with Undo).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .feedback import capped
from .limits import MAX_SESSION_TURNS

MAX_STORED_BYTES = 350_000  # well under the ~5 MB a browser gives a site, and under the 400 KB we promise
MAX_CONVERSATIONS = 20
MAX_ANSWER_CHARS = 6000
MAX_QUESTION_CHARS = 2000
MAX_QUOTE_CHARS = 1200
MAX_SHORT_CHARS = 300
MAX_CITATIONS = 12
TITLE_CHARS = 60
_CITATION_TEXT = ("source", "title", "section", "chunk_id", "printed_page")
_CITATION_INTS = ("n", "char_start", "char_end", "page")


def owner_key(user: str) -> str:
    """What identifies the login in the browser blob (a hash: the user name itself is not stored)."""
    return hashlib.sha256(f"report-assistant\0{user}".encode()).hexdigest()[:24]


def new_conversation_id() -> str:
    return secrets.token_urlsafe(9)


def compact_turn(turn: Mapping[str, Any]) -> dict[str, Any]:
    """A turn as stored: the question and what the export and the chat need of the reply, capped."""
    reply = turn.get("reply") if isinstance(turn.get("reply"), Mapping) else {}
    assert isinstance(reply, Mapping)
    citations = []
    for raw in _list(reply.get("citations"))[:MAX_CITATIONS]:
        if not isinstance(raw, Mapping):
            continue
        citation: dict[str, Any] = {k: capped(raw.get(k), MAX_SHORT_CHARS) for k in _CITATION_TEXT if raw.get(k)}
        citation |= {k: raw[k] for k in _CITATION_INTS if _is_int(raw.get(k))}
        citation["quote"] = capped(raw.get("quote"), MAX_QUOTE_CHARS)
        citations.append(citation)
    return {
        "question": capped(turn.get("question"), MAX_QUESTION_CHARS),
        "reply": {
            "answer": capped(reply.get("answer"), MAX_ANSWER_CHARS),
            "citations": citations,
            "abstained": reply.get("abstained") is True,
            "standalone_question": capped(reply.get("standalone_question"), MAX_QUESTION_CHARS),
            "notice": capped(reply.get("notice"), MAX_SHORT_CHARS),
        },
    }


def title_of(turns: Sequence[Mapping[str, Any]]) -> str:
    question = " ".join(str(turns[0].get("question", "")).split()) if turns else ""
    return question if len(question) <= TITLE_CHARS else question[: TITLE_CHARS - 1].rstrip() + "…"


def conversations_of(stored: Any, user: str) -> list[dict[str, Any]]:
    """The user's stored conversations, newest first, each checked and capped (anything malformed dropped)."""
    if not isinstance(stored, Mapping) or stored.get("owner") != owner_key(user):
        return []
    out = []
    for raw in _list(stored.get("conversations"))[:MAX_CONVERSATIONS]:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"]:
            continue
        turns = [
            compact_turn(t)
            for t in _list(raw.get("turns"))[-MAX_SESSION_TURNS:]
            if isinstance(t, Mapping) and isinstance(t.get("question"), str) and t["question"]
        ]
        if turns:
            started = capped(raw.get("started"), 20)
            out.append({"id": capped(raw["id"], 40), "title": title_of(turns), "started": started, "turns": turns})
    return out


def save(
    stored: Any, user: str, conversation_id: str, turns: Sequence[Mapping[str, Any]], now: datetime | None = None
) -> dict[str, Any]:
    """The blob with ``turns`` saved as conversation ``conversation_id`` (moved to the front), within the caps."""
    conversations = [c for c in conversations_of(stored, user) if c["id"] != conversation_id]
    if turns:
        started = next((c["started"] for c in conversations_of(stored, user) if c["id"] == conversation_id), "")
        stamp = started or (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M")
        kept = [compact_turn(t) for t in turns][-MAX_SESSION_TURNS:]
        conversations.insert(0, {"id": conversation_id, "title": title_of(kept), "started": stamp, "turns": kept})
    kept_conversations = conversations[:MAX_CONVERSATIONS]
    blob: dict[str, Any] = {"v": 1, "owner": owner_key(user), "conversations": kept_conversations}
    while size_of(blob) > MAX_STORED_BYTES and kept_conversations:
        if len(kept_conversations) > 1:
            kept_conversations.pop()  # the oldest conversation goes first
        elif len(kept_conversations[0]["turns"]) > 1:
            kept_conversations[0]["turns"].pop(0)  # one long conversation: its oldest turns
        else:
            kept_conversations.pop()
    return blob


def size_of(blob: Any) -> int:
    return len(json.dumps(blob, ensure_ascii=False, separators=(",", ":")).encode())


def restore(stored: Any, user: str, conversation_id: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """(id, turns owned by ``user``) of a stored conversation (the latest one by default), or (None, [])."""
    conversations = conversations_of(stored, user)
    found = next((c for c in conversations if conversation_id in (None, c["id"])), None)
    if found is None:
        return None, []
    return found["id"], [{**t, "owner": user} for t in found["turns"]]


def choices(stored: Any, user: str) -> list[tuple[str, str]]:
    """The past-conversations picker: "YYYY-MM-DD HH:MM · first question" -> id."""
    return [
        (f"{c['started']} · {c['title']}" if c["started"] else c["title"], c["id"])
        for c in conversations_of(stored, user)
    ]


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
