"""The embedded store: acknowledged writes survive kill -9, one process per folder, threads safe.

These tests drive real child processes and real threads, because the promises they check
(fsync before acknowledging, flock, one lock around mongomock) only show up that way.
"""
from __future__ import annotations

import contextlib
import datetime
import inspect
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import gridfs
import mongoengine
import mongomock
import pytest
from bson import ObjectId
from pymongo import DeleteOne, InsertOne, UpdateMany
from pymongo.errors import DuplicateKeyError

from forms.store.embedded import (
    DATABASE_FILE,
    EmbeddedStore,
    StoreInUseError,
    install_lock,
    open_embedded,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
KILL_AFTER_SECONDS = 1.5
THREADS = 8


def make_payload(number: int) -> bytes:
    """The bytes of GridFS file number `number` (several 4 KiB chunks)."""
    return f"{number}:".encode() * 3000


WRITER = textwrap.dedent(inspect.getsource(make_payload)) + textwrap.dedent(
    """
    import itertools, sys
    import gridfs
    from forms.store.embedded import open_embedded

    store = open_embedded(sys.argv[1])
    db = store.client.loket
    files = gridfs.GridFS(db)
    print("ready", flush=True)
    for i in itertools.count():
        db.items.insert_one({"_id": f"doc-{i}", "seq": i, "tags": ["a", i]})
        print(f"insert doc-{i}", flush=True)
        update = {"$inc": {"n": 1}, "$set": {"last": i}}
        db.counters.update_one({"_id": "hits"}, update, upsert=True)
        print(f"inc {i + 1}", flush=True)
        if i % 3 == 2:
            print(f"intent doc-{i - 2}", flush=True)  # a delete may land before its acknowledgement is printed
            db.items.delete_one({"_id": f"doc-{i - 2}"})
            print(f"delete doc-{i - 2}", flush=True)
        if i % 5 == 4:
            db.items.update_one({"seq": i - 1}, {"$set": {"touched": True}})
            print(f"touch doc-{i - 1}", flush=True)
        if i % 10 == 0:
            files.put(make_payload(i), _id=f"file-{i}", filename=f"{i}.bin", chunkSize=4096)
            print(f"file {i}", flush=True)
    """
)

# Eight threads write at once; odd ones group three writes in a unit of work (as a request does) and
# acknowledge them only when the unit has ended, even ones acknowledge each write as it returns.
CONCURRENT_WRITER = textwrap.dedent(
    """
    import itertools, sys, threading
    from forms.store.embedded import open_embedded

    store = open_embedded(sys.argv[1])
    db = store.client.loket
    say = threading.Lock()

    def ack(text):
        with say:
            print(text, flush=True)

    def write(thread):
        for i in itertools.count():
            name = f"t{thread}-{i}"
            if thread % 2:
                with store.engine.unit():
                    db.items.insert_one({"_id": name, "thread": thread, "seq": i})
                    db.counters.update_one({"_id": f"c{thread}"}, {"$set": {"last": i}}, upsert=True)
                    db.items.update_one({"_id": name}, {"$set": {"done": True}})
            else:
                db.items.insert_one({"_id": name, "thread": thread, "seq": i})
                db.counters.update_one({"_id": f"c{thread}"}, {"$set": {"last": i}}, upsert=True)
                db.items.update_one({"_id": name}, {"$set": {"done": True}})
            ack(f"insert {name}")

    threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(8)]
    print("ready", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    from forms.store.embedded import StoreInUseError, open_embedded

    try:
        store = open_embedded(sys.argv[1])
    except StoreInUseError as error:
        print(error)
        sys.exit(3)
    store.client.loket.items.insert_one({"_id": "from-probe"})
    store.close()
    """
)


def make_child_environment() -> dict[str, str]:
    """This environment, with the project importable from a child process."""
    environment = dict(os.environ)
    paths = [str(PROJECT_DIR), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    return environment


def start_writer(tmp_path: Path, data_dir: Path, source: str = WRITER) -> subprocess.Popen:
    """The writer script running in a child process, its stdout piped."""
    script = tmp_path / "writer.py"
    script.write_text(source)
    with (tmp_path / "writer.err").open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, str(script), str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=make_child_environment(),
            cwd=PROJECT_DIR,
        )


def collect_lines(child: subprocess.Popen) -> tuple[list[str], threading.Thread, threading.Event]:
    """Lines the child prints, gathered by a thread; the event fires at 'ready'."""
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in child.stdout:
            lines.append(line)
            if line == "ready\n":
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader, ready


def parse_acknowledged(lines: list[str]) -> dict[str, list[str]]:
    """Complete lines (ending in a newline) grouped by verb: the writes the child saw succeed."""
    found: dict[str, list[str]] = {"insert": [], "inc": [], "delete": [], "touch": [], "file": [], "intent": []}
    for line in lines:
        if line.endswith("\n") and line != "ready\n":
            verb, argument = line.split()
            found[verb].append(argument)
    return found


def run_probe(data_dir: Path) -> subprocess.CompletedProcess:
    """Try to open data_dir from another process."""
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(data_dir)],
        capture_output=True,
        text=True,
        env=make_child_environment(),
        cwd=PROJECT_DIR,
        timeout=60,
        check=False,
    )


@contextlib.contextmanager
def open_store(data_dir: Path) -> Iterator[EmbeddedStore]:
    """An embedded store closed on exit."""
    store = open_embedded(data_dir)
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def open_client(kind: str, tmp_path: Path) -> Iterator[mongomock.MongoClient]:
    """An embedded client, or a plain mongomock client with the lock installed."""
    if kind == "embedded":
        with open_store(tmp_path) as store:
            yield store.client
    else:
        install_lock()
        yield mongomock.MongoClient()


@contextlib.contextmanager
def switch_threads_eagerly() -> Iterator[None]:
    """Switch threads very often, so that a missing lock shows up as a wrong result."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_threads(target: Callable[[], None]) -> None:
    """Run target in THREADS threads at once and wait for them all."""
    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def take_snapshot(client: mongomock.MongoClient) -> dict:
    """Every database's collections: documents in natural order and index definitions."""
    return {
        db_name: {
            name: (list(client[db_name][name].find()), client[db_name][name].index_information())
            for name in sorted(client[db_name].list_collection_names())
        }
        for db_name in sorted(client.list_database_names())
    }


def enough_writes(lines: list[str]) -> bool:
    """Whether the writer has acknowledged enough inserts and files for the check to mean something."""
    writes = parse_acknowledged(lines)
    return len(writes["insert"]) >= 20 and len(writes["file"]) >= 2


def test_acknowledged_writes_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    child = start_writer(tmp_path, data_dir)
    lines, reader, ready = collect_lines(child)
    try:
        assert ready.wait(timeout=30), (tmp_path / "writer.err").read_text()
        time.sleep(KILL_AFTER_SECONDS)
        deadline = time.monotonic() + 30  # a loaded machine (CI) writes slower: wait for enough writes
        while time.monotonic() < deadline and not enough_writes(list(lines)):
            time.sleep(0.1)
        assert child.poll() is None, (tmp_path / "writer.err").read_text()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    reader.join(timeout=10)
    child.stdout.close()
    writes = parse_acknowledged(lines)
    assert len(writes["insert"]) >= 20 and len(writes["file"]) >= 2, "the writer barely ran"

    deleted = set(writes["delete"])
    in_flight = set(writes["intent"]) - deleted  # killed between the delete and its acknowledgement
    with open_store(data_dir) as store:
        db = store.client.loket
        for doc_id in writes["insert"]:
            found = db.items.find_one({"_id": doc_id})
            if doc_id in deleted:
                assert found is None, doc_id
            elif doc_id in in_flight and found is None:
                continue
            else:
                assert found is not None, f"{doc_id} was acknowledged but is lost"
                sequence = int(doc_id.removeprefix("doc-"))
                assert (found["seq"], found["tags"]) == (sequence, ["a", sequence]), doc_id
        for doc_id in set(writes["touch"]) - deleted - in_flight:
            assert db.items.find_one({"_id": doc_id})["touched"] is True, doc_id
        last_inc = int(writes["inc"][-1])
        assert last_inc <= db.counters.find_one({"_id": "hits"})["n"] <= last_inc + 1
        files = gridfs.GridFS(db)
        for number in writes["file"]:
            assert files.get(f"file-{number}").read() == make_payload(int(number))


def test_acknowledged_writes_of_eight_concurrent_writers_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    child = start_writer(tmp_path, data_dir, CONCURRENT_WRITER)
    lines, reader, ready = collect_lines(child)
    try:
        assert ready.wait(timeout=30), (tmp_path / "writer.err").read_text()
        time.sleep(KILL_AFTER_SECONDS)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(parse_acknowledged(list(lines))["insert"]) < 200:
            time.sleep(0.1)
        assert child.poll() is None, (tmp_path / "writer.err").read_text()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    reader.join(timeout=10)
    child.stdout.close()
    acknowledged = parse_acknowledged(lines)["insert"]
    assert len({name.split("-")[0] for name in acknowledged}) == 8, "not every writer ran"
    with open_store(data_dir) as store:
        db = store.client.loket
        for name in acknowledged:
            found = db.items.find_one({"_id": name})
            assert found is not None and found["done"] is True, f"{name} was acknowledged but is lost"
        for thread in range(8):
            last = max((int(n.split("-")[1]) for n in acknowledged if n.startswith(f"t{thread}-")), default=-1)
            assert db.counters.find_one({"_id": f"c{thread}"})["last"] >= last


def test_second_process_is_refused_until_first_closes(tmp_path):
    with open_store(tmp_path) as store:
        refused = run_probe(tmp_path)
        assert refused.returncode == 3, refused.stderr
        message = refused.stdout
        assert str(tmp_path) in message and f"pid {os.getpid()}" in message
        assert "Stop the other server" in message and "another data folder" in message
        with pytest.raises(StoreInUseError):
            open_embedded(tmp_path)
        store.client.loket.items.insert_one({"_id": "from-first"})
        assert store.client.loket.items.count_documents({}) == 1

    accepted = run_probe(tmp_path)
    assert accepted.returncode == 0, accepted.stderr + accepted.stdout
    with open_store(tmp_path) as store:
        assert sorted(store.client.loket.items.distinct("_id")) == ["from-first", "from-probe"]


@pytest.mark.parametrize("kind", ["embedded", "plain"])
def test_concurrent_increments_lose_nothing(kind, tmp_path):
    per_thread = 60 if kind == "embedded" else 400
    with open_client(kind, tmp_path) as client, switch_threads_eagerly():
        counters = client.loket.counters
        counters.insert_one({"_id": "hits", "n": 0})

        def increment() -> None:
            for _ in range(per_thread):
                counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})

        run_threads(increment)
        assert counters.find_one({"_id": "hits"})["n"] == THREADS * per_thread
    if kind == "embedded":
        with open_store(tmp_path) as store:
            saved = store.client.loket.counters.find_one({"_id": "hits"})
            assert saved["n"] == THREADS * per_thread


@pytest.mark.parametrize("kind", ["embedded", "plain"])
def test_concurrent_unique_inserts_admit_exactly_one(kind, tmp_path):
    rounds = 10 if kind == "embedded" else 30
    with open_client(kind, tmp_path) as client, switch_threads_eagerly():
        users = client.loket.users
        users.create_index("email", unique=True)
        for round_number in range(rounds):
            barrier = threading.Barrier(THREADS)
            outcomes: list[str] = []

            def insert(barrier=barrier, round_number=round_number, outcomes=outcomes) -> None:
                barrier.wait()
                try:
                    users.insert_one({"email": f"user{round_number}@example.org"})
                    outcomes.append("inserted")
                except DuplicateKeyError:
                    outcomes.append("duplicate")

            run_threads(insert)
            assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["inserted"], round_number
        assert users.count_documents({}) == rounds


def test_restart_round_trips_documents_indexes_and_files(tmp_path):
    object_id = ObjectId()
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
    with open_store(tmp_path) as store:
        db = store.client.loket
        db.things.insert_many(
            [
                {"_id": object_id, "when": when, "nested": {"a": [1, {"b": "c"}], "d": None}},
                {"_id": "text-id", "n": 1},
                {"_id": 42, "n": 2},
                {"_id": {"compound": 1}, "n": 3},
            ]
        )
        db.things.update_many({"n": {"$gte": 2}}, {"$inc": {"n": 10}})
        db.things.replace_one({"_id": 42}, {"n": 99, "replaced": True})
        db.things.find_one_and_update({"_id": "text-id"}, {"$push": {"log": "x"}})
        db.things.update_one({"_id": "upserted"}, {"$set": {"n": 5}}, upsert=True)
        db.things.update_one({"_id": "upserted", "n": 5}, {"$set": {"checked": True}})
        db.things.update_many({"_id": {"$in": ["text-id", 42]}}, {"$set": {"batch": 1}})
        db.users.create_index([("email", 1)], unique=True, name="email_unique")
        db.users.insert_one({"email": "a@example.org"})
        db.doomed.insert_one({"x": 1})
        db.drop_collection("doomed")
        db.old_name.insert_one({"_id": 1, "moved": True})
        db.old_name.rename("new_name")
        db.create_collection("created_empty")
        db.bulk.bulk_write(
            [
                InsertOne({"_id": 1}),
                UpdateMany({"_id": 1}, {"$set": {"k": 1}}),
                InsertOne({"_id": 2}),
                DeleteOne({"_id": 2}),
            ]
        )
        db.things.aggregate([{"$match": {"n": {"$gt": 10}}}, {"$out": "aggregated"}])
        file_id = gridfs.GridFS(db).put(make_payload(7), filename="seven.bin", chunkSize=4096)
        store.client.other.c.insert_one({"_id": 1})
        store.client.drop_database("other")
        before = take_snapshot(store.client)

    with open_store(tmp_path) as store:
        db = store.client.loket
        assert take_snapshot(store.client) == before
        thing = db.things.find_one({"_id": object_id})
        assert thing["when"] == when and thing["nested"] == {"a": [1, {"b": "c"}], "d": None}
        text_thing = {"_id": "text-id", "n": 1, "log": ["x"], "batch": 1}
        assert db.things.find_one({"_id": "text-id"}) == text_thing
        assert db.things.find_one({"_id": 42}) == {"_id": 42, "n": 99, "replaced": True, "batch": 1}
        assert db.things.find_one({"_id": {"compound": 1}})["n"] == 13
        upserted = {"_id": "upserted", "n": 5, "checked": True}
        assert db.things.find_one({"_id": "upserted"}) == upserted
        assert db.bulk.find_one({"_id": 1}) == {"_id": 1, "k": 1}
        assert db.aggregated.count_documents({}) == 2
        with pytest.raises(DuplicateKeyError):
            db.users.insert_one({"email": "a@example.org"})
        db.users.create_index([("email", 1)], unique=True, name="email_unique")
        names = db.list_collection_names()
        assert "doomed" not in names and "old_name" not in names
        assert {"new_name", "created_empty"} <= set(names)
        assert db.new_name.find_one() == {"_id": 1, "moved": True}
        assert "other" not in store.client.list_database_names()
        assert gridfs.GridFS(db).get(file_id).read() == make_payload(7)


def test_unsaveable_change_is_undone_in_memory(tmp_path):
    with open_store(tmp_path) as store:
        items = store.client.loket.items
        items.insert_one({"_id": 1, "v": 1})
        with pytest.raises(OverflowError):  # mongomock accepts it; BSON cannot encode it
            items.update_one({"_id": 1}, {"$inc": {"v": 2**70}})
        assert items.find_one({"_id": 1}) == {"_id": 1, "v": 1}
        items.update_one({"_id": 1}, {"$set": {"v": 2}})
    with open_store(tmp_path) as store:
        assert store.client.loket.items.find_one({"_id": 1}) == {"_id": 1, "v": 2}


def test_ttl_expiry_during_a_read_is_saved(tmp_path):
    with open_store(tmp_path) as store:
        sessions = store.client.loket.sessions
        sessions.create_index("seen", expireAfterSeconds=60)
        sessions.insert_one({"_id": "old", "seen": datetime.datetime(2000, 1, 1)})
        assert sessions.find_one({"_id": "old"}) is None
        with contextlib.closing(sqlite3.connect(store.path)) as saved:
            assert saved.execute("SELECT count(*) FROM docs").fetchone() == (0,)


def test_closed_store_refuses_writes(tmp_path):
    store = open_embedded(tmp_path)
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.client.loket.items.insert_one({"_id": 1})
    with open_store(tmp_path) as reopened:
        assert reopened.client.loket.items.count_documents({}) == 0
    assert (tmp_path / DATABASE_FILE).exists()


def test_plain_clients_get_the_lock_but_no_journal(tmp_path):
    with open_store(tmp_path):
        plain = mongomock.MongoClient()
        plain.loket.items.insert_one({"_id": 1})
        assert plain.loket.items.find_one({"_id": 1}) == {"_id": 1}
    with open_store(tmp_path) as store:
        assert store.client.list_database_names() == []


class Applicant(mongoengine.Document):
    """A small mongoengine document with a unique index, as the app declares them."""

    email = mongoengine.StringField(required=True)
    visits = mongoengine.IntField(default=0)
    meta: ClassVar[dict] = {
        "collection": "applicants",
        "db_alias": "embedded-test",
        "indexes": [{"fields": ["email"], "unique": True}],
    }


@contextlib.contextmanager
def connect_mongoengine(data_dir: Path) -> Iterator[EmbeddedStore]:
    """mongoengine connected to an embedded store, as the app connects it."""
    with open_store(data_dir) as store:
        mongoengine.connect(
            db="loket",
            alias="embedded-test",
            mongo_client_class=lambda **_: store.client,
            uuidRepresentation="standard",
        )
        try:
            yield store
        finally:
            mongoengine.disconnect(alias="embedded-test")


def test_mongoengine_documents_and_unique_indexes_persist(tmp_path):
    with connect_mongoengine(tmp_path):
        Applicant.ensure_indexes()
        first = Applicant(email="a@example.org").save()
        Applicant(email="b@example.org").save()
        with pytest.raises(mongoengine.NotUniqueError):
            Applicant(email="a@example.org").save()
        Applicant.objects(email="a@example.org").update_one(inc__visits=2)
        first.reload()
        first.visits += 3
        first.save()
        Applicant.objects(email="b@example.org").delete()

    with connect_mongoengine(tmp_path):
        Applicant.ensure_indexes()
        assert [(a.email, a.visits) for a in Applicant.objects] == [("a@example.org", 5)]
        with pytest.raises(mongoengine.NotUniqueError):
            Applicant(email="a@example.org").save()


FIRST_FORMAT = """
CREATE TABLE documents (db TEXT NOT NULL, coll TEXT NOT NULL, id BLOB NOT NULL, doc BLOB NOT NULL,
                        PRIMARY KEY (db, coll, id));
CREATE TABLE collections (db TEXT NOT NULL, coll TEXT NOT NULL, created INTEGER NOT NULL, indexes BLOB NOT NULL,
                          PRIMARY KEY (db, coll));
"""


def write_first_format(path: Path, documents: list[dict], indexes: dict[str, dict]) -> None:
    """A data file as the first embedded store wrote it: one row per document, index definitions per collection."""
    import bson
    connection = sqlite3.connect(path)
    connection.executescript(FIRST_FORMAT)
    entries = [{"name": name, "spec": spec} for name, spec in indexes.items()]
    connection.execute("INSERT INTO collections VALUES ('loket', 'people', 1, ?)", (bson.encode({"indexes": entries}),))
    connection.executemany("INSERT INTO documents VALUES ('loket', 'people', ?, ?)",
                           [(bson.encode({"_id": doc["_id"]}), bson.encode(doc)) for doc in documents])
    connection.commit()
    connection.close()


def test_a_file_of_the_first_format_is_converted_once_with_its_indexes(tmp_path):
    people = [{"_id": ObjectId(), "email": f"p{n}@contoh.id", "status": "aktif" if n % 3 else "nonaktif", "n": n}
              for n in range(2500)]  # more than one conversion batch
    indexes = {"_id_": {"key": [["_id", 1]], "unique": True},
               "email_1": {"key": [["email", 1]], "unique": True}, "status_1": {"key": [["status", 1]]}}
    write_first_format(tmp_path / DATABASE_FILE, people, indexes)
    for _round in range(2):  # the second opening finds nothing left to convert
        with open_store(tmp_path) as store:
            collection = store.client.loket.people
            assert collection.count_documents({}) == 2500
            assert collection.find_one({"email": "p7@contoh.id"})["n"] == 7
            store.engine.scans.clear()
            assert collection.count_documents({"status": "nonaktif"}) == 834
            assert not store.engine.scans, dict(store.engine.scans)
            with pytest.raises(DuplicateKeyError):
                collection.insert_one({"email": "p1@contoh.id"})
    tables = {row[0] for row in sqlite3.connect(tmp_path / DATABASE_FILE).execute("SELECT name FROM sqlite_master")}
    assert not {"documents", "collections"} & tables
