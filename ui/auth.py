"""Login for the whole web app (chat and API), and the rules for exposing it beyond loopback.

One protection model: ``ASSISTANT_AUTH`` (user:password pairs, passwords plain or as bcrypt hashes) and
``ASSISTANT_API_TOKEN`` each protect everything the server serves, the chat included. Browsers sign in on
the login form (with a user's password, or with the token as the password); API clients send HTTP basic
or ``Authorization: Bearer <token>``. Failed attempts are throttled (:mod:`ui.throttle`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import threading
import time

import anyio
import bcrypt

from .throttle import CURRENT_CLIENT, LoginThrottle

MIN_PASSWORD_CHARS = 12  # for a server reachable beyond this machine
MIN_TOKEN_CHARS = 16
BCRYPT_COST = 12
_BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
_VERIFIED_TTL = 600.0  # seconds a checked (user, password) pair is remembered, so API calls skip bcrypt


class AuthConfigError(ValueError):
    """``ASSISTANT_AUTH`` is malformed, or the server would be exposed without a (strong enough) login."""


def parse_credentials(spec: str | None) -> list[tuple[str, str]]:
    """Parse ``ASSISTANT_AUTH``: ``user:password`` or ``user:<bcrypt hash>``, several separated by commas.

    Passwords may contain ``:`` (the first one separates the user) but not ``,``.

    Example:
        >>> parse_credentials("ana:s3cret, bo:pa:ss")
        [('ana', 's3cret'), ('bo', 'pa:ss')]
    """
    if spec is None or not spec.strip():
        return []
    credentials = []
    for entry in spec.split(","):
        entry = entry.strip()
        if not entry:
            continue
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise AuthConfigError(
                f"ASSISTANT_AUTH entry {user.strip() or '(empty)'!r} is not 'user:password'. "
                "Use e.g. ASSISTANT_AUTH='ana:long-password,bo:another-one'."
            )
        credentials.append((user.strip(), password))
    return credentials


def is_password_hash(secret: str) -> bool:
    """Whether a configured password is a bcrypt hash (``$2b$12$…``) rather than the password itself."""
    return bool(_BCRYPT_HASH.fullmatch(secret))


def hash_password(password: str) -> str:
    """A bcrypt hash of ``password`` for ``ASSISTANT_AUTH`` (``python -m ui hash-password``)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthConfigError(f"The password has {len(password)} characters; use at least {MIN_PASSWORD_CHARS}.")
    if len(password.encode()) > 72:
        raise AuthConfigError("bcrypt reads at most 72 bytes of a password; use a shorter one.")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_COST)).decode()


def _password_matches(known: str, given: str) -> bool:
    if is_password_hash(known):
        try:
            return bcrypt.checkpw(given.encode(), known.encode())
        except ValueError:  # over 72 bytes: no hash of ours can match it
            return False
    return secrets.compare_digest(known.encode(), given.encode())


def check_password(credentials: list[tuple[str, str]], user: str, password: str) -> bool:
    """Check one login against the configured pairs, in time that does not depend on which part is wrong.

    User names are compared in constant time; the password is checked against the matching entry (bcrypt
    for a hash, a constant-time comparison otherwise), and an unknown user costs the same check.
    """
    match = None
    for known_user, known_password in credentials:
        if secrets.compare_digest(known_user.encode(), user.encode()):
            match = known_password
    if match is None:
        if any(is_password_hash(p) for _, p in credentials):
            _password_matches(_dummy_hash(), password)
        return False
    return _password_matches(match, password)


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(BCRYPT_COST)).decode())
    return _DUMMY[0]


def check_token(expected: str | None, token: str) -> bool:
    return bool(expected) and secrets.compare_digest(str(expected).encode(), token.encode())


class Authenticator:
    """The configured logins and token, with throttling; used by the login form and by the API."""

    def __init__(
        self,
        credentials: list[tuple[str, str]],
        api_token: str | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.credentials, self.api_token = credentials, api_token or None
        self.throttle = throttle or LoginThrottle()
        self._secret = secrets.token_bytes(32)
        self._verified: dict[bytes, float] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.credentials or self.api_token)

    def login(self, client: str, user: str, password: str) -> bool:
        """Check a user's password (or the token as a password); raises ``TooManyAttempts`` when locked out."""
        self.throttle.check(client, user)
        ok = self._cached(user, password) or check_password(self.credentials, user, password)
        ok = ok or check_token(self.api_token, password)
        self._settle(client, user, ok, password)
        return ok

    def token(self, client: str, token: str) -> bool:
        """Check a bearer token; raises ``TooManyAttempts`` when locked out."""
        self.throttle.check(client, "(token)")
        ok = check_token(self.api_token, token)
        self._settle(client, "(token)", ok, None)
        return ok

    async def gradio_login(self, user: str, password: str) -> bool:
        """The ``auth`` callable of the chat's login form (Gradio passes only the user and the password)."""
        from fastapi import HTTPException

        from .throttle import TooManyAttempts

        client = CURRENT_CLIENT.get()
        try:
            return await anyio.to_thread.run_sync(self.login, client, user, password)
        except TooManyAttempts as exc:
            raise HTTPException(429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}) from None

    def describe(self) -> str:
        """What protects the app, for the start-up message."""
        users = f"{len(self.credentials)} login{'s' if len(self.credentials) != 1 else ''} from ASSISTANT_AUTH"
        if self.credentials and self.api_token:
            return f"the chat and the API need a login ({users}, or the API token as password or bearer token)"
        if self.credentials:
            return f"the chat and the API need a login ({users}; HTTP basic for API clients)"
        if self.api_token:
            return (
                "the chat and the API need the API token (browsers: any user name and the token as password; "
                "API clients: 'Authorization: Bearer <token>')"
            )
        return "no login: anyone who can reach this address can use the chat and the API"

    def _key(self, user: str, password: str) -> bytes:
        return hmac.new(self._secret, f"{user}\0{password}".encode(), hashlib.sha256).digest()

    def _cached(self, user: str, password: str) -> bool:
        with self._lock:
            expiry = self._verified.get(self._key(user, password), 0.0)
        return expiry > time.monotonic()

    def _settle(self, client: str, user: str, ok: bool, password: str | None) -> None:
        if not ok:
            self.throttle.failed(client, user)
            return
        self.throttle.succeeded(client, user)
        if password is not None:
            with self._lock:
                if len(self._verified) > 1000:
                    self._verified.clear()
                self._verified[self._key(user, password)] = time.monotonic() + _VERIFIED_TTL


def is_loopback(host: str) -> bool:
    """True when ``host`` only reaches this machine (127.0.0.0/8, ::1, or a name resolving only there)."""
    name = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    if name.lower() == "localhost":
        return True
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def check_exposure(host: str, credentials: list[tuple[str, str]], insecure: bool, api_token: str | None = None) -> None:
    """Refuse a server beyond loopback that is open (unless ``insecure``) or protected by short secrets."""
    if is_loopback(host):
        return
    for user, password in credentials:
        if not is_password_hash(password) and len(password) < MIN_PASSWORD_CHARS:
            raise AuthConfigError(
                f"The ASSISTANT_AUTH password of {user!r} has {len(password)} characters; a server on {host!r} "
                f"needs at least {MIN_PASSWORD_CHARS}. Choose a longer one, or store a bcrypt hash "
                "(python -m ui hash-password)."
            )
    if api_token and len(api_token) < MIN_TOKEN_CHARS:
        raise AuthConfigError(
            f"ASSISTANT_API_TOKEN has {len(api_token)} characters; a server on {host!r} needs at least "
            f"{MIN_TOKEN_CHARS}. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if credentials or api_token or insecure:
        return
    raise AuthConfigError(
        f"Refusing to listen on {host!r} without a login: anyone who can reach this address could use the "
        "assistant. Set ASSISTANT_AUTH='user:password' (several comma-separated), bind to 127.0.0.1, "
        "or pass --insecure if the network is trusted."
    )
