"""Pemenuhan Persyaratan and the back office over HTTP: uploads, verdicts, workflow actions, SLA, deemed approval,
races, access, the audit chain."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from forms.casework.audit import verify_chain
from forms.store import AuditEntry, IssuedDocument, utcnow
from tests.helpers import (
    ANSWER,
    NIK,
    PDF,
    REQUIREMENTS_11052,
    issued,
    pdf_of_size,
    pin_clock,
    token,
    wib,
)


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def upload(client, document, code, content=PDF, name="berkas.pdf"):
    page = client.get(f"/dokumen/{document.id}")
    return client.post(f"/dokumen/{document.id}/unggah/{code}", data={"csrf_token": token(page),
                                                                       "berkas": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def act(client, document, action, note="", officer=True):
    path = f"/petugas/dokumen/{document.id}" if officer else f"/dokumen/{document.id}"
    page = client.get(path)
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True))
    data = {"csrf_token": token(page), "catatan": note, "_version": version.group(1) if version else ""}
    prefix = "/petugas/dokumen" if officer else "/dokumen"
    return client.post(f"{prefix}/{document.id}/aksi/{action}", data=data)


def judge(client, document, code, verdict="diterima", reason=""):
    page = client.get(f"/petugas/dokumen/{document.id}")
    return client.post(f"/petugas/dokumen/{document.id}/putusan/{code}",
                       data={"csrf_token": token(page), "putusan": verdict, "alasan": reason})


def fulfil(client, document, codes=REQUIREMENTS_11052):
    for code in codes:
        assert upload(client, document, code).status_code == 302
    assert act(client, document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    assert document.status == "menunggu_verifikasi"
    return document


def test_mt_from_issued_unverified_to_verified(app, people):
    document = issued(people["siti"])
    assert document.status == "belum_terverifikasi"
    refused = act(people["siti"], document, "ajukan_verifikasi", officer=False)  # nothing uploaded yet
    assert "Unggah dulu persyaratan wajib" in people["siti"].get(refused.headers["Location"]).get_data(as_text=True)
    document = fulfil(people["siti"], document)
    assert document.sla["due_at"] > utcnow()
    for code in REQUIREMENTS_11052:
        assert judge(people["vera"], document, code).status_code == 302
    assert act(people["vera"], document, "verifikasi").status_code == 302
    document.reload()
    assert document.status == "terverifikasi"
    assert [entry["to"] for entry in document.history] == ["belum_terverifikasi", "menunggu_verifikasi", "terverifikasi"]
    assert document.history[-1]["pia"] == "50"  # OSS: 50 disetujui (45 is the technical agency's verdict on the requirements)
    assert verify_chain() == []
    mails = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert any(document.number in mail.read_text() and "Terverifikasi" in mail.read_text() for mail in mails)
    page = people["siti"].get(f"/dokumen/{document.id}").get_data(as_text=True)
    assert "Terverifikasi" in page and "vera" not in page  # the applicant sees statuses, not officers' names


def test_t_to_izin_issued_through_recommendation_and_approval(people):
    document = issued(people["siti"], "86903")
    assert document.status == "menunggu_persetujuan"
    codes = ("str_sip_penanggung_jawab", "daftar_tenaga_atlm", "daftar_peralatan", "kerja_sama_limbah_medis",
             "denah_tata_letak", "dokumen_sppl")
    document = fulfil(people["siti"], document, codes)
    for code in codes:
        judge(people["vera"], document, code)
    assert act(people["vera"], document, "verifikasi").status_code == 422  # two levels: the head approves
    assert act(people["vera"], document, "rekomendasikan").status_code == 302
    assert act(people["vera"], document, "setujui").status_code == 403  # not the verifier's to approve
    assert act(people["kepala"], document, "setujui").status_code == 302
    document.reload()
    assert document.status == "izin_terbit" and document.history[-1]["pia"] == "50"


def test_correction_round_trip_pauses_the_clock(people):
    document = fulfil(people["siti"], issued(people["siti"]))
    judge(people["vera"], document, "hasil_uji_air", "ditolak", "Hasil uji sudah lebih dari 6 bulan.")
    refused = act(people["vera"], document, "minta_perbaikan")  # a note is required
    assert refused.status_code == 422 and "Tuliskan catatan" in refused.get_data(as_text=True)
    assert act(people["vera"], document, "minta_perbaikan", "Perbarui hasil uji air.").status_code == 302
    document.reload()
    assert document.status == "perlu_perbaikan" and document.sla["paused"] is True
    page = people["siti"].get(f"/dokumen/{document.id}").get_data(as_text=True)
    assert "Hasil uji sudah lebih dari 6 bulan." in page and "Perbarui hasil uji air." in page
    refused = act(people["siti"], document, "ajukan_verifikasi", officer=False)  # the rejected file must be replaced
    assert "Ganti dulu berkas yang ditolak" in people["siti"].get(refused.headers["Location"]).get_data(as_text=True)
    assert upload(people["siti"], document, "hasil_uji_air", name="uji-baru.pdf").status_code == 302
    assert act(people["siti"], document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    assert document.status == "menunggu_verifikasi" and not document.sla.get("paused")
    assert document.fulfilment["hasil_uji_air"]["verdict"] is None
    for code in REQUIREMENTS_11052:
        judge(people["vera"], document, code)
    assert act(people["vera"], document, "verifikasi").status_code == 302


def test_rejection_with_a_reason(people):
    document = fulfil(people["siti"], issued(people["siti"]))
    assert act(people["vera"], document, "tolak", "Lokasi berada di luar zona yang diizinkan.").status_code == 302
    document.reload()
    assert document.status == "ditolak" and document.history[-1]["pia"] == "90"


def test_deemed_approval_after_the_service_time(app, people):
    document = fulfil(people["siti"], issued(people["siti"]))
    with app.app_context():
        from forms.casework.transitions import deemed_approvals
        assert deemed_approvals(now=utcnow()) == []  # not yet lapsed
        later = document.sla["due_at"] + timedelta(minutes=1)
        assert deemed_approvals(now=later) == [document.number]
    document.reload()
    assert document.status == "disetujui_otomatis"
    assert (document.history[-1]["pia"], document.history[-1]["actor"]) == ("57", "sistem")


def test_sla_run_command(app, people):
    document = fulfil(people["siti"], issued(people["siti"]))
    IssuedDocument.objects(id=document.id).update_one(set__sla__due_at=utcnow() - timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["sla-run"])
    assert result.exit_code == 0 and document.number in result.output
    assert IssuedDocument.objects.get(id=document.id).status == "disetujui_otomatis"


def test_two_officers_firing_the_same_action_one_wins(people):
    document = fulfil(people["siti"], issued(people["siti"]))
    for code in REQUIREMENTS_11052:
        judge(people["vera"], document, code)
    pages = [people[name].get(f"/petugas/dokumen/{document.id}") for name in ("vera", "vino")]
    posts = []
    for name, page in zip(("vera", "vino"), pages):
        version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True)).group(1)
        posts.append(people[name].post(f"/petugas/dokumen/{document.id}/aksi/verifikasi",
                                       data={"csrf_token": token(page), "_version": version}))
    assert sorted(post.status_code for post in posts) == [302, 409]
    assert "baru saja diubah oleh orang lain" in posts[1].get_data(as_text=True)
    document.reload()
    assert [entry["to"] for entry in document.history].count("terverifikasi") == 1


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00" + b"\0" * 100, "surat.pdf", "dicek dari isinya"),
    (b"<html><script>alert(1)</script></html>", "izin.pdf", "dicek dari isinya"),
    (b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 1 - 9), "besar.pdf", "lebih dari 2,0 MB"),
    (b"", "kosong.pdf", "Berkas kosong."),
])
def test_upload_abuse_is_refused_and_nothing_stored(people, content, name, message):
    document = issued(people["siti"])
    response = upload(people["siti"], document, "hasil_uji_air", content, name)
    page = people["siti"].get(response.headers["Location"]).get_data(as_text=True)
    flashes = re.findall(r'class="flash flash-warning"[^>]*>([^<]*)<', page)
    assert any(message in flash for flash in flashes), flashes
    assert IssuedDocument.objects.get(id=document.id).fulfilment == {}


def test_exactly_two_mb_is_accepted_and_path_like_names_are_cleaned(people):
    document = issued(people["siti"])
    upload(people["siti"], document, "hasil_uji_air", pdf_of_size(2 * 1024 * 1024), "../../etc/x.pdf")
    stored = IssuedDocument.objects.get(id=document.id).fulfilment["hasil_uji_air"]["file"]
    assert stored["name"] == "x.pdf" and stored["size"] == 2 * 1024 * 1024


def test_access_is_per_object_and_per_role(people):
    document = issued(people["siti"])
    upload(people["siti"], document, "hasil_uji_air")
    assert people["budi"].get(f"/dokumen/{document.id}").status_code == 404
    assert people["budi"].get(f"/dokumen/{document.id}/berkas/hasil_uji_air").status_code == 404
    assert upload(people["budi"], document, "foto_lokasi").status_code == 404
    assert people["siti"].get("/petugas/").status_code == 403
    assert people["siti"].get(f"/petugas/dokumen/{document.id}").status_code == 403
    assert people["vera"].get(f"/dokumen/{document.id}/berkas/hasil_uji_air").status_code == 200
    anonymous = people["siti"].application.test_client()
    assert anonymous.get(f"/dokumen/{document.id}").status_code == 302


@pytest.mark.parametrize("now, overdue, shown", [
    ("2026-12-13 10:00", True, "Lewat batas waktu"),      # Sunday after a Friday 10:00 deadline: late
    ("2026-12-12 10:00", True, "Lewat batas waktu"),      # Saturday
    ("2026-12-14 10:00", True, "Lewat 1 hari kerja"),   # Monday: one working day late
    ("2026-12-11 09:59", False, "Sisa 0 hari kerja"),   # Friday a minute before
    ("2026-12-04 10:00", False, "Sisa 5 hari kerja"),   # a week before: whole days, no decimal point
])
def test_a_case_past_its_deadline_is_overdue_on_any_day(app, people, now, overdue, shown):
    first = fulfil(people["siti"], issued(people["siti"]))
    IssuedDocument.objects(id=first.id).update_one(set__sla__due_at=wib("2026-12-11 10:00"))
    pin_clock(app, wib(now))
    page = people["vera"].get("/petugas/").get_data(as_text=True)
    assert ("row-overdue" in page) is overdue and shown in page
    assert "11-12-2026 10:00 WIB" in page and "UTC" not in page
    status = people["siti"].get(f"/dokumen/{first.id}").get_data(as_text=True)
    assert shown in status and "UTC" not in status


def test_inbox_counts_search_and_overdue(people):
    first = fulfil(people["siti"], issued(people["siti"]))
    IssuedDocument.objects(id=first.id).update_one(set__sla__due_at=utcnow() - timedelta(days=2))
    page = people["vera"].get("/petugas/").get_data(as_text=True)
    assert "Menunggu verifikasi <span class=\"count\">1</span>" in page and first.number in page
    assert "row-overdue" in page and "Lewat" in page
    assert first.number in people["vera"].get(f"/petugas/?q={NIK}").get_data(as_text=True)
    assert first.number in people["vera"].get("/petugas/?q=air+minum").get_data(as_text=True)
    assert first.number not in people["vera"].get("/petugas/?q=bengkel").get_data(as_text=True)
    page = people["vera"].get(f"/petugas/dokumen/{first.id}")
    people["vera"].post(f"/petugas/dokumen/{first.id}/klaim", data={"csrf_token": token(page)})
    assert first.number in people["vera"].get("/petugas/?saya=1").get_data(as_text=True)
    assert first.number not in people["vino"].get("/petugas/?saya=1").get_data(as_text=True)


def test_key_columns_are_headed_by_the_workflows_key_table(people):
    issued(people["siti"])
    inbox = people["vera"].get("/petugas/?status=belum_terverifikasi").get_data(as_text=True)
    assert 'placeholder="Cari nomor, NIK, nama, KBLI…"' in inbox and "<th>KBLI / usaha</th>" in inbox
    pages = [people["siti"].get(path).get_data(as_text=True) for path in ("/pemenuhan", "/beranda")]
    assert "<th>KBLI</th>" in pages[0] and "KBLI 11052 · risiko Menengah Tinggi" in pages[1]


def test_audit_chain_detects_an_edit_of_history(app, people):
    fulfil(people["siti"], issued(people["siti"]))
    assert verify_chain() == []
    AuditEntry.objects(seq=2).update_one(set__note="diubah diam-diam")
    problems = verify_chain()
    assert problems and "entry 2: content was changed" in problems[0]
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1


def test_second_level_is_a_setting_of_the_workflow_file(app):
    from forms.engine.workflow import build_workflow
    with app.app_context():
        from forms.catalog.runtime import workflows
        raw = dict(workflows()["sertifikat_standar"].source, second_level=True)
    flow = build_workflow(raw)
    assert [a.name for a in flow.available("menunggu_verifikasi", ["verifikator"])] == ["rekomendasikan", "minta_perbaikan", "tolak"]
    assert [a.name for a in flow.available("menunggu_persetujuan_kepala", ["kepala"])] == ["setujui", "kembalikan", "tolak"]


def test_invalid_workflow_is_refused_at_start(tmp_path):
    import json
    import shutil

    from forms.engine.workflow import load_workflows
    from forms.errors import SchemaError
    root = Path(__file__).resolve().parent.parent / "schemas"
    (tmp_path / "workflows").mkdir()
    shutil.copy(root / "workflow.schema.json", tmp_path)
    raw = json.loads((root / "workflows" / "izin.json").read_text())
    raw["actions"]["tolak"]["to"] = "dibuang"
    (tmp_path / "workflows" / "izin.json").write_text(json.dumps(raw))
    with pytest.raises(SchemaError) as caught:
        load_workflows(tmp_path)
    assert "action 'tolak': transition to undeclared state 'dibuang'" in str(caught.value)
