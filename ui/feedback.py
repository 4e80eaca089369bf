"""Thumbs up/down on answers, kept in a JSONL file that evaluators can turn into eval cases.

The log holds one vote per answered turn (voting again replaces the vote), every stored field is capped,
ratings older than the retention period are dropped, and so are the oldest ones when the file would grow
past its size cap: liking one long answer many times, or many answers, cannot fill the data dir.
Lines are ASCII JSON (``ensure_ascii``), so no character inside a field (U+2028, U+2029, NUL...) can
start a line; the reader splits on ``\\n`` only.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

MAX_TEXT_CHARS = 4000  # question, answer, standalone question, notice
MAX_QUOTE_CHARS = 1000
MAX_SHORT_CHARS = 300  # source, title, section, ids
MAX_CITATIONS = 20
MAX_COMMENT_CHARS = 1000
# What a user can say was wrong with an answer (the optional reason after a thumbs-down).
REASONS = ("wrong", "incomplete", "wrong source", "other")
CITATION_FIELDS = (
    *("n", "source", "title", "section", "quote", "chunk_id"),
    *("char_start", "char_end", "page", "printed_page"),
)


def capped(value: Any, limit: int) -> str:
    """``value`` as text of at most ``limit`` characters (a cut is marked with "…")."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _citation(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, Mapping) else {}
    out: dict[str, Any] = {}
    for field in CITATION_FIELDS:
        value = raw.get(field)
        if value is None or isinstance(value, bool | int | float):
            out[field] = value
        else:
            out[field] = capped(value, MAX_QUOTE_CHARS if field == "quote" else MAX_SHORT_CHARS)
    return out


class FeedbackLog:
    """The ratings of one data dir; safe to call from many sessions (threads) at once.

    Each line: ``{"time", "rating": "up"|"down", "question", "standalone_question", "answer",
    "citations", "abstained", "notice", "session", "turn"}``, plus ``"reason"`` (one of ``REASONS``) and
    ``"comment"`` once the user has given them (:meth:`annotate`).

    Args:
        path: The JSONL file (``Settings.feedback_path``).
        retention_days: Ratings older than this are dropped; 0 records nothing.
        max_bytes: Size cap of the file; the oldest ratings are dropped beyond it.
        now: Clock, for tests.
    """

    def __init__(
        self,
        path: Path,
        retention_days: int = 90,
        max_bytes: int = 5_000_000,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = Path(path)
        self.retention = timedelta(days=retention_days)
        self.max_bytes = max_bytes
        self._now = now
        self._lock = threading.Lock()

    def record(
        self,
        question: str,
        reply: Mapping[str, Any],
        liked: bool,
        session: str = "",
        turn: int | None = None,
    ) -> dict[str, Any] | None:
        """Store (or replace) the vote on one turn of one session; None when recording is off."""
        entry = {
            "time": self._now().isoformat(timespec="seconds"),
            "rating": "up" if liked else "down",
            "question": capped(question, MAX_TEXT_CHARS),
            "standalone_question": capped(reply.get("standalone_question", ""), MAX_TEXT_CHARS),
            "answer": capped(reply.get("answer", ""), MAX_TEXT_CHARS),
            "citations": [_citation(c) for c in list(reply.get("citations") or [])[:MAX_CITATIONS]],
            "abstained": bool(reply.get("abstained")),
            "notice": capped(reply.get("notice", ""), MAX_TEXT_CHARS),
            "session": capped(session, MAX_SHORT_CHARS),
            "turn": turn,
        }
        if not self.retention:
            return None
        with self._lock:
            entries = [e for e in self._read_unlocked() if not _same_turn(e, entry)]
            self._write_unlocked([*entries, entry])
        return entry

    def annotate(self, session: str, turn: int, reason: str | None, comment: str = "") -> dict[str, Any] | None:
        """Add the optional reason and comment to the vote on one turn; None when there is no such vote.

        ``reason`` must be one of ``REASONS`` (or None); the comment is capped at ``MAX_COMMENT_CHARS``.
        """
        if reason is not None and reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}, not {reason!r:.40}")
        key = {"session": capped(session, MAX_SHORT_CHARS), "turn": turn}
        with self._lock:
            entries = self._read_unlocked()
            found = next((e for e in reversed(entries) if _same_turn(e, key)), None)
            if found is None:
                return None
            found["reason"] = reason
            found["comment"] = capped(comment.strip(), MAX_COMMENT_CHARS)
            self._write_unlocked(entries)
        return found

    def prune(self) -> None:
        """Apply the retention period and the size cap now (the app does this at start)."""
        with self._lock:
            if self.path.exists():
                self._write_unlocked(self._read_unlocked())

    def read(self) -> list[dict[str, Any]]:
        """Every entry (skipping lines that are not JSON objects, such as a torn last line)."""
        with self._lock:
            return self._read_unlocked()

    # -- internals ---------------------------------------------------------------------------------------
    def _read_unlocked(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        entries = []
        for line in text.split("\n"):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    def _write_unlocked(self, entries: list[dict[str, Any]]) -> None:
        cutoff = (self._now() - self.retention).isoformat(timespec="seconds")
        lines = [_line(e) for e in entries if str(e.get("time", "")) >= cutoff]
        size = sum(len(line) for line in lines)
        while lines and size > self.max_bytes:
            size -= len(lines.pop(0))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
        tmp.write_text("".join(lines), encoding="ascii")
        os.replace(tmp, self.path)  # readers see the old or the new file, never a half-written one


def _line(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=True, separators=(",", ":")) + "\n"


def _same_turn(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    if new.get("turn") is None:
        return False
    return old.get("session") == new.get("session") and old.get("turn") == new.get("turn")
