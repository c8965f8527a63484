"""Accounts over HTTP: login with the image code, lockout, sessions, logout, reset by code, roles, CLI, demo accounts."""
from __future__ import annotations

import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from forms.identity.accounts import (
    ROLES,
    AccountError,
    DuplicateAccount,
    create_account,
    find_account,
    require_role,
)
from forms.identity.captchas import ALPHABET, LENGTH, new_answer
from forms.identity.passwords import verify_password
from forms.identity.signin import authenticate
from forms.store import Account, LoginSession, close_store, create_submission, utcnow
from tests.helpers import ANSWER, NEW_PASSWORD, PASSWORD, login, signed_in, token

COOKIE = "loket_session"
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]+"')


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, OUTBOX_DIR=str(tmp_path / "outbox"), LOGIN_RATE_LIMIT="1000/minute",
                    RESET_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def make_account(app):
    def make(username="siti", password=PASSWORD, name="Siti Aminah", roles=("pemohon",), **values):
        with app.app_context():
            return create_account(username, password, name, list(roles), **values)
    return make


@pytest.fixture
def siti(make_account):
    return make_account(email="siti@contoh.id", phone="+6281234567890", nik="3201014501900001",
                        profile={"tempat_lahir": "Bogor", "alamat": "Jl. Melati No. 1"})


def stored(app, username="siti") -> Account:
    with app.app_context():
        return find_account(username)


# --- login -------------------------------------------------------------------------------------------------

def test_login_creates_a_server_side_session_and_goes_to_beranda(app, client, siti):
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/beranda"
    with client.session_transaction() as session:
        token_in_cookie, account_id = session["login"], session["account_id"]
    assert account_id == str(siti.id)
    with app.app_context():
        sessions = list(LoginSession.objects(account_id=siti.id))
    assert len(sessions) == 1
    assert sessions[0].token_hash == hashlib.sha256(token_in_cookie.encode()).hexdigest() != token_in_cookie
    home = client.get("/beranda").get_data(as_text=True)
    assert "Selamat datang, Siti Aminah" in home and "Keluar" in home
    assert stored(app).last_login_at is not None


def test_username_is_case_insensitive(client, make_account):
    make_account(username="Siti.Aminah")
    assert login(client, username="  SITI.aminah ").status_code == 302


@pytest.mark.parametrize("username, password", [
    ("siti", "Salah#2026"),       # wrong password
    ("tidakada", PASSWORD),       # unknown user
    ("tidakada", "Salah#2026"),
    ("", ""),
])
def test_bad_credentials_get_one_generic_message(client, siti, username, password):
    response = login(client, username=username, password=password)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Gagal masuk: nama pengguna atau kata sandi salah" in text
    assert password not in text if password else True
    assert not signed_in(client)


@pytest.mark.parametrize("answer", ["", "XXXXX", ANSWER[:-1], ANSWER + "9"])
def test_wrong_captcha_is_refused_before_the_password_is_checked(app, client, siti, answer):
    response = login(client, answer=answer)
    assert response.status_code == 422
    assert "Kode gambar salah" in response.get_data(as_text=True)
    assert stored(app).failed_logins == 0
    assert not signed_in(client)


def test_captcha_answer_is_case_insensitive(client, siti):
    assert login(client, answer=ANSWER.lower()).status_code == 302


def test_captcha_without_an_image_is_refused(client, siti):
    response = login(client, image=False)
    assert response.status_code == 422 and "sudah tidak berlaku" in response.get_data(as_text=True)


def test_captcha_is_single_use_even_with_a_replayed_cookie(client, siti):
    page = client.get("/masuk")
    client.get("/masuk/captcha.png")
    cookie = client.get_cookie(COOKIE).value
    data = {"csrf_token": token(page), "username": "siti", "password": "Salah#2026", "captcha": ANSWER}
    assert client.post("/masuk", data=data).status_code == 422  # uses the challenge up

    data["password"] = PASSWORD
    again = client.post("/masuk", data=data)
    assert again.status_code == 422 and "sudah tidak berlaku" in again.get_data(as_text=True)
    client.set_cookie(COOKIE, cookie)  # the cookie that still names the used challenge
    replayed = client.post("/masuk", data=data)
    assert replayed.status_code == 422 and "sudah tidak berlaku" in replayed.get_data(as_text=True)
    assert not signed_in(client)


def test_captcha_image_is_a_fresh_uncached_png(client):
    first, second = client.get("/masuk/captcha.png"), client.get("/masuk/captcha.png")
    assert first.mimetype == "image/png" and first.data.startswith(b"\x89PNG")
    assert first.headers["Cache-Control"] == "no-store"
    assert first.data != second.data


@pytest.mark.parametrize("password", [PASSWORD, "Salah#2026"])
def test_missing_csrf_is_400_and_nothing_changes(app, client, siti, password):
    client.get("/masuk")
    client.get("/masuk/captcha.png")
    response = client.post("/masuk", data={"username": "siti", "password": password, "captcha": ANSWER})
    assert response.status_code == 400
    assert "Token keamanan" in response.get_data(as_text=True)
    account = stored(app)
    assert account.failed_logins == 0 and account.last_login_at is None
    with app.app_context():
        assert LoginSession.objects.count() == 0
    assert not signed_in(client)


def test_a_session_idle_for_12_hours_ends(app, client, siti):
    login(client)
    with app.app_context():
        LoginSession.objects(account_id=siti.id).update(set__last_seen_at=utcnow() - timedelta(hours=12, minutes=1))
    assert not signed_in(client)
    with app.app_context():
        assert LoginSession.objects.count() == 0


def test_login_starts_a_new_session_against_fixation(client, siti):
    client.post("/formulir/demo", data={"csrf_token": token(client.get("/formulir/demo"))})
    with client.session_transaction() as session:
        assert "anon" in session
    login(client)
    with client.session_transaction() as session:
        assert "anon" not in session and set(session) >= {"login", "account_id"}


def test_current_owner_trusts_the_checked_account_not_the_cookie(app, siti):
    from flask import g, session

    from forms.web.security import current_owner
    with app.test_request_context():
        session["account_id"] = str(siti.id)
        g.account = None
        assert current_owner() is None
        g.account = siti
        assert current_owner() == f"account:{siti.id}"


def test_drafts_of_a_signed_in_applicant_belong_to_the_account(app, client, siti):
    login(client)
    created = client.post("/formulir/demo", data={"csrf_token": token(client.get("/formulir/demo"))})
    submission_id = created.headers["Location"].rsplit("/", 1)[-1]
    with app.app_context():
        from forms.store import find_submission
        assert find_submission(submission_id).owner == f"account:{siti.id}"


@pytest.mark.parametrize("target, expected", [
    ("/profil", "/profil"),
    ("/beranda?tab=draf", "/beranda?tab=draf"),
    ("https://jahat.example/masuk", "/beranda"),
    ("//jahat.example/", "/beranda"),
    ("/\\jahat.example/", "/beranda"),
    ("javascript:alert(1)", "/beranda"),
    ("http:/jahat.example", "/beranda"),
    ("/%09/jahat.example", "/beranda"),
    ("/%0a/jahat.example", "/beranda"),
])
def test_next_is_honoured_only_for_local_paths(client, siti, target, expected):
    response = login(client, path=f"/masuk?next={target}")
    assert response.status_code == 302 and response.headers["Location"] == expected


# --- logout ------------------------------------------------------------------------------------------------

def test_logout_kills_the_server_side_session_so_a_replayed_cookie_is_dead(app, client, siti):
    login(client)
    old_cookie = client.get_cookie(COOKIE).value
    page = client.get("/beranda")
    response = client.post("/keluar", data={"csrf_token": token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/masuk"
    with app.app_context():
        assert LoginSession.objects.count() == 0
    assert not signed_in(client)

    client.set_cookie(COOKIE, old_cookie)
    replay = client.get("/beranda")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/masuk")
    client.set_cookie(COOKIE, old_cookie)
    assert "Siti Aminah" not in client.get("/").get_data(as_text=True)


def test_logout_needs_post_with_csrf(client, siti):
    login(client)
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400
    assert signed_in(client)


def test_nav_shows_masuk_or_the_account(client, siti):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/masuk"' in anonymous and "Keluar" not in anonymous
    login(client)
    signed = client.get("/").get_data(as_text=True)
    assert 'href="/profil"' in signed and "Siti Aminah" in signed and "Keluar" in signed
    assert 'href="/masuk"' not in signed


# --- rate limits and the test CAPTCHA setting --------------------------------------------------------------

def test_login_posts_are_rate_limited_per_address(make_app, tmp_path):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="3/minute")
    client = app.test_client()
    codes = [login(client, username="x", password="y").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    page = login(client, username="x", password="y")
    assert page.status_code == 429 and "Terlalu banyak percobaan" in page.get_data(as_text=True)
    assert client.get("/masuk").status_code == 200  # only the POST is limited


def test_captcha_images_are_rate_limited(make_app):
    client = make_app(CAPTCHA_RATE_LIMIT="2/minute").test_client()
    assert [client.get("/masuk/captcha.png").status_code for _ in range(3)] == [200, 200, 429]


def test_reset_requests_are_rate_limited(make_app):
    client = make_app(CAPTCHA_TEST_ANSWER=ANSWER, RESET_RATE_LIMIT="1/minute").test_client()
    page = client.get("/lupa-sandi")
    codes = [client.post("/lupa-sandi", data={"csrf_token": token(page), "username": "x", "captcha": "?"}).status_code
             for _ in range(2)]
    assert codes == [422, 429]


def test_test_captcha_answer_is_ignored_when_not_testing(make_app, make_account):
    app = make_app(TESTING=False, CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah")
    client = app.test_client()
    response = login(client)
    assert response.status_code == 422 and "Kode gambar salah" in response.get_data(as_text=True)
    with app.test_request_context():
        answer = new_answer()
    assert answer != ANSWER and len(answer) == LENGTH and set(answer) <= set(ALPHABET)


# --- password reset ----------------------------------------------------------------------------------------

def newest_outbox_code(app) -> tuple[str, str]:
    """The 6-digit code and the text of the newest message in the outbox."""
    files = sorted(Path(app.config["OUTBOX_DIR"]).iterdir())
    text = files[-1].read_text()
    return re.search(r"\b(\d{6})\b", text).group(1), text


def ask_reset(client, username="siti", answer=ANSWER):
    page = client.get("/lupa-sandi")
    client.get("/masuk/captcha.png")
    return client.post("/lupa-sandi", data={"csrf_token": token(page), "username": username, "captcha": answer})


def send_code(client, code, password=NEW_PASSWORD, again=None):
    page = client.get("/lupa-sandi/kode")
    return client.post("/lupa-sandi/kode", data={"csrf_token": token(page), "code": code, "password": password,
                                                 "password2": password if again is None else again})


def test_password_reset_journey_by_email(app, client, siti):
    other = app.test_client()
    login(other)
    with app.app_context():
        Account.objects(id=siti.id).update_one(set__failed_logins=3)

    response = ask_reset(client, username="SITI")
    assert response.status_code == 302 and response.headers["Location"] == "/lupa-sandi/kode"
    code, text = newest_outbox_code(app)
    assert "To: siti@contoh.id" in text and "siti" in text
    assert "kode 6 angka sudah dikirim" in client.get("/lupa-sandi/kode").get_data(as_text=True)

    done = send_code(client, code)
    assert done.status_code == 302 and done.headers["Location"] == "/masuk"
    account = stored(app)
    assert verify_password(account.password_hash, NEW_PASSWORD) and account.failed_logins == 0
    with app.app_context():
        assert LoginSession.objects(account_id=siti.id).count() == 0
    assert not signed_in(other)
    assert login(client, password=PASSWORD).status_code == 422
    assert login(client, password=NEW_PASSWORD).status_code == 302


def test_reset_code_goes_by_whatsapp_without_an_email(app, client, make_account):
    make_account(username="budi", phone="+6281299998888")
    assert ask_reset(client, username="budi").status_code == 302
    code, text = newest_outbox_code(app)
    assert text.startswith("To: +6281299998888") and "budi" in text
    assert send_code(client, code).status_code == 302


def test_reset_does_not_reveal_whether_a_username_exists(app, client, siti):
    known, unknown = app.test_client(), app.test_client()
    answers = [ask_reset(known, "siti"), ask_reset(unknown, "bukan.siapa.siapa")]
    assert [r.headers["Location"] for r in answers] == ["/lupa-sandi/kode"] * 2
    pages = [CSRF_VALUE.sub("", c.get("/lupa-sandi/kode").get_data(as_text=True)) for c in (known, unknown)]
    assert pages[0].replace("siti", "X") == pages[1].replace("bukan.siapa.siapa", "X")
    assert len(os.listdir(app.config["OUTBOX_DIR"])) == 1  # only the real account got a message
    wrong = [send_code(c, "000000").get_data(as_text=True) for c in (known, unknown)]
    assert all("Kode salah. Sisa percobaan: 4." in text for text in wrong)
    again = [ask_reset(c, name) for c, name in ((known, "siti"), (unknown, "bukan.siapa.siapa"))]
    notes = [c.get("/lupa-sandi/kode").get_data(as_text=True) for c in (known, unknown)]
    assert all(r.status_code == 302 for r in again) and all("dapat diminta lagi" in note for note in notes)


def test_reset_with_a_wrong_code_changes_nothing(app, client, siti):
    ask_reset(client)
    code, _ = newest_outbox_code(app)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = send_code(client, wrong)
    assert response.status_code == 422 and "Kode salah" in response.get_data(as_text=True)
    assert verify_password(stored(app).password_hash, PASSWORD)


@pytest.mark.parametrize("password, again, message", [
    ("pendek", None, "paling sedikit 8 karakter"),
    ("pendek", "lain", "paling sedikit 8 karakter"),  # the policy speaks first
    ("semuakecil#2026", None, "huruf besar"),
    ("TanpaSimbol2026", None, "simbol"),
    ("Tanpa#Angka", None, "angka"),
    (NEW_PASSWORD, "Lain!Sandi2027", "Ulangan kata sandi tidak sama"),
])
def test_reset_refuses_a_weak_new_password_and_keeps_the_code(app, client, siti, password, again, message):
    ask_reset(client)
    code, _ = newest_outbox_code(app)
    response = send_code(client, code, password=password, again=again)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text
    assert f'value="{code}"' in text  # the untried code stays in the form
    assert verify_password(stored(app).password_hash, PASSWORD)
    assert send_code(client, code).status_code == 302  # the code was not used up by the refused password


def test_reset_needs_the_image_code(app, client, siti):
    response = ask_reset(client, answer="SALAH")
    assert response.status_code == 422 and "Kode gambar salah" in response.get_data(as_text=True)
    assert not os.path.exists(app.config["OUTBOX_DIR"]) or not os.listdir(app.config["OUTBOX_DIR"])


def test_code_page_without_a_request_goes_back(client):
    assert client.get("/lupa-sandi/kode").headers["Location"] == "/lupa-sandi"


# --- roles -------------------------------------------------------------------------------------------------

@pytest.fixture
def officer_route(app):
    app.add_url_rule("/uji/petugas", "uji_petugas", require_role("verifikator", "kepala")(lambda: "khusus petugas"))
    app.add_url_rule("/uji/masuk", "uji_masuk", require_role()(lambda: "siapa saja yang masuk"))


@pytest.mark.parametrize("role, status", [(None, 302), ("pemohon", 403), ("admin", 403), ("verifikator", 200),
                                          ("kepala", 200)])
def test_require_role(client, make_account, officer_route, role, status):
    if role:
        make_account(username=f"{role}.uji", roles=(role,))
        login(client, username=f"{role}.uji")
    response = client.get("/uji/petugas?antrian=1")
    assert response.status_code == status
    if role is None:
        assert response.headers["Location"] == "/masuk?next=/uji/petugas?antrian%3D1"
    if status == 403:
        assert "Akses ditolak" in response.get_data(as_text=True)


def test_require_role_without_roles_needs_only_a_login(client, make_account, officer_route):
    assert client.get("/uji/masuk").status_code == 302
    make_account()
    login(client)
    assert client.get("/uji/masuk").get_data(as_text=True) == "siapa saja yang masuk"


def test_require_role_rejects_unknown_roles():
    with pytest.raises(ValueError):
        require_role("superuser")


# --- create_account ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"username": "SITI"}, "Nama pengguna ini sudah dipakai"),
    ({"nik": "3201014501900001"}, "NIK ini sudah terdaftar"),
    ({"phone": "+6281234567890"}, "Nomor telepon ini sudah terdaftar"),
])
def test_duplicates_get_a_clear_message(app, siti, changes, message):
    values = {"username": "lain", "nik": "3201010101900002", "phone": "+6281111111111", **changes}
    with app.app_context(), pytest.raises(DuplicateAccount, match=message):
        create_account(values.pop("username"), PASSWORD, "Orang Lain", ["pemohon"], **values)
    with app.app_context():
        assert Account.objects.count() == 1


@pytest.mark.parametrize("username, password, name, roles, message", [
    ("si", PASSWORD, "Siti", ["pemohon"], "Nama pengguna 3–40"),
    ("siti aminah", PASSWORD, "Siti", ["pemohon"], "Nama pengguna 3–40"),
    (".siti", PASSWORD, "Siti", ["pemohon"], "Nama pengguna 3–40"),
    ("siti", "lemah", "Siti", ["pemohon"], "Kata sandi harus memuat"),
    ("siti", PASSWORD, "  ", ["pemohon"], "Nama wajib diisi"),
    ("siti", PASSWORD, "Siti", ["raja"], "Peran tidak dikenal: raja"),
    ("siti", PASSWORD, "Siti", [], "Peran tidak dikenal"),
])
def test_create_account_checks_its_values(app, username, password, name, roles, message):
    with app.app_context(), pytest.raises(AccountError, match=message):
        create_account(username, password, name, roles)


def test_create_account_stores_lower_case_and_a_hash(app, make_account):
    account = make_account(username="Siti.Aminah", email="", phone="", nik="")
    assert account.username == "siti.aminah" and account.password_hash.startswith("$argon2id$")
    assert account.email is None and account.nik is None  # empty values stay out of the unique indexes
    make_account(username="budi", email="", phone="", nik="")


# --- CLI ---------------------------------------------------------------------------------------------------

def test_cli_create_user_from_stdin(app):
    result = app.test_cli_runner().invoke(args=["create-user", "--role", "admin", "--role", "verifikator",
                                                "--username", "Admin.Kantor", "--name", "Admin Kantor",
                                                "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Akun dibuat: admin.kantor (admin, verifikator)" in result.output
    account = stored(app, "admin.kantor")
    assert account.roles == ["admin", "verifikator"] and verify_password(account.password_hash, PASSWORD)


def test_cli_create_user_prompts_twice_without_echo(app):
    result = app.test_cli_runner().invoke(args=["create-user", "--role", "kepala", "--username", "kepala",
                                                "--name", "Kepala Dinas"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "Ulangi kata sandi" in result.output
    assert stored(app, "kepala").roles == ["kepala"]


@pytest.mark.parametrize("args, password, message", [
    (["--role", "admin", "--username", "admin2"], "lemah", "Kata sandi harus memuat"),
    (["--role", "admin", "--username", "siti"], PASSWORD, "Nama pengguna ini sudah dipakai"),
    (["--role", "raja", "--username", "raja"], PASSWORD, "Invalid value for '--role'"),
])
def test_cli_create_user_refuses_bad_input(app, siti, args, password, message):
    result = app.test_cli_runner().invoke(args=["create-user", "--name", "X", "--password-stdin", *args],
                                          input=password + "\n")
    assert result.exit_code != 0 and message in result.output


# --- demo accounts -----------------------------------------------------------------------------------------

def test_demo_accounts_on_a_fresh_embedded_store_only(make_app, tmp_path):
    demo_file = tmp_path / "instance" / "demo-accounts.txt"
    settings = {"STORE": "embedded", "DATA_DIR": str(tmp_path / "embedded"), "DEMO_ACCOUNTS_FILE": str(demo_file),
                "MONGODB_DB": "loket"}  # both starts open the same database (under MONGODB_URI each app gets its own)
    first = make_app(**settings)
    created = first.extensions["loket.demo_accounts"]
    assert [(username, role) for username, role, _ in created] == [(f"{role}.demo", role) for role in ROLES]
    assert oct(demo_file.stat().st_mode & 0o777) == "0o600"
    lines = [line.split("\t") for line in demo_file.read_text().splitlines() if not line.startswith("#")]
    assert lines == [list(entry) for entry in created]
    with first.app_context():
        for username, role, password in created:
            assert authenticate(username, password).roles == [role]
    close_store(first)

    again = make_app(**settings)  # second start: nothing new
    assert again.extensions["loket.demo_accounts"] == []
    with again.app_context():
        assert Account.objects.count() == len(ROLES)
    close_store(again)


def test_no_demo_accounts_on_the_test_store(app):
    assert app.extensions["loket.demo_accounts"] == []
    with app.app_context():
        assert Account.objects.count() == 0


# --- beranda and profil ------------------------------------------------------------------------------------

def test_beranda_needs_a_login(client):
    response = client.get("/beranda")
    assert response.status_code == 302 and response.headers["Location"] == "/masuk?next=/beranda"


def test_beranda_empty_state_offers_a_new_application(app, client, siti):
    login(client)
    text = client.get("/beranda").get_data(as_text=True)
    with app.app_context():
        from forms.catalog.runtime import schemas
        expected = "/formulir/permohonan-baru" if schemas().get("permohonan-baru") else "/"
    assert "Anda belum mempunyai permohonan." in text
    assert f'<a class="button primary" href="{expected}">Permohonan Baru</a>' in text


def test_beranda_lists_the_applicants_submissions_only(app, client, siti, make_account):
    other = make_account(username="budi")
    with app.app_context():
        from forms.catalog.runtime import schemas
        demo = schemas().get("demo")
        create_submission("demo", demo.version, f"account:{siti.id}")
        create_submission("demo", demo.version, f"account:{other.id}")
    login(client)
    text = client.get("/beranda").get_data(as_text=True)
    assert text.count("Formulir Contoh") == 1 and "Draf" in text and "Lanjutkan" in text
    assert "Anda belum mempunyai permohonan." not in text


def test_profil_shows_registered_data_with_the_nik_masked(client, siti):
    login(client)
    text = client.get("/profil").get_data(as_text=True)
    assert "************0001" in text and "3201014501900001" not in text
    for expected in ("Siti Aminah", "siti", "siti@contoh.id", "+62 812-3456-7890", "Tempat lahir", "Bogor",
                     "Jl. Melati No. 1", "Pemohon"):
        assert expected in text, expected
