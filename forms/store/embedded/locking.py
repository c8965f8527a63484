"""Thread safety: every mongomock operation under one process-wide lock, and the fast paths taken under it."""
from __future__ import annotations

import functools
import inspect
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import mongomock
from bson import ObjectId
from mongomock import helpers
from mongomock.collection import BulkOperationBuilder, Collection, Cursor
from mongomock.database import Database
from mongomock.gridfs import enable_gridfs_integration
from pymongo import ASCENDING

# Ids that `{'_id': value, ...}` matches by plain equality, so the store key is the value itself.
_PLAIN_ID_TYPES = (ObjectId, str, int)

_LOCK = threading.RLock()

_WRAPPED = "__loket_locked__"


class _CallState:
    """Nesting depth of locked calls, and journals holding changes to commit at depth zero."""

    def __init__(self) -> None:
        self.depth = 0
        self.dirty: set = set()  # journals (forms.store.embedded.journal) with changes to commit
        self.lock_installed = False
        self.gridfs_enabled = False

_STATE = _CallState()


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
    if getattr(store, "journal", None) is None:  # a plain in-memory store: nothing to report
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
