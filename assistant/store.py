"""Chroma access (embedded or server) and the one-writer lock. Nothing here knows about chunks or answers."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings


class IndexUnavailable(RuntimeError):
    """The index cannot be reached or has not been built; the message says what to do."""


class IndexLocked(RuntimeError):
    """Another process is writing the index."""


class IndexMismatch(RuntimeError):
    """The index was built with another embedding model or chunker; it needs ``--rebuild``."""


class Store:
    """A Chroma client, created lazily and re-created after a connection failure (server restarts)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None

    @property
    def mode(self) -> str:
        return "server" if self.settings.chroma_url else "embedded"

    @property
    def where(self) -> str:
        return self.settings.chroma_url or str(self.settings.data_dir / "chroma")

    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            try:
                if self.settings.chroma_url:
                    from urllib.parse import urlparse

                    url = urlparse(self.settings.chroma_url)
                    self._client = chromadb.HttpClient(
                        host=url.hostname or "127.0.0.1",
                        port=url.port or (443 if url.scheme == "https" else 8000),
                        ssl=url.scheme == "https",
                        settings=chroma_settings,
                    )
                else:
                    path = self.settings.data_dir / "chroma"
                    path.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            except Exception as exc:
                raise self.unavailable(exc) from exc
        return self._client

    def unavailable(self, exc: BaseException) -> IndexUnavailable:
        self._client = None  # reconnect on the next call
        if self.mode == "server":
            return IndexUnavailable(
                f"The index is unavailable: the Chroma server at {self.settings.chroma_url} did not answer "
                f"({type(exc).__name__}). Check that it is running; the assistant reconnects by itself."
            )
        return IndexUnavailable(f"The index at {self.where} could not be opened ({type(exc).__name__}: {exc}).")

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn any store failure into :class:`IndexUnavailable` (and reconnect next time)."""
        try:
            yield
        except (IndexUnavailable, IndexLocked, IndexMismatch):
            raise
        except Exception as exc:
            raise self.unavailable(exc) from exc

    def collection(self, name: str, create: bool = False, space: str = "cosine") -> Any:
        client = self.client()
        if create:
            return client.get_or_create_collection(
                name, configuration={"hnsw": {"space": space}}, embedding_function=None
            )
        return client.get_collection(name, embedding_function=None)

    def collection_names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self.client().list_collections()]

    def drop(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.client().delete_collection(name)


def _lock_info(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
    except Exception:
        return "another process"


@contextlib.contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the one-writer lock of the index, or fail within ``settings.lock_timeout`` seconds.

    Embedded mode locks a file in the data directory (the OS releases it if the holder dies). Server mode
    uses the same file lock, which covers writers on this machine; see the README for several hosts.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "ingest.lock"
    info_path = settings.data_dir / "ingest.lock.json"
    fh = path.open("a+")
    deadline = time.monotonic() + settings.lock_timeout
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                fh.close()
                raise IndexLocked(
                    f"The index in {settings.data_dir} is being written by {_lock_info(info_path)}. "
                    "Wait for that ingest to finish, or stop it, then try again."
                ) from None
            time.sleep(0.1)
    try:
        info_path.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                }
            )
        )
        yield
    finally:
        with contextlib.suppress(OSError):
            info_path.unlink()
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()
