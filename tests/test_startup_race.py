"""Several processes starting at once on one empty database: each definition is published once, nobody fails.

Under gunicorn every worker seeds schemas/ into the schema store at start-up; on an empty database (a
first deploy) or after shipping a new form version they all find the same new files at the same moment.
The threads here are made to read the store before any of them writes, which is the worst interleaving.
"""
from __future__ import annotations

import threading
from collections import Counter

from forms.catalog import seeding
from forms.store import SchemaVersion

WORKERS = 4


def test_workers_seeding_an_empty_store_at_once_publish_each_version_once(app, monkeypatch):
    with app.app_context():
        expected = Counter((r.kind, r.key, r.version) for r in SchemaVersion.objects)
        SchemaVersion.objects.delete()
    everyone_has_read = threading.Barrier(WORKERS, timeout=30)
    first_reading = threading.local()
    read_files = seeding.new_from_files

    def read_then_wait(files, records):
        fresh = read_files(files, records)
        if not getattr(first_reading, "done", False):
            first_reading.done = True
            everyone_has_read.wait()
        return fresh

    monkeypatch.setattr(seeding, "new_from_files", read_then_wait)
    catalogs, errors = [], []

    def start_worker():
        try:
            with app.app_context():
                catalogs.append(seeding.seed_and_build(app))
        except Exception as error:  # noqa: BLE001 (the test reports any failure of a worker's start-up)
            errors.append(repr(error))

    workers = [threading.Thread(target=start_worker) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    with app.app_context():
        stored = Counter((r.kind, r.key, r.version) for r in SchemaVersion.objects)
    assert stored == expected and set(stored.values()) == {1}
    forms = [sorted(catalog.versions) for catalog in catalogs]
    assert len(forms) == WORKERS and all(found == forms[0] for found in forms) and ("form", "permohonan-baru") in forms[0]


def test_a_store_that_never_settles_stops_start_up_with_a_message(app, monkeypatch):
    import pytest

    from forms.errors import SchemaError
    with app.app_context():
        SchemaVersion.objects.delete()
        monkeypatch.setattr(seeding, "store_fresh", lambda fresh: False)
        with pytest.raises(SchemaError, match="kept changing"):
            seeding.seed_and_build(app)
