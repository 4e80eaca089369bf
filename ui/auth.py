"""Login for the web app and the API, and the rule that an open server stays on loopback."""

from __future__ import annotations

import ipaddress
import secrets
import socket


class AuthConfigError(ValueError):
    """``ASSISTANT_AUTH`` is malformed, or the server would be exposed without a login."""


def parse_credentials(spec: str | None) -> list[tuple[str, str]]:
    """Parse ``ASSISTANT_AUTH``: ``user:password``, several separated by commas.

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


def check_password(credentials: list[tuple[str, str]], user: str, password: str) -> bool:
    """Constant-time check of one login against every configured pair."""
    ok = False
    for known_user, known_password in credentials:
        same_user = secrets.compare_digest(known_user.encode(), user.encode())
        same_password = secrets.compare_digest(known_password.encode(), password.encode())
        ok |= same_user and same_password
    return ok


def check_token(expected: str | None, token: str) -> bool:
    return bool(expected) and secrets.compare_digest(str(expected).encode(), token.encode())


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


def check_exposure(host: str, credentials: list[tuple[str, str]], insecure: bool) -> None:
    """Refuse to serve an open (no login) app on a non-loopback address unless ``insecure`` is set."""
    if credentials or insecure or is_loopback(host):
        return
    raise AuthConfigError(
        f"Refusing to listen on {host!r} without a login: anyone who can reach this address could use the "
        "assistant. Set ASSISTANT_AUTH='user:password' (several comma-separated), bind to 127.0.0.1, "
        "or pass --insecure if the network is trusted."
    )
