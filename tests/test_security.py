"""Hardening: response headers, proxies, cookie flags, body limits, session revocation, the TOTP second factor."""
from __future__ import annotations

import io
import re
import time

import pyotp
import pytest

from forms.identity.accounts import create_account
from forms.identity.twofactor import unseal
from forms.store import Account, LoginSession
from tests.helpers import (
    ANSWER,
    DEMO_DIRI,
    DEMO_PRODUK,
    DEMO_USAHA,
    NEW_PASSWORD,
    PASSWORD,
    WizardClient,
    login,
    signed_in,
    token,
)

COOKIE = "loket_session"


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    RESET_RATE_LIMIT="1000/minute", TOTP_RATE_LIMIT="1000/minute")


@pytest.fixture
def people(app):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id")
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
        create_account("admin1", PASSWORD, "Admin Satu", ["admin"])


def stored(app, username):
    with app.app_context():
        return Account.objects.get(username=username)


# --- headers, proxies, cookies --------------------------------------------------------------------------------

def test_every_page_carries_the_protective_headers(client):
    for path in ("/", "/masuk", "/tidak-ada", "/referensi/kbli?q=10"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://loket.contoh.test").headers
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_can_be_turned_off(make_app):
    client = make_app(HSTS_SECONDS=0).test_client()
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://loket.contoh.test").headers


def forwarded(client, path="/", **headers):
    return client.get(path, headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", **headers})


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(client):
    assert "Strict-Transport-Security" not in forwarded(client).headers


def test_behind_a_trusted_proxy_the_scheme_and_client_address_are_the_forwarded_ones(make_app):
    app = make_app(PROXY_FIX=1, LOGIN_RATE_LIMIT="2/minute", CAPTCHA_TEST_ANSWER=ANSWER)
    client = app.test_client()
    assert forwarded(client).headers["Strict-Transport-Security"].startswith("max-age=")
    page = client.get("/masuk")

    def attempt(address):
        return client.post("/masuk", data={"csrf_token": token(page), "username": "x", "password": "y"},
                           headers={"X-Forwarded-For": address})

    assert attempt("203.0.113.7").status_code == 422
    assert attempt("203.0.113.7").status_code == 422
    assert attempt("203.0.113.7").status_code == 429  # that client is limited…
    assert attempt("198.51.100.9").status_code == 422  # …another one behind the same proxy is not


def session_cookie(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(COOKIE + "="))


def test_session_cookie_is_httponly_lax_and_secure_over_tls(app, people):
    plain = app.test_client()
    cookie = session_cookie(login(plain, username="siti"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    tls = app.test_client()
    page = tls.get("/masuk", base_url="https://loket.contoh.test")
    tls.get("/masuk/captcha.png", base_url="https://loket.contoh.test")
    response = tls.post("/masuk", base_url="https://loket.contoh.test",
                        headers={"Referer": "https://loket.contoh.test/masuk"},
                        data={"csrf_token": token(page), "username": "siti", "password": PASSWORD, "captcha": ANSWER})
    assert response.status_code == 302
    assert "Secure" in session_cookie(response) and "HttpOnly" in session_cookie(response)


def test_language_cookie_is_httponly_and_a_backslash_redirect_stays_on_the_site(client):
    page = client.get("/")
    response = client.post("/bahasa", data={"csrf_token": token(page), "lang": "en", "next": "/\\evil.example/"})
    assert response.headers["Location"] == "/"
    assert "HttpOnly" in response.headers["Set-Cookie"]


# --- body limits ------------------------------------------------------------------------------------------------

def test_a_large_post_to_the_login_page_is_refused_unread_with_a_clear_413(client):
    response = client.post("/masuk", data={"username": "a" * 100_000, "password": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Batas untuk halaman ini 64 KB" in page and "tidak ada yang disimpan" in page


def test_a_wizard_step_without_uploads_takes_text_up_to_the_form_limit(client):
    wizard = WizardClient(client, "demo").start()
    page = client.get(wizard.url("data_diri"))
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    data = {"csrf_token": token(page), "_version": version, "_action": "save", "filler": "x" * 1_200_000}
    response = client.post(wizard.url("data_diri"), data=data)
    assert response.status_code == 413 and "1,0 MB" in response.get_data(as_text=True)
    assert wizard.submission().version == 1


def test_a_step_with_an_upload_accepts_a_file_but_not_a_huge_body(client):
    wizard = WizardClient(client, "demo").start()
    for step, values in (("data_diri", DEMO_DIRI), ("usaha", DEMO_USAHA), ("produk", DEMO_PRODUK)):
        assert wizard.fill(step, values).status_code == 302
    pdf = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 100)  # just over the 2 MB field limit: a message beside it
    response = wizard.fill("lampiran", {}, action="save", files={"foto_usaha": (io.BytesIO(pdf), "foto.pdf")})
    assert response.status_code == 422 and "Berkas lebih dari 2,0 MB" in response.get_data(as_text=True)
    huge = b"%PDF-1.4\n" + b"0" * (8 * 1024 * 1024)
    response = wizard.fill("lampiran", {}, action="save", files={"foto_usaha": (io.BytesIO(huge), "foto.pdf")})
    assert response.status_code == 413 and "Kiriman terlalu besar" in response.get_data(as_text=True)
    assert "foto_usaha" not in wizard.submission().answers.get("lampiran", {})


# --- sessions ---------------------------------------------------------------------------------------------------

def change_password(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    page = client.get("/profil/keamanan")
    return client.post("/profil/keamanan/sandi", data={"csrf_token": token(page), "current": current,
                                                        "password": new, "password2": new if again is None else again})


def test_password_change_ends_every_other_session_but_keeps_this_one(app, people):
    here, there = app.test_client(), app.test_client()
    assert login(here, username="siti").status_code == 302 and login(there, username="siti").status_code == 302
    response = change_password(here)
    assert response.status_code == 302 and response.headers["Location"] == "/profil/keamanan"
    assert signed_in(here) and not signed_in(there)
    with app.app_context():
        assert LoginSession.objects(account_id=stored(app, "siti").id).count() == 1
    assert login(there, username="siti", password=PASSWORD).status_code == 422
    assert login(there, username="siti", password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("current, new, again, message", [
    ("Salah#2026x", NEW_PASSWORD, None, "Kata sandi sekarang salah"),
    (PASSWORD, "pendek", None, "paling sedikit 8 karakter"),
    (PASSWORD, NEW_PASSWORD, "Lain#Sandi2027", "Ulangan kata sandi tidak sama"),
])
def test_a_refused_password_change_changes_nothing(app, people, current, new, again, message):
    here, there = app.test_client(), app.test_client()
    login(here, username="siti"), login(there, username="siti")
    before = stored(app, "siti").password_hash
    response = change_password(here, current, new, again)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored(app, "siti").password_hash == before and signed_in(there)


def test_logout_ends_only_that_session(app, people):
    here, there = app.test_client(), app.test_client()
    login(here, username="siti"), login(there, username="siti")
    with here.session_transaction() as session:
        replay = dict(session)
    page = here.get("/beranda")
    assert here.post("/keluar", data={"csrf_token": token(page)}).status_code == 302
    assert not signed_in(here) and signed_in(there)
    with here.session_transaction() as session:
        session.update(replay)
    assert not signed_in(here)


# --- second factor ----------------------------------------------------------------------------------------------

def enrol(client):
    """Turn on the second factor from the security page; returns the secret as the page shows it."""
    page = client.get("/profil/keamanan")
    response = client.post("/profil/keamanan/dua-langkah/mulai", data={"csrf_token": token(page)})
    assert response.status_code == 302
    page = client.get("/profil/keamanan/dua-langkah")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and 'src="data:image/png;base64,' in text
    secret = re.search(r'class="totp-secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")
    return secret, page


STEP = [0]  # the 30 s step each test begins in: codes are drawn for fixed steps, so crossing a boundary is fine


def code_at(secret, offset_steps=0):
    """The code of a time step relative to the step each test begins in (the server accepts ±1 step)."""
    return pyotp.TOTP(secret).generate_otp(STEP[0] + offset_steps)


@pytest.fixture(autouse=True)
def current_step():
    STEP[0] = int(time.time() // 30)


def test_applicants_cannot_enrol(app, people):
    client = app.test_client()
    login(client, username="siti")
    assert "Verifikasi dua langkah" not in client.get("/profil/keamanan").get_data(as_text=True)
    page = client.get("/profil/keamanan")
    response = client.post("/profil/keamanan/dua-langkah/mulai", data={"csrf_token": token(page)})
    assert response.status_code == 422 and stored(app, "siti").totp_pending is None


def test_officer_enrols_then_signs_in_with_password_and_code(app, people):
    client, other = app.test_client(), app.test_client()
    login(client, username="vera"), login(other, username="vera")
    assert "Keamanan akun" in client.get("/profil").get_data(as_text=True)
    secret, page = enrol(client)
    account = stored(app, "vera")
    assert secret not in account.totp_pending and account.totp_secret is None  # stored encrypted, not on yet
    with app.app_context():
        assert unseal(account.totp_pending) == secret

    wrong = client.post("/profil/keamanan/dua-langkah", data={"csrf_token": token(page), "code": "000000"})
    assert wrong.status_code == 422 and "Kode salah" in wrong.get_data(as_text=True)
    done = client.post("/profil/keamanan/dua-langkah", data={"csrf_token": token(page), "code": code_at(secret)})
    assert done.status_code == 302 and signed_in(client) and not signed_in(other)
    account = stored(app, "vera")
    assert account.totp_secret and secret not in account.totp_secret and account.totp_pending is None
    assert secret not in client.get("/profil/keamanan").get_data(as_text=True)  # never shown again
    assert client.get("/profil/keamanan/dua-langkah").status_code == 302

    fresh = app.test_client()
    response = login(fresh, username="vera")
    assert response.status_code == 302 and response.headers["Location"] == "/masuk/kode"
    assert not signed_in(fresh)  # the password alone signs nobody in
    page = fresh.get("/masuk/kode")
    reused = fresh.post("/masuk/kode", data={"csrf_token": token(page), "code": code_at(secret)})
    assert reused.status_code == 422 and not signed_in(fresh)  # the enrolment's code was used already
    later = fresh.post("/masuk/kode", data={"csrf_token": token(page), "code": code_at(secret, 1)})
    assert later.status_code == 302 and later.headers["Location"] == "/beranda" and signed_in(fresh)
    again = app.test_client()
    login(again, username="vera")
    page = again.get("/masuk/kode")
    replay = again.post("/masuk/kode", data={"csrf_token": token(page), "code": code_at(secret, 1)})
    assert replay.status_code == 422 and "sudah dipakai" in replay.get_data(as_text=True)


def test_second_factor_keeps_the_next_address(app, people):
    secret = enrolled(app, "vera")
    client = app.test_client()
    response = login(client, username="vera", path="/masuk?next=/petugas/")
    assert response.headers["Location"] == "/masuk/kode"
    page = client.get("/masuk/kode")
    response = client.post("/masuk/kode", data={"csrf_token": token(page), "code": code_at(secret, 1)})
    assert response.headers["Location"] == "/petugas/"


def enrolled(app, username):
    client = app.test_client()
    login(client, username=username)
    secret, page = enrol(client)
    assert client.post("/profil/keamanan/dua-langkah",
                       data={"csrf_token": token(page), "code": code_at(secret)}).status_code == 302
    return secret


def test_five_wrong_codes_lock_the_account(app, people):
    enrolled(app, "vera")
    client = app.test_client()
    login(client, username="vera")
    page = client.get("/masuk/kode")
    for _ in range(4):
        assert client.post("/masuk/kode", data={"csrf_token": token(page), "code": "123456"}).status_code == 422
    locked = client.post("/masuk/kode", data={"csrf_token": token(page), "code": "123456"})
    assert locked.status_code == 423 and "dikunci" in locked.get_data(as_text=True)
    assert stored(app, "vera").locked_until is not None and not signed_in(client)


def test_a_correct_password_does_not_reset_the_count_of_wrong_codes(app, people):
    enrolled(app, "vera")
    for attempt in range(5):
        client = app.test_client()
        assert login(client, username="vera").headers["Location"] == "/masuk/kode"
        page = client.get("/masuk/kode")
        response = client.post("/masuk/kode", data={"csrf_token": token(page), "code": "123456"})
        assert response.status_code == (423 if attempt == 4 else 422)
    assert stored(app, "vera").locked_until is not None


def test_code_page_without_a_password_first_goes_back_to_login(client):
    assert client.get("/masuk/kode").headers["Location"] == "/masuk"


def test_code_entry_is_rate_limited(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, TOTP_RATE_LIMIT="2/minute")
    client = app.test_client()
    page = client.get("/masuk")
    for expected in (302, 302, 429):
        assert client.post("/masuk/kode", data={"csrf_token": token(page), "code": "1"}).status_code == expected


def test_disabling_needs_the_password_and_a_code(app, people):
    client = app.test_client()
    login(client, username="admin1")
    secret, page = enrol(client)
    client.post("/profil/keamanan/dua-langkah", data={"csrf_token": token(page), "code": code_at(secret)})
    page = client.get("/profil/keamanan")
    assert "Aktif" in page.get_data(as_text=True)
    no_password = client.post("/profil/keamanan/dua-langkah/nonaktif",
                              data={"csrf_token": token(page), "password": "Salah#123x", "code": code_at(secret, 1)})
    assert no_password.status_code == 422 and stored(app, "admin1").totp_secret
    no_code = client.post("/profil/keamanan/dua-langkah/nonaktif",
                          data={"csrf_token": token(page), "password": PASSWORD, "code": "000000"})
    assert no_code.status_code == 422 and stored(app, "admin1").totp_secret
    done = client.post("/profil/keamanan/dua-langkah/nonaktif",
                       data={"csrf_token": token(page), "password": PASSWORD, "code": code_at(secret, 1)})
    assert done.status_code == 302 and not stored(app, "admin1").totp_secret
    assert login(app.test_client(), username="admin1").headers["Location"] == "/beranda"


# --- operator injection -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("username", '{"$ne": null}'), ("username", "$ne"), ("username", "siti.$gt"), ("username[$ne]", "x"),
    ("username", "siti\x00"), ("password[$ne]", "x"), ("username", ".*"),
])
def test_operator_looking_sign_in_values_sign_nobody_in(app, people, field, value):
    client = app.test_client()
    page = client.get("/masuk")
    client.get("/masuk/captcha.png")
    data = {"csrf_token": token(page), "username": "siti", "password": "x", "captcha": ANSWER, field: value}
    response = client.post("/masuk", data=data)
    assert response.status_code == 422 and not signed_in(client)


@pytest.mark.parametrize("values", [
    {"nomor[$ne]": "x", "nik[$ne]": "x"}, {"nomor": '{"$gt": ""}', "nik": "3201014501900001"},
    {"nomor": "PB-2026-000001", "nik": ".*"}, {"nomor": "$where", "nik": "1" * 16},
])
def test_tracking_and_ticket_lookups_take_only_plain_values(client, values):
    for path, fields in (("/lacak", ("nomor", "nik")), ("/pengaduan/ikuti", ("nomor", "kode"))):
        page = client.get(path)
        data = {"csrf_token": token(page), **{key.replace("nik", fields[1]): value for key, value in values.items()}}
        assert client.post(path, data=data).status_code in (404, 422)


def test_inbox_search_is_literal_text(app, people):
    from bson import ObjectId

    from forms.store import IssuedDocument, search_tokens
    with app.app_context():
        IssuedDocument(submission_id=ObjectId(), owner="account:x", kind="sertifikat_standar", number="SS-UJI-1",
                       key="10710", status="menunggu_verifikasi", search="ss-uji-1 roti manis",
                       search_words=search_tokens("ss-uji-1 roti manis")).save()
    client = app.test_client()
    login(client, username="vera")
    listed = lambda words: "SS-UJI-1" in client.get("/petugas/", query_string={"status": "menunggu_verifikasi",
                                                                                "q": words}).get_data(as_text=True)
    assert listed("roti") and not listed(".*") and not listed("$where") and not listed("roti|x")
    assert client.get("/petugas/", query_string={"status": {"$ne": 1}}).status_code == 200


def test_reference_lookup_ignores_operator_looking_arguments(client):
    response = client.get("/referensi/kbli", query_string={"q": ".*", "kolom": "$where", "induk[$ne]": "1",
                                                            "batas": "abc"})
    assert response.status_code == 200 and response.get_json() == []


def test_the_store_refuses_operator_and_dotted_keys_in_answers(app):
    from forms.store import UnsafeKey, create_submission, find_submission, save_answers
    with app.app_context():
        submission = create_submission("demo", 1, "anon:x")
        for answers in ({"data_diri": {"$gt": ""}}, {"data_diri": {"a.b": 1}}, {"$set": {}},
                        {"produk": {"rows": [{"nama": "x", "$where": "1"}]}}):
            with pytest.raises(UnsafeKey):
                save_answers(submission, answers, {}, [])
        assert find_submission(str(submission.id)).version == 1 and not find_submission(str(submission.id)).answers


def test_a_malformed_account_id_in_the_admin_area_is_not_found(app, people):
    client = app.test_client()
    login(client, username="admin1")
    page = client.get("/")
    for account_id in ("z" * 24, "0" * 23 + "$", {"$ne": 1}):
        response = client.post(f"/admin/akun/{account_id}", data={"csrf_token": token(page), "role": "admin"})
        assert response.status_code == 404
