"""What every index store shares: the store interface, its errors, the manifest check and the local lock.

:mod:`assistant.store` (the embedded store, and :func:`~assistant.store.open_store`, which picks a back end)
and :mod:`assistant.store_server` (a Chroma server) both build on this module; it imports neither.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import sys
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
