"""Several processes starting at once on one empty database: each definition is published once, nobody fails.

Under gunicorn every worker seeds schemas/ into the schema store at start-up; on an empty database (a
first deploy) or after shipping a new form version they all find the same new files at the same moment.
The threads here are made to read the store before any of them writes, which is the worst interleaving.
"""
from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from forms.catalog import seeding
from forms.store import SchemaVersion

WORKERS = 4
PROJECT_DIR = Path(__file__).resolve().parent.parent


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


def test_processes_starting_at_once_share_one_secret_key(tmp_path):
    """Workers of one host create the instance key at the same moment: all read the same whole key."""
    import subprocess
    import sys
    script = ("import sys, pathlib; from forms.config import read_or_create_secret; "
              "print(read_or_create_secret(pathlib.Path(sys.argv[1])))")
    runs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             cwd=str(PROJECT_DIR)) for _ in range(6)]
    keys = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(keys) == 1 and len(keys.pop()) >= 64
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_mongodb_without_a_secret_key_refuses_to_start(monkeypatch):
    import pytest

    from forms import create_app
    from forms.errors import ConfigError
    monkeypatch.delenv("LOKET_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="LOKET_SECRET_KEY must be set"):
        create_app({"MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=100", "SECRET_KEY": ""})
