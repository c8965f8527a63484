"""mongomock made thread-safe and index-aware: one process-wide lock, and the hooks that reach the indexes.

Thread safety. `install_lock()` wraps every public method of mongomock's Collection, Database and
MongoClient, the cursor's result computation, the bulk builder's `execute` and `Collection._update`
with ONE process-wide `threading.RLock`, so mongomock runs one operation at a time (without it,
threads doing `$inc` lose updates and concurrent inserts get unique indexes wrong). When the
outermost locked call returns, the lock is released first, then every embedded store the thread
changed outside a unit of work is synced (forms.store.embedded.engine): readers never wait for it.

Indexes. mongomock's own code keeps deciding what matches (its matcher, its update operators, its
projections); the hooks only change which documents it looks at: a query is answered from the
candidates an index names (`TableStore.candidates`), a sort with a limit walks an index in order
and stops early, a count of an equality on an index prefix reads the counts table, asking again for
an index that exists costs nothing, and a document an update will change in place is pinned first.
A collection that is not a TableStore (a plain mongomock client) keeps mongomock's behaviour.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import threading
from collections.abc import Callable, Mapping
from typing import Any

import mongomock
from mongomock import filtering, helpers
from mongomock.collection import BulkOperationBuilder, Collection, Cursor
from mongomock.database import Database
from mongomock.gridfs import enable_gridfs_integration
from pymongo import ASCENDING

from forms.store.embedded import direct

_LOCK = threading.RLock()
_WRAPPED = "__loket_locked__"


class _CallState(threading.local):
    """Per thread: the embedded stores changed since the outermost locked call began."""

    def __init__(self) -> None:
        self.depth = 0
        self.touched: set = set()


class _Installed:
    """Process-wide: which patches are in place."""

    lock = False
    gridfs = False


_STATE = _CallState()


def touch(engine: Any) -> None:
    """Note that this thread changed an embedded store (synced when its outermost locked call ends)."""
    _STATE.touched.add(engine)


def install_lock() -> None:
    """Serialise every mongomock operation on one process-wide RLock and add the index hooks (idempotent)."""
    with _LOCK:
        if _Installed.lock:
            return
        Collection.create_index = _make_cheap_create_index(_make_listing_create_index(Collection.create_index))
        Collection.count_documents = _make_counting(Collection.count_documents)
        Collection.find_one = _make_first_only(Collection.find_one)
        Collection.update_one = _make_direct_update(Collection.update_one)
        for cls in (Collection, Database, mongomock.MongoClient):
            _wrap_public_methods(cls)
        Collection._update = _make_locked(_make_pinning_update(Collection._update))
        Cursor._compute_results = _make_limited_results(Cursor._compute_results)
        for name in ("_compute_results", "distinct", "count"):
            if name in vars(Cursor):
                setattr(Cursor, name, _make_locked(vars(Cursor)[name]))
        BulkOperationBuilder.execute = _make_locked(BulkOperationBuilder.execute)
        Collection._iter_documents = _make_indexed_iter(Collection._iter_documents)
        Collection._get_dataset = _make_ordered_dataset(Collection._get_dataset)
        _Installed.lock = True


def enable_gridfs() -> None:
    """Let pymongo's gridfs accept mongomock databases (idempotent)."""
    with _LOCK:
        if not _Installed.gridfs:
            enable_gridfs_integration()
            _Installed.gridfs = True


# --- the lock ----------------------------------------------------------------------------------


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
    """Run call holding the lock; after the outermost call, sync what it changed (lock released)."""
    touched: set = set()
    try:
        with _LOCK:
            _STATE.depth += 1
            try:
                return call()
            finally:
                _STATE.depth -= 1
                if _STATE.depth == 0:
                    touched, _STATE.touched = _STATE.touched, set()
    finally:
        for engine in touched:
            if not engine.in_unit():
                engine.sync()


# --- the index hooks ---------------------------------------------------------------------------


def _make_indexed_iter(iter_documents: Callable) -> Callable:
    """Match only the documents an index names as candidates; scan (counted) when none can."""

    @functools.wraps(iter_documents)
    def iterate(collection: Collection, filter: Any) -> Any:
        candidates = getattr(collection._store, "candidates", None)
        if candidates is not None and isinstance(filter, Mapping):
            found = candidates(filter)
            if found is None:
                found = collection._store.scan(filter)
            return (document for document in found if filtering.filter_applies(filter, document))
        return iter_documents(collection, filter)

    return iterate


def _make_ordered_dataset(get_dataset: Callable) -> Callable:
    """A sorted query walks an index in the sort's order when one serves it (a limit then stops early)."""

    @functools.wraps(get_dataset)
    def dataset(collection: Collection, spec: Any, sort: Any, fields: Any, as_class: Any) -> Any:
        ordered = getattr(collection._store, "ordered", None)
        if sort and ordered is not None and isinstance(spec, Mapping):
            pairs = list(sort.items()) if isinstance(sort, Mapping) else list(sort)
            walk = ordered(spec, pairs)
            if walk is not None:
                return (collection._copy_only_fields(document, fields, as_class) for document in walk
                        if filtering.filter_applies(spec, document))
        return get_dataset(collection, spec, sort, fields, as_class)

    return dataset


def _make_first_only(find_one: Callable) -> Callable:
    """find_one asks for one document (mongomock's computes every match, then takes the first)."""

    @functools.wraps(find_one)
    def first(collection: Collection, filter: Any = None, *args: Any, **kwargs: Any) -> Any:
        if filter is None:
            filter = {}
        if not isinstance(filter, Mapping):
            filter = {"_id": filter}
        if len(args) + len(kwargs) <= 1 and set(kwargs) <= {"projection"}:
            found = direct.find_by_id(collection, filter, args[0] if args else kwargs.get("projection"))
            if found is not direct.SLOW:
                return found
        try:
            return next(collection.find(filter, *args, **kwargs).limit(1))
        except StopIteration:
            return None

    return first


def _make_direct_update(update_one: Callable) -> Callable:
    """update_one of one document by `_id` with a plain `$set`/`$inc` straight on the store (forms.store.embedded.direct)."""

    @functools.wraps(update_one)
    def update(collection: Collection, filter: Any, update: Any, upsert: bool = False, *args: Any,
               **kwargs: Any) -> Any:
        if not args:
            options = dict(kwargs, upsert=upsert)
            options.pop("bypass_document_validation", None)
            done = direct.update_by_id(collection, filter, update, options)
            if done is not direct.SLOW:
                return done
        return update_one(collection, filter, update, upsert, *args, **kwargs)

    return update


def _make_counting(count_documents: Callable) -> Callable:
    """count_documents answered from the counts table for an equality on an index prefix."""

    @functools.wraps(count_documents)
    def count(collection: Collection, filter: Any, **kwargs: Any) -> int:
        counter = getattr(collection._store, "count", None)
        if counter is not None and not kwargs and isinstance(filter, Mapping):
            spec = helpers.patch_datetime_awareness_in_document(filter)
            found = len(collection._store) if not spec else counter(spec)
            if found is not None:
                return found
        return count_documents(collection, filter, **kwargs)

    return count


def _make_pinning_update(update: Callable) -> Callable:
    """Collection._update that first pins the stored documents it is about to change in place."""

    @functools.wraps(update)
    def pinning(collection: Collection, *args: Any, **kwargs: Any) -> Any:
        pin = getattr(collection._store, "pin", None)
        if pin is not None:
            spec, multi = _read_spec_and_multi(*args, **kwargs)
            if isinstance(spec, Mapping):
                matches = collection._iter_documents(helpers.patch_datetime_awareness_in_document(spec))
                for document in list(matches if multi else itertools.islice(matches, 1)):
                    pin(document)
        return update(collection, *args, **kwargs)

    return pinning


def _read_spec_and_multi(spec: Any = None, document: Any = None, upsert: bool = False, manipulate: bool = False,
                         multi: bool = False, *unused_args: Any, **unused_kwargs: Any) -> tuple[Any, bool]:
    """The filter and the multi flag out of Collection._update's arguments."""
    return spec, multi


def _make_limited_results(compute: Callable) -> Callable:
    """With a limit, copy only the first skip+limit documents of the (already sorted) dataset.

    mongomock copies every matching document before it applies the limit; with an index walking in
    sort order, a page of 50 then reads 50 documents, whatever the collection holds.
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


def _make_cheap_create_index(create_index: Callable) -> Callable:
    """Asking for an index that exists with the same definition returns at once (mongoengine asks at every start).

    mongomock checks every document for uniqueness before it even looks whether the index exists.
    """

    @functools.wraps(create_index)
    def create_or_keep(collection: Collection, key_or_list: Any, *args: Any, **kwargs: Any) -> Any:
        index_list = helpers.create_index_list(key_or_list)
        name = kwargs.get("name") or helpers.gen_index_name(index_list)
        wanted = {"key": index_list}
        for option in ("sparse", "unique"):
            if kwargs.get(option):
                wanted[option] = True
        for option in ("expireAfterSeconds", "partialFilterExpression"):
            if kwargs.get(option) is not None:
                wanted[option] = kwargs[option]
        if collection._store.indexes.get(name) == wanted:
            return name
        return create_index(collection, key_or_list, *args, **kwargs)

    return create_or_keep


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
