"""The input and load limits, one set for the HTTP API and the chat.

The assistant itself truncates long questions (with a notice); these limits stop requests that are abusive
rather than merely long, before any work is done, and keep one client from filling the queue for everyone.
"""

from __future__ import annotations

MAX_QUESTION_CHARS = 20_000
MAX_HISTORY_MESSAGES = 100
MAX_MESSAGE_CHARS = 50_000
MAX_K = 50
MAX_BODY_BYTES = 1_000_000  # any request body except an upload
MAX_JSON_DEPTH = 32  # deeper JSON is refused with 422 before it is parsed
# A chat session keeps at most this many turns (the oldest are dropped), so its history stays within
# MAX_HISTORY_MESSAGES and answering a follow-up never gets slower than that.
MAX_SESSION_TURNS = MAX_HISTORY_MESSAGES // 2
# Chat events waiting or running at once: per browser session, and per client address (several sessions).
MAX_PENDING_PER_SESSION = 4
MAX_PENDING_PER_CLIENT = 16
