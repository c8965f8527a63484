"""The embedded store's indexes: the same answers as plain mongomock, from index ranges instead of scans.

Plain mongomock (no indexes, every query a scan) is the reference: each query of a corpus runs on
both, with the same documents, and must return the same documents in the same order; a count must
agree too. The corpus covers what the planner understands (equality, $in, ranges, prefixes of
compound indexes, anchored regexes, sorts with limits) and what it must leave to the matcher.
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import mongomock
import pytest
from bson import ObjectId

from forms.store.embedded import install_lock, open_embedded, open_memory
from forms.store.embedded.keys import encode
from forms.store.embedded.planner import plan

STATUSES = ["draft", "terbit", "menunggu_verifikasi", "ditolak", None]
KINDS = ["izin", "sertifikat_standar"]
START = datetime(2026, 1, 1)


def documents(count: int = 400, seed: int = 7) -> list[dict]:
    """Varied documents: missing fields, nulls, arrays, subdocuments, mixed number types."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        document = {"_id": ObjectId(), "n": index, "kind": rng.choice(KINDS), "owner": f"account:{rng.randrange(40)}",
                    "entered_at": START + timedelta(minutes=rng.randrange(100_000)),
                    "score": rng.choice([1, 2.5, 3, -4, 0, 10 ** 6]), "sla": {"due_at": START + timedelta(days=rng.randrange(60))},
                    "tags": rng.sample(["a", "b", "c", "d"], rng.randrange(4)), "search": rng.choice(["air minum", "bengkel", "klinik"])}
        status = rng.choice(STATUSES)
        if status is not None or rng.random() < 0.5:
            document["status"] = status  # sometimes null, sometimes missing
        if rng.random() < 0.3:
            document["preview"] = rng.random() < 0.5
        made.append(document)
    return made


INDEXES = [(["status", "entered_at"], {}), (["kind", "status"], {}), (["owner"], {}), (["tags"], {}),
           (["sla.due_at"], {}), (["n"], {"unique": True}), (["preview"], {"sparse": True}), (["-entered_at"], {})]

QUERIES = [
    ({"status": "terbit"}, None, 0),
    ({"status": None}, None, 0),
    ({"status": {"$in": ["terbit", "ditolak"]}}, None, 0),
    ({"status": {"$in": ["terbit", None]}}, None, 0),
    ({"kind": "izin", "status": "draft"}, None, 0),
    ({"kind": "izin"}, None, 0),
    ({"kind": "izin", "status": {"$ne": "draft"}}, None, 0),
    ({"owner": "account:3"}, [("entered_at", -1)], 0),
    ({"tags": "b"}, None, 0),
    ({"tags": {"$in": ["a", "d"]}}, None, 0),
    ({"sla.due_at": {"$lt": START + timedelta(days=10)}}, None, 0),
    ({"sla.due_at": {"$gte": START + timedelta(days=10), "$lt": START + timedelta(days=20)}}, None, 0),
    ({"n": {"$gt": 390}}, None, 0),
    ({"n": {"$lte": 3}}, [("n", -1)], 0),
    ({"n": 7}, None, 0),
    ({"n": 7.0}, None, 0),
    ({"score": {"$gt": 2}}, None, 0),
    ({"status": "menunggu_verifikasi"}, [("entered_at", 1)], 50),
    ({"status": "menunggu_verifikasi"}, [("entered_at", -1)], 5),
    ({}, [("entered_at", -1)], 10),
    ({"preview": False}, None, 0),
    ({"preview": {"$ne": True}}, None, 0),
    ({"preview": None}, None, 0),
    ({"search": re.compile("^air")}, None, 0),
    ({"search": {"$regex": "kli"}}, None, 0),
    ({"$and": [{"kind": "izin"}, {"status": "terbit"}]}, None, 0),
    ({"$or": [{"kind": "izin"}, {"status": "terbit"}]}, None, 0),
    ({"status": {"$exists": False}}, None, 0),
    ({"_id": {"$in": []}}, None, 0),
]


def fill(collection, items) -> None:
    for spec, options in INDEXES:
        collection.create_index([(f.lstrip("-"), -1 if f.startswith("-") else 1) for f in spec], **options)
    collection.insert_many([dict(item) for item in items])


@pytest.fixture(scope="module")
def pair():
    """The same documents in plain mongomock (the reference) and in the embedded store (memory)."""
    install_lock()
    items = documents()
    reference = mongomock.MongoClient().db.items
    fill(reference, items)
    store = open_memory()
    indexed = store.client.db.items
    fill(indexed, items)
    yield reference, indexed, store
    store.close()


@pytest.mark.parametrize("query, sort, limit", QUERIES, ids=[str(q[0])[:60] + str(q[1]) for q in QUERIES])
def test_indexed_answers_equal_the_reference(pair, query, sort, limit):
    reference, indexed, _store = pair
    expected = list(reference.find(query, sort=sort, limit=limit))
    assert list(indexed.find(query, sort=sort, limit=limit)) == expected
    assert indexed.count_documents(query) == reference.count_documents(query)


def test_answers_stay_equal_after_updates_and_deletes(pair):
    reference, indexed, _store = pair
    added = ObjectId()
    for collection in (reference, indexed):
        collection.update_many({"kind": "izin", "status": "draft"}, {"$set": {"status": "terbit"}})
        collection.update_one({"n": 5}, {"$set": {"tags": ["z"], "sla.due_at": START}})
        collection.delete_many({"status": "ditolak"})
        collection.insert_one({"_id": added, "n": 10_000, "status": "terbit", "kind": "izin",
                               "entered_at": START})
    for query, sort, limit in QUERIES:
        assert list(indexed.find(query, sort=sort, limit=limit)) == list(reference.find(query, sort=sort, limit=limit))
        assert indexed.count_documents(query) == reference.count_documents(query), query


def test_planned_queries_do_not_scan(pair):
    _reference, indexed, store = pair
    store.engine.scans.clear()
    indexed.find_one({"status": "terbit"})
    list(indexed.find({"owner": "account:3"}).sort("entered_at", -1).limit(5))
    indexed.count_documents({"kind": "izin", "status": "terbit"})
    list(indexed.find({"sla.due_at": {"$lt": START}}))
    assert not store.engine.scans
    list(indexed.find({"search": {"$regex": "kli"}}))
    assert list(store.engine.scans) == [("db.items", "{search: {$regex}}")]


def test_unique_indexes_refuse_duplicates(pair):
    _reference, indexed, _store = pair
    with pytest.raises(mongomock.DuplicateKeyError):
        indexed.insert_one({"n": 7})
    with pytest.raises(mongomock.DuplicateKeyError):
        indexed.update_one({"n": 8}, {"$set": {"n": 9}})
    assert indexed.count_documents({"n": 8}) == 1


@pytest.mark.parametrize("values", [
    [None, -1e300, -5, -0.5, 0, 0.25, 3, 3.5, 2 ** 40, 1e300],
    ["", "a", "a\x00", "ab", "b", "é", "日本"],
    [datetime(1960, 1, 1), datetime(1970, 1, 1), datetime(2026, 12, 6, 10, 0, 0, 1000)],
    [None, 1, "a", {"x": 1}, [1], b"raw", ObjectId("0" * 24), False, True, datetime(2000, 1, 1)],
])
def test_keys_sort_as_mongodb_compares(values):
    assert [encode(value) for value in values] == sorted(encode(value) for value in values)


def test_a_sparse_index_is_not_used_for_null():
    indexes = {"preview_1": {"key": [("preview", 1)], "sparse": True}}
    assert plan({"preview": None}, indexes) is None
    assert plan({"preview": True}, indexes).index == "preview_1"


def test_documents_and_indexes_survive_a_reopen(tmp_path):
    store = open_embedded(tmp_path)
    collection = store.client.db.items
    fill(collection, documents(50))
    expected = list(collection.find({"status": "terbit"}, sort=[("entered_at", 1)]))
    store.close()
    again = open_embedded(tmp_path)
    collection = again.client.db.items
    assert list(collection.find({"status": "terbit"}, sort=[("entered_at", 1)])) == expected
    assert collection.count_documents({"status": "terbit"}) == len(expected)
    again.engine.scans.clear()
    collection.find_one({"n": 3})
    assert not again.engine.scans
    again.close()


def test_a_page_in_natural_order_is_read_from_an_index_not_sorted():
    """GridFS asks every collection for "any document?" before each file: that must not sort the collection."""
    from forms.store.embedded.disk import NATURAL_PAGE
    store = open_memory()
    try:
        plan = store.engine.disk.reader.execute("EXPLAIN QUERY PLAN " + NATURAL_PAGE, (1, -1, 1)).fetchall()
    finally:
        store.close()
    details = " / ".join(row[-1] for row in plan)
    assert "docs_natural" in details and "TEMP B-TREE" not in details, details


def test_a_commit_reads_nothing_by_scanning():
    """Every statement a commit runs finds its rows by key (a status change once scanned every count: O(data))."""
    store = open_memory()
    try:
        things = store.client.loket.things
        things.create_index([("status", 1)])
        things.insert_many([{"_id": n, "status": "baru"} for n in range(5)])
        statements: list[str] = []
        store.engine.disk.writer.set_trace_callback(statements.append)
        things.update_one({"_id": 1}, {"$set": {"status": "lama"}})  # one count goes down, one up
        things.delete_one({"_id": 2})
        store.engine.disk.writer.set_trace_callback(None)
        written = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
        assert any(s.startswith("DELETE FROM counts") for s in written), statements
        scans = [(s, row[-1]) for s in written
                 for row in store.engine.disk.writer.execute("EXPLAIN QUERY PLAN " + s).fetchall()
                 if row[-1].startswith("SCAN")]
        assert not scans, scans
    finally:
        store.close()
