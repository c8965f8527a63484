"""Signing in with a code sent to the account instead of the CAPTCHA: the SC 3.3.8 alternative."""
from __future__ import annotations

from pathlib import Path

import pytest

from forms.identity.accounts import create_account
from forms.store import Account
from tests.helpers import PASSWORD, code_of, signed_in, token


@pytest.fixture
def app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", email="siti@contoh.id")
    return app


def ask(client, username="siti"):
    """Ask for a code on the first page."""
    return client.post("/masuk/lewat-kode", data={"csrf_token": token(client.get("/masuk/lewat-kode")),
                                                  "username": username})


def enter(client, code, password=PASSWORD):
    """Send the code (if given) and the password on the second page."""
    page = client.get("/masuk/lewat-kode/isi")
    data = {"csrf_token": token(page), "password": password, **({"code": code} if code is not None else {})}
    return client.post("/masuk/lewat-kode/isi", data=data)


def mails(app) -> int:
    """Messages written to the outbox so far."""
    return len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml")))


def test_the_code_from_the_mail_and_the_password_sign_in(app, client):
    assert "Masuk dengan kode" in client.get("/masuk").get_data(as_text=True)  # offered beside the CAPTCHA
    sent = ask(client, "Siti")
    assert sent.status_code == 302 and sent.headers["Location"] == "/masuk/lewat-kode/isi"
    page = client.get("/masuk/lewat-kode/isi").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'autocomplete="current-password"' in page
    response = enter(client, code_of(app))
    assert response.status_code == 302 and response.headers["Location"] == "/beranda"
    assert signed_in(client)


def test_an_unknown_username_looks_the_same_and_gets_nothing(app, client):
    before = mails(app)
    sent = ask(client, "tidak.ada")
    assert sent.status_code == 302 and sent.headers["Location"] == "/masuk/lewat-kode/isi"
    assert mails(app) == before
    refused = enter(client, "123456")
    assert refused.status_code == 422 and not signed_in(client)


def test_a_wrong_password_after_the_right_code_asks_only_the_password_again(app, client):
    ask(client)
    refused = enter(client, code_of(app), "Salah#2026")
    assert refused.status_code == 422 and 'id="f-code"' not in refused.get_data(as_text=True)
    with app.app_context():
        assert Account.objects.get(username="siti").failed_logins == 1  # counts towards the lock
    assert enter(client, None).status_code == 302
    assert signed_in(client)


def test_without_the_right_code_the_password_is_never_tried(app, client):
    ask(client)
    for _ in range(5):
        refused = enter(client, "000000" if code_of(app) != "000000" else "111111")
        assert refused.status_code == 422
    assert "Sudah 5 kali salah" in enter(client, code_of(app)).get_data(as_text=True)  # used up, even the right one
    with app.app_context():
        assert Account.objects.get(username="siti").failed_logins == 0
    assert not signed_in(client)


def test_the_code_page_needs_a_request_first(client):
    response = client.get("/masuk/lewat-kode/isi")
    assert response.status_code == 302 and response.headers["Location"] == "/masuk/lewat-kode"


def test_asking_for_codes_is_rate_limited_like_resets(make_app):
    client = make_app(RESET_RATE_LIMIT="1/minute").test_client()
    assert [ask(client, "x").status_code for _ in range(2)] == [302, 429]
