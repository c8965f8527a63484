"""The by-id fast paths: a read of one document by `_id`, and a plain `$set`/`$inc` update of one by `_id`.

Every wizard step reads its submission by id and saves it with one conditional `update_one` on
(id, version, status). Through mongomock each is a cursor, a candidate list, a projection copy of
every field (`copy.copy` on each leaf), and for the update a `deepcopy` snapshot of the document,
a BSON encode per `$set` field and a uniqueness re-check of every unique index. Here the same
operations go straight to the store's document:

- `find_one({"_id": x})` (no projection, or an inclusion of top-level fields) returns a copy of the
  stored document's dicts and lists (leaves are immutable BSON values, shared);
- `update_one({"_id": x, …equalities}, {"$set": {top-level fields}, "$inc": {top-level numbers}})`
  builds the new document beside the stored one and puts it in its place; mongomock's matcher still
  decides whether the filter matches, values are patched for datetimes as mongomock does (UTC,
  milliseconds), the update is checked to encode as BSON before anything changes, and a unique
  index is re-checked (by mongomock, through the index) only when the document's key in it changed.

Anything else (operators in the filter's `_id`, dotted paths, upserts, other update operators, a
tz-aware client, a store that is not the embedded one) returns `SLOW` and mongomock does the work as
before. Both run under the store's lock (installed as part of the locked Collection methods).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import bson
from mongomock import filtering, helpers
from pymongo.results import UpdateResult

SLOW = object()  # "not a case for the fast path": the caller falls back to mongomock
_LEAVES = frozenset({str, int, float, bool, type(None), bytes, bson.ObjectId, bson.Int64, bson.Decimal128, datetime})


def plain_copy(value: Any) -> Any:
    """A copy of a stored value as mongomock's find returns it: new dicts and lists, immutable leaves shared."""
    if isinstance(value, dict):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_copy(item) for item in value]
    return value if type(value) in _LEAVES else copy.copy(value)


def find_by_id(collection: Any, filter: Mapping, projection: Any = None) -> Any:
    """The document `filter` names by `_id` alone (a copy, or None), or SLOW."""
    by_id = getattr(collection._store, "by_id", None)
    if by_id is None or len(filter) != 1 or "_id" not in filter or collection.codec_options.tz_aware:
        return SLOW
    fields = _inclusion(projection)
    if fields is SLOW:
        return SLOW
    document = by_id(filter["_id"])
    if document is SLOW or document is None:
        return document
    if fields is None:
        return plain_copy(document)
    found = {"_id": document["_id"]}
    found.update((name, plain_copy(document[name])) for name in fields if name in document)
    return found


def _inclusion(projection: Any) -> Any:
    """None for a whole document, the top-level field names of a simple inclusion, or SLOW."""
    if projection is None:
        return None
    if not isinstance(projection, Mapping) or not projection or "_id" in projection:
        return SLOW
    if any(type(on) not in (int, bool) or not on or "." in name or name.startswith("$")
           for name, on in projection.items()):
        return SLOW
    return list(projection)


def update_by_id(collection: Any, filter: Any, update: Any, options: Mapping) -> Any:
    """update_one's UpdateResult for a plain `$set`/`$inc` of one document named by `_id`, or SLOW."""
    store = collection._store
    by_id = getattr(store, "by_id", None)
    if by_id is None or any(options.values()) or collection.codec_options.tz_aware:
        return SLOW
    if not isinstance(filter, Mapping) or "_id" not in filter or not isinstance(update, Mapping) or not update:
        return SLOW
    if not set(update) <= {"$set", "$inc"} or not all(isinstance(part, Mapping) and part for part in update.values()):
        return SLOW
    sets, incs = update.get("$set", {}), update.get("$inc", {})
    names = [*sets, *incs]
    if len(set(names)) != len(names) or not all(_plain_name(name) for name in names):
        return SLOW
    if not all(_number(value) for value in incs.values()):
        return SLOW
    stored = by_id(filter["_id"])
    if stored is SLOW:
        return SLOW
    if stored is not None and not all(_number(stored[name]) for name in incs if name in stored):
        return SLOW  # mongomock decides what $inc does to a non-number
    sets = helpers.patch_datetime_awareness_in_document(dict(sets))
    bson.encode(sets)  # what cannot be stored is refused before anything changes (InvalidDocument)
    if stored is None or not filtering.filter_applies(helpers.patch_datetime_awareness_in_document(filter), stored):
        return _result(collection, matched=0, modified=0)
    changed = dict(stored)
    changed.update(sets)
    for name, step in incs.items():
        changed[name] = changed.get(name, 0) + step
    if changed == stored:
        return _result(collection, matched=1, modified=0)
    store[stored["_id"]] = changed
    if _unique_keys_changed(store, stored, changed):
        try:
            collection._ensure_uniques(changed)
        except BaseException:
            store[stored["_id"]] = stored
            raise
    return _result(collection, matched=1, modified=1)


def _plain_name(name: Any) -> bool:
    """A top-level field other than `_id`, named without a path or an operator."""
    return isinstance(name, str) and name != "_id" and "." not in name and "\0" not in name \
        and not name.startswith("$")


def _number(value: Any) -> bool:
    return type(value) in (int, float, bson.Int64)


def _unique_keys_changed(store: Any, before: Mapping, after: Mapping) -> bool:
    """Whether the document's entry in any unique index differs after the change."""
    return any(spec.get("unique") and store.entries_for(before, spec) != store.entries_for(after, spec)
               for _ix, spec in store.definitions.values())


def _result(collection: Any, matched: int, modified: int) -> UpdateResult:
    """update_one's result, as mongomock builds it."""
    return UpdateResult({"connectionId": collection.database.client._id, "err": None, "n": matched,
                         "nModified": modified, "ok": 1, "upserted": None, "updatedExisting": bool(matched)},
                        acknowledged=True)
