"""The embedded store as the app opens it: one process per data folder (flock), a file or memory underneath."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

import bson
import mongomock

from forms.store.embedded.disk import Disk, decode_spec, old_tables
from forms.store.embedded.engine import Engine
from forms.store.embedded.locking import _LOCK, enable_gridfs, install_lock
from forms.store.embedded.tables import Server

DATABASE_FILE = "loket.sqlite3"
LOCK_FILE = "loket.lock"
CONVERT_EVERY = 2000  # documents per commit while converting a file of the first embedded store


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


class EmbeddedStore:
    """A durable, thread-safe, indexed mongomock client over one SQLite file (or memory, for tests)."""

    def __init__(self, data_dir: str | os.PathLike | None):
        self.path = None if data_dir is None else Path(data_dir) / DATABASE_FILE
        self._lock_descriptor: int | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_descriptor = _take_folder_lock(self.path.parent)
        try:
            install_lock()
            enable_gridfs()
            self.engine = Engine(Disk(self.path), _LOCK)
            self.server = Server(self.engine)
            self.client = mongomock.MongoClient(_store=self.server, tz_aware=False)
            convert_first_store(self)
        except BaseException:
            self._release()
            raise

    def close(self) -> None:
        """Write what is pending, close the file and release the folder (idempotent)."""
        if self.engine.closed:
            return
        try:
            with self.engine.commit_lock:
                self.engine.commit()
        finally:
            with _LOCK:
                self.engine.closed = True
                self.engine.disk.close()
            self._release()

    def _release(self) -> None:
        if self._lock_descriptor is not None:
            fcntl.flock(self._lock_descriptor, fcntl.LOCK_UN)
            os.close(self._lock_descriptor)
            self._lock_descriptor = None

    def __repr__(self) -> str:
        state = "closed" if self.engine.closed else "open"
        return f"<EmbeddedStore {self.path or 'memory'} {state}>"


def open_embedded(data_dir: str | os.PathLike) -> EmbeddedStore:
    """Open (creating if needed) the embedded store in data_dir."""
    return EmbeddedStore(data_dir)


def open_memory() -> EmbeddedStore:
    """The same store in memory: what tests run on (nothing survives the process)."""
    return EmbeddedStore(None)


def convert_first_store(store: EmbeddedStore) -> None:
    """Move the documents of a file written by the first embedded store into this one's tables (once)."""
    sql = store.engine.disk.writer
    if store.path is None or not old_tables(sql):
        return
    for db, coll, created, blob in sql.execute("SELECT db, coll, created, indexes FROM collections").fetchall():
        collection = store.client[db][coll]
        if created:
            store.server[db][coll].create()
        for entry in bson.decode(blob)["indexes"]:
            spec = decode_spec(bson.encode({"spec": entry["spec"]}))
            store.server[db][coll].create_index(entry["name"], spec)
        del collection
    store.engine.sync()
    rows = sql.execute("SELECT db, coll, doc FROM documents ORDER BY rowid")
    while batch := rows.fetchmany(CONVERT_EVERY):
        with _LOCK:
            for db, coll, blob in batch:
                document = bson.decode(blob)
                store.server[db][coll][document["_id"]] = document
        store.engine.sync()
    sql.executescript("DROP TABLE documents; DROP TABLE collections;")


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
