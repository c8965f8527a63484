"""The requests whose cost must not grow with the data are answered through indexes, never by a full scan.

The embedded store counts every query no index serves (`engine.scans`, by collection and query shape).
These tests walk the requests of the growth table (bench/growth.py) on the in-memory embedded store with
other applicants' work already stored, and fail naming each query that scanned.
"""
from __future__ import annotations

import io
import re

import pytest

from forms.store import embedded
from tests.helpers import ANSWER, PDF, REQUIREMENTS_11052, issued, ok, start, token


def shown(response):
    """Assert a page was answered."""
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    API_RATE_LIMIT="1000/minute")


@pytest.fixture
def scans(app):
    """The app's scan counter, emptied: what scans from here on is what the test walked."""
    counter = embedded(app).engine.scans
    counter.clear()
    return counter


def upload(client, document, code):
    page = client.get(f"/dokumen/{document.id}")
    return client.post(f"/dokumen/{document.id}/unggah/{code}", content_type="multipart/form-data",
                       data={"csrf_token": token(page), "berkas": (io.BytesIO(PDF), "berkas.pdf")})


def act(client, document, action, officer: bool):
    path = f"/petugas/dokumen/{document.id}" if officer else f"/dokumen/{document.id}"
    page = client.get(path)
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True))
    data = {"csrf_token": token(page), "catatan": "", "_version": version.group(1) if version else ""}
    return client.post(f"{path}/aksi/{action}", data=data)


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
    assert upload(siti, document, REQUIREMENTS_11052[0]).status_code == 302
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
        assert upload(people["siti"], document, code).status_code == 302
    counter = embedded(app).engine.scans
    counter.clear()
    assert act(people["siti"], document, "ajukan_verifikasi", officer=False).status_code == 302
    for path in ("/petugas/", "/petugas/?status=menunggu_verifikasi", "/petugas/?saya=1", f"/petugas/dokumen/{document.id}"):
        shown(people["vera"].get(path))
    page = people["vera"].get(f"/petugas/dokumen/{document.id}")
    assert people["vera"].post(f"/petugas/dokumen/{document.id}/klaim", data={"csrf_token": token(page)}).status_code == 302
    assert not counter, f"officer requests scanned: {dict(counter)}"


def test_a_scan_is_counted_and_named(app, people, scans):
    """The counter the tests above rely on does see a query no index serves."""
    from forms.store import IssuedDocument
    issued(people["siti"], code="11052")
    issued(people["budi"], code="11052")
    scans.clear()
    with app.app_context():
        assert len(IssuedDocument.objects(number__contains="-")) >= 2
    assert list(scans) == [("loket.issued_documents", "{number}")], dict(scans)
