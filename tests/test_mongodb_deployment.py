"""Settings of the MongoDB deployment, checked on a real server (the CI MongoDB job sets MONGODB_URI).

Several workers and hosts share one database: writes must be acknowledged by a majority and journaled,
reads majority-committed, and rate-limit counters kept where every worker sees them.
"""
from __future__ import annotations

import os

import pytest

from tests.helpers import ANSWER, login

pytestmark = pytest.mark.skipif(not os.environ.get("MONGODB_URI"), reason="needs a MongoDB server (MONGODB_URI)")


def test_writes_are_majority_and_journaled_and_reads_majority(app):
    from forms.store import database
    with app.app_context():
        client = database().client
        assert client.write_concern.document == {"w": "majority", "j": True}
        assert database().read_concern.level == "majority"
        assert client.options.retry_writes and client.options.retry_reads


def test_limits_are_shared_by_every_worker_of_one_database(make_app):
    """Two apps on one database (two workers): the sign-in limit counts the attempts of both."""
    first = make_app(LOGIN_RATE_LIMIT="3/minute", CAPTCHA_TEST_ANSWER=ANSWER)
    second = make_app(LOGIN_RATE_LIMIT="3/minute", CAPTCHA_TEST_ANSWER=ANSWER, MONGODB_DB=first.config["MONGODB_DB"])
    assert first.config["RATELIMIT_STORAGE_URI"] == os.environ["MONGODB_URI"]
    statuses = [login(app.test_client(), username="nobody", password="salah").status_code
                for app in (first, second, first, second)]
    assert 429 not in statuses[:3] and statuses[3] == 429, statuses
    with first.app_context():  # counted in the database, where a worker in another process counts too
        from forms.store import database
        limits = database().client[f"{first.config['MONGODB_DB']}_limits"]
        assert sum(limits[name].count_documents({}) for name in limits.list_collection_names()) >= 1
