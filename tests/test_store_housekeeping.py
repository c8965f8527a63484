"""Records the database removes by itself: login sessions long unseen and codes long expired (TTL indexes).

Without them both collections grow for ever (every CAPTCHA image writes a code). On MongoDB the server's
TTL monitor deletes them about once a minute; the embedded store deletes them when the collection is read.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from bson import ObjectId

from forms.store import Code, LoginSession, utcnow
from forms.store.models import CODE_KEPT, SESSION_KEPT


def ttl_indexes(document) -> dict[str, int]:
    """Field → seconds of each TTL index the store built for a model."""
    info = document._get_collection().index_information()
    return {spec["key"][0][0]: spec["expireAfterSeconds"] for spec in info.values() if "expireAfterSeconds" in spec}


def test_sessions_and_codes_carry_ttl_indexes(app):
    with app.app_context():
        assert ttl_indexes(LoginSession) == {"last_seen_at": SESSION_KEPT}
        assert ttl_indexes(Code) == {"expires_at": CODE_KEPT}
    assert SESSION_KEPT > 12 * 3600  # longer than the idle time that ends a session anyway


@pytest.mark.skipif(bool(os.environ.get("MONGODB_URI")), reason="MongoDB's TTL monitor runs once a minute; "
                    "the indexes it follows are checked above")
def test_long_unseen_sessions_and_long_expired_codes_are_removed(app):
    now = utcnow()
    with app.app_context():
        LoginSession(token_hash="lama", account_id=ObjectId(), last_seen_at=now - timedelta(seconds=SESSION_KEPT + 60)).save()
        LoginSession(token_hash="baru", account_id=ObjectId(), last_seen_at=now - timedelta(hours=1)).save()
        Code(purpose="captcha", subject="lama", code_hash="x", expires_at=now - timedelta(seconds=CODE_KEPT + 60)).save()
        Code(purpose="captcha", subject="baru", code_hash="x", expires_at=now - timedelta(minutes=5)).save()
        assert sorted(s.token_hash for s in LoginSession.objects) == ["baru"]
        assert sorted(c.subject for c in Code.objects) == ["baru"]
