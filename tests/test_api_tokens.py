"""Personal API tokens in the profile area: shown once, stored hashed, listed with their use, revoked at once."""
from __future__ import annotations

import hashlib
import re

import pytest

from forms.store import Account, ApiToken
from tests.helpers import ANSWER, PASSWORD, login, token

TOKEN = re.compile(r"lkt_[A-Za-z0-9_-]{43}")


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def siti(app, client):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"])
        create_account("vera", PASSWORD, "Vera", ["verifikator"])
    assert login(client).status_code == 302
    return client


def make_token(client, name="Sistem arsip"):
    page = client.get("/profil/token")
    return client.post("/profil/token", data={"csrf_token": token(page), "nama": name})


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(siti):
    response = make_token(siti)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    (shown,) = set(TOKEN.findall(response.get_data(as_text=True)))
    record = ApiToken.objects.get()
    assert record.token_hash == hashlib.sha256(shown.encode()).hexdigest() and record.name == "Sistem arsip"
    assert shown not in str(ApiToken._get_collection().find_one())
    later = siti.get("/profil/token").get_data(as_text=True)
    assert shown not in later and record.hint in later and "Sistem arsip" in later and "Belum pernah" in later
    assert siti.get("/api/v1/me", headers={"Authorization": f"Bearer {shown}"}).get_json()["username"] == "siti"
    assert "Belum pernah" not in siti.get("/profil/token").get_data(as_text=True)  # last use is shown


def test_revoking_ends_the_token_at_once(app, siti):
    shown = TOKEN.search(make_token(siti).get_data(as_text=True)).group(0)
    page = siti.get("/profil/token")
    record = ApiToken.objects.get()
    response = siti.post(f"/profil/token/{record.id}/cabut", data={"csrf_token": token(page)})
    assert response.status_code == 302 and ApiToken.objects.count() == 0
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {shown}"}).status_code == 401


def test_nobody_revokes_someone_elses_token(app, siti):
    make_token(siti)
    record = ApiToken.objects.get()
    other = app.test_client()
    assert login(other, username="vera").status_code == 302
    page = other.get("/profil/token")
    other.post(f"/profil/token/{record.id}/cabut", data={"csrf_token": token(page)})
    assert ApiToken.objects.count() == 1


def test_a_deactivated_account_s_tokens_stop_working(app, siti):
    shown = TOKEN.search(make_token(siti).get_data(as_text=True)).group(0)
    Account.objects(username="siti").update_one(set__active=False)
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {shown}"}).status_code == 401


@pytest.mark.parametrize("name, message", [("", "Beri nama token"), ("x" * 81, "paling banyak 80")])
def test_a_token_needs_a_sensible_name(siti, name, message):
    response = make_token(siti, name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert ApiToken.objects.count() == 0


def test_the_page_needs_a_sign_in_and_csrf(app, client):
    assert client.get("/profil/token").status_code == 302
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"])
    login(client)
    assert client.post("/profil/token", data={"nama": "tanpa token"}).status_code == 400
    assert ApiToken.objects.count() == 0
