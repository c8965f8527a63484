"""Failed sign-ins all look alike; guessing waits per (username, address) and per address; only many failures
in a row lock an account, and its owner is told."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from forms.identity import signin
from forms.identity.accounts import create_account, find_account
from forms.identity.signin import SignInRefused, authenticate, delay_after
from forms.store import Account, utcnow
from tests.helpers import ANSWER, NEW_PASSWORD, PASSWORD, code_of, signed_in, token

WRONG = "Salah#2026"
PROBLEM = re.compile(r'id="ringkasan-kesalahan">.*?<p>(?:<a [^>]*>)?(.*?)<', re.DOTALL)


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, OUTBOX_DIR=str(tmp_path / "outbox"), LOGIN_RATE_LIMIT="10000/minute",
                    RESET_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="10000/minute")


@pytest.fixture
def siti(app):
    with app.app_context():
        return create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id")


def sign_in_from(client, address, username="siti", password=PASSWORD):
    """The login form posted from a client address."""
    environ = {"REMOTE_ADDR": address}
    page = client.get("/masuk", environ_overrides=environ)
    client.get("/masuk/captcha.png", environ_overrides=environ)
    return client.post("/masuk", environ_overrides=environ, data={"csrf_token": token(page), "username": username,
                                                                   "password": password, "captcha": ANSWER})


def answer_of(response) -> tuple[int, str]:
    """Status and the refusal's text."""
    found = PROBLEM.search(response.get_data(as_text=True))
    return response.status_code, found.group(1).strip() if found else ""


def lock(app, account_id, minutes=30):
    with app.app_context():
        Account.objects(id=account_id).update_one(set__locked_until=utcnow() + timedelta(minutes=minutes))


def make_wait(app, client):
    """Four wrong passwords from 10.0.0.9: the fourth makes the next try from there wait."""
    for _ in range(4):
        sign_in_from(client, "10.0.0.9", password=WRONG)


SITUATIONS = {
    "unknown username": lambda app, client, siti: ("tidakada", PASSWORD),
    "wrong password": lambda app, client, siti: ("siti", WRONG),
    "locked, right password": lambda app, client, siti: lock(app, siti.id) or ("siti", PASSWORD),
    "locked, wrong password": lambda app, client, siti: lock(app, siti.id) or ("siti", WRONG),
    "inactive, right password": lambda app, client, siti: Account.objects(id=siti.id).update_one(
        set__active=False) and ("siti", PASSWORD),
    "waiting, right password": lambda app, client, siti: make_wait(app, client) or ("siti", PASSWORD),
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_every_failed_sign_in_gets_the_same_answer_and_the_same_work(app, client, siti, situation, monkeypatch):
    with app.app_context():
        username, password = SITUATIONS[situation](app, client, siti)
    reference = answer_of(sign_in_from(app.test_client(), "10.9.9.9", "orang.lain", WRONG))
    verified = []
    real = signin.verify_password
    monkeypatch.setattr(signin, "verify_password", lambda *args: verified.append(1) or real(*args))
    response = sign_in_from(client, "10.0.0.9", username, password)
    assert answer_of(response) == reference and reference[0] == 422 and "Gagal masuk" in reference[1]
    assert verified == [1], "one Argon2 verification on every path, so the time tells nothing"
    assert not signed_in(client)


def test_a_wait_slows_the_address_that_guessed_not_the_owner_elsewhere(app, siti):
    now = utcnow()
    with app.app_context():
        for minute in range(4):
            with pytest.raises(SignInRefused):
                authenticate("siti", WRONG, "10.0.0.1", now + timedelta(seconds=minute))
        with pytest.raises(SignInRefused):  # right password, but within the wait: not even checked
            authenticate("siti", PASSWORD, "10.0.0.1", now + timedelta(seconds=5))
        assert authenticate("siti", PASSWORD, "10.0.0.2", now + timedelta(seconds=5)).username == "siti"
        assert authenticate("siti", PASSWORD, "10.0.0.1", now + timedelta(seconds=9)).username == "siti"


def test_a_try_while_waiting_is_not_counted(app, siti):
    now = utcnow()
    with app.app_context():
        for second in range(4):
            with pytest.raises(SignInRefused):
                authenticate("siti", WRONG, "10.0.0.1", now + timedelta(seconds=second))
        for _ in range(20):
            with pytest.raises(SignInRefused):
                authenticate("siti", WRONG, "10.0.0.1", now + timedelta(seconds=4))
        assert find_account("siti").failed_logins == 4


@pytest.mark.parametrize("excess, seconds", [(1, 5), (2, 10), (3, 20), (8, 640), (9, 900), (40, 900)])
def test_the_wait_doubles_up_to_its_ceiling(app, excess, seconds):
    with app.app_context():
        assert delay_after(excess, 900) == seconds


def test_guessing_across_usernames_waits_per_address(app, siti):
    now = utcnow()
    with app.app_context():
        for number in range(21):  # 20 free failures per address, the 21st starts a wait
            with pytest.raises(SignInRefused):
                authenticate(f"tebak{number}", WRONG, "10.0.0.7", now)
        with pytest.raises(SignInRefused):
            authenticate("siti", PASSWORD, "10.0.0.7", now + timedelta(seconds=1))
        assert authenticate("siti", PASSWORD, "10.0.0.8", now + timedelta(seconds=1)).username == "siti"


def test_fifty_failures_in_a_row_lock_the_account_and_tell_its_owner(app, client, siti):
    for number in range(49):
        sign_in_from(client, f"10.1.{number}.1", password=WRONG)
    assert find_in(app).locked_until is None and not list(Path(app.config["OUTBOX_DIR"]).glob("*"))
    sign_in_from(client, "10.2.0.1", password=WRONG)
    locked = find_in(app)
    assert locked.locked_until is not None and timedelta(minutes=59) < locked.locked_until - utcnow()
    (message,) = Path(app.config["OUTBOX_DIR"]).glob("*")
    text = message.read_text()
    assert "To: siti@contoh.id" in text and "dikunci sampai" in text and "WIB" in text
    assert answer_of(sign_in_from(client, "10.3.0.1"))[0] == 422  # the right password: the same refusal
    assert not signed_in(client)


def test_a_password_reset_lifts_the_lock(app, client, siti):
    lock(app, siti.id)
    page = client.get("/lupa-sandi")
    client.get("/masuk/captcha.png")
    client.post("/lupa-sandi", data={"csrf_token": token(page), "username": "siti", "captcha": ANSWER})
    page = client.get("/lupa-sandi/kode")
    client.post("/lupa-sandi/kode", data={"csrf_token": token(page), "code": code_of(app), "password": NEW_PASSWORD,
                                          "password2": NEW_PASSWORD})
    assert sign_in_from(client, "10.0.0.1", password=NEW_PASSWORD).status_code == 302


def test_a_correct_sign_in_clears_the_wait_of_its_pair_only(app, siti):
    now = utcnow()
    with app.app_context():
        for second in range(3):
            with pytest.raises(SignInRefused):
                authenticate("siti", WRONG, "10.0.0.1", now + timedelta(seconds=second))
        authenticate("siti", PASSWORD, "10.0.0.1", now + timedelta(seconds=3))
        assert find_account("siti").failed_logins == 0
        for second in range(3):  # three free failures again, no wait
            with pytest.raises(SignInRefused):
                authenticate("siti", WRONG, "10.0.0.1", now + timedelta(seconds=4 + second))
        assert authenticate("siti", PASSWORD, "10.0.0.1", now + timedelta(seconds=8)).username == "siti"


def find_in(app):
    with app.app_context():
        return find_account("siti")


def test_sign_in_counts_are_read_through_indexes(app, client, siti):
    """The throttle and account reads on every failed and successful sign-in scan nothing (cost independent of data)."""
    from forms.store import embedded
    with app.app_context():
        for number in range(30):  # other people's failures stored
            with pytest.raises(SignInRefused):
                authenticate(f"orang{number}", WRONG, f"10.5.{number}.1")
    scans = embedded(app).engine.scans
    scans.clear()
    assert answer_of(sign_in_from(client, "10.0.0.1", password=WRONG))[0] == 422
    assert sign_in_from(client, "10.0.0.1").status_code == 302
    assert not scans, dict(scans)
