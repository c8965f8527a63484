"""The embedded store's by-id fast paths give what mongomock gives, and refuse what it refuses, changing nothing.

A read by `_id` and a plain `$set`/`$inc` update by `_id` skip mongomock's cursor and copies
(forms.store.embedded.direct). Plain mongomock is the reference: the same random updates run on
both, and every result and every document must be equal afterwards.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import mongomock
import pytest
from bson import ObjectId
from bson.errors import InvalidDocument
from pymongo.errors import DuplicateKeyError

from forms.store.embedded import direct, install_lock, open_embedded, open_memory

START = datetime(2026, 1, 1)
INDEXES = [([("n", 1)], {"unique": True}), ([("kind", 1), ("status", 1)], {}), ([("tags", 1)], {}),
           ([("sla.due_at", 1)], {}), ([("preview", 1)], {"sparse": True})]


def documents(count: int, seed: int) -> list[dict]:
    """Varied documents: missing fields, nulls, arrays, subdocuments, mixed number types."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        document = {"_id": ObjectId(), "n": index, "kind": rng.choice(["izin", "sertifikat_standar"]),
                    "score": rng.choice([1, 2.5, -4, 0, 10 ** 6]), "sla": {"due_at": START + timedelta(days=index)},
                    "tags": rng.sample(["a", "b", "c"], rng.randrange(3)), "search": rng.choice(["air", "klinik"])}
        if rng.random() < 0.7:
            document["status"] = rng.choice(["draft", "terbit", None])
        if rng.random() < 0.3:
            document["preview"] = rng.random() < 0.5
        made.append(document)
    return made


def fill(collection, items: list[dict]) -> None:
    for keys, options in INDEXES:
        collection.create_index(keys, **options)
    collection.insert_many([dict(item) for item in items])


@pytest.fixture
def pair():
    """Plain mongomock (the reference) and the embedded store (memory), with the same documents and indexes."""
    install_lock()
    items = documents(80, seed=11)
    reference = mongomock.MongoClient().db.items
    fill(reference, items)
    store = open_memory()
    fast = store.client.db.items
    fill(fast, items)
    yield reference, fast, items
    store.close()


@pytest.fixture
def fast_updates(monkeypatch):
    """For each update_one on the embedded store: whether the fast path answered it (plain mongomock's are left out)."""
    answered = []
    real = direct.update_by_id

    def counting(*args, **kwargs):
        result = real(*args, **kwargs)
        if hasattr(args[0]._store, "by_id"):
            answered.append(result is not direct.SLOW)
        return result

    monkeypatch.setattr(direct, "update_by_id", counting)
    return answered


def random_update(rng: random.Random, document: dict) -> tuple[dict, dict]:
    """A filter on the id (sometimes with a condition that fails) and a plain $set/$inc."""
    spec = {"_id": document["_id"]}
    if rng.random() < 0.5:
        spec["n"] = document["n"] if rng.random() < 0.7 else -1
    if rng.random() < 0.2:
        spec["kind"] = rng.choice(["izin", "sertifikat_standar"])
    changes = {}
    for _ in range(rng.randrange(1, 4)):
        name = rng.choice(["status", "tags", "note", "sla", "when", "score_text", "flag"])
        changes[name] = rng.choice([
            "terbit", None, ["a", rng.randrange(5)], {"due_at": datetime(2026, 3, 1, 10, 0, 0, 123456)},
            datetime(2026, 5, 6, 7, 8, 9, 987654, tzinfo=timezone(timedelta(hours=7))), ("x", "y"), rng.random() < 0.5,
            {"nested": {"deep": [1, {"k": "v"}]}}, 12.5])
    update = {"$set": changes}
    if rng.random() < 0.6:
        update["$inc"] = {rng.choice(["score", "visits"]): rng.choice([1, -2, 0.5])}
    return spec, update


def test_random_updates_leave_the_same_documents_as_mongomock(pair, fast_updates):
    reference, fast, items = pair
    rng = random.Random(5)
    for _round in range(300):
        document = rng.choice(items)
        spec, update = random_update(rng, document)
        expected = reference.update_one(spec, update)
        got = fast.update_one(spec, update)
        assert (got.matched_count, got.modified_count) == (expected.matched_count, expected.modified_count), update
        assert fast.find_one({"_id": document["_id"]}) == reference.find_one({"_id": document["_id"]})
    assert all(fast_updates) and len(fast_updates) == 300  # each answered by the fast path, none by mongomock
    assert list(fast.find({}, sort=[("n", 1)])) == list(reference.find({}, sort=[("n", 1)]))
    assert fast.count_documents({"status": "terbit"}) == reference.count_documents({"status": "terbit"})


def test_a_datetime_is_stored_as_mongodb_stores_it(pair):
    _reference, fast, items = pair
    aware = datetime(2026, 12, 7, 9, 30, 15, 654321, tzinfo=timezone(timedelta(hours=7)))
    fast.update_one({"_id": items[0]["_id"]}, {"$set": {"at": aware}})
    assert fast.find_one({"_id": items[0]["_id"]})["at"] == datetime(2026, 12, 7, 2, 30, 15, 654000)  # UTC, ms
    assert fast.find_one({"_id": items[0]["_id"]})["at"].tzinfo is None


def test_an_update_that_breaks_a_unique_index_is_refused_and_undone(pair):
    reference, fast, items = pair
    first, second = items[0], items[1]
    for collection in (reference, fast):
        with pytest.raises(DuplicateKeyError):
            collection.update_one({"_id": first["_id"]}, {"$set": {"n": second["n"], "status": "x"}})
    assert fast.find_one({"_id": first["_id"]}) == reference.find_one({"_id": first["_id"]})
    assert fast.find_one({"_id": first["_id"]})["n"] == first["n"]
    assert [d["_id"] for d in fast.find({"n": second["n"]})] == [second["_id"]]


def test_a_value_bson_cannot_store_is_refused_before_anything_changes(tmp_path):
    install_lock()
    store = open_embedded(tmp_path)
    items = store.client.db.items
    items.insert_one({"_id": "a", "version": 1, "answers": {"x": 1}})
    with store.engine.unit():  # as in a request: the refusal comes at once, the request's other writes stay
        items.insert_one({"_id": "b"})
        with pytest.raises(InvalidDocument):
            items.update_one({"_id": "a"}, {"$set": {"answers": {"x": {1, 2}}}, "$inc": {"version": 1}})
        assert items.find_one({"_id": "a"}) == {"_id": "a", "version": 1, "answers": {"x": 1}}
        items.update_one({"_id": "a"}, {"$set": {"answers": {"x": 2}}, "$inc": {"version": 1}})
    store.close()
    store = open_embedded(tmp_path)
    assert store.client.db.items.find_one({"_id": "a"}) == {"_id": "a", "version": 2, "answers": {"x": 2}}
    assert store.client.db.items.find_one({"_id": "b"}) == {"_id": "b"}
    store.close()


def test_a_conditional_update_that_does_not_match_changes_nothing(pair, fast_updates):
    _reference, fast, items = pair
    before = fast.find_one({"_id": items[3]["_id"]})
    result = fast.update_one({"_id": items[3]["_id"], "n": items[3]["n"] + 1}, {"$set": {"status": "z"}, "$inc": {"n": 1}})
    assert (result.matched_count, result.modified_count) == (0, 0)
    assert fast.update_one({"_id": ObjectId()}, {"$set": {"status": "z"}}).matched_count == 0
    assert fast.find_one({"_id": items[3]["_id"]}) == before
    assert fast_updates == [True, True]


def test_what_the_fast_path_does_not_know_is_left_to_mongomock(pair, fast_updates):
    reference, fast, items = pair
    target = items[4]["_id"]
    shapes = [
        ({"_id": target}, {"$set": {"sla.due_at": datetime(2026, 1, 2)}}),  # a dotted path
        ({"_id": target}, {"$push": {"tags": "q"}}),  # another operator
        ({"_id": {"$in": [target]}}, {"$set": {"status": "in"}}),  # not one plain id
        ({"kind": "izin"}, {"$set": {"status": "no-id"}}),
        ({"_id": target}, {"$inc": {"search": 1}}),  # $inc of a string: mongomock decides
        ({"_id": target}, {"$set": {}, "$inc": {"n": 1}}),  # an empty operator: mongomock decides
    ]
    for spec, update in shapes:
        outcomes = []
        for collection in (reference, fast):
            try:
                result = collection.update_one(spec, update)
                outcomes.append((result.matched_count, result.modified_count))
            except Exception as error:  # noqa: BLE001 - both must fail alike
                outcomes.append(type(error))
        assert outcomes[0] == outcomes[1], update
    assert fast_updates == [False] * len(shapes)
    assert list(fast.find({}, sort=[("n", 1)])) == list(reference.find({}, sort=[("n", 1)]))


def test_a_read_by_id_is_a_copy(pair):
    _reference, fast, items = pair
    target = items[5]["_id"]
    read = fast.find_one({"_id": target})
    read["tags"].append("changed")
    read["sla"]["due_at"] = None
    read["status"] = "changed"
    again = fast.find_one(target)
    assert again == fast.find_one({"_id": target})
    assert "changed" not in again["tags"] and again["sla"]["due_at"] is not None and again.get("status") != "changed"


def test_a_read_by_id_with_a_projection_gives_what_mongomock_gives(pair):
    reference, fast, items = pair
    for item in items[:10]:
        for projection in ({"kind": 1}, {"kind": 1, "sla": 1, "missing": 1}, {"status": True}):
            assert fast.find_one({"_id": item["_id"]}, projection) == reference.find_one({"_id": item["_id"]}, projection)
            assert fast.find_one({"_id": item["_id"]}, projection=projection) == \
                reference.find_one({"_id": item["_id"]}, projection)
    assert fast.find_one({"_id": ObjectId()}) is None
    assert fast.find_one({"_id": items[0]["_id"]}, {"_id": 0, "kind": 1}) == {"kind": items[0]["kind"]}  # mongomock's way


def test_a_written_document_is_read_back_as_written_after_the_commit(tmp_path):
    install_lock()
    store = open_embedded(tmp_path)
    items = store.client.db.items
    now = datetime.now(UTC)
    items.insert_one({"_id": 1, "version": 0, "rows": []})
    for number in range(1, 6):
        items.update_one({"_id": 1, "version": number - 1}, {"$set": {"rows": [{"n": i} for i in range(number)],
                                                                     "at": now}, "$inc": {"version": 1}})
        assert items.find_one(1)["rows"] == [{"n": i} for i in range(number)]
    store.close()
    store = open_embedded(tmp_path)
    stored = store.client.db.items.find_one(1)
    assert stored["version"] == 5 and len(stored["rows"]) == 5
    assert stored["at"] == now.replace(tzinfo=None, microsecond=now.microsecond // 1000 * 1000)
    store.close()


def test_a_document_just_committed_is_read_without_the_disk(tmp_path, monkeypatch):
    install_lock()
    store = open_embedded(tmp_path)
    items = store.client.db.items
    items.insert_one({"_id": 1, "version": 0})
    items.update_one({"_id": 1}, {"$inc": {"version": 1}})  # committed: the overlay copy moves to the cache
    reads = []
    real = store.engine.disk.document
    monkeypatch.setattr(store.engine.disk, "document", lambda *args: reads.append(args) or real(*args))
    assert items.find_one(1) == {"_id": 1, "version": 1}
    assert reads == []
    store.engine.cache.clear()
    assert items.find_one(1) == {"_id": 1, "version": 1}
    assert len(reads) == 1
    store.close()
