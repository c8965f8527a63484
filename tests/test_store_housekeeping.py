"""Records the database removes by itself: login sessions long unseen and codes long expired (TTL indexes).

Without them both collections grow for ever (every CAPTCHA image writes a code). On MongoDB the server's
TTL monitor deletes them about once a minute; the embedded store deletes them when the collection is read.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from bson import ObjectId

from forms.store import (
    Code,
    IssuedDocument,
    LoginSession,
    Printout,
    open_file,
    remove_unreferenced_files,
    utcnow,
)
from forms.store.models import CODE_KEPT, SESSION_KEPT
from tests.helpers import ANSWER, issued, one_page_pdf, upload_requirement


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



@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, SKM_REQUIRED_FOR_DOWNLOAD=False)


def stored_file_ids(app) -> set[str]:
    """Ids of every file in GridFS."""
    from forms.store.connection import database
    with app.app_context():
        return {str(raw["_id"]) for raw in database()["fs.files"].find({}, {"_id": 1})}


def test_a_replaced_upload_is_removed_after_the_grace_period_and_nothing_referred_to_is(app, people):
    """A requirement uploaded twice leaves one file nothing refers to; the sweep deletes it, and only it."""
    document = issued(people["siti"], code="11052")
    assert upload_requirement(people["siti"], document, "foto_lokasi", content=one_page_pdf()).status_code == 302
    with app.app_context():
        first = IssuedDocument.objects.get(id=document.id).fulfilment["foto_lokasi"]["file"]["id"]
    assert upload_requirement(people["siti"], document, "foto_lokasi", content=one_page_pdf(10)).status_code == 302
    with app.app_context():
        second = IssuedDocument.objects.get(id=document.id).fulfilment["foto_lokasi"]["file"]["id"]
        printouts = {printout.file_id for printout in Printout.objects}
        assert printouts and remove_unreferenced_files(utcnow() - timedelta(hours=1)) == 0  # in the grace period
    before = stored_file_ids(app)
    assert {first, second} | printouts <= before
    with app.app_context():
        assert remove_unreferenced_files(utcnow() + timedelta(seconds=1)) == 1
        assert open_file(first) is None and open_file(second) is not None
        assert all(open_file(file_id) is not None for file_id in printouts)
    assert stored_file_ids(app) == before - {first}
    app.config["FILE_GRACE_HOURS"] = 0
    result = app.test_cli_runner().invoke(args=["files-sweep"])
    assert result.exit_code == 0 and "0 berkas tanpa rujukan dihapus" in result.output  # nothing left to remove
    assert stored_file_ids(app) == before - {first}
