"""The requests whose cost must not grow with the data are answered through indexes, never by a full scan.

The embedded store counts every query no index serves (`engine.scans`, by collection and query shape).
These tests walk the requests of the growth table (bench/growth.py) on the in-memory embedded store with
other applicants' work already stored, and fail naming each query that scanned.
"""
from __future__ import annotations

import os

import pytest

from forms.store import embedded
from tests.helpers import (
    ANSWER,
    REQUIREMENTS_11052,
    issued,
    ok,
    start,
    take_action,
    token,
    upload_requirement,
)


def shown(response):
    """Assert a page was answered."""
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def app(make_app):
    if os.environ.get("MONGODB_URI"):
        pytest.skip("the scan counter is the embedded store's; on MongoDB the index test is tests/test_case_search.py "
                    "and the declared indexes")
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    API_RATE_LIMIT="1000/minute")


@pytest.fixture
def scans(app):
    """The app's scan counter, emptied: what scans from here on is what the test walked."""
    counter = embedded(app).engine.scans
    counter.clear()
    return counter


def bearer_token(app, username: str) -> str:
    from forms.identity.apitokens import create_token
    from forms.store import Account
    with app.app_context():
        return create_token(Account.objects.get(username=username), "uji")[0]


def test_applicant_requests_use_indexes(app, people):
    issued(people["budi"], code="11052")
    document = issued(people["siti"], code="11052")
    bearer = {"Authorization": f"Bearer {bearer_token(app, 'siti')}"}
    counter = embedded(app).engine.scans
    counter.clear()
    siti = people["siti"]
    shown(siti.get("/beranda"))
    shown(siti.get(f"/api/v1/submissions/{document.submission_id}", headers=bearer))
    wizard, rows = start(siti, "11052")
    ok(wizard.fill("detail_usaha", rows))
    assert upload_requirement(siti, document, REQUIREMENTS_11052[0]).status_code == 302
    assert not counter, f"applicant requests scanned: {dict(counter)}"


def test_submit_uses_indexes(app, people, scans):
    issued(people["budi"], code="11052")
    scans.clear()
    issued(people["siti"], code="11052")
    assert not scans, f"the walk to issuance scanned: {dict(scans)}"


def test_officer_requests_use_indexes(app, people):
    issued(people["budi"], code="11052")
    document = issued(people["siti"], code="11052")
    for code in REQUIREMENTS_11052:
        assert upload_requirement(people["siti"], document, code).status_code == 302
    counter = embedded(app).engine.scans
    counter.clear()
    assert take_action(people["siti"], document, "ajukan_verifikasi", officer=False).status_code == 302
    for path in ("/petugas/", "/petugas/?status=menunggu_verifikasi", "/petugas/?saya=1", f"/petugas/dokumen/{document.id}"):
        shown(people["vera"].get(path))
    page = people["vera"].get(f"/petugas/dokumen/{document.id}")
    assert people["vera"].post(f"/petugas/dokumen/{document.id}/klaim", data={"csrf_token": token(page)}).status_code == 302
    assert not counter, f"officer requests scanned: {dict(counter)}"


def test_webhook_sending_uses_indexes(app, people, scans):
    """Queueing a change per hook, claiming due and abandoned deliveries, and recording attempts find rows by key."""
    from datetime import timedelta

    from forms.outreach.webhooks import deliver_due
    from forms.store import Webhook, utcnow
    with app.app_context():
        Webhook(url="http://127.0.0.1:9/", secret="s" * 64, description="", created_by="admin").save()
    issued(people["siti"], code="11052")
    scans.clear()
    with app.app_context():
        sent = deliver_due(now=utcnow() + timedelta(hours=1))
    assert sent and all(delivery.attempts == 1 for delivery in sent)
    assert not scans, f"webhook sending scanned: {dict(scans)}"


def test_a_scan_is_counted_and_named(app, people, scans):
    """The counter the tests above rely on does see a query no index serves."""
    from forms.store import IssuedDocument
    issued(people["siti"], code="11052")
    issued(people["budi"], code="11052")
    scans.clear()
    with app.app_context():
        assert len(IssuedDocument.objects(number__contains="-")) >= 2
    assert list(scans) == [("loket.issued_documents", "{number}")], dict(scans)
