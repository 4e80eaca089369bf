"""Where the index lives, the manifest that names its live generation, and the one-writer lock.

Nothing here knows about chunks or answers. An index is a series of *generations*; each holds two Chroma
collections (``chunks`` and ``docs``). The manifest names the live one and is switched only when a new
generation is complete, so readers never see a half-built index.

- :class:`EmbeddedStore` (default): one Chroma ``PersistentClient`` directory per generation under
  ``data_dir/index/generations/``, and the manifest a JSON file replaced atomically (write, fsync, rename).
  A process killed mid-write can leave a broken HNSW segment in Chroma; here it can only be in the
  unfinished generation's own directory, which the next ingest deletes.
- :class:`ServerStore` (``ASSISTANT_CHROMA_URL``): collections ``<generation>-chunks``/``-docs`` in a Chroma
  server, the manifest one record of ``<base>-meta``, and a writer lease (the collection ``<base>-writer``,
  which only one client can create) so that writers on different hosts exclude each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings

# Crash-test hook, inert unless a test sets this environment variable (it is deliberately not a setting):
# a comma-separated list of point names where `hold_point` announces itself on stderr and then sleeps, so a
# test can SIGKILL an ingest exactly there. The entry "trace" announces every point without stopping.
TEST_HOLD_ENV = "ASSISTANT_TEST_INGEST_HOLD"
# A Chroma server that accepts connections but does not answer must not hang a question forever.
SERVER_TIMEOUT = 30.0
SERVER_CONNECT_TIMEOUT = 5.0
# The server writer lease: how long it lasts without renewal, and how often the holder renews it.
LEASE_TTL = 60.0
LEASE_RENEW_EVERY = 10.0


class IndexUnavailable(RuntimeError):
    """The index cannot be reached or has not been built; the message says what to do."""


class IndexLocked(RuntimeError):
    """Another process is writing the index."""


class IndexMismatch(RuntimeError):
    """The index was built with another embedding model or chunker; it needs ``--rebuild``."""


def hold_point(name: str) -> None:
    """Crash-test hook (see ``TEST_HOLD_ENV``); does nothing in normal runs."""
    wanted = os.environ.get(TEST_HOLD_ENV)
    if not wanted:
        return
    points = wanted.split(",")
    if name in points or "trace" in points:
        print(f"ingest-point {name} pid={os.getpid()}", file=sys.stderr, flush=True)
    while name in points:
        time.sleep(3600)


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Store:
    """The operations the index needs from either back end; create one with :func:`open_store`."""

    mode = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.collection
        self._batch: int | None = None

    @property
    def where(self) -> str:
        raise NotImplementedError

    def new_generation(self) -> str:
        return f"{self.base}-g{time.time_ns()}"

    def read_manifest(self) -> dict[str, Any] | None:
        """The live generation's manifest, or None when no index has been built."""
        raise NotImplementedError

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Make ``manifest`` (and the generation it names) live, atomically."""
        raise NotImplementedError

    def collection(self, generation: str, kind: str, create: bool = False) -> Any:
        """The ``kind`` ("chunks" or "docs") collection of a generation."""
        raise NotImplementedError

    def client_of(self, generation: str) -> Any:
        """The Chroma client that holds ``generation``."""
        raise NotImplementedError

    def generations(self) -> list[str]:
        """Every generation present, complete or not."""
        raise NotImplementedError

    def drop_generation(self, generation: str) -> None:
        raise NotImplementedError

    def release(self, generation: str) -> None:
        """Forget cached handles of a generation this process no longer reads."""

    def writer_lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold the one-writer lock of the index, or raise :class:`IndexLocked` within ``lock_timeout``."""
        return file_lock(self.settings)

    def unavailable(self, exc: BaseException) -> IndexUnavailable:
        return IndexUnavailable(f"The index at {self.where} could not be read ({type(exc).__name__}: {exc}).")

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn any store failure into :class:`IndexUnavailable` (and reconnect next time)."""
        try:
            yield
        except (IndexUnavailable, IndexLocked, IndexMismatch):
            raise
        except Exception as exc:
            raise self.unavailable(exc) from exc

    def batch_size(self, client: Any) -> int:
        if self._batch is None:
            try:
                self._batch = max(1, min(5000, int(client.get_max_batch_size())))
            except Exception:
                return 1000
        return self._batch


def open_store(settings: Settings) -> Store:
    """The store ``settings`` ask for: a Chroma server when ``chroma_url`` is set, else embedded."""
    return ServerStore(settings) if settings.chroma_url else EmbeddedStore(settings)


# -- embedded -------------------------------------------------------------------------------------------------
class EmbeddedStore(Store):
    """Generations as separate Chroma directories; the manifest a file replaced atomically."""

    mode = "embedded"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.root = settings.data_dir / "index"
        self.generations_dir = self.root / "generations"
        self.manifest_path = self.root / f"{self.base}-manifest.json"
        self._clients: dict[str, Any] = {}
        self._mutex = threading.Lock()
        self._cached: tuple[tuple[int, int, int], dict[str, Any]] | None = None

    @property
    def where(self) -> str:
        return str(self.root)

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cached and self._cached[0] == key:
            return self._cached[1]
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(
                f"The index manifest {self.manifest_path} cannot be read ({exc}). "
                "Run `assistant ingest --rebuild` to rebuild the index."
            ) from exc
        self._cached = (key, manifest)
        return dict(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_name(f".{self.manifest_path.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        hold_point("manifest-temp")
        os.replace(tmp, self.manifest_path)  # the switch: readers see the old or the new file, never a mix
        _fsync_dir(self.root)

    def _client(self, generation: str, create: bool) -> Any:
        with self._mutex:
            client = self._clients.get(generation)
            if client is None:
                path = self.generations_dir / generation
                if not create and not (path / "chroma.sqlite3").is_file():
                    raise IndexUnavailable(
                        f"The index generation {generation} is missing from {self.generations_dir}. "
                        "Run `assistant ingest` to rebuild it."
                    )
                import chromadb

                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
                self._clients[generation] = client
            return client

    def collection(self, generation: str, kind: str, create: bool = False) -> Any:
        client = self._client(generation, create)
        if create:
            space = "cosine" if kind == "chunks" else "l2"
            return client.get_or_create_collection(
                kind, configuration={"hnsw": {"space": space}}, embedding_function=None
            )
        return client.get_collection(kind, embedding_function=None)

    def client_of(self, generation: str) -> Any:
        return self._client(generation, create=False)

    def generations(self) -> list[str]:
        if not self.generations_dir.is_dir():
            return []
        return sorted(p.name for p in self.generations_dir.iterdir() if p.name.startswith(f"{self.base}-g"))

    def release(self, generation: str) -> None:
        with self._mutex:
            client = self._clients.pop(generation, None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def drop_generation(self, generation: str) -> None:
        self.release(generation)
        # Readers that still have this generation open keep working on the open files until they notice
        # the new manifest (at most ~2 s later).
        shutil.rmtree(self.generations_dir / generation, ignore_errors=True)

    def remove_temp_files(self) -> None:
        """Manifest files a killed ingest wrote but never switched to."""
        for tmp in self.root.glob(f".{self.manifest_path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- server ---------------------------------------------------------------------------------------------------
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
                if _is_missing(exc):
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
            manifest = json.loads(got["documents"][0])
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
            if head.startswith(f"{self.base}-g") and kind in ("chunks", "docs"):
                found.add(head)
        return sorted(found)

    def drop_generation(self, generation: str) -> None:
        for kind in ("chunks", "docs"):
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


def _is_missing(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text.replace(" ", "") or "does not exist" in text or "not found" in text


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
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "expires": time.time() + LEASE_TTL,
        }

    def _holder(self) -> dict[str, Any] | None:
        try:
            return dict(self.store.client().get_collection(self.name, embedding_function=None).metadata or {})
        except Exception as exc:
            if _is_missing(exc):
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


def _stale(holder: dict[str, Any]) -> bool:
    if float(holder.get("expires", 0)) < time.time():
        return True
    if holder.get("host") == socket.gethostname():
        try:
            os.kill(int(holder.get("pid", 0)), 0)
        except ProcessLookupError:
            return True  # its process is gone (killed): no need to wait for the expiry
        except (OSError, ValueError):
            return False
    return False


# -- the local file lock --------------------------------------------------------------------------------------
def _lock_info(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
    except Exception:
        return "another process"


@contextlib.contextmanager
def file_lock(settings: Settings) -> Iterator[None]:
    """The one-writer lock of ``data_dir``, or :class:`IndexLocked` within ``settings.lock_timeout`` seconds.

    An OS file lock: released by the kernel when its holder dies, so a killed ingest never blocks the next.
    It covers writers on this machine; server mode adds :class:`ServerLease` for several hosts.
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
                {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
            )
        )
        yield
    finally:
        with contextlib.suppress(OSError):
            info_path.unlink()
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def writer_lock(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The one-writer lock for the store ``settings`` describe (kept for callers of the old API)."""
    return open_store(settings).writer_lock()
