"""State-changing requests from another site's page are refused even with a valid CSRF token (Origin, then Referer)."""
from __future__ import annotations

import pytest

from forms.identity.accounts import create_account
from forms.store import find_account_by_username, find_submission
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    WizardClient,
    login,
    signed_in,
    token,
)

HOST = "http://localhost"
FOREIGN = {
    "another site": {"Origin": "https://penipu.example"},
    "a look-alike host": {"Origin": "http://localhost.penipu.example"},
    "another port": {"Origin": "http://localhost:8080"},
    "an opaque origin": {"Origin": "null"},
    "a foreign referer without origin": {"Referer": "https://penipu.example/halaman"},
}


def login_from(client, headers):
    """The login page's form, posted with these headers."""
    page = client.get("/masuk")
    client.get("/masuk/captcha.png")
    data = {"csrf_token": token(page), "username": "siti", "password": PASSWORD, "captcha": ANSWER}
    return client.post("/masuk", data=data, headers=headers)


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def siti(app):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


@pytest.mark.parametrize("headers", FOREIGN.values(), ids=list(FOREIGN))
def test_sign_in_from_another_site_is_refused(app, headers):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"])
    client = app.test_client()
    response = login_from(client, headers)
    assert response.status_code == 403 and "situs lain" in response.get_data(as_text=True)
    assert not signed_in(client)
    with app.app_context():
        assert find_account_by_username("siti").last_login_at is None


@pytest.mark.parametrize("headers", FOREIGN.values(), ids=list(FOREIGN))
def test_a_step_posted_from_another_site_changes_nothing(app, siti, headers):
    wizard = WizardClient(siti, "demo").start()
    page = siti.get(f"/isian/{wizard.submission_id}/langkah/data_diri")
    before = wizard.submission().version
    response = siti.post(f"/isian/{wizard.submission_id}/langkah/data_diri", headers=headers,
                         data={"csrf_token": token(page), "_version": str(before), "nama": "Penyusup"})
    assert response.status_code == 403
    with app.app_context():
        assert find_submission(wizard.submission_id).version == before


@pytest.mark.parametrize("headers", FOREIGN.values(), ids=list(FOREIGN))
def test_sign_out_from_another_site_is_refused(siti, headers):
    page = siti.get("/beranda")
    assert siti.post("/keluar", data={"csrf_token": token(page)}, headers=headers).status_code == 403
    assert signed_in(siti)


@pytest.mark.parametrize("headers", [{"Origin": HOST}, {"Referer": HOST + "/masuk"}, {}],
                         ids=["same origin", "same-origin referer", "neither header"])
def test_same_origin_posts_pass(app, headers):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"])
    client = app.test_client()
    assert login_from(client, headers).status_code == 302 and signed_in(client)


def test_a_tls_request_is_not_accepted_from_a_plain_http_page(app):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"])
    client = app.test_client()
    page = client.get("/masuk", base_url="https://localhost")
    client.get("/masuk/captcha.png", base_url="https://localhost")
    data = {"csrf_token": token(page), "username": "siti", "password": PASSWORD, "captcha": ANSWER}
    refused = client.post("/masuk", data=data, base_url="https://localhost", headers={"Origin": "http://localhost"})
    assert refused.status_code == 403


def test_the_bearer_api_does_not_check_origin(app, api_people):
    response = api_people["siti"].post("/submissions", json={"form_id": "permohonan-baru"},
                                       headers={"Origin": "https://penipu.example"})
    assert response.status_code == 201


def test_a_refused_foreign_post_sets_no_cookie(app):
    """A cross-site POST comes without the Lax cookie: the refusal must not hand out a fresh one over the sign-in."""
    response = app.test_client().post("/keluar", headers={"Origin": "https://penipu.example"})
    assert response.status_code == 403 and "Set-Cookie" not in response.headers
