"""Where the index lives, the manifest that names its live generation, and the one-writer lock.

Nothing here knows about chunks or answers. An index is a series of *generations*; each holds two Chroma
collections (``chunks`` and ``docs``). The manifest names the live one and is switched only when a new
generation is complete, so readers never see a half-built index.

- :class:`EmbeddedStore` (default): one Chroma ``PersistentClient`` directory per generation under
  ``data_dir/index/generations/``, and the manifest a JSON file replaced atomically (write, fsync, rename).
  A process killed mid-write can leave a broken HNSW segment in Chroma; here it can only be in the
  unfinished generation's own directory, which the next ingest deletes.
- ``ServerStore`` (``ASSISTANT_CHROMA_URL``, in ``store_server.py``): collections
  ``<generation>-chunks``/``-docs`` in a Chroma server, the manifest one record of ``<base>-meta``, and a
  writer lease (the collection ``<base>-writer``, which only one client can create) so that writers on
  different hosts exclude each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings

# Crash-test hook, inert unless a test sets this environment variable (it is deliberately not a setting):
# a comma-separated list of point names where `hold_point` announces itself on stderr and then sleeps, so a
# test can SIGKILL an ingest exactly there. The entry "trace" announces every point without stopping.
TEST_HOLD_ENV = "ASSISTANT_TEST_INGEST_HOLD"


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


def is_missing(exc: BaseException) -> bool:
    """Whether a Chroma error means "no such collection" (embedded and server clients word it differently)."""
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text.replace(" ", "") or "does not exist" in text or "not found" in text


_GENERATION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def checked_manifest(manifest: Any) -> dict[str, Any]:
    """``manifest`` if it has the shape ingest writes, else :class:`ValueError` saying what is wrong.

    The manifest names the generation to open (a directory or collection name), so a hand-edited or
    damaged one must not reach the code that builds paths or compares fields from it.
    """
    if not isinstance(manifest, dict):
        raise ValueError(f"it holds a JSON {type(manifest).__name__}, not an object")
    generation = manifest.get("generation")
    if not isinstance(generation, str) or not _GENERATION_NAME.fullmatch(generation) or ".." in generation:
        raise ValueError(f"its 'generation' is {generation!r}, not a generation name")
    expected = {
        "embedding_model": (str, type(None)),
        "embedding_weights_sha256": (str, type(None)),
        "embedding_dimension": (int,),
        "documents": (dict,),
    }
    for field, types in expected.items():
        if field in manifest and not isinstance(manifest[field], types):
            raise ValueError(f"its {field!r} is {type(manifest[field]).__name__} {manifest[field]!r:.40}")
    return manifest


class _WriterFlag(threading.local):
    active = False


def open_store(settings: Settings) -> Store:
    """The store ``settings`` ask for: a Chroma server when ``chroma_url`` is set, else embedded."""
    if settings.chroma_url:
        from assistant.store_server import ServerStore

        return ServerStore(settings)
    return EmbeddedStore(settings)


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
        self._writing = _WriterFlag()  # set while this thread holds the writer lock

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
            manifest = checked_manifest(json.loads(self.manifest_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            if self._writing.active:  # the writer replaces a broken manifest with a complete new index
                return None
            raise IndexUnavailable(
                f"The index manifest {self.manifest_path} cannot be read ({exc}). "
                "Run `assistant ingest --rebuild` to rebuild the index."
            ) from exc
        self._cached = (key, manifest)
        return dict(manifest)

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        with file_lock(self.settings):
            self._writing.active = True
            try:
                yield
            finally:
                self._writing.active = False

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
    It covers writers on this machine; server mode adds a lease in the server for several hosts.
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
