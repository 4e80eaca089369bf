"""Throttling of failed logins: per client address and per user name, with a delay that doubles.

A few failures are free (typos happen); after that every further failure locks the key out for twice as
long as the previous one, up to a cap, and a success or a quiet period clears it. While a client or a
user is locked out, every attempt, right or wrong, gets 429 with ``Retry-After`` and no password is
checked, so guessing runs at a few tries an hour instead of hundreds a second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

# The peer address of the request being served (set by ClientAddress), for code that only gets a user name
# and a password, such as the callable Gradio's login form calls.
CURRENT_CLIENT: ContextVar[str] = ContextVar("current_client", default="")


class TooManyAttempts(Exception):
    """Logins from this client or for this user are locked out for ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins. Try again in {retry_after} s.")
        self.retry_after = retry_after


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class Backoff:
    """Failure counts with a doubling lockout for one kind of key (a client address, a user name)."""

    def __init__(
        self,
        free_failures: int,
        first_delay: float = 1.0,
        max_delay: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.free_failures, self.first_delay, self.max_delay = free_failures, first_delay, max_delay
        self.clock, self.max_keys = clock, max_keys
        self._records: dict[str, _Record] = {}

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        record = self._records.get(key)
        return max(0.0, record.locked_until - self.clock()) if record else 0.0

    def failed(self, key: str) -> None:
        now = self.clock()
        record = self._records.get(key)
        if record is None or now - record.last_failure > 2 * self.max_delay:  # quiet long enough: start over
            if len(self._records) >= self.max_keys:
                self._forget_quiet(now)
            record = self._records[key] = _Record()
        record.failures += 1
        record.last_failure = now
        extra = record.failures - self.free_failures
        if extra > 0:
            delay = min(self.max_delay, self.first_delay * 2 ** min(extra - 1, 30))
            record.locked_until = now + delay

    def succeeded(self, key: str) -> None:
        self._records.pop(key, None)

    def _forget_quiet(self, now: float) -> None:
        for key in [k for k, r in self._records.items() if r.locked_until <= now]:
            del self._records[key]
        if len(self._records) >= self.max_keys:  # all locked: keep the newest half
            for key in sorted(self._records, key=lambda k: self._records[k].last_failure)[: self.max_keys // 2]:
                del self._records[key]


class LoginThrottle:
    """Per-client and per-user backoff; one instance guards the login form, HTTP basic and the token.

    Example:
        >>> clock = [0.0]
        >>> throttle = LoginThrottle(clock=lambda: clock[0])
        >>> for _ in range(6):
        ...     throttle.failed("10.0.0.9", "ana")
        >>> throttle.check("10.0.0.9", "ana")
        Traceback (most recent call last):
        ...
        ui.throttle.TooManyAttempts: Too many failed logins. Try again in 1 s.
    """

    def __init__(
        self,
        client_free: int = 5,
        user_free: int = 10,
        client_max_delay: float = 900.0,
        user_max_delay: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # A user's lockout is shorter than a client's: anyone can fail logins in another user's name.
        self.clients = Backoff(client_free, max_delay=client_max_delay, clock=clock)
        self.users = Backoff(user_free, max_delay=user_max_delay, clock=clock)
        self._lock = threading.Lock()

    def check(self, client: str, user: str) -> None:
        """Raise :class:`TooManyAttempts` while ``client`` or ``user`` is locked out."""
        with self._lock:
            wait = max(self.clients.retry_after(client), self.users.retry_after(user.lower()))
        if wait > 0:
            raise TooManyAttempts(max(1, math.ceil(wait)))

    def failed(self, client: str, user: str) -> None:
        with self._lock:
            self.clients.failed(client)
            self.users.failed(user.lower())

    def succeeded(self, client: str, user: str) -> None:
        with self._lock:
            self.clients.succeeded(client)
            self.users.succeeded(user.lower())


class ClientAddress:
    """ASGI middleware: makes the peer address of each request available as :data:`CURRENT_CLIENT`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] in ("http", "websocket") else None
        token = CURRENT_CLIENT.set(str(client[0]) if client else "")
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT_CLIENT.reset(token)
