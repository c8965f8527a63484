"""Durability: stores that report every change, and the SQLite journal that commits them before a write is acknowledged."""
from __future__ import annotations

import collections
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bson
from mongomock.store import CollectionStore, DatabaseStore, ServerStore

from forms.store.embedded.locking import _STATE, _to_memory_key

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
