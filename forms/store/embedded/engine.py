"""The embedded store's shared state: documents being changed, a cache of read ones, and group commit.

Every document is on disk (forms.store.embedded.disk); memory holds only
- the *overlay*: documents changed since their last commit, the live objects mongomock works on,
  each with the index keys the disk holds for it (so queries and counts can correct the disk's view);
- a bounded *cache* of unchanged documents (large ones, such as file chunks, are never cached).

Durability by group commit. Every change gets a sequence number. A thread that must know its
changes are durable (the end of a request or job step, or any write outside one) calls `sync`:
whoever holds the commit lock gathers *every* pending change into one batch, writes it in one
SQLite transaction (one fsync), and all threads whose changes it held return together. The batch is
gathered under the store's lock but written outside it, so readers never wait for an fsync; the
readers' SQLite snapshot moves to the new state under the lock, together with the overlay, so they
never see a batch twice or half. If a batch cannot be written, every change not yet on disk is
dropped from memory (memory never runs ahead of disk) and each thread that made one gets the error.
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import bson

from forms.store.embedded.disk import Batch, Disk
from forms.store.embedded.locking import touch

CACHE_DOCUMENTS = 20_000
CACHE_LARGEST = 16 * 1024  # bytes of BSON; larger documents (file chunks) are read from disk each time


class CommitFailed(RuntimeError):
    """A batch could not be written; the changes it held were dropped from memory."""


@dataclass(eq=False)
class Tracked:
    """A document changed since its last commit: the live object (None once deleted) and its disk keys."""

    document: dict | None
    disk_keys: dict[int, set[bytes]]
    on_disk: bool
    seq: int = 0


@dataclass
class Pending:
    """What a written batch changes in memory once it is on disk."""

    batch: Batch
    upto: int
    after: list[tuple[tuple[int, bytes], dict[int, set[bytes]], bool, int, bool]] = field(default_factory=list)


class Engine:
    """Overlay, cache, sequence numbers and the committer of one embedded store."""

    def __init__(self, disk: Disk, lock: threading.RLock):
        self.disk = disk
        self.lock = lock
        self.commit_lock = threading.Lock()
        self.overlay: dict[int, dict[bytes, Tracked]] = {}  # cid → key → changed document
        self.changed: dict[tuple[int, bytes], Any] = {}  # overlay keys changed since the last batch (ordered)
        self.cache: OrderedDict[tuple[int, bytes], dict] = OrderedDict()
        self.tables: dict[int, Any] = {}  # cid → TableStore, to compute index keys when batching
        self.statements: list[tuple[str, tuple]] = []
        self.written = self.durable = 0
        self.lost: list[tuple[int, int]] = []
        self.local = threading.local()
        self.scans: Counter[tuple[str, str]] = Counter()
        self.closed = False
        self.next_cid, self.next_ix = disk.allocate()

    # --- reading ---------------------------------------------------------------------------------

    def read(self, cid: int, key: bytes) -> dict | None:
        """The current document under a key: changed, cached, or read from disk (None if absent)."""
        tracked = self.overlay.get(cid, {}).get(key)
        if tracked is not None:
            return tracked.document
        cached = self.cache.get((cid, key))
        if cached is not None:
            self.cache.move_to_end((cid, key))
            return cached
        return self.load(cid, key, self.disk.document(cid, key))

    def load(self, cid: int, key: bytes, blob: bytes | None) -> dict | None:
        """A document read from disk, cached when small (a changed copy in the overlay wins)."""
        tracked = self.overlay.get(cid, {}).get(key)
        if tracked is not None:
            return tracked.document
        if blob is None:
            return None
        cached = self.cache.get((cid, key))
        if cached is not None:
            return cached
        document = bson.decode(blob)
        if len(blob) <= CACHE_LARGEST:
            self.remember((cid, key), document)
        return document

    def remember(self, place: tuple[int, bytes], document: dict) -> None:
        """Keep an unchanged document in the cache (the least recently used one leaves when it is full)."""
        self.cache[place] = document
        self.cache.move_to_end(place)
        if len(self.cache) > CACHE_DOCUMENTS:
            self.cache.popitem(last=False)

    def changed_in(self, cid: int) -> list[tuple[bytes, Tracked]]:
        """(key, tracked) of the overlay documents of one collection."""
        return list(self.overlay.get(cid, {}).items())

    # --- changing (under the lock) ---------------------------------------------------------------

    def track(self, cid: int, key: bytes, keys_of: Callable[[dict], dict[int, set[bytes]]]) -> Tracked:
        """The overlay record of a document about to change (its disk keys taken before the change)."""
        self.check_open()
        tracked = self.overlay.get(cid, {}).get(key)
        if tracked is None:
            current = self.cache.pop((cid, key), None)
            if current is None:
                blob = self.disk.document(cid, key)
                current = bson.decode(blob) if blob is not None else None
            tracked = Tracked(current, keys_of(current) if current is not None else {}, current is not None)
            self.overlay.setdefault(cid, {})[key] = tracked
        self.written += 1
        tracked.seq = self.written
        self.changed[(cid, key)] = None
        self.local.seq = self.written
        touch(self)
        return tracked

    def note_statement(self, statement: str, values: tuple | list[tuple]) -> None:
        """A change of collection or index definitions (one row, or a list of rows), written with the next batch."""
        self.check_open()
        self.statements.append((statement, values))
        self.written += 1
        self.local.seq = self.written
        touch(self)

    def allocate_collection(self) -> int:
        """A new collection number."""
        self.next_cid += 1
        return self.next_cid - 1

    def allocate_index(self) -> int:
        """A new index number."""
        self.next_ix += 1
        return self.next_ix - 1

    def check_open(self) -> None:
        """Refuse changes once the store is closed."""
        if self.closed:
            raise RuntimeError("The embedded store is closed; the change was refused.")

    # --- units of work and commits ---------------------------------------------------------------

    def begin(self) -> None:
        """Start a unit of work (a request, a job step): its changes commit together at `end`."""
        self.local.depth = getattr(self.local, "depth", 0) + 1

    def end(self) -> None:
        """End a unit of work; the outermost end returns once every change it made is on disk."""
        self.local.depth = max(0, getattr(self.local, "depth", 0) - 1)
        if self.local.depth == 0:
            self.sync()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """A unit of work as a `with` block (job steps, commands)."""
        self.begin()
        try:
            yield
        finally:
            self.end()

    def in_unit(self) -> bool:
        """Whether this thread is inside a unit of work (its writes wait for its end)."""
        return getattr(self.local, "depth", 0) > 0

    def sync(self) -> None:
        """Return once every change this thread made is on disk (one shared batch for concurrent threads)."""
        target = getattr(self.local, "seq", 0)
        if target > self.durable:
            with self.commit_lock:
                if target > self.durable:
                    self.commit()
        self.raise_if_lost(target)

    def commit(self) -> None:
        """Gather every pending change, write it, then show it to readers (call holding the commit lock)."""
        with self.lock:
            try:
                pending = self.gather()
            except BaseException:  # a value BSON cannot encode: nothing of the batch can be written
                self.drop_unwritten()
                raise
            if self.disk.memory:
                self.write_and_apply(pending)
                return
        self.write_and_apply(pending)

    def write_and_apply(self, pending: Pending) -> None:
        """Write a gathered batch; apply it to memory, or drop every unwritten change if writing failed."""
        try:
            if pending.batch:
                self.disk.write(pending.batch)
        except BaseException:
            with self.lock:
                self.drop_unwritten()
            raise
        with self.lock:
            self.apply(pending)

    def gather(self) -> Pending:
        """The batch of every change since the last one, with what to do in memory once it is written."""
        batch = Batch(statements=self.statements)
        self.statements = []
        pending = Pending(batch, self.written)
        for cid, key in self.changed:
            tracked = self.overlay[cid][key]
            table = self.tables[cid]
            new_keys = table.keys_of(tracked.document) if tracked.document is not None else {}
            table.batch_changes(batch, key, tracked, new_keys)
            blob = batch.docs[-1][2]
            pending.after.append(((cid, key), new_keys, tracked.document is not None, tracked.seq,
                                  blob is not None and len(blob) <= CACHE_LARGEST))
        self.changed = {}
        return pending

    def apply(self, pending: Pending) -> None:
        """After a batch is on disk: readers see it, and unchanged documents leave the overlay."""
        self.disk.refresh()
        for table_cid, size in pending.batch.sizes.items():
            self.tables[table_cid].size += size
        for place, keys, exists, seq, small in pending.after:
            cid, key = place
            tracked = self.overlay.get(cid, {}).get(key)
            if tracked is None:
                continue
            tracked.disk_keys, tracked.on_disk = keys, exists
            if tracked.seq <= seq:
                del self.overlay[cid][key]
                if small:  # unchanged since it was written: the next read needs no disk read and decode
                    self.remember(place, tracked.document)
        self.durable = max(self.durable, pending.upto)

    def drop_unwritten(self) -> None:
        """Forget every change not on disk (memory must not run ahead of it) and mark them lost."""
        self.lost.append((self.durable + 1, self.written))
        self.overlay.clear()
        self.changed = {}
        self.statements = []
        self.cache.clear()
        for table in self.tables.values():
            table.reload_definitions()
        self.durable = self.written

    def raise_if_lost(self, target: int) -> None:
        """Tell a thread whose change was in a batch that failed."""
        if any(low <= target <= high for low, high in self.lost):
            self.local.seq = 0
            raise CommitFailed("The change could not be saved to disk; nothing of it was kept.")

    def record_scan(self, collection: str, query: Any) -> None:
        """Count a query that no index served (the index-use test reads these)."""
        self.scans[(collection, shape_of(query))] += 1


def shape_of(query: Any) -> str:
    """A query's field names and operators without its values, e.g. "{status, preview: {$ne}}"."""
    if isinstance(query, dict):
        parts = [name if not isinstance(value, dict) else f"{name}: {shape_of(value)}"
                 for name, value in query.items()]
        return "{" + ", ".join(parts) + "}"
    return type(query).__name__
