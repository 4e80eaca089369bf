"""The index in a Chroma server: generations as collections, the manifest one record, a writer lease.

Used when ``ASSISTANT_CHROMA_URL`` is set (see :func:`assistant.store.open_store`). The server outlives any
client, so a killed ingest cannot corrupt its data; it leaves collections of an unfinished generation, which
the next ingest drops, and a lease that nobody renews, which the next writer takes over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from assistant.config import Settings
from assistant.store_base import (
    IndexLocked,
    IndexUnavailable,
    Store,
    _chroma_settings,
    checked_manifest,
    file_lock,
    hold_point,
    is_missing,
)

# A Chroma server that accepts connections but does not answer must not hang a question forever.
SERVER_TIMEOUT = 30.0
SERVER_CONNECT_TIMEOUT = 5.0
# The writer lease: how long it lasts without renewal, and how often its holder renews it.
LEASE_TTL = 60.0
LEASE_RENEW_EVERY = 10.0


class ServerStore(Store):
    """A Chroma server: generations as collections, the manifest a record, a lease for the writer."""

    mode = "server"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._client_obj: Any = None
        self._meta: Any = None
        self._cached: tuple[str, dict[str, Any]] | None = None
        self._mutex = threading.Lock()
        self._lease: ServerLease | None = None

    @property
    def where(self) -> str:
        return str(self.settings.chroma_url)

    def client(self) -> Any:
        with self._mutex:
            if self._client_obj is None:
                try:
                    self._client_obj = _http_client(str(self.settings.chroma_url))
                except Exception as exc:
                    raise self.unavailable(exc) from exc
            return self._client_obj

    def unavailable(self, exc: BaseException) -> IndexUnavailable:
        self._client_obj = self._meta = None  # reconnect on the next call
        return IndexUnavailable(
            f"The index is unavailable: the Chroma server at {self.settings.chroma_url} did not answer "
            f"({type(exc).__name__}). Check that it is running; the assistant reconnects by itself."
        )

    def _meta_collection(self, create: bool = False) -> Any:
        if self._meta is None or create:
            name = f"{self.base}-meta"
            client = self.client()
            self._meta = (
                client.get_or_create_collection(name, configuration={"hnsw": {"space": "l2"}}, embedding_function=None)
                if create
                else client.get_collection(name, embedding_function=None)
            )
        return self._meta

    def read_manifest(self) -> dict[str, Any] | None:
        # Polled every ~2 s by every app instance: ask for the generation name only (a few bytes), and
        # fetch the whole manifest (which lists every document) only when it changed.
        with self.guard():
            try:
                meta = self._meta_collection()
                got = meta.get(ids=["manifest"], include=["metadatas"])
            except Exception as exc:
                if is_missing(exc):
                    self._meta = None  # deleted (or never made): look it up afresh next time
                    return None
                raise
            if not got["ids"]:
                return None
            generation = str((got["metadatas"][0] or {}).get("generation", ""))
            if self._cached and self._cached[0] == generation:
                return dict(self._cached[1])
            got = meta.get(ids=["manifest"], include=["documents"])
            if not got["ids"]:
                return None
            try:
                manifest = checked_manifest(json.loads(got["documents"][0]))
            except ValueError as exc:
                if self._lease is not None:  # the writer replaces a broken manifest with a complete new index
                    return None
                raise IndexUnavailable(
                    f"The index manifest in {self.where} is not valid ({exc}). "
                    "Run `assistant ingest --rebuild` to rebuild the index."
                ) from exc
        self._cached = (generation, manifest)
        return dict(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        if self._lease is not None:
            self._lease.check()  # a writer that lost its lease must not publish
        hold_point("manifest-temp")
        # One record in one request: the server applies it whole or not at all.
        self._meta_collection(create=True).upsert(
            ids=["manifest"],
            documents=[json.dumps(manifest)],
            metadatas=[{"generation": manifest["generation"]}],
            embeddings=[[1.0]],
        )

    def collection(self, generation: str, kind: str, create: bool = False) -> Any:
        client = self.client()
        name = f"{generation}-{kind}"
        if create:
            space = "cosine" if kind == "chunks" else "l2"
            return client.get_or_create_collection(
                name, configuration={"hnsw": {"space": space}}, embedding_function=None
            )
        return client.get_collection(name, embedding_function=None)

    def client_of(self, generation: str) -> Any:
        return self.client()

    def generations(self) -> list[str]:
        names = [c if isinstance(c, str) else c.name for c in self.client().list_collections()]
        found = set()
        for name in names:
            head, _, kind = name.rpartition("-")
            if head.startswith(f"{self.base}-g") and kind in ("chunks", "docs", "sentences"):
                found.add(head)
        return sorted(found)

    def drop_generation(self, generation: str) -> None:
        for kind in ("chunks", "docs", "sentences"):
            with contextlib.suppress(Exception):
                self.client().delete_collection(f"{generation}-{kind}")

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """The file lock (fast, this machine) and the server lease (every host using this server)."""
        with file_lock(self.settings):
            lease = ServerLease(self)
            with self.guard():
                lease.acquire()
            self._lease = lease
            try:
                yield
            finally:
                self._lease = None
                lease.release()


def _http_client(url: str) -> Any:
    from urllib.parse import urlparse

    import chromadb
    import httpx

    parsed = urlparse(url)
    client = chromadb.HttpClient(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https",
        settings=_chroma_settings(),
    )
    # chromadb's HTTP client waits forever by default; a hung server must give a clear error instead.
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(SERVER_TIMEOUT, connect=SERVER_CONNECT_TIMEOUT)
    return client


class ServerLease:
    """Only one writer per server: the holder is whoever created the collection ``<base>-writer``.

    Creating a collection that exists fails on the server, which makes creation a mutex. The collection's
    metadata names the holder and an expiry that a background thread renews; a lease whose holder died
    (expired, or its pid is gone on this host) is taken over. The lease is checked once more before the
    manifest switch, so a writer that lost it (stalled beyond the expiry) does not publish.
    """

    def __init__(self, store: ServerStore) -> None:
        self.store = store
        self.name = f"{store.base}-writer"
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._lost = False
        self._thread: threading.Thread | None = None

    def _mine(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "pid_namespace": _pid_namespace(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "expires": time.time() + LEASE_TTL,
        }

    def _holder(self) -> dict[str, Any] | None:
        try:
            return dict(self.store.client().get_collection(self.name, embedding_function=None).metadata or {})
        except Exception as exc:
            if is_missing(exc):
                return None
            raise

    def acquire(self) -> None:
        client = self.store.client()
        deadline = time.monotonic() + self.store.settings.lock_timeout
        while True:
            try:
                client.create_collection(self.name, metadata=self._mine(), embedding_function=None)
                break
            except Exception as exc:
                if "already exists" not in str(exc).lower():
                    raise
            holder = self._holder()
            if holder is None:
                continue
            if _stale(holder):
                latest = self._holder()
                if latest and latest.get("token") == holder.get("token"):
                    with contextlib.suppress(Exception):
                        client.delete_collection(self.name)
                continue
            if time.monotonic() >= deadline:
                left = max(0, int(float(holder.get("expires", 0)) - time.time()))
                raise IndexLocked(
                    f"The index in the Chroma server at {self.store.where} is being written by pid "
                    f"{holder.get('pid')} on {holder.get('host')}, started {holder.get('started')} (its lease "
                    f"runs {left} s more unless renewed). Wait for that ingest to finish, or stop it, then "
                    "try again."
                )
            time.sleep(0.2)
        self._thread = threading.Thread(target=self._renew, name="index-writer-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_RENEW_EVERY):
            try:
                holder = self._holder()
                if not holder or holder.get("token") != self.token:
                    self._lost = True
                    return
                collection = self.store.client().get_collection(self.name, embedding_function=None)
                collection.modify(metadata={**holder, "expires": time.time() + LEASE_TTL})
            except Exception:
                continue  # the server may be restarting; the lease lasts LEASE_TTL

    def check(self) -> None:
        """Raise :class:`IndexLocked` if another writer took the lease over."""
        holder = self._holder()
        if self._lost or not holder or holder.get("token") != self.token:
            raise IndexLocked(
                "This ingest lost its writer lease (it stalled for over a minute and another writer took "
                "over); its work was not published. Run `assistant ingest` again."
            )

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with contextlib.suppress(Exception):
            holder = self._holder()
            if holder and holder.get("token") == self.token:
                self.store.client().delete_collection(self.name)


def _pid_namespace() -> str:
    """Which process-id space our pid belongs to (two containers can share a host name)."""
    try:
        return f"{socket.gethostname()}:{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return socket.gethostname()


def _stale(holder: dict[str, Any]) -> bool:
    """Whether a lease can be taken over: it expired, or its holder's process is gone (same host only)."""
    if float(holder.get("expires", 0)) < time.time():
        return True
    if holder.get("pid_namespace") == _pid_namespace():
        try:
            os.kill(int(holder.get("pid", 0)), 0)
        except ProcessLookupError:
            return True  # killed: no need to wait for the expiry
        except (OSError, ValueError):
            return False
    return False
