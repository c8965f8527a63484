"""The next step shown to an applicant comes from the workflow's state, in every state including finished ones:
/beranda, the status page, the document page and the messages all say what the state declares, and nothing
a different state declares. Also the messages when documents are first issued and when sent for verification."""
from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from forms.catalog.runtime import workflows
from forms.store import IssuedDocument
from tests.helpers import ANSWER, PDF, REQUIREMENTS_11052, issued, token

IZIN_REQUIREMENTS = ("str_sip_penanggung_jawab", "daftar_tenaga_atlm", "daftar_peralatan", "kerja_sama_limbah_medis",
                     "denah_tata_letak", "dokumen_sppl")
CODES = {"11052": REQUIREMENTS_11052, "86903": IZIN_REQUIREMENTS}

# How to reach each state from an issued document: (KBLI code, steps), a step being "fulfil", "accept", "deemed"
# or (person, action, note).
ROUTES = {
    "belum_terverifikasi": ("11052", []),
    "menunggu_verifikasi": ("11052", ["fulfil"]),
    "perlu_perbaikan": ("11052", ["fulfil", "reject", ("vera", "minta_perbaikan", "Foto kurang jelas")]),
    "terverifikasi": ("11052", ["fulfil", "accept", ("vera", "verifikasi", "")]),
    "ditolak": ("11052", ["fulfil", ("vera", "tolak", "Kegiatan tidak sesuai")]),
    "disetujui_otomatis": ("11052", ["fulfil", "deemed"]),
    "menunggu_persetujuan": ("86903", []),
    "menunggu_persetujuan_kepala": ("86903", ["fulfil", "accept", ("vera", "rekomendasikan", "")]),
    "izin_terbit": ("86903", ["fulfil", "accept", ("vera", "rekomendasikan", ""), ("kepala", "setujui", "")]),
}


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def act(client, document, action, note="", officer=True):
    """Take a workflow action from the document's page."""
    path = f"/petugas/dokumen/{document.id}" if officer else f"/dokumen/{document.id}"
    page = client.get(path)
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True))
    data = {"csrf_token": token(page), "catatan": note, "_version": version.group(1) if version else ""}
    assert client.post(f"{path}/aksi/{action}", data=data).status_code == 302


def judge_all(client, document, verdict):
    """The officer's verdict on every requirement."""
    for code in CODES[document.key]:
        page = client.get(f"/petugas/dokumen/{document.id}")
        assert client.post(f"/petugas/dokumen/{document.id}/putusan/{code}", data={
            "csrf_token": token(page), "putusan": verdict, "alasan": "" if verdict == "diterima" else "Kurang jelas"
        }).status_code == 302


def fulfil(client, document):
    """Upload every requirement and ask for verification, as the applicant."""
    for code in CODES[document.key]:
        page = client.get(f"/dokumen/{document.id}")
        assert client.post(f"/dokumen/{document.id}/unggah/{code}", content_type="multipart/form-data", data={
            "csrf_token": token(page), "berkas": (io.BytesIO(PDF), "berkas.pdf")}).status_code == 302
    act(client, document, "ajukan_verifikasi", officer=False)


def document_in(app, people, state: str) -> IssuedDocument:
    """Siti's document, walked over HTTP (and the deadline watcher) into `state`."""
    code, steps = ROUTES[state]
    document = issued(people["siti"], code)
    for step in steps:
        if step == "fulfil":
            fulfil(people["siti"], document)
        elif step in ("accept", "reject"):
            judge_all(people["vera"], document, "diterima" if step == "accept" else "ditolak")
        elif step == "deemed":
            from forms.casework.transitions import deemed_approvals
            document.reload()
            with app.app_context():
                assert deemed_approvals(now=document.sla["due_at"] + timedelta(minutes=1)) == [document.number]
        else:
            person, action, note = step
            act(people[person], document, action, note)
    document.reload()
    assert document.status == state
    return document


def outbox_texts(app) -> list[str]:
    """The plain text (subject and body) of every e-mail in the outbox, oldest first."""
    texts = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        texts.append(f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}")
    return texts


@pytest.mark.parametrize("state", ROUTES)
def test_next_step_follows_the_workflow_state(app, people, state):
    document = document_in(app, people, state)
    with app.app_context():
        declared = {name: s.guidance for name, s in workflows()[document.kind].states.items()}
    expected = declared[state]["applicant"]["id"]
    others = {g["applicant"]["id"] for name, g in declared.items() if name != state}
    home = people["siti"].get("/beranda").get_data(as_text=True)
    status = people["siti"].get(f"/isian/{document.submission_id}/status").get_data(as_text=True)
    page = people["siti"].get(f"/dokumen/{document.id}").get_data(as_text=True)
    for html in (home, status, page):
        assert expected in html
        assert not [text for text in others if text in html]
    link = {"dokumen": f'href="/dokumen/{document.id}"', "unduh": f'href="/dokumen/{document.number}.pdf"'}
    assert link[declared[state]["go"]["to"]] in home.split(f'data-state="{state}"', 1)[1].split("</div>", 1)[0]
    assert "Pemenuhan Persyaratan, agar dapat diverifikasi" not in home  # the old fixed sentence is gone


def test_guidance_is_english_in_english(app, people):
    document = document_in(app, people, "belum_terverifikasi")
    people["siti"].set_cookie("lang", "en")
    with app.app_context():
        guidance = workflows()[document.kind].states["belum_terverifikasi"].guidance
    home = people["siti"].get("/beranda").get_data(as_text=True)
    assert guidance["applicant"]["en"] in home and guidance["applicant"]["id"] not in home
    assert "Medium-high" in home and "Menengah Tinggi" not in home


def test_issue_and_send_for_verification_are_messaged_with_the_next_step(app, people):
    document = issued(people["siti"])
    with app.app_context():
        states = workflows()[document.kind].states
    issued_mail = next(text for text in outbox_texts(app) if "Dokumen perizinan terbit" in text)
    assert document.number in issued_mail and states["belum_terverifikasi"].guidance["applicant"]["id"] in issued_mail
    assert "/beranda" in issued_mail
    fulfil(people["siti"], document)
    newest = outbox_texts(app)[-1]
    assert f"Status {document.number}: Menunggu verifikasi" in newest
    assert states["menunggu_verifikasi"].guidance["applicant"]["id"] in newest
    whatsapp = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.txt"))
    assert any(document.number in path.read_text() and "Menunggu verifikasi" in path.read_text() for path in whatsapp)


def test_a_refused_send_for_verification_messages_nobody(app, people):
    document = issued(people["siti"])
    before = len(outbox_texts(app))
    page = people["siti"].get(f"/dokumen/{document.id}")
    refused = people["siti"].post(f"/dokumen/{document.id}/aksi/ajukan_verifikasi", data={
        "csrf_token": token(page), "catatan": "", "_version": str(document.version)})
    assert "Unggah dulu persyaratan wajib" in people["siti"].get(refused.headers["Location"]).get_data(as_text=True)
    document.reload()
    assert document.status == "belum_terverifikasi" and len(outbox_texts(app)) == before
