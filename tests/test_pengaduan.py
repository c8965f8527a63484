"""Complaints: filing anonymously or with a contact, the officer's answer, following by number + access code."""
from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from forms.identity.accounts import create_account
from forms.office.tickets import CODE_HASH, hash_code, new_access_code
from forms.store import find_submission
from tests.helpers import (
    ANSWER,
    COMPLAINT,
    COMPLAINT_ATTACHMENT,
    PASSWORD,
    WizardClient,
    file_complaint,
    login,
    token,
)


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, TRACK_RATE_LIMIT="1000/minute")


@pytest.fixture
def officer(app):
    with app.app_context():
        return create_account("budi", PASSWORD, "Budi Santoso", ["verifikator"])


def follow(client, number: str, code: str):
    page = client.get("/pengaduan/ikuti")
    return client.post("/pengaduan/ikuti", data={"csrf_token": token(page), "nomor": number, "kode": code})


def reply(client, ticket_id: str, text: str, status: str, version: int | None = None):
    page = client.get(f"/petugas/pengaduan/{ticket_id}")
    version = version if version is not None else re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    return client.post(f"/petugas/pengaduan/{ticket_id}",
                       data={"csrf_token": token(page), "_version": version, "jawaban": text, "status": status})


def outbox(app) -> list[Path]:
    return sorted(Path(app.config["OUTBOX_DIR"]).glob("*"))


def test_anonymous_complaint_answered_by_an_officer_and_read_by_number(app, officer):
    reporter = app.test_client()
    ticket_id, number, code = file_complaint(reporter, {"identitas": "anonim"}, attachment=True)
    with app.app_context():
        ticket = find_submission(ticket_id)
        assert ticket.status == "diterima" and ticket.answers["aduan"]["nomor_permohonan"] == "PB-2026-000001"
        assert ticket.derived[CODE_HASH] == hash_code(code) and code not in str(ticket.to_mongo())

    desk = app.test_client()
    assert login(desk, "budi").status_code == 302
    queue = desk.get("/petugas/pengaduan").get_data(as_text=True)
    assert number in queue and "Anonim" in queue and "Waktu penyelesaian" in queue
    page = desk.get(f"/petugas/pengaduan/{ticket_id}").get_data(as_text=True)
    assert "belum diverifikasi setelah dua minggu" in page and "bukti.pdf" in page
    file_id = re.search(rf"/petugas/pengaduan/{ticket_id}/berkas/(\w+)", page).group(1)
    assert desk.get(f"/petugas/pengaduan/{ticket_id}/berkas/{file_id}").data == COMPLAINT_ATTACHMENT
    assert reporter.get(f"/petugas/pengaduan/{ticket_id}/berkas/{file_id}").status_code == 302  # not an officer

    answered = reply(desk, ticket_id, "Berkas Anda sudah kami teruskan ke verifikator; mohon tunggu 2 hari kerja.", "diproses")
    assert answered.status_code == 302
    after = desk.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Pelapor anonim" in after and "Budi Santoso" in after
    assert outbox(app) == []  # anonymous: nothing to send

    seen = follow(app.test_client(), number.lower(), code.lower().replace("-", ""))
    text = seen.get_data(as_text=True)
    assert seen.status_code == 200 and "Diproses" in text and "mohon tunggu 2 hari kerja" in text
    assert "Budi" not in text  # officers stay unnamed to the public
    assert reply(desk, ticket_id, "", "selesai").status_code == 302
    assert "Selesai" in follow(app.test_client(), number, code).get_data(as_text=True)
    assert "Pengaduan ini sudah ditutup" in desk.get(f"/petugas/pengaduan/{ticket_id}").get_data(as_text=True)


@pytest.mark.parametrize("contact, channel, address", [
    ({"identitas": "kontak", "nama": "Siti", "kanal": "email", "email": "siti@contoh.id"}, "email", "siti@contoh.id"),
    ({"identitas": "kontak", "kanal": "whatsapp", "whatsapp": "0812-3456-7890"}, "whatsapp", "+6281234567890"),
])
def test_reply_is_delivered_to_the_reporters_channel(app, officer, contact, channel, address):
    ticket_id, number, _code = file_complaint(app.test_client(), contact)
    desk = app.test_client()
    login(desk, "budi")
    response = reply(desk, ticket_id, "Terima kasih, sudah kami tindak lanjuti.", "selesai")
    flashed = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jawaban dikirim ke pelapor melalui" in flashed
    [sent] = outbox(app)
    raw = sent.read_bytes()
    if channel == "email":
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["To"] == address and number in message["Subject"]
        body = message.get_body(("plain",)).get_content()
    else:
        body = raw.decode()
        assert body.startswith(f"To: {address}")
    assert "Terima kasih, sudah kami tindak lanjuti." in body and "Status: Selesai" in body and "/pengaduan/ikuti" in body


def test_wrong_code_or_number_reveals_nothing(app):
    _ticket_id, number, code = file_complaint(app.test_client(), {"identitas": "anonim"})
    client = app.test_client()
    wrong = new_access_code(8)
    response = follow(client, number, wrong if wrong != code else "AAAA-AAAA")
    assert response.status_code == 404 and "belum diverifikasi" not in response.get_data(as_text=True)
    assert follow(client, "ADU-2026-999999", code).status_code == 404
    assert follow(client, "x", "").status_code == 422


def test_status_moves_follow_the_table(app, officer):
    ticket_id, _number, _code = file_complaint(app.test_client(), {"identitas": "anonim"})
    desk = app.test_client()
    login(desk, "budi")
    nothing = reply(desk, ticket_id, "  ", "diterima")
    assert "Tulis jawaban atau pilih status baru." in desk.get(nothing.headers["Location"]).get_data(as_text=True)
    assert reply(desk, ticket_id, "Selesai diperiksa.", "selesai").status_code == 302
    refused = reply(desk, ticket_id, "Dibuka lagi", "diproses", version=99)
    assert refused.status_code == 409
    with app.app_context():
        ticket = find_submission(ticket_id)
        version = ticket.version
        assert ticket.status == "selesai" and [e["action"] for e in ticket.history] == ["submit", "jawab"]
    moved = reply(desk, ticket_id, "Dibuka lagi", "diproses", version=version)
    assert "tidak dapat diubah" in desk.get(moved.headers["Location"]).get_data(as_text=True)


def test_queue_is_for_officers_only(app, officer):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti", ["pemohon"])
    client = app.test_client()
    assert client.get("/petugas/pengaduan").headers["Location"].startswith("/masuk")
    login(client, "siti")
    assert client.get("/petugas/pengaduan").status_code == 403
    desk = app.test_client()
    login(desk, "budi")
    page = desk.get("/petugas/pengaduan?status=selesai")
    assert page.status_code == 200 and "Tidak ada pengaduan pada status ini." in page.get_data(as_text=True)
    assert desk.get("/petugas/pengaduan?status=hilang").status_code == 404
    assert desk.get("/petugas/pengaduan/65f000000000000000000001").status_code == 404


def test_complaint_page_lists_the_other_channels(client):
    page = client.get("/pengaduan").get_data(as_text=True)
    assert 'href="https://www.lapor.go.id/"' in page and "SP4N-LAPOR!" in page
    assert "0812-7646-0487" in page and "mailto:dpmptsp@kamparkab.go.id" in page
    assert 'href="/formulir/pengaduan"' in page and 'href="/pengaduan/ikuti"' in page


def test_contact_is_required_only_when_chosen(app):
    wizard = WizardClient(app.test_client(), "pengaduan").start()
    wizard.fill("aduan", COMPLAINT)
    refused = wizard.fill("kontak", {"identitas": "kontak", "kanal": "email"})
    assert refused.status_code == 422 and 'id="e-email"' in refused.get_data(as_text=True)
    assert wizard.fill("kontak", {"identitas": "anonim", "kanal": "email"}).status_code == 302
    assert "kanal" not in wizard.submission().answers["kontak"]
