"""Start-up checks that must fail fast, before the index is prepared: the port and the data dir.

- :func:`bind_socket` binds the listening socket first, so a busy port is reported at once, not after
  the index has loaded and "Serving the chat at …" has been printed.
- :func:`server_lock` lets one server at a time use a data dir (its embedded index and feedback log); a
  second one fails within a moment and names the holder, like the ingest lock does.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path


class StartupError(RuntimeError):
    """The server cannot start; the message says why and what to do."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv4 or IPv6), or :class:`StartupError`."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise StartupError(f"Cannot listen on {host!r}: {exc.strerror}. Check --host / ASSISTANT_HOST.") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"Port {port} on {host} is already in use (another program, or another instance of this app). "
                "Stop it, or choose another port with --port or ASSISTANT_PORT."
            ) from None
        raise StartupError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def server_lock(data_dir: Path, url: str) -> Iterator[None]:
    """Hold the data dir's server lock while serving, or raise :class:`StartupError` naming the holder.

    An OS file lock: the kernel releases it when its holder exits, even on kill -9.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "server.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StartupError(
            f"Another server uses the data dir {data_dir} ({_holder(path)}). Two servers on one data dir would "
            "share its embedded index and feedback log: stop that one, or give this one its own "
            "ASSISTANT_DATA_DIR (several instances: see 'Deploying several app instances' in the README)."
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "url": url, "started": started}))
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            handle.truncate(0)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"pid {info['pid']} on {info['host']}, serving {info['url']} since {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
