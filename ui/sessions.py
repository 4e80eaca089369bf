"""Chat state belongs to a session *and* to the user logged in to it.

Gradio keys session state by the session id the browser chooses. Each stored turn carries the user who
asked it, and the chat only ever reads the turns of the user making the request, so a second login that
reuses a session id starts an empty conversation instead of continuing (or rating, or exporting) someone
else's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from .limits import MAX_SESSION_TURNS

log = logging.getLogger(__name__)


def user_of(request: Any) -> str:
    """The logged-in user of a Gradio request ("" without login)."""
    return str(getattr(request, "username", None) or "")


def session_of(request: Any) -> str:
    return str(getattr(request, "session_hash", None) or "")


def own_turns(turns: Sequence[Any] | None, request: Any) -> list[dict[str, Any]]:
    """The turns of ``turns`` that the request's user asked (all of them, normally)."""
    user = user_of(request)
    mine = [t for t in turns or [] if isinstance(t, Mapping) and t.get("owner", "") == user]
    if len(mine) != len(turns or []):
        log.warning("session %s: ignoring %d turns of another login", session_of(request)[:12], len(turns or []))
    return [dict(t) for t in mine]


def add_turn(turns: list[dict[str, Any]], question: str, reply: Mapping[str, Any], request: Any) -> list[dict]:
    """``turns`` plus the new one, keeping the latest ``MAX_SESSION_TURNS``."""
    turn = {"question": question, "reply": dict(reply), "owner": user_of(request)}
    return [*turns, turn][-MAX_SESSION_TURNS:]


def liked_turn(index: Any) -> int | None:
    """The turn a Chatbot like/dislike is about, from its message index (an int, or ``[row, column]``).

    Messages alternate user/assistant, one pair per turn. Anything else (text, negative, huge) is None.
    """
    if isinstance(index, list | tuple) and index:
        index = index[0]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 2 * MAX_SESSION_TURNS:
        return None
    return index // 2
