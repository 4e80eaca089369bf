"""Thumbs up/down on answers, appended to a JSONL file that evaluators can turn into eval cases."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class FeedbackLog:
    """Append-only JSONL log of ratings; safe to call from many sessions (threads) at once.

    Each line: ``{"time", "rating": "up"|"down", "question", "standalone_question", "answer",
    "citations", "abstained", "notice", "session"}``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, question: str, reply: Mapping[str, Any], liked: bool, session: str = "") -> dict[str, Any]:
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": "up" if liked else "down",
            "question": question,
            "standalone_question": reply.get("standalone_question", ""),
            "answer": reply.get("answer", ""),
            "citations": list(reply.get("citations") or []),
            "abstained": bool(reply.get("abstained")),
            "notice": reply.get("notice", ""),
            "session": session,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (skipping a torn last line)."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries
