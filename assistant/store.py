"""Where the index lives, the manifest that names its live generation, and the one-writer lock.

Nothing here knows about chunks or answers. An index is a series of *generations*; each holds two Chroma
collections (``chunks`` and ``docs``). The manifest names the live one and is switched only when a new
generation is complete, so readers never see a half-built index. The store interface, its errors, the
manifest check and the local writer lock are in ``store_base.py`` (re-exported here), which both back ends
build on.

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
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.store_base import (
    TEST_HOLD_ENV,
    IndexLocked,
    IndexMismatch,
    IndexUnavailable,
    Store,
    _chroma_settings,
    checked_manifest,
    file_lock,
    hold_point,
    is_missing,
)

__all__ = [
    "TEST_HOLD_ENV",
    "EmbeddedStore",
    "IndexLocked",
    "IndexMismatch",
    "IndexUnavailable",
    "Store",
    "checked_manifest",
    "file_lock",
    "hold_point",
    "is_missing",
    "open_store",
    "writer_lock",
]


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


def writer_lock(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The one-writer lock for the store ``settings`` describe (kept for callers of the old API)."""
    return open_store(settings).writer_lock()
