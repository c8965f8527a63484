"""The embedded store's shortcuts keep MongoDB's meaning: plain equality filters and limited sorted pages."""
from __future__ import annotations

import mongomock
import pytest

from forms.store.embedded import install_lock, scan_field


@pytest.fixture
def collection():
    install_lock()
    items = mongomock.MongoClient().db.items
    items.insert_many([
        {"_id": 1, "status": "a", "tags": ["x", "y"], "flag": True, "n": 1, "at": 5},
        {"_id": 2, "status": "b", "tags": ["y"], "flag": False, "n": 1.0, "at": 3},
        {"_id": 3, "status": "a", "n": None, "at": 9},
        {"_id": 4, "at": 1},
    ])
    return items


@pytest.mark.parametrize("query, ids", [
    ({"status": "a"}, [1, 3]),
    ({"tags": "y"}, [1, 2]),            # an array field matches when it holds the value
    ({"n": None}, [3, 4]),              # null matches null and a missing field
    ({"n": 1}, [1, 2]),                 # 1 == 1.0
    ({"flag": 1}, []),                  # a boolean is not the number 1
    ({"status": "a", "at": 9}, [3]),
    ({}, [1, 2, 3, 4]),
    ({"status": {"$in": ["b"]}}, [2]),  # operators still go through mongomock's matcher
    ({"_id": 3}, [3]),                  # by key, without a scan
    ({"_id": 3.0}, [3]),
    ({"_id": "3"}, []),                 # a string is not the number 3
    ({"_id": 5}, []),
    ({"_id": 1, "status": "a"}, [1]),
    ({"_id": 1, "status": "b"}, []),    # other terms still have to match
])
def test_equality_filters_match_like_mongodb(collection, query, ids):
    assert sorted(doc["_id"] for doc in collection.find(query)) == ids


def test_a_limited_sorted_page_is_the_head_of_the_full_sort(collection):
    full = [doc["_id"] for doc in collection.find({}).sort("at", 1)]
    assert [doc["_id"] for doc in collection.find({}).sort("at", 1).limit(2)] == full[:2]
    assert [doc["_id"] for doc in collection.find({}).sort("at", 1).skip(1).limit(2)] == full[1:3]
    cursor = collection.find({}).sort("at", -1).limit(3)
    assert len(list(cursor)) == 3


def test_scan_field_reads_every_value(collection):
    assert sorted(map(str, scan_field(collection, "status"))) == ["None", "a", "a", "b"]


def test_a_lookup_by_id_reads_only_that_document(collection, monkeypatch):
    store = collection._store
    monkeypatch.setattr(type(store), "documents", property(lambda _self: pytest.fail("scanned every document")))
    assert collection.find_one({"_id": 2})["status"] == "b"
    collection.update_one({"_id": 2, "status": "b"}, {"$set": {"status": "c"}})
    assert collection.find_one({"_id": 2, "status": "c"})["_id"] == 2
