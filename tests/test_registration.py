"""Pendaftaran Hak Akses: the registration form over HTTP, codes by e-mail (real SMTP) and WhatsApp."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest

from forms.identity.passwords import verify_password
from forms.store import Account, Code, Submission
from tests.helpers import (
    AKUN,
    ANSWER,
    FORMULIR,
    PELAKU,
    WizardClient,
    code_of,
    login,
    token,
    village_code,
)


@pytest.fixture
def village():
    """A real village code of the chosen district."""
    return village_code()


def register_until_code(client, village, **changes) -> WizardClient:
    wizard = WizardClient(client, "pendaftaran").start()
    assert wizard.fill("skala_usaha", {"skala_usaha": "umk"}).status_code == 302
    assert wizard.fill("jenis_pelaku", {"jenis_pelaku": "perseorangan"}).status_code == 302
    response = wizard.fill("formulir", dict(FORMULIR, desa=village, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:4000]
    return wizard


def last_mail_code(handler) -> str:
    message = email.message_from_bytes(handler.envelopes[-1].content, policy=email.policy.default)
    return re.search(r"\b(\d{6})\b", message.get_body(("plain",)).get_content()).group(1)


def finish(wizard, code: str):
    assert wizard.fill("verifikasi", {"kode": code}).status_code == 302
    assert wizard.fill("akun", AKUN).status_code == 302
    assert wizard.fill("data_pelaku_usaha", PELAKU).status_code == 302
    page = wizard.client.get(wizard.url() + "/periksa")
    return wizard.client.post(wizard.url() + "/kirim", data={"csrf_token": token(page),
                                                             "_version": wizard.submission().version})


def test_registration_with_the_email_channel(make_app, smtp_server, village):
    controller, handler = smtp_server
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(controller.port))
    client = app.test_client()
    wizard = register_until_code(client, village)
    page = client.get(wizard.url("verifikasi")).get_data(as_text=True)
    assert "Kode verifikasi dikirim ke si***@contoh.id" in page
    assert handler.envelopes[-1].rcpt_tos == ["siti@contoh.id"]
    done = finish(wizard, last_mail_code(handler))
    assert done.status_code == 302
    status = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Pendaftaran Berhasil" in status and 'href="/masuk"' in status

    account = Account.objects.get(username="siti.aminah")
    assert (account.nik, account.phone, account.email, account.roles) == (
        "3201014501900001", "+6281234567890", "siti@contoh.id", ["pemohon"])
    assert verify_password(account.password_hash, "Rahasia#2026")
    assert account.profile["kecamatan"] == "32.01.01" and "kata_sandi" not in account.profile
    submission = wizard.submission()
    assert submission.status == "terdaftar" and "kata_sandi" not in submission.answers["akun"]

    welcome = email.message_from_bytes(handler.envelopes[-1].content, policy=email.policy.default)
    body = welcome.get_body(("plain",)).get_content()
    assert welcome["Subject"].startswith("Pendaftaran hak akses") and "siti.aminah" in body
    assert "Rahasia#2026" not in body  # passwords are never mailed


def test_registration_with_the_whatsapp_channel(make_app, gateway, village):
    app = make_app(WHATSAPP_URL=gateway.url, WHATSAPP_TOKEN="token-uji")
    client = app.test_client()
    wizard = register_until_code(client, village, kanal="whatsapp")
    client.get(wizard.url("verifikasi"))
    sent = parse_qs(gateway.requests[-1]["body"].decode())
    assert sent["target"] == ["6281234567890"] and gateway.requests[-1]["headers"]["Authorization"] == "token-uji"
    code = re.search(r"\b(\d{6})\b", sent["message"][0]).group(1)
    assert finish(wizard, code).status_code == 302
    assert Account.objects(username="siti.aminah").count() == 1


def test_messages_go_to_the_outbox_when_no_channel_is_configured(app, client, village):
    from pathlib import Path
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    files = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1 and "siti@contoh.id" in files[0].read_text()


@pytest.mark.parametrize("changes, field, message", [
    ({"nik": "320101450190001"}, "nik", "NIK harus 16 digit"),
    ({"nik": "9999994501900001"}, "nik", "tidak dikenal"),
    ({"tanggal_lahir": "1990-01-06"}, "tanggal_lahir", "tidak sesuai dengan NIK"),
    ({"jenis_kelamin": "L"}, "tanggal_lahir", "tidak sesuai dengan NIK"),
    ({"kecamatan": "11.01.01"}, "kecamatan", "Pilih salah satu"),
    ({"telepon": "021-555-1234"}, "telepon", "Nomor HP Indonesia tidak valid"),
])
def test_bad_registration_data_is_refused_with_a_message(client, village, changes, field, message):
    wizard = WizardClient(client, "pendaftaran").start()
    wizard.fill("skala_usaha", {"skala_usaha": "umk"})
    wizard.fill("jenis_pelaku", {"jenis_pelaku": "perseorangan"})
    response = wizard.fill("formulir", dict(FORMULIR, desa=village, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="e-{field}">[^<]*{re.escape(message)}', page), page[:3000]
    assert "formulir" not in wizard.submission().answers


@pytest.mark.parametrize("step, values, message", [
    ("skala_usaha", {"skala_usaha": "non_umk"}, "hanya untuk UMK"),
])
def test_non_umk_is_explained_and_stopped(client, step, values, message):
    wizard = WizardClient(client, "pendaftaran").start()
    response = wizard.fill(step, values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_other_business_kinds_are_not_served_here(client):
    wizard = WizardClient(client, "pendaftaran").start()
    wizard.fill("skala_usaha", {"skala_usaha": "umk"})
    response = wizard.fill("jenis_pelaku", {"jenis_pelaku": "badan_usaha"})
    assert response.status_code == 422 and "hanya untuk UMK orang perseorangan" in response.get_data(as_text=True)


def make_existing_account():
    Account(username="lama", password_hash="x", name="Lama", nik="3201014501900001", phone="+6281234567890").save()


@pytest.mark.parametrize("changes, field, message", [
    ({}, "nik", "NIK ini sudah terdaftar"),
    ({"nik": "3201010501900002", "jenis_kelamin": "L"}, "telepon", "Nomor HP ini sudah terdaftar"),
])
def test_duplicate_nik_or_phone_gets_a_clear_message(client, village, changes, field, message):
    make_existing_account()
    wizard = WizardClient(client, "pendaftaran").start()
    wizard.fill("skala_usaha", {"skala_usaha": "umk"})
    wizard.fill("jenis_pelaku", {"jenis_pelaku": "perseorangan"})
    response = wizard.fill("formulir", dict(FORMULIR, desa=village, **changes))
    assert response.status_code == 422
    assert re.search(rf'id="e-{field}">[^<]*{message}', response.get_data(as_text=True))
    assert Account.objects.count() == 1


def test_sixth_wrong_code_is_refused_even_when_right(app, client, village):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    right = code_of(app)
    wrong = "000000" if right != "000000" else "111111"
    messages = [re.search(r'id="e-kode">([^<]*)', wizard.fill("verifikasi", {"kode": wrong}).get_data(as_text=True)).group(1)
                for _ in range(5)]
    assert messages[0] == "Kode salah. Sisa percobaan: 4." and messages[-1] == "Sudah 5 kali salah. Minta kode baru."
    sixth = wizard.fill("verifikasi", {"kode": right})
    assert sixth.status_code == 422 and "Minta kode baru" in sixth.get_data(as_text=True)
    assert "verifikasi" not in wizard.submission().answers


def test_expired_code_is_refused(app, client, village):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    Code.objects.update(dec__expires_at=None) if False else None
    for code in Code.objects:
        code.update(set__expires_at=code.created_at - timedelta(seconds=1))
    response = wizard.fill("verifikasi", {"kode": code_of(app)})
    assert response.status_code == 422 and "kedaluwarsa" in response.get_data(as_text=True)


def test_resend_is_throttled_and_a_new_code_replaces_the_old(app, client, village):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    first = code_of(app)
    page = client.get(wizard.url("verifikasi"))
    again = client.post(wizard.url("verifikasi"), data={"csrf_token": token(page), "_version": wizard.submission().version,
                                                        "_action": "kirim-ulang:kode"}, follow_redirects=True)
    assert "Kode baru dapat diminta lagi dalam" in again.get_data(as_text=True)
    for code in Code.objects:
        code.update(set__created_at=code.created_at - timedelta(minutes=2))
    page = client.get(wizard.url("verifikasi"))
    client.post(wizard.url("verifikasi"), data={"csrf_token": token(page), "_version": wizard.submission().version,
                                                "_action": "kirim-ulang:kode"})
    second = code_of(app)
    assert Code.objects.count() == 1
    if first != second:
        assert wizard.fill("verifikasi", {"kode": first}).status_code == 422
    assert wizard.fill("verifikasi", {"kode": second}).status_code == 302


def test_changing_the_address_after_verifying_asks_for_a_new_code(app, client, village):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    wizard.fill("verifikasi", {"kode": code_of(app)})
    assert wizard.submission().answers["verifikasi"]["kode"] == "siti@contoh.id"
    wizard.fill("formulir", dict(FORMULIR, desa=village, email="baru@contoh.id"))
    assert "kode" not in wizard.submission().answers.get("verifikasi", {})
    assert client.get(wizard.url()).headers["Location"].endswith("/langkah/verifikasi")


@pytest.mark.parametrize("password, confirm, message", [
    ("rahasia2026", "rahasia2026", "huruf besar"),
    ("Rahasia2026", "Rahasia2026", "simbol"),
    ("Rahasia#2026", "Rahasia#2027", "tidak sama"),
])
def test_weak_or_mismatched_password_is_refused(app, client, village, password, confirm, message):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    wizard.fill("verifikasi", {"kode": code_of(app)})
    response = wizard.fill("akun", dict(AKUN, kata_sandi=password, **{"kata_sandi-ulang": confirm}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert password not in page  # never echoed back
    assert "akun" not in wizard.submission().answers


def test_missing_csrf_changes_nothing(client, village):
    wizard = WizardClient(client, "pendaftaran").start()
    response = client.post(wizard.url("skala_usaha"), data={"_version": "1", "_action": "next", "skala_usaha": "umk"})
    assert response.status_code == 400 and wizard.submission().answers == {}


def test_username_taken_between_steps_is_refused_at_submit(app, client, village):
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    wizard.fill("verifikasi", {"kode": code_of(app)})
    wizard.fill("akun", AKUN)
    wizard.fill("data_pelaku_usaha", PELAKU)
    Account(username="siti.aminah", password_hash="x", name="Orang lain").save()
    page = client.get(wizard.url() + "/periksa")
    response = client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": wizard.submission().version},
                           follow_redirects=True)
    assert "Nama pengguna sudah dipakai" in response.get_data(as_text=True)
    assert Submission.objects.get(id=wizard.submission_id).status == "draft" and Account.objects.count() == 1


def test_registered_applicant_signs_in_and_out(make_app, smtp_server, village):
    controller, handler = smtp_server
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(controller.port), CAPTCHA_TEST_ANSWER=ANSWER)
    client = app.test_client()
    wizard = register_until_code(client, village)
    client.get(wizard.url("verifikasi"))
    assert finish(wizard, last_mail_code(handler)).status_code == 302
    signed = login(client, username="siti.aminah", password="Rahasia#2026")
    assert signed.status_code == 302 and signed.headers["Location"] == "/beranda"
    home = client.get("/beranda")
    assert home.status_code == 200 and "Siti Aminah" in home.get_data(as_text=True)
    profile = client.get("/profil").get_data(as_text=True)
    assert "siti.aminah" in profile and "siti@contoh.id" in profile
    page = client.get("/beranda")
    assert client.post("/keluar", data={"csrf_token": token(page)}).status_code == 302
    assert client.get("/beranda").status_code == 302  # signed out: sent to the login page again
