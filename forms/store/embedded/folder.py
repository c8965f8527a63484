"""One process per data folder (flock), and the embedded store that ties the lock, the journal and mongomock together."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

import mongomock

from forms.store.embedded.journal import _Journal
from forms.store.embedded.locking import _LOCK, enable_gridfs, install_lock

__all__ = ["EmbeddedStore", "StoreInUseError", "install_lock", "open_embedded"]

DATABASE_FILE = "loket.sqlite3"

LOCK_FILE = "loket.lock"


class StoreInUseError(RuntimeError):
    """Another process holds the data folder's lock."""

    def __init__(self, folder: Path, pid: int | None):
        self.folder = folder
        self.pid = pid
        holder = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"The data folder {folder} is already in use by another Loket process ({holder}). "
            "The embedded store allows one process per data folder. Stop the other server, "
            "or give this one another data folder (LOKET_DATA_DIR), "
            "or set MONGODB_URI to use a MongoDB server."
        )


def _take_folder_lock(folder: Path) -> int:
    """Hold the folder's lock file (flock, released by close or death); return its descriptor."""
    descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(descriptor)
        os.close(descriptor)
        raise StoreInUseError(folder, holder) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def _read_pid(descriptor: int) -> int | None:
    """The pid written in a lock file, if it holds one."""
    text = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def _release_folder_lock(descriptor: int) -> None:
    """Let another process open the folder."""
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)


class EmbeddedStore:
    """A durable, thread-safe mongomock client kept in one SQLite file in a locked folder."""

    def __init__(self, data_dir: str | os.PathLike):
        folder = Path(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / DATABASE_FILE
        self._lock_descriptor: int | None = _take_folder_lock(folder)
        opened = False
        try:
            self._journal = _Journal(self.path)
            opened = True
        finally:
            if not opened:
                self._release()
        install_lock()
        enable_gridfs()
        self.client = mongomock.MongoClient(_store=self._journal.server, tz_aware=False)

    def close(self) -> None:
        """Commit, close the SQLite file and release the folder (idempotent)."""
        with _LOCK:
            if self._lock_descriptor is None:
                return
            try:
                self._journal.close()
            finally:
                self._release()

    def _release(self) -> None:
        if self._lock_descriptor is not None:
            _release_folder_lock(self._lock_descriptor)
            self._lock_descriptor = None

    def __repr__(self) -> str:
        state = "closed" if self._lock_descriptor is None else "open"
        return f"<EmbeddedStore {self.path} {state}>"


def open_embedded(data_dir: str | os.PathLike) -> EmbeddedStore:
    """Open (creating if needed) the embedded store in data_dir."""
    return EmbeddedStore(data_dir)
