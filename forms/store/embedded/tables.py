"""mongomock's collection stores, backed by the disk: documents read on demand, queries narrowed by index.

A `TableStore` replaces mongomock's in-memory `CollectionStore` (the same methods, so mongomock's
Collection code runs unchanged on top) and adds what mongomock lacks: `candidates` (the documents
an index says may match, in natural order), `ordered` (documents in an index's order, for a sort
with a limit), `count` (an equality on an index prefix answered from the counts table) and `pin`
(a document about to be changed in place). Index definitions are the ones mongoengine asks for; the
entries of each are kept on every write. A query no index serves is a scan, and is counted.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import bson
from mongomock import helpers
from mongomock.store import CollectionStore, DatabaseStore, ServerStore
from pymongo.errors import DuplicateKeyError

from forms.store.embedded import keys as keycodec
from forms.store.embedded.direct import SLOW
from forms.store.embedded.disk import Batch, encode_id, encode_spec
from forms.store.embedded.engine import Engine, Tracked
from forms.store.embedded.keys import prefix_counts, prefixes
from forms.store.embedded.planner import Plan, plan


class TableStore(CollectionStore):
    """One collection: definitions in memory, documents on disk, changes in the engine's overlay."""

    def __init__(self, engine: Engine, db_name: str, name: str, cid: int, created: bool = False, size: int = 0):
        self.engine, self.db_name, self.name, self.cid = engine, db_name, name, cid
        self.force_created, self.size = created, size
        self.definitions: dict[str, tuple[int, dict]] = {}  # index name → (ix, spec)
        engine.tables[cid] = self

    # --- definitions -----------------------------------------------------------------------------

    @property
    def indexes(self) -> dict[str, dict]:
        """Index definitions by name, as mongomock reads them."""
        return {name: spec for name, (_ix, spec) in self.definitions.items()}

    @indexes.setter
    def indexes(self, value: dict) -> None:
        for name in [n for n in self.definitions if n not in value]:
            self.drop_index(name)

    @property
    def _ttl_indexes(self) -> dict[str, dict]:
        return {n: spec for n, (_ix, spec) in self.definitions.items() if spec.get("expireAfterSeconds") is not None}

    @property
    def is_created(self) -> bool:
        return bool(self.force_created or self.definitions or len(self))

    def create(self) -> None:
        """Mark the collection created while empty."""
        self.force_created = True
        self.engine.note_statement("UPDATE colls SET created = 1 WHERE cid = ?", (self.cid,))

    def create_index(self, index_name: str, index_dict: dict) -> None:
        """Add an index: its entries are built from every document now (a one-time scan), uniqueness checked."""
        if self.definitions.get(index_name, (0, None))[1] == index_dict:
            return
        spec = {**index_dict, "key": [tuple(pair) for pair in index_dict["key"]]}
        per_document = {key: entry_keys(document, spec) for key, document in self.every_document()}
        if spec.get("unique"):
            refuse_duplicates(per_document)
        old = self.definitions.get(index_name)
        if old is not None:
            self.drop_index(index_name)
        ix = self.engine.allocate_index()
        self.engine.note_statement("INSERT INTO idx (ix, cid, name, spec) VALUES (?, ?, ?, ?)",
                                   (ix, self.cid, index_name, encode_spec(spec)))
        self.engine.note_statement("INSERT OR IGNORE INTO entries (ix, key, id) VALUES (?, ?, ?)",
                                   [(ix, entry, key) for key, entries in per_document.items() for entry in entries])
        self.engine.note_statement("INSERT INTO counts (ix, prefix, n) VALUES (?, ?, ?)",
                                   [(ix, prefix, n) for prefix, n in prefix_counts(per_document, len(spec["key"]))
                                    .items()])
        for key, tracked in self.engine.changed_in(self.cid):  # their entries were just written as they are now
            tracked.disk_keys[ix] = per_document.get(key, set())
        self.definitions[index_name] = (ix, spec)

    def drop_index(self, index_name: str) -> None:
        """Remove an index and its entries."""
        ix, _spec = self.definitions.pop(index_name)
        for statement in ("DELETE FROM idx WHERE ix = ?", "DELETE FROM entries WHERE ix = ?",
                          "DELETE FROM counts WHERE ix = ?"):
            self.engine.note_statement(statement, (ix,))

    def drop(self) -> None:
        """Remove every document and index of the collection."""
        for name in list(self.definitions):
            self.drop_index(name)
        for key, _document in list(self.every_document()):
            self.engine.track(self.cid, key, self.keys_of).document = None
        self.force_created = False
        self.engine.note_statement("UPDATE colls SET created = 0 WHERE cid = ?", (self.cid,))

    def reload_definitions(self) -> None:
        """Read definitions and size back from disk (after a failed batch)."""
        self.definitions = {name: (ix, spec) for ix, cid, name, spec in self.engine.disk.indexes() if cid == self.cid}
        for cid, _db, _name, created, size in self.engine.disk.collections():
            if cid == self.cid:
                self.force_created, self.size = created, size

    # --- documents by key (mongomock's mapping protocol) ------------------------------------------

    def __contains__(self, key: Any) -> bool:
        self.expire()
        return self.engine.read(self.cid, encode_id(key)) is not None

    def __getitem__(self, key: Any) -> dict:
        document = self.engine.read(self.cid, encode_id(key))
        if document is None:
            raise KeyError(key)
        return document

    def __setitem__(self, key: Any, value: dict) -> None:
        self.engine.track(self.cid, encode_id(key), self.keys_of).document = value

    def __delitem__(self, key: Any) -> None:
        tracked = self.engine.track(self.cid, encode_id(key), self.keys_of)
        if tracked.document is None:
            raise KeyError(key)
        tracked.document = None

    def __len__(self) -> int:
        change = sum((t.document is not None) - t.on_disk for _key, t in self.engine.changed_in(self.cid))
        return self.size + change

    @property
    def is_empty(self) -> bool:
        self.expire()
        return len(self) == 0

    def by_id(self, value: Any) -> dict | None:
        """The stored document itself under a plain `_id` (not a copy: the caller copies), None, or SLOW."""
        if type(value) not in PLAIN_IDS:
            return SLOW
        self.expire()
        return self.engine.read(self.cid, encode_id(value))

    @staticmethod
    def entries_for(document: Mapping, spec: Mapping) -> set[bytes]:
        """A document's entries in one index definition."""
        return entry_keys(document, spec)

    def pin(self, document: Mapping) -> None:
        """A stored document is about to be changed in place: keep it, with its disk keys, in the overlay."""
        self.engine.track(self.cid, encode_id(document["_id"]), self.keys_of)

    # --- queries ---------------------------------------------------------------------------------

    @property
    def documents(self) -> Iterator[dict]:
        """Every document in natural order: a full scan (counted once it reads a second document)."""
        self.expire()
        return self.scan({})

    def every_document(self) -> Iterator[tuple[bytes, dict]]:
        """(key, document) of the whole collection: stored ones in natural order, then new ones."""
        changed = dict(self.engine.changed_in(self.cid))
        for key in self.engine.disk.natural(self.cid):
            tracked = changed.get(key)
            document = tracked.document if tracked is not None else self.engine.read(self.cid, key)
            if document is not None:
                yield key, document
        for key, tracked in changed.items():
            if tracked.document is not None and not tracked.on_disk:
                yield key, tracked.document

    def candidates(self, query: Mapping) -> list[dict] | None:
        """Documents an index says may match, in natural order; None when no index serves (the caller scans)."""
        self.expire()
        wanted = id_values(query)
        if wanted is not None:
            return self.in_natural_order(list(dict.fromkeys(encode_id(value) for value in wanted)))
        chosen = self.plan_for(query, None)
        if chosen is None:
            return None
        keys = list(dict.fromkeys(key for _entry, key in self.entries_of(chosen)))
        return self.in_natural_order(keys)

    def scan(self, query: Mapping) -> Iterator[dict]:
        """Every document, for a query no index serves: counted by the query's shape.

        An empty query counts only once it reads a second document: `find_one({})` ("is there any?",
        as GridFS asks before every file) reads one document, which is no scan.
        """
        if query:
            self.engine.record_scan(f"{self.db_name}.{self.name}", query)
        for examined, (_key, document) in enumerate(self.every_document()):
            if examined == 1 and not query:
                self.engine.record_scan(f"{self.db_name}.{self.name}", query)
            yield document

    def ordered(self, query: Mapping, sort: Sequence[tuple[str, int]]) -> Iterator[dict] | None:
        """Documents in the sort's order straight from an index (lazily), or None when none serves the sort."""
        self.expire()
        chosen = self.plan_for(query, sort)
        if chosen is None or not chosen.sorted_by_index:
            return None
        return self.walk_in_order(chosen)

    def count(self, query: Mapping) -> int | None:
        """The number of documents for an equality on an index prefix, from the counts table; else None."""
        chosen = self.plan_for(query, None)
        if chosen is None or chosen.exact_prefix is None:
            return None
        ix = self.definitions[chosen.index][0]
        prefix = chosen.exact_prefix
        stored = self.engine.disk.count(ix, prefix)
        for _key, tracked in self.engine.changed_in(self.cid):
            now = any(k.startswith(prefix) for k in self.keys_of(tracked.document).get(ix, ())) \
                if tracked.document is not None else False
            before = any(k.startswith(prefix) for k in tracked.disk_keys.get(ix, ()))
            stored += now - before
        return stored

    def plan_for(self, query: Mapping, sort: Sequence[tuple[str, int]] | None) -> Plan | None:
        """The planner's choice among this collection's indexes."""
        return plan(query, self.indexes, sort) if self.definitions else None

    def entries_of(self, chosen: Plan) -> Iterator[tuple[bytes, bytes]]:
        """(entry, key) of every candidate: the disk's ranges, corrected by the overlay."""
        ix = self.definitions[chosen.index][0]
        changed = dict(self.engine.changed_in(self.cid))
        for low, high in chosen.ranges:
            for entry, key in self.engine.disk.entries(ix, low, high, chosen.reverse):
                if key not in changed:
                    yield entry, key
            for key, tracked in changed.items():
                if tracked.document is not None and any(low <= k <= high for k in self.keys_of(tracked.document)
                                                        .get(ix, ())):
                    yield low, key

    def in_natural_order(self, keys: list[bytes]) -> list[dict]:
        """Candidate documents ordered as a scan would meet them (stored ones by rowid, new ones last)."""
        positions = self.engine.disk.positions(self.cid, keys) if len(keys) > 1 else {}
        last = max(positions.values(), default=0) + 1
        ordered = sorted(keys, key=lambda key: positions.get(key, last))
        found = (self.engine.read(self.cid, key) for key in ordered)
        return [document for document in found if document is not None]

    def walk_in_order(self, chosen: Plan) -> Iterator[dict]:
        """Documents in index order, stored and changed ones merged, each once."""
        ix = self.definitions[chosen.index][0]
        low, high = chosen.ranges[0]
        changed = dict(self.engine.changed_in(self.cid))
        stored = ((entry, key) for entry, key in self.engine.disk.entries(ix, low, high, chosen.reverse)
                  if key not in changed)
        fresh = sorted(((entry, key) for key, tracked in changed.items() if tracked.document is not None
                        for entry in self.keys_of(tracked.document).get(ix, ()) if low <= entry <= high),
                       reverse=chosen.reverse)
        seen: set[bytes] = set()
        for _entry, key in heapq.merge(stored, fresh, reverse=chosen.reverse):
            if key not in seen:
                seen.add(key)
                document = self.engine.read(self.cid, key)
                if document is not None:
                    yield document

    # --- index keys and batches ------------------------------------------------------------------

    def keys_of(self, document: Mapping) -> dict[int, set[bytes]]:
        """The entries a document has in each index of the collection."""
        return {ix: entry_keys(document, spec) for ix, spec in self.definitions.values()}

    def batch_changes(self, batch: Batch, key: bytes, tracked: Tracked, new_keys: dict[int, set[bytes]]) -> None:
        """Add one changed document to a batch: its row, its entries and counts, the collection size."""
        document = tracked.document
        batch.docs.append((self.cid, key, bson.encode(document) if document is not None else None))
        for ix, spec in self.definitions.values():
            old, new = tracked.disk_keys.get(ix, set()), new_keys.get(ix, set())
            batch.removed_entries.extend((ix, entry, key) for entry in old - new)
            batch.added_entries.extend((ix, entry, key) for entry in new - old)
            for prefix in prefixes(new, len(spec["key"])) ^ prefixes(old, len(spec["key"])):
                change = 1 if prefix in prefixes(new, len(spec["key"])) else -1
                batch.counts[(ix, prefix)] = batch.counts.get((ix, prefix), 0) + change
        size = (document is not None) - tracked.on_disk
        if size:
            batch.sizes[self.cid] = batch.sizes.get(self.cid, 0) + size

    # --- expiry ----------------------------------------------------------------------------------

    def expire(self) -> None:
        """Delete documents whose TTL index says they expired (a range of that index: nothing else is read)."""
        ttl = self._ttl_indexes
        if not ttl:
            return
        now = datetime.now(UTC).replace(tzinfo=None)
        for name, spec in ttl.items():
            field = spec["key"][0][0]
            limit = now - timedelta(seconds=int(spec["expireAfterSeconds"]))
            chosen = Plan(name, [(keycodec.DATE, keycodec.encode(limit) + keycodec.TOP)])
            for key in list(dict.fromkeys(key for _e, key in self.entries_of(chosen))):
                document = self.engine.read(self.cid, key)
                value = helpers.get_value_by_dot(document, field) if document else None
                if isinstance(value, datetime) and value <= limit:
                    self.engine.track(self.cid, key, self.keys_of).document = None


PLAIN_IDS = (keycodec.ObjectId, str, int)


def refuse_duplicates(per_document: Mapping[bytes, set[bytes]]) -> None:
    """A unique index cannot be built over documents that already share a key."""
    seen: set[bytes] = set()
    for entries in per_document.values():
        if entries & seen:
            raise DuplicateKeyError("E11000 Duplicate Key Error", 11000)
        seen |= entries


def id_values(query: Mapping) -> list | None:
    """The `_id` values a query names by equality or `$in` (looked up directly), or None."""
    wanted = query.get("_id")
    if type(wanted) in PLAIN_IDS:
        return [wanted]
    if isinstance(wanted, Mapping) and set(wanted) == {"$in"} and isinstance(wanted["$in"], (list, tuple)):
        values = list(wanted["$in"])
        return values if all(type(v) in PLAIN_IDS for v in values) else None
    if isinstance(wanted, Mapping) and set(wanted) == {"$eq"} and type(wanted["$eq"]) in PLAIN_IDS:
        return [wanted["$eq"]]
    return None


def entry_keys(document: Mapping, spec: Mapping) -> set[bytes]:
    """The entries of one document in one index definition."""
    return keycodec.entries(document, [field for field, _direction in spec["key"]], bool(spec.get("sparse")))


class Databases(DatabaseStore):
    """A database's collections as TableStores (created on first use)."""

    def __init__(self, engine: Engine, name: str):
        super().__init__()
        self.engine, self.name = engine, name

    def __getitem__(self, col_name: str) -> TableStore:
        table = self._collections.get(col_name)
        if table is None:
            cid = self.engine.allocate_collection()
            self.engine.note_statement("INSERT INTO colls (cid, db, coll) VALUES (?, ?, ?)", (cid, self.name, col_name))
            table = self._collections[col_name] = TableStore(self.engine, self.name, col_name, cid)
        return table

    def __contains__(self, col_name: str) -> bool:
        table = self._collections.get(col_name)
        return table is not None and table.is_created

    def rename(self, name: str, new_name: str) -> None:
        """Give a collection a new name (its documents and indexes stay; an empty target goes)."""
        table = self[name]
        del self._collections[name]
        emptied = self._collections.pop(new_name, None)
        if emptied is not None:
            self.engine.tables.pop(emptied.cid, None)
            self.engine.note_statement("DELETE FROM colls WHERE cid = ?", (emptied.cid,))
        table.name = new_name
        self._collections[new_name] = table
        self.engine.note_statement("UPDATE colls SET coll = ? WHERE cid = ?", (new_name, table.cid))


class Server(ServerStore):
    """Every database of the store, with the collections and indexes read from disk at open."""

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = engine
        for cid, db, coll, created, size in engine.disk.collections():
            self[db]._collections[coll] = TableStore(engine, db, coll, cid, created, size)
        for ix, cid, name, spec in engine.disk.indexes():
            engine.tables[cid].definitions[name] = (ix, spec)

    def __getitem__(self, db_name: str) -> Databases:
        database = self._databases.get(db_name)
        if database is None:
            database = self._databases[db_name] = Databases(self.engine, db_name)
        return database


