"""The SQLite file under the embedded store: documents, index entries and counts, committed in batches.

Tables: `colls` (one row per collection, with its document count), `idx` (index definitions),
`docs` (one row per document, BSON, keyed by collection and BSON-encoded `_id`; the rowid keeps the
order documents were first inserted, MongoDB's natural order), `entries` (index key → document id,
a B-tree range per index) and `counts` (how many documents have each key prefix of each index, so a
count of "status = x" reads one row). WAL mode, `synchronous=FULL`: a batch is on disk when `write`
returns. Writes use their own connection; reads use another that holds a snapshot which only moves
forward when the embedded store says so (`refresh`), so readers never wait for a commit's fsync and
never see a batch before the store has updated its own view of it.

An in-memory database (tests) has one connection for both.
A file written by the first embedded store (schema 1: documents only) is converted once at open.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bson

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS colls (cid INTEGER PRIMARY KEY, db TEXT NOT NULL, coll TEXT NOT NULL,
    created INTEGER NOT NULL DEFAULT 0, n INTEGER NOT NULL DEFAULT 0, UNIQUE (db, coll));
CREATE TABLE IF NOT EXISTS idx (ix INTEGER PRIMARY KEY, cid INTEGER NOT NULL, name TEXT NOT NULL,
    spec BLOB NOT NULL, UNIQUE (cid, name));
CREATE TABLE IF NOT EXISTS docs (cid INTEGER NOT NULL, id BLOB NOT NULL, doc BLOB NOT NULL, PRIMARY KEY (cid, id));
CREATE INDEX IF NOT EXISTS docs_natural ON docs (cid);  -- (cid, rowid): a collection in natural order, a page at a time
CREATE TABLE IF NOT EXISTS entries (ix INTEGER NOT NULL, key BLOB NOT NULL, id BLOB NOT NULL,
    PRIMARY KEY (ix, key, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counts (ix INTEGER NOT NULL, prefix BLOB NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (ix, prefix)) WITHOUT ROWID;
"""
FETCH = 256  # rows read at a time from a range, so a limited page stops early
NATURAL_PAGE = "SELECT rowid, id FROM docs WHERE cid = ? AND rowid > ? ORDER BY rowid LIMIT ?"


@dataclass
class Batch:
    """Changes to write in one transaction, gathered under the store's lock."""

    docs: list[tuple[int, bytes, bytes | None]] = field(default_factory=list)  # (cid, id, BSON or None)
    removed_entries: list[tuple[int, bytes, bytes]] = field(default_factory=list)  # (ix, key, id)
    added_entries: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    counts: dict[tuple[int, bytes], int] = field(default_factory=dict)  # (ix, prefix) → change
    sizes: dict[int, int] = field(default_factory=dict)  # cid → change in document count
    statements: list[tuple[str, tuple]] = field(default_factory=list)  # collection and index definitions

    def __bool__(self) -> bool:
        return bool(self.docs or self.removed_entries or self.added_entries or self.statements)


def encode_id(document_id: Any) -> bytes:
    """An `_id` as the bytes it is stored under (ObjectId, str and int ids stay distinct)."""
    return bson.encode({"_id": document_id})


class Disk:
    """The SQLite file (or memory) of one embedded store."""

    def __init__(self, path: Path | None):
        self.memory = path is None
        self.writer = connect(":memory:" if path is None else str(path))
        self.reader = self.writer if self.memory else connect(str(path))
        self.reader.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages for reads
        if not self.memory:
            self.reader.execute("BEGIN")

    def close(self) -> None:
        """Close both connections."""
        if not self.memory and self.reader.in_transaction:
            self.reader.execute("COMMIT")
        self.reader.close()
        if not self.memory:
            self.writer.close()

    def refresh(self) -> None:
        """Move the readers' snapshot to the last committed batch."""
        if not self.memory:
            self.reader.execute("COMMIT")
            self.reader.execute("BEGIN")

    # --- reading (the reader connection, under the store's lock) --------------------------------

    def collections(self) -> list[tuple[int, str, str, bool, int]]:
        """Every collection: (cid, db, name, created, document count)."""
        return [(cid, db, coll, bool(created), n) for cid, db, coll, created, n in
                self.reader.execute("SELECT cid, db, coll, created, n FROM colls")]

    def indexes(self) -> list[tuple[int, int, str, dict]]:
        """Every index definition: (ix, cid, name, spec)."""
        return [(ix, cid, name, decode_spec(spec)) for ix, cid, name, spec in
                self.reader.execute("SELECT ix, cid, name, spec FROM idx")]

    def document(self, cid: int, key: bytes) -> bytes | None:
        """A stored document's BSON, or None."""
        row = self.reader.execute("SELECT doc FROM docs WHERE cid = ? AND id = ?", (cid, key)).fetchone()
        return row[0] if row else None

    def natural(self, cid: int) -> Iterator[bytes]:
        """The ids of every document of a collection in natural order (a full scan), a page at a time.

        Ids only: a caller that stops after the first document (`find_one({})`) reads one document,
        not a page of them (a page of file chunks is megabytes).
        """
        after, page = -1, 1  # the first page is one id: most callers that stop early stop after one
        while True:
            rows = self.reader.execute(NATURAL_PAGE, (cid, after, page)).fetchall()
            yield from (key for _rowid, key in rows)
            if len(rows) < page:
                return
            after, page = rows[-1][0], FETCH

    def positions(self, cid: int, keys: list[bytes]) -> dict[bytes, int]:
        """The natural-order position (rowid) of each stored document among `keys`."""
        found: dict[bytes, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.reader.execute(f"SELECT id, rowid FROM docs WHERE cid = ? AND id IN ({marks})",
                                             (cid, *chunk)))
        return found

    def entries(self, ix: int, low: bytes, high: bytes, reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
        """(key, id) of an index between two keys, both included, in key order (or reversed), a page at a time.

        Each page is a complete query that continues after the last row, so no statement stays open
        between pages: the readers' snapshot can move on while a caller holds a half-read range.
        """
        order, after = ("DESC", "<") if reverse else ("ASC", ">")
        first = (f"SELECT key, id FROM entries WHERE ix = ? AND key >= ? AND key <= ? "
                 f"ORDER BY key {order}, id {order} LIMIT {FETCH}")
        rest = (f"SELECT key, id FROM entries WHERE ix = ? AND key >= ? AND key <= ? "
                f"AND (key {after} ? OR (key = ? AND id {after} ?)) ORDER BY key {order}, id {order} LIMIT {FETCH}")
        rows = self.reader.execute(first, (ix, low, high)).fetchall()
        while rows:
            yield from rows
            if len(rows) < FETCH:
                return
            key, last = rows[-1]
            rows = self.reader.execute(rest, (ix, low, high, key, key, last)).fetchall()

    def count(self, ix: int, prefix: bytes) -> int:
        """How many stored documents have this key prefix in an index."""
        row = self.reader.execute("SELECT n FROM counts WHERE ix = ? AND prefix = ?", (ix, prefix)).fetchone()
        return row[0] if row else 0

    # --- writing (the writer connection) ---------------------------------------------------------

    def write(self, batch: Batch) -> None:
        """Apply a batch in one transaction; on disk (fsynced) when this returns."""
        sql = self.writer
        sql.execute("BEGIN IMMEDIATE")
        try:
            for statement, values in batch.statements:
                if isinstance(values, list):
                    sql.executemany(statement, values)
                else:
                    sql.execute(statement, values)
            for statement, rows in (
                    ("DELETE FROM entries WHERE ix = ? AND key = ? AND id = ?", batch.removed_entries),
                    ("INSERT OR IGNORE INTO entries (ix, key, id) VALUES (?, ?, ?)", batch.added_entries),
                    ("DELETE FROM docs WHERE cid = ? AND id = ?",
                     [(cid, key) for cid, key, blob in batch.docs if blob is None]),
                    (("INSERT INTO docs (cid, id, doc) VALUES (?, ?, ?) "
                      "ON CONFLICT (cid, id) DO UPDATE SET doc = excluded.doc"),
                     [(cid, key, blob) for cid, key, blob in batch.docs if blob is not None]),
                    (("INSERT INTO counts (ix, prefix, n) VALUES (?, ?, ?) "
                      "ON CONFLICT (ix, prefix) DO UPDATE SET n = n + excluded.n"),
                     [(ix, prefix, n) for (ix, prefix), n in batch.counts.items() if n]),
                    ("DELETE FROM counts WHERE ix = ? AND prefix = ? AND n <= 0",  # by key: no scan of counts
                     [(ix, prefix) for (ix, prefix), n in batch.counts.items() if n < 0]),
                    ("UPDATE colls SET n = n + ? WHERE cid = ?", [(n, cid) for cid, n in batch.sizes.items() if n])):
                if rows:  # a step save changes one document: most of these have nothing to do
                    sql.executemany(statement, rows)
            sql.execute("COMMIT")
        except BaseException:
            if sql.in_transaction:
                sql.execute("ROLLBACK")
            raise

    def allocate(self) -> tuple[int, int]:
        """The next free collection and index numbers."""
        cid = self.reader.execute("SELECT coalesce(max(cid), 0) FROM colls").fetchone()[0]
        ix = self.reader.execute("SELECT coalesce(max(ix), 0) FROM idx").fetchone()[0]
        return cid + 1, ix + 1


def connect(target: str) -> sqlite3.Connection:
    """A connection in WAL mode with a full fsync per commit, the schema created (or converted)."""
    connection = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
    if target != ":memory:":
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            connection.close()
            raise RuntimeError(f"SQLite refused WAL mode for {target} (got {mode!r}); use a local disk.")
        connection.execute("PRAGMA synchronous=FULL")
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        connection.close()
        raise RuntimeError(f"{target} was written by a newer Loket (schema {version}).")
    if version < SCHEMA_VERSION:
        connection.executescript(SCHEMA)  # schema 1's tables stay until the store converts them (engine.open)
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return connection


def old_tables(connection: sqlite3.Connection) -> bool:
    """Whether a file still holds the first embedded store's tables (documents, collections)."""
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'")
    return row.fetchone()[0] > 0


def encode_spec(spec: Mapping) -> bytes:
    """An index definition as BSON (key as a list of [field, direction])."""
    return bson.encode({"spec": {**spec, "key": [list(pair) for pair in spec["key"]]}})


def decode_spec(blob: bytes) -> dict:
    """An index definition as mongomock keeps it: 'key' is a list of (field, direction) tuples."""
    spec = dict(bson.decode(blob)["spec"])
    spec["key"] = [tuple(pair) for pair in spec["key"]]
    return spec
