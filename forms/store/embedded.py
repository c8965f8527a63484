"""Embedded store: mongomock made thread-safe and durable in a data folder.

Why: Loket must run where no MongoDB server is configured (a laptop, one office PC, CI).
mongomock speaks the pymongo API that mongoengine and GridFS need, but it keeps everything in
memory and is not thread-safe. This module adds exactly those two missing properties.

Thread safety. `install_lock()` wraps every public method of mongomock's Collection, Database
and MongoClient, the cursor's result computation (`Cursor._compute_results`, `distinct`), the
bulk builder's `execute`, and `Collection._update`, with ONE process-wide `threading.RLock`.
mongomock then runs one operation at a time. Without it, threads doing `$inc` lose updates and
concurrent inserts get unique indexes wrong.

Durability, by write-through. A durable client is built on subclasses of mongomock's stores
(DurableServerStore -> DurableDatabaseStore -> DurableCollectionStore) that carry a reference
to the journal and report every change they see: a key set or deleted (insert, delete, rollback,
TTL expiry), a drop, a rename, an index change. Updates do not go through the store: mongomock
changes the stored dict in place in `Collection._update`, so just before an update runs, the ids
that its filter matches are reported too. A filter with a plain `_id` (ObjectId, str, int; other
conditions may come with it) gives that id directly. Any other filter uses the collection's own
matching; `update_one` takes only the first match.
When the outermost locked call returns (still holding the lock), the journal writes each reported
document as it is now, or deletes its row if it is gone. It does this in ONE SQLite transaction,
and only then does the caller get its result. So an acknowledged write is on disk.

SQLite runs in WAL mode with `synchronous=FULL`, so each commit is fsynced. Every acknowledged
write survives kill -9 and a power cut. Table `documents` holds one row per document, keyed by
(database, collection, BSON-encoded `_id`, so ObjectId/str/int ids round-trip) with the
BSON-encoded document. Table `collections` holds the index definitions (unique indexes come back
after a restart) and the created-empty flag.

Load-all at open: every row is put straight into mongomock's stores. Unique checks are not run
again, because the rows were valid when written. Queries then run in memory exactly as before.
Memory and open time grow with the data; that fits one office's volume of forms.

Single process: the in-memory copy is the truth while the process runs, so two processes on one
folder would overwrite each other. The folder is locked with flock; a second process gets
StoreInUseError. The kernel drops the lock when the process dies.

If a change cannot be saved (a value BSON cannot encode, a disk error), the touched collections
are reloaded from SQLite and the error is raised. Memory never runs ahead of disk.

Plain `mongomock.MongoClient()` instances get the lock but no journal.

mongomock quirk handled here: `create_index` keeps whatever iterable it is given as the index
keys (GridFS passes `dict_items`), so a definition reloaded from disk would compare "different"
and the same `create_index` call would fail after a restart. The keys are made a list of
(field, direction) tuples first, in memory and on disk alike.
"""
from __future__ import annotations

import collections
import fcntl
import functools
import inspect
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bson
import mongomock
from bson import ObjectId
from pymongo import ASCENDING
from mongomock import helpers
from mongomock.collection import BulkOperationBuilder, Collection, Cursor
from mongomock.database import Database
from mongomock.gridfs import enable_gridfs_integration
from mongomock.store import CollectionStore, DatabaseStore, ServerStore

__all__ = ["EmbeddedStore", "StoreInUseError", "install_lock", "open_embedded"]

DATABASE_FILE = "loket.sqlite3"
LOCK_FILE = "loket.lock"
_SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    db TEXT NOT NULL,
    coll TEXT NOT NULL,
    id BLOB NOT NULL,
    doc BLOB NOT NULL,
    PRIMARY KEY (db, coll, id)
);
CREATE TABLE IF NOT EXISTS collections (
    db TEXT NOT NULL,
    coll TEXT NOT NULL,
    created INTEGER NOT NULL,
    indexes BLOB NOT NULL,
    PRIMARY KEY (db, coll)
);
"""
_UPSERT_DOCUMENT = (
    "INSERT INTO documents (db, coll, id, doc) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (db, coll, id) DO UPDATE SET doc = excluded.doc"
)
_DELETE_DOCUMENT = "DELETE FROM documents WHERE db = ? AND coll = ? AND id = ?"
_DELETE_COLLECTION_DOCUMENTS = "DELETE FROM documents WHERE db = ? AND coll = ?"
_UPSERT_COLLECTION = (
    "INSERT INTO collections (db, coll, created, indexes) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (db, coll) DO UPDATE SET created = excluded.created, indexes = excluded.indexes"
)
_DELETE_COLLECTION = "DELETE FROM collections WHERE db = ? AND coll = ?"
_SELECT_DOCUMENTS = "SELECT db, coll, doc FROM documents ORDER BY rowid"
_SELECT_DOCUMENTS_OF = (
    "SELECT db, coll, doc FROM documents WHERE db = ? AND coll = ? ORDER BY rowid"
)
_SELECT_COLLECTIONS = "SELECT db, coll, created, indexes FROM collections"
_SELECT_COLLECTION = "SELECT db, coll, created, indexes FROM collections WHERE db = ? AND coll = ?"

# Ids that `{'_id': value, ...}` matches by plain equality, so the store key is the value itself.
_PLAIN_ID_TYPES = (ObjectId, str, int)

_LOCK = threading.RLock()
_WRAPPED = "__loket_locked__"


class _CallState:
    """Nesting depth of locked calls, and journals holding changes to commit at depth zero."""

    def __init__(self) -> None:
        self.depth = 0
        self.dirty: set[_Journal] = set()
        self.lock_installed = False
        self.gridfs_enabled = False


_STATE = _CallState()


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


# --- the lock ----------------------------------------------------------------------------------


def install_lock() -> None:
    """Serialise every mongomock operation on one process-wide RLock (idempotent)."""
    with _LOCK:
        if _STATE.lock_installed:
            return
        Collection.create_index = _make_listing_create_index(Collection.create_index)
        for cls in (Collection, Database, mongomock.MongoClient):
            _wrap_public_methods(cls)
        Collection._update = _make_locked(_make_reporting_update(Collection._update))
        Cursor._compute_results = _make_limited_results(Cursor._compute_results)
        for name in ("_compute_results", "distinct", "count"):
            if name in vars(Cursor):
                setattr(Cursor, name, _make_locked(vars(Cursor)[name]))
        BulkOperationBuilder.execute = _make_locked(BulkOperationBuilder.execute)
        Collection._iter_documents = _make_fast_iter(Collection._iter_documents)
        _STATE.lock_installed = True


_ABSENT = object()


def _make_limited_results(compute: Callable) -> Callable:
    """With a limit, copy only the first skip+limit documents of the (already sorted) dataset.

    mongomock copies every matching document before it applies the limit; a page of 50 out of
    thousands paid for all of them. The full list is still computed for anything that needs it
    (count, rewinds without a limit).
    """

    @functools.wraps(compute)
    def compute_results(cursor: Cursor, with_limit_and_skip: bool = False) -> list:
        if (with_limit_and_skip and cursor._limit and cursor._limit > 0 and not cursor._results
                and not cursor.collection.codec_options.tz_aware):
            cached = getattr(cursor, "_loket_limited", None)
            if cached is None or cached[0] is not cursor._factory:
                rows = list(itertools.islice(cursor._factory(), cursor._skip + cursor._limit))
                cached = cursor._loket_limited = (cursor._factory, rows)
            return cached[1][cursor._skip:]
        return compute(cursor, with_limit_and_skip)

    return compute_results


def scan_field(collection: Collection, name: str) -> list:
    """The values of one top-level field across a collection, read in place under the lock (no copies)."""
    with _LOCK:
        return [document.get(name) for document in collection._store.documents]


def _make_fast_iter(iter_documents: Callable) -> Callable:
    """Match plain equality filters ({'status': 'x', 'kind': 'y'}) with direct comparisons.

    mongomock evaluates every filter through its general matcher, ~15 µs per document and term; an
    inbox over 5,000 documents paid that on every page. Only filters made of top-level names and
    scalar values take this path, with MongoDB's meaning kept: a list field matches when it holds
    the value, and None matches a missing field. Anything else goes to mongomock as before.
    With a plain `_id` among the terms only that document is looked at (the store is keyed by
    `_id`), so reading one submission does not cost a scan of all of them.
    """

    @functools.wraps(iter_documents)
    def iterate(collection: Collection, filter: Any) -> Iterator[dict]:
        if filter is None or not _plain_equality(filter):
            return iter_documents(collection, filter)
        terms = list(filter.items())
        if type(filter.get("_id")) in _PLAIN_ID_TYPES:  # the store is keyed by _id: no scan
            store = collection._store
            candidates = [store[filter["_id"]]] if filter["_id"] in store else []
        else:
            candidates = list(collection._store.documents)
        return (document for document in candidates
                if all(_equal(document.get(name, _ABSENT), value) for name, value in terms))

    return iterate


def _plain_equality(filter: Any) -> bool:
    """Whether a filter is only top-level name → scalar terms."""
    return isinstance(filter, Mapping) and all(
        isinstance(name, str) and not name.startswith("$") and "." not in name
        and isinstance(value, (str, int, float, ObjectId, type(None))) and not isinstance(value, bool)
        for name, value in filter.items())


def _equal(stored: Any, wanted: Any) -> bool:
    """MongoDB equality for a scalar: direct, element of an array, or null for a missing field."""
    if stored is _ABSENT:
        return wanted is None
    if isinstance(stored, bool):
        return False
    if isinstance(stored, list):
        return wanted in stored
    return stored == wanted


def _wrap_public_methods(cls: type) -> None:
    """Replace each public plain method defined on cls by its locked version."""
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(value):
            setattr(cls, name, _make_locked(value))


def _make_locked(function: Callable) -> Callable:
    """function run under the process lock; generators are drained inside it."""
    if getattr(function, _WRAPPED, False):
        return function
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def locked(*args: Any, **kwargs: Any) -> Any:
            return iter(_call_locked(lambda: list(function(*args, **kwargs))))

    else:

        @functools.wraps(function)
        def locked(*args: Any, **kwargs: Any) -> Any:
            return _call_locked(lambda: function(*args, **kwargs))

    setattr(locked, _WRAPPED, True)
    return locked


def _call_locked(call: Callable[[], Any]) -> Any:
    """Run call holding the lock; the outermost call commits every journal's changes."""
    with _LOCK:
        _STATE.depth += 1
        try:
            return call()
        finally:
            _STATE.depth -= 1
            if _STATE.depth == 0:
                _commit_dirty_journals()


def _commit_dirty_journals() -> None:
    """Commit the pending changes of every journal that has some (call holding the lock)."""
    while _STATE.dirty:
        _STATE.dirty.pop().commit()


def _make_reporting_update(update: Callable) -> Callable:
    """Collection._update that first reports the stored documents it may change in place."""

    @functools.wraps(update)
    def reporting(collection: Collection, *args: Any, **kwargs: Any) -> Any:
        _report_update_targets(collection, *args, **kwargs)
        return update(collection, *args, **kwargs)

    return reporting


def _report_update_targets(collection: Collection, *args: Any, **kwargs: Any) -> None:
    """Tell a durable collection's journal which ids an update with these arguments matches."""
    store = collection._store
    if not isinstance(store, DurableCollectionStore):
        return
    spec, multi = _read_spec_and_multi(*args, **kwargs)
    if not isinstance(spec, Mapping):
        return
    store.journal.check_open()
    for key in _find_target_keys(collection, spec, multi):
        store.journal.note_key(store.db_name, store.name, key)


def _read_spec_and_multi(
    spec: Any = None,
    document: Any = None,
    upsert: bool = False,
    manipulate: bool = False,
    multi: bool = False,
    *unused_args: Any,
    **unused_kwargs: Any,
) -> tuple[Any, bool]:
    """The filter and the multi flag out of Collection._update's arguments."""
    return spec, multi


def _find_target_keys(collection: Collection, spec: Mapping, multi: bool) -> list[Any]:
    """Store keys of the documents an update would visit, in the order it visits them."""
    if type(spec.get("_id")) in _PLAIN_ID_TYPES:  # other conditions can only narrow it further
        return [spec["_id"]]
    matches = collection._iter_documents(helpers.patch_datetime_awareness_in_document(spec))
    keys = (_to_memory_key(document["_id"]) for document in matches)
    return list(keys if multi else itertools.islice(keys, 1))


def _make_listing_create_index(create_index: Callable) -> Callable:
    """Collection.create_index that first turns its keys into a list of (field, direction)."""

    @functools.wraps(create_index)
    def create_listed_index(collection: Collection, keys: Any, *args: Any, **kwargs: Any) -> Any:
        return create_index(collection, _list_index_keys(keys), *args, **kwargs)

    return create_listed_index


def _list_index_keys(key_or_list: Any) -> Any:
    """Index keys as mongomock compares them, so a definition reloaded from disk still matches.

    mongomock keeps whatever iterable it was given (GridFS passes dict_items), so the same index
    asked for again after a restart would look "different" and fail.
    """
    if isinstance(key_or_list, str):
        return key_or_list
    if isinstance(key_or_list, Mapping):
        key_or_list = key_or_list.items()
    return [(item, ASCENDING) if isinstance(item, str) else tuple(item) for item in key_or_list]


def _to_memory_key(document_id: Any) -> Any:
    """The key mongomock files a document under (dict ids become hashable)."""
    return helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id


def enable_gridfs() -> None:
    """Let pymongo's gridfs accept mongomock databases (idempotent)."""
    with _LOCK:
        if not _STATE.gridfs_enabled:
            enable_gridfs_integration()
            _STATE.gridfs_enabled = True


# --- stores that report their changes ------------------------------------------------------------


class DurableCollectionStore(CollectionStore):
    """A collection's documents and indexes that report every change to the journal."""

    def __init__(self, name: str, db_name: str, journal: _Journal):
        self.journal = journal
        self.db_name = db_name
        self._reporting = False
        super().__init__(name)
        self._reporting = True

    @property
    def indexes(self) -> dict:
        """Index definitions by name (assigning them reports the change)."""
        return self._indexes

    @indexes.setter
    def indexes(self, value: dict) -> None:
        if self._reporting:
            self.journal.check_open()
        self._indexes = value
        if self._reporting:
            self.journal.note_meta(self.db_name, self.name)

    def __setitem__(self, key: Any, value: dict) -> None:
        self.journal.check_open()
        super().__setitem__(key, value)
        self.journal.note_key(self.db_name, self.name, key)

    def __delitem__(self, key: Any) -> None:
        self.journal.check_open()
        super().__delitem__(key)
        self.journal.note_key(self.db_name, self.name, key)

    def create(self) -> None:
        """Mark the collection created even while empty, and report it."""
        self.journal.check_open()
        super().create()
        self.journal.note_meta(self.db_name, self.name)

    def drop(self) -> None:
        """Empty the collection and its indexes, and report it."""
        self.journal.check_open()
        super().drop()
        self.journal.note_reset(self.db_name, self.name)

    def create_index(self, index_name: str, index_dict: dict) -> None:
        """Add an index definition and report it."""
        self.journal.check_open()
        super().create_index(index_name, index_dict)
        self.journal.note_meta(self.db_name, self.name)

    def drop_index(self, index_name: str) -> None:
        """Remove an index definition and report it."""
        self.journal.check_open()
        super().drop_index(index_name)
        self.journal.note_meta(self.db_name, self.name)

    def restore(
        self, documents: Iterable[dict], indexes: Mapping[str, dict], created: bool
    ) -> None:
        """Replace the contents with saved ones, without reporting or unique checks."""
        self._documents = collections.OrderedDict(
            (_to_memory_key(document["_id"]), document) for document in documents
        )
        self._indexes = {}
        self._ttl_indexes = {}
        for name, spec in indexes.items():
            CollectionStore.create_index(self, name, spec)
        self._is_force_created = created

    def list_keys(self) -> list[Any]:
        """Every document's key, in natural order."""
        return list(self._documents)

    def get_document(self, key: Any) -> dict | None:
        """The stored document under key, or None (no TTL expiry, no copy)."""
        return self._documents.get(key)

    def read_meta(self) -> tuple[bool, dict]:
        """The created-empty flag and the index definitions, as the journal saves them."""
        return bool(self._is_force_created), self._indexes


class DurableDatabaseStore(DatabaseStore):
    """A database's collections, each a DurableCollectionStore reporting to the journal."""

    def __init__(self, name: str, journal: _Journal):
        self.name = name
        self.journal = journal
        super().__init__()

    def __getitem__(self, col_name: str) -> DurableCollectionStore:
        store = self._collections.get(col_name)
        if store is None:
            store = DurableCollectionStore(col_name, self.name, self.journal)
            self._collections[col_name] = store
        return store

    def rename(self, name: str, new_name: str) -> None:
        """Move a collection to a new name, and report both names."""
        self.journal.check_open()
        store = self._collections.pop(name, None)
        if store is None:
            store = DurableCollectionStore(new_name, self.name, self.journal)
        store.name = new_name
        self._collections[new_name] = store
        self.journal.note_reset(self.name, name)
        self.journal.note_whole(self.name, new_name)


class DurableServerStore(ServerStore):
    """All databases of a durable client, each a DurableDatabaseStore."""

    def __init__(self, journal: _Journal):
        self.journal = journal
        super().__init__()

    def __getitem__(self, db_name: str) -> DurableDatabaseStore:
        store = self._databases.get(db_name)
        if store is None:
            store = self._databases[db_name] = DurableDatabaseStore(db_name, self.journal)
        return store

    def find_collection(self, db_name: str, col_name: str) -> DurableCollectionStore | None:
        """The collection's store if it exists in memory, without creating it."""
        database = self._databases.get(db_name)
        return database._collections.get(col_name) if database is not None else None


# --- the journal ---------------------------------------------------------------------------------


@dataclass
class _Change:
    """What happened to one collection since the last commit."""

    keys: dict = field(default_factory=dict)  # used as an ordered set: rows keep natural order
    reset: bool = False  # all saved rows go before the keys are written
    whole: bool = False  # every document in memory is written again
    meta: bool = False  # indexes or the created flag changed


class _Journal:
    """The SQLite file that mirrors a DurableServerStore, with the changes not yet committed."""

    def __init__(self, path: Path):
        self.path = path
        self.server = DurableServerStore(self)
        self._pending: dict[tuple[str, str], _Change] = {}
        self._sql: sqlite3.Connection | None = _open_database(path)
        loaded = False
        try:
            self.load_all()
            loaded = True
        finally:
            if not loaded:
                self._sql.close()

    def check_open(self) -> None:
        """Refuse changes once the store is closed."""
        if self._sql is None:
            raise RuntimeError(f"The embedded store {self.path} is closed; the change was refused.")

    def note_key(self, db_name: str, col_name: str, key: Any) -> None:
        """One document was set, deleted or changed in place."""
        self._get_change(db_name, col_name).keys[key] = None

    def note_meta(self, db_name: str, col_name: str) -> None:
        """The collection's indexes or created flag changed."""
        self._get_change(db_name, col_name).meta = True

    def note_reset(self, db_name: str, col_name: str) -> None:
        """The collection was dropped or renamed away: every saved row goes."""
        change = self._get_change(db_name, col_name)
        change.keys.clear()
        change.reset = change.meta = True

    def note_whole(self, db_name: str, col_name: str) -> None:
        """The collection cannot be narrowed down: save all of it again."""
        change = self._get_change(db_name, col_name)
        change.whole = change.meta = True

    def _get_change(self, db_name: str, col_name: str) -> _Change:
        _STATE.dirty.add(self)
        change = self._pending.get((db_name, col_name))
        if change is None:
            change = self._pending[(db_name, col_name)] = _Change()
        return change

    def commit(self) -> None:
        """Write the pending changes in one fsynced transaction, or undo them in memory."""
        pending, self._pending = self._pending, {}
        if not pending or self._sql is None:
            return
        saved = False
        try:
            self._sql.execute("BEGIN IMMEDIATE")
            for (db_name, col_name), change in pending.items():
                self._write_change(db_name, col_name, change)
            self._sql.execute("COMMIT")
            saved = True
        finally:
            if not saved:
                self._undo(pending)

    def _write_change(self, db_name: str, col_name: str, change: _Change) -> None:
        store = self.server.find_collection(db_name, col_name)
        if change.reset or change.whole:
            self._sql.execute(_DELETE_COLLECTION_DOCUMENTS, (db_name, col_name))
        keys = store.list_keys() if change.whole and store is not None else change.keys
        upserts, deletes = [], []
        for key in keys:
            document = store.get_document(key) if store is not None else None
            if document is None:
                deletes.append((db_name, col_name, _encode_id(key)))
            else:
                row = (db_name, col_name, _encode_id(document["_id"]), bson.encode(document))
                upserts.append(row)
        self._sql.executemany(_DELETE_DOCUMENT, deletes)
        self._sql.executemany(_UPSERT_DOCUMENT, upserts)
        if change.meta:
            self._write_meta(db_name, col_name, store)

    def _write_meta(self, db_name: str, col_name: str, store: CollectionStore | None) -> None:
        created, indexes = store.read_meta() if store is not None else (False, {})
        if created or indexes:
            row = (db_name, col_name, int(created), _encode_indexes(indexes))
            self._sql.execute(_UPSERT_COLLECTION, row)
        else:
            self._sql.execute(_DELETE_COLLECTION, (db_name, col_name))

    def _undo(self, pending: Mapping[tuple[str, str], _Change]) -> None:
        if self._sql.in_transaction:
            self._sql.execute("ROLLBACK")
        for db_name, col_name in pending:
            self.load(db_name, col_name)

    def load_all(self) -> None:
        """Put every saved collection into memory (at open)."""
        self._restore(self._sql.execute(_SELECT_DOCUMENTS), self._sql.execute(_SELECT_COLLECTIONS))

    def load(self, db_name: str, col_name: str) -> None:
        """Put one saved collection back into memory, replacing what memory holds."""
        where = (db_name, col_name)
        documents = self._sql.execute(_SELECT_DOCUMENTS_OF, where)
        self._restore(documents, self._sql.execute(_SELECT_COLLECTION, where), always=[where])

    def _restore(
        self,
        document_rows: Iterable[tuple],
        collection_rows: Iterable[tuple],
        always: Iterable[tuple[str, str]] = (),
    ) -> None:
        documents: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
        for db_name, col_name, blob in document_rows:
            documents[(db_name, col_name)].append(bson.decode(blob))
        metas = {
            (db_name, col_name): (bool(created), _decode_indexes(blob))
            for db_name, col_name, created, blob in collection_rows
        }
        for db_name, col_name in set(documents) | set(metas) | set(always):
            created, indexes = metas.get((db_name, col_name), (False, {}))
            saved = documents.get((db_name, col_name), ())
            self.server[db_name][col_name].restore(saved, indexes, created)

    def close(self) -> None:
        """Commit what is pending and close the SQLite file (call holding the lock)."""
        if self._sql is None:
            return
        try:
            self.commit()
        finally:
            _STATE.dirty.discard(self)
            self._sql.close()
            self._sql = None


def _open_database(path: Path) -> sqlite3.Connection:
    """The SQLite file in WAL mode with a full fsync per commit, its tables created."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        connection.close()
        raise RuntimeError(f"SQLite refused WAL mode for {path} (got {mode!r}); use a local disk.")
    connection.execute("PRAGMA synchronous=FULL")
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > _SCHEMA_VERSION:
        connection.close()
        raise RuntimeError(f"{path} was written by a newer Loket (schema {version}).")
    connection.executescript(_SCHEMA)
    connection.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
    return connection


def _encode_id(document_id: Any) -> bytes:
    """The _id as BSON, so ObjectId, str and int ids stay distinct and round-trip."""
    return bson.encode({"_id": document_id})


def _encode_indexes(indexes: Mapping[str, dict]) -> bytes:
    """Index definitions as one BSON document (a list, so any index name is safe)."""
    entries = [{"name": name, "spec": spec} for name, spec in indexes.items()]
    return bson.encode({"indexes": entries})


def _decode_indexes(blob: bytes) -> dict[str, dict]:
    """Index definitions as mongomock keeps them: 'key' is a list of (field, direction) tuples."""
    decoded = {}
    for entry in bson.decode(blob)["indexes"]:
        spec = dict(entry["spec"])
        spec["key"] = [tuple(pair) for pair in spec["key"]]
        decoded[entry["name"]] = spec
    return decoded


# --- the folder lock -----------------------------------------------------------------------------


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


# --- the public store ----------------------------------------------------------------------------


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
