"""The front-office counter: filing for a walk-in applicant, provenance, the receipt, the queue, separation of duties."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from forms.store import AuditEntry, Submission
from tests.helpers import (
    ANSWER,
    NIK,
    REQUIREMENTS_11052,
    WizardClient,
    account_id,
    detail,
    file_at_counter,
    find_by_nik,
    ok,
    pin_clock,
    printout_text,
    serve_applicant,
    start,
    take_action,
    token,
    upload_requirement,
)


@pytest.fixture
def app(make_app):
    """Sign-ins with the test image code, no rate limits in the way of many page loads."""
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False)



def test_front_office_files_in_the_applicants_name_and_every_entry_names_the_officer(app, counter):
    serve_applicant(counter["lina"])
    submission, document = file_at_counter(counter["lina"])
    siti = f"account:{submission.counter['applicant_id']}"
    assert submission.owner == siti and document.owner == siti
    assert submission.counter["officer_name"] == "Lina Loket" and submission.counter["applicant_name"] == "Siti Aminah"
    assert submission.provenance["data_pelaku"]["npwp"]["by"] == "petugas"
    assert submission.provenance["data_pelaku"]["npwp"]["name"] == "Lina Loket"
    assert submission.provenance["data_pelaku"]["nik"]["by"] == "prefill"
    line = AuditEntry.objects(subject=submission.number).first()
    assert line.action == "diajukan oleh petugas Lina Loket atas nama Siti Aminah"
    assert line.actor == "lina (loket)"
    assert AuditEntry.objects(subject=document.number, action=line.action).count() == 1
    assert upload_requirement(counter["lina"], document, REQUIREMENTS_11052[0]).status_code == 302
    document.reload()
    entry = document.fulfilment[REQUIREMENTS_11052[0]]
    assert entry["entered_by"]["by"] == "petugas" and entry["entered_by"]["name"] == "Lina Loket"
    upload_line = AuditEntry.objects(subject=document.number, action=f"unggah {REQUIREMENTS_11052[0]}").first()
    assert upload_line.actor == "lina (loket) atas nama siti"


def test_the_applicant_sees_the_filing_and_officers_see_its_provenance(app, counter):
    serve_applicant(counter["lina"])
    submission, document = file_at_counter(counter["lina"])
    status = counter["siti"].get(f"/isian/{submission.id}/status").get_data(as_text=True)
    assert "Diajukan oleh petugas Lina Loket atas nama Siti Aminah" in status
    assert submission.number in counter["siti"].get("/beranda").get_data(as_text=True)
    case = counter["vera"].get(f"/petugas/dokumen/{document.id}").get_data(as_text=True)
    assert "Asal isian" in case and "petugas loket Lina Loket" in case and "isian otomatis dari akun" in case


def test_applicant_filing_themselves_is_credited_to_the_applicant(app, counter):
    submission, _document = file_at_counter(counter["siti"])
    assert not submission.counter
    assert submission.provenance["data_pelaku"]["npwp"] == {**submission.provenance["data_pelaku"]["npwp"],
                                                            "by": "pemohon", "name": "Siti Aminah"}
    assert "Diajukan oleh petugas" not in counter["siti"].get(f"/isian/{submission.id}/status").get_data(as_text=True)


def test_officer_who_filed_at_the_counter_cannot_verify_or_judge_it(app, counter):
    serve_applicant(counter["rina"])
    _submission, document = file_at_counter(counter["rina"])
    for code in REQUIREMENTS_11052:
        assert upload_requirement(counter["rina"], document, code).status_code == 302
    assert take_action(counter["rina"], document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    assert document.status == "menunggu_verifikasi"
    case = counter["rina"].get(f"/petugas/dokumen/{document.id}")
    refused = counter["rina"].post(f"/petugas/dokumen/{document.id}/aksi/verifikasi",
                                   data={"csrf_token": token(case), "catatan": "", "_version": str(document.version)})
    judged = counter["rina"].post(f"/petugas/dokumen/{document.id}/putusan/{REQUIREMENTS_11052[0]}",
                                  data={"csrf_token": token(case), "putusan": "diterima", "alasan": ""})
    document.reload()
    assert refused.status_code in (302, 403) and judged.status_code in (302, 403)
    assert document.status == "menunggu_verifikasi"
    assert document.fulfilment[REQUIREMENTS_11052[0]]["verdict"] is None
    vera_case = counter["vera"].get(f"/petugas/dokumen/{document.id}")
    accepted = counter["vera"].post(f"/petugas/dokumen/{document.id}/putusan/{REQUIREMENTS_11052[0]}",
                                    data={"csrf_token": token(vera_case), "putusan": "diterima", "alasan": ""})
    document.reload()
    assert accepted.status_code == 302 and document.fulfilment[REQUIREMENTS_11052[0]]["verdict"] == "diterima"


def test_separation_of_duties_holds_in_the_casework_functions(app, counter):
    from forms.casework import transitions
    from forms.store import find_account_by_username
    serve_applicant(counter["rina"])
    _submission, document = file_at_counter(counter["rina"])
    with app.test_request_context():
        rina = find_account_by_username("rina")
        with pytest.raises(transitions.Forbidden):
            transitions.claim(document, rina)
        vera = find_account_by_username("vera")
        assert transitions.claim(document, vera).assigned_name == "Vera Verifikator"


def test_an_applicant_cannot_act_as_front_office(app, counter):
    budi = counter["budi"]
    assert budi.get("/loket/").status_code == 403
    page = budi.get("/beranda")
    siti_page = find_by_nik(counter["lina"], NIK).headers["Location"]
    assert budi.post(siti_page + "/layani", data={"csrf_token": token(page)}).status_code == 403
    submission, _document = file_at_counter(counter["siti"])
    with budi.session_transaction() as session:  # even a session naming someone to serve gives an applicant nothing
        session["loket_atas_nama"] = siti_page.rsplit("/", 1)[-1]
    assert budi.get(f"/isian/{submission.id}/status").status_code == 404
    assert budi.get("/loket/").status_code == 403


@pytest.mark.parametrize("nik, message", [("123", "NIK harus 16 digit angka."),
                                          ("3201010101010001", "Belum ada akun pemohon dengan NIK itu.")])
def test_a_bad_or_unknown_nik_gets_a_clear_message_and_serves_nobody(app, counter, nik, message):
    response = find_by_nik(counter["lina"], nik, follow=True)
    assert message in response.get_data(as_text=True)
    with counter["lina"].session_transaction() as session:
        assert "loket_atas_nama" not in session


def test_officer_accounts_cannot_be_served(app, counter):
    from forms.store import find_account_by_username
    with app.app_context():
        vera = find_account_by_username("vera")
    page = counter["lina"].get("/loket/")
    assert counter["lina"].get(f"/loket/pemohon/{vera.id}").status_code == 404
    assert counter["lina"].post(f"/loket/pemohon/{vera.id}/layani", data={"csrf_token": token(page)}).status_code == 404


def test_the_receipt_is_one_page_with_number_codes_files_and_tracking(app, counter):
    applicant_page = serve_applicant(counter["lina"])
    submission, document = file_at_counter(counter["lina"])
    for code in REQUIREMENTS_11052[:2]:
        assert upload_requirement(counter["lina"], document, code).status_code == 302
    page = counter["lina"].get(applicant_page)
    asked = counter["lina"].post(f"/loket/isian/{submission.id}/bukti", data={"csrf_token": token(page)})
    assert asked.status_code == 302
    pdf = counter["lina"].get(f"/loket/isian/{submission.id}/bukti.pdf")
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "private, no-store"
    text = printout_text(pdf.data)
    assert "BUKTI PENDAFTARAN" in text and submission.number in text and "Siti Aminah" in text
    assert "11052" in text and "Petugas loket Lina Loket" in text
    assert text.count("Diterima:") == 2 and "Belum diterima" in text
    assert f"/lacak?nomor={submission.number}" in text
    tracking = counter["siti"].get(f"/lacak?nomor={submission.number}").get_data(as_text=True)
    assert f'value="{submission.number}"' in tracking  # the QR's address opens tracking with the number filled in
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB", text)
    assert counter["siti"].get(f"/loket/isian/{submission.id}/bukti.pdf").status_code == 403


def test_receipt_before_submit_is_refused_with_a_message(app, counter):
    applicant_page = serve_applicant(counter["lina"])
    wizard, _rows = start(counter["lina"], "11052")
    page = counter["lina"].get(applicant_page)
    response = counter["lina"].post(f"/loket/isian/{wizard.submission_id}/bukti", data={"csrf_token": token(page)},
                                    follow_redirects=True)
    assert "setelah permohonan dikirim dan bernomor" in response.get_data(as_text=True)
    assert not Submission.objects(id=wizard.submission_id).first().counter.get("receipt")


def test_queue_shows_todays_counter_filings_with_missing_documents(app, counter):
    pin_clock(app, datetime(2026, 12, 7, 3, 0))
    serve_applicant(counter["lina"])
    submission, _document = file_at_counter(counter["lina"])
    queue = counter["lina"].get("/loket/").get_data(as_text=True)
    assert submission.number in queue and "Lina Loket" in queue and "Siti Aminah" in queue and "Kurang" in queue
    pin_clock(app, datetime(2026, 12, 8, 3, 0))
    assert submission.number not in counter["lina"].get("/loket/").get_data(as_text=True)


def test_rows_entered_later_by_the_applicant_are_credited_to_them(app, counter):
    serve_applicant(counter["lina"])
    wizard, rows = start(counter["lina"], "11052")
    wizard.client = counter["siti"]
    ok(wizard.fill("detail_usaha", {**rows, **detail(0, machinery="Rp160.000.000")}))
    saved = wizard.submission()
    assert saved.provenance["bidang_usaha"]["kegiatan"]["by"] == "petugas"
    assert saved.provenance["detail_usaha"]["detail"]["by"] == "pemohon"


def test_front_office_reaches_only_what_it_serves(app, counter):
    submission, document = file_at_counter(counter["siti"])
    lina = counter["lina"]
    assert lina.get("/petugas/").status_code == 403
    assert lina.get(f"/petugas/dokumen/{document.id}").status_code == 403
    assert lina.get(f"/isian/{submission.id}/status").status_code == 404  # not serving anyone: her own pages only
    serve_applicant(lina, nik="3201010501900002")  # serving budi opens budi's pages, not siti's
    assert lina.get(f"/isian/{submission.id}/status").status_code == 404
    assert lina.get(f"/dokumen/{document.id}").status_code == 404
    page = lina.get("/loket/")
    assert lina.post("/loket/selesai", data={"csrf_token": token(page)}).status_code == 302
    with lina.session_transaction() as session:
        assert "loket_atas_nama" not in session


def test_demo_accounts_include_the_front_office(make_app):
    demo = make_app(STORE="embedded")
    assert ("loket.demo", "loket") in [(username, role) for username, role, _password in
                                       demo.extensions["loket.demo_accounts"]]


def test_public_forms_are_never_filled_in_the_applicants_name(app, counter):
    serve_applicant(counter["lina"])
    survey = WizardClient(counter["lina"], "skm").start()
    assert survey.submission().owner != f"account:{account_id(app, 'siti')}"
    assert survey.submission().owner == f"account:{account_id(app, 'lina')}"


def test_serving_officer_hands_out_the_applicants_printouts(app, counter):
    serve_applicant(counter["lina"])
    _submission, document = file_at_counter(counter["lina"])
    pdf = counter["lina"].get(f"/dokumen/{document.number}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    page = counter["lina"].get("/loket/")
    counter["lina"].post("/loket/selesai", data={"csrf_token": token(page)})
    assert counter["lina"].get(f"/dokumen/{document.number}.pdf").status_code in (403, 404)
