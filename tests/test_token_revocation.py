"""A new password revokes the account's API tokens: after a change or a reset, old tokens answer 401."""
from __future__ import annotations

import pytest

from forms.identity.accounts import create_account
from forms.identity.apitokens import create_token
from tests.helpers import ANSWER, NEW_PASSWORD, PASSWORD, Api, code_of, login, token


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    RESET_RATE_LIMIT="1000/minute")


@pytest.fixture
def siti(app):
    """Siti's account with two API tokens, and a client for each."""
    with app.app_context():
        account = create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id")
        bearers = [create_token(account, name)[0] for name in ("skrip", "ponsel")]
    return [Api(app.test_client(), bearer) for bearer in bearers]


def change(app, current=PASSWORD):
    """Change the password on the security page, signed in."""
    client = app.test_client()
    assert login(client).status_code == 302
    page = client.get("/profil/keamanan")
    return client.post("/profil/keamanan/sandi", data={"csrf_token": token(page), "current": current,
                                                      "password": NEW_PASSWORD, "password2": NEW_PASSWORD})


def reset(app):
    """Reset the password with the code sent by e-mail."""
    client = app.test_client()
    page = client.get("/lupa-sandi")
    client.get("/masuk/captcha.png")
    client.post("/lupa-sandi", data={"csrf_token": token(page), "username": "siti", "captcha": ANSWER})
    page = client.get("/lupa-sandi/kode")
    return client.post("/lupa-sandi/kode", data={"csrf_token": token(page), "code": code_of(app),
                                                 "password": NEW_PASSWORD, "password2": NEW_PASSWORD})


@pytest.mark.parametrize("way", [change, reset], ids=["change", "reset"])
def test_a_new_password_revokes_every_api_token(app, siti, way):
    assert all(api.get("/me").status_code == 200 for api in siti)
    assert way(app).status_code == 302
    assert [api.get("/me").status_code for api in siti] == [401, 401]


def test_a_refused_change_keeps_the_tokens(app, siti):
    response = change(app, current="Salah#2026")
    assert response.status_code == 422
    assert [api.get("/me").status_code for api in siti] == [200, 200]
