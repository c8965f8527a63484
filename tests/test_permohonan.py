"""Permohonan Baru over HTTP: scale and risk derived, stops, issuance of NIB + Sertifikat Standar / Izin, tracking."""
from __future__ import annotations

import io
import re

import pytest

from forms.store import IssuedDocument, OwnerNumber
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    WizardClient,
    detail,
    issue,
    kegiatan,
    login,
    ok,
    products,
    start,
    token,
)


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def applicant(app, client):
    """A signed-in pemohon with a registered profile."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    assert login(client).status_code == 302
    return client


def test_mt_mikro_issues_nib_and_an_unverified_standard_certificate(applicant):
    wizard, rows = start(applicant, "11052")
    ok(wizard.fill("detail_usaha", rows))
    row = wizard.submission().answers["detail_usaha"]["detail"][0]
    assert (row["total_investasi"], row["modal_usaha"], row["skala"], row["risiko"], row["produk"]) == (
        200_000_000, 200_000_000, "mikro", "MT", "sertifikat_standar")
    response = issue(wizard, "11052")
    assert response.status_code == 302
    submission = wizard.submission()
    assert submission.status == "terbit" and re.fullmatch(r"[1-9]\d{12}", submission.derived["nib"])
    (document,) = IssuedDocument.objects(submission_id=submission.id)
    assert (document.kind, document.key, document.status) == ("sertifikat_standar", "11052", "belum_terverifikasi")
    assert re.fullmatch(rf"SS-{submission.derived['nib']}-11052-\d{{4}}", document.number)  # patterned on the NIB
    page = applicant.get(response.headers["Location"]).get_data(as_text=True)
    assert "Terbit — belum terverifikasi" in page and document.number in page and submission.derived["nib"] in page


def test_t_kecil_with_ukl_upl_needs_technical_details_and_the_upload(applicant):
    wizard, rows = start(applicant, "86903", machinery="Rp1.500.000.000")
    ok(wizard.fill("detail_usaha", rows))
    row = wizard.submission().answers["detail_usaha"]["detail"][0]
    assert (row["skala"], row["risiko"], row["lingkungan"], row["produk"]) == ("kecil", "T", "UKL-UPL", "izin")
    skipped = applicant.get(wizard.url("produk"))  # a high-risk code asks for technical details first
    assert skipped.status_code == 302 and applicant.get(skipped.headers["Location"]).headers["Location"].endswith("detail_teknis")
    teknis = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari",
              "teknis-0-uraian_teknis": "Klinik pratama rawat jalan", "teknis-0-penanggung_jawab_teknis": "dr. Rina"}
    pdf = (io.BytesIO(PDF), "ukl-upl.pdf")
    response = issue(wizard, "86903", teknis=teknis, ukl={"ukl_upl-0-formulir_ukl_upl": pdf})
    assert response.status_code == 302
    (document,) = IssuedDocument.objects(submission_id=wizard.submission().id)
    assert (document.kind, document.status) == ("izin", "menunggu_persetujuan")
    assert document.data["lingkungan"] == "UKL-UPL" and document.number.startswith("IZ-")


def test_ukl_upl_upload_is_required(applicant):
    wizard, rows = start(applicant, "10110")
    ok(wizard.fill("detail_usaha", rows))
    ok(wizard.fill("detail_teknis", {"teknis-0-kapasitas": "16", "teknis-0-satuan_kapasitas": "ekor/hari",
                                     "teknis-0-uraian_teknis": "Rumah potong mini", "teknis-0-penanggung_jawab_teknis": "Budi"}))
    for step, values in (("produk", products("10110")), ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {})):
        ok(wizard.fill(step, values))
    response = wizard.fill("lingkungan", {})
    assert response.status_code == 422 and 'id="e-ukl_upl-0-formulir_ukl_upl"' in response.get_data(as_text=True)


def test_mt_kecil_pharmacy(applicant):
    wizard, rows = start(applicant, "47721", machinery="Rp2.000.000.000")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "47721").status_code == 302
    (document,) = IssuedDocument.objects(submission_id=wizard.submission().id)
    assert (document.data["skala"], document.data["risiko"], document.kind) == ("kecil", "MT", "sertifikat_standar")


def test_above_five_billion_is_not_umk_and_stops(applicant):
    wizard, rows = start(applicant, "11052", machinery="Rp5.000.000.001", working="0")
    response = wizard.fill("detail_usaha", rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "bukan UMK" in page
    assert "non_umk" in page  # the computed scale is shown beside the inputs
    assert "detail_usaha" not in wizard.submission().answers


def test_land_and_buildings_do_not_count_towards_the_scale(applicant):
    wizard, rows = start(applicant, "11052", land="Rp3.000.000.000", building="Rp4.000.000.000")
    ok(wizard.fill("detail_usaha", rows))
    assert wizard.submission().answers["detail_usaha"]["detail"][0]["skala"] == "mikro"


def test_low_risk_code_is_explained_and_stopped(applicant):
    wizard, rows = start(applicant, "10710")
    response = wizard.fill("detail_usaha", rows)
    assert response.status_code == 422 and "terbit langsung di sistem OSS" in response.get_data(as_text=True)


def test_derived_scale_and_risk_cannot_be_forged(applicant):
    wizard, rows = start(applicant, "11052")
    rows.update({"detail-0-skala": "kecil", "detail-0-risiko": "T", "detail-0-produk": "izin", "detail-0-kbli": "86903",
                 "detail-0-modal_usaha": "1"})
    ok(wizard.fill("detail_usaha", rows))
    row = wizard.submission().answers["detail_usaha"]["detail"][0]
    assert (row["kbli"], row["skala"], row["risiko"], row["produk"], row["modal_usaha"]) == (
        "11052", "mikro", "MT", "sertifikat_standar", 200_000_000)


def test_each_kbli_needs_a_product_and_is_listed_once(applicant):
    wizard = WizardClient(applicant, "permohonan-baru").start()
    ok(wizard.fill("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}))
    response = wizard.fill("bidang_usaha", kegiatan("11052", "11052"))
    assert response.status_code == 422 and "cukup dicantumkan satu kali" in response.get_data(as_text=True)
    ok(wizard.fill("bidang_usaha", kegiatan("11052", "47721")))
    ok(wizard.fill("detail_usaha", {**detail(0), **detail(1)}))
    response = wizard.fill("produk", products("11052"))
    assert response.status_code == 422 and "paling sedikit satu produk" in response.get_data(as_text=True)


def test_readonly_data_comes_from_the_account_not_the_request(applicant):
    wizard = WizardClient(applicant, "permohonan-baru").start()
    ok(wizard.fill("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id", "nik": "9999999999999999", "nama": "Palsu"}))
    answers = wizard.submission().answers["data_pelaku"]
    assert (answers["nik"], answers["nama"]) == (NIK, "Siti Aminah")
    assert answers["alamat_ktp"].startswith("Jl. Melati No. 1, RT 001/RW 002, Bangkinang")


def test_a_second_application_reuses_the_nib(applicant):
    first, rows = start(applicant, "11052")
    ok(first.fill("detail_usaha", rows))
    issue(first, "11052")
    second, rows = start(applicant, "47721")
    ok(second.fill("detail_usaha", rows))
    issue(second, "47721")
    assert first.submission().derived["nib"] == second.submission().derived["nib"]
    assert OwnerNumber.objects.count() == 1 and IssuedDocument.objects.count() == 2


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/formulir/permohonan-baru")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")


def test_public_tracking_by_number_and_nik(app, applicant):
    wizard, rows = start(applicant, "11052")
    ok(wizard.fill("detail_usaha", rows))
    issue(wizard, "11052")
    number = wizard.submission().number
    document = IssuedDocument.objects.first()
    public = app.test_client()
    page = public.get("/lacak")
    found = public.post("/lacak", data={"csrf_token": token(page), "nomor": number, "nik": NIK})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and document.number in text and "Terbit — belum terverifikasi" in text
    assert "Siti" not in text and "Usaha Maju" not in text  # statuses and dates only
    by_document = public.post("/lacak", data={"csrf_token": token(page), "nomor": document.number, "nik": NIK})
    assert by_document.status_code == 200 and number in by_document.get_data(as_text=True)
    wrong = public.post("/lacak", data={"csrf_token": token(page), "nomor": number, "nik": "3201014501900002"})
    assert wrong.status_code == 404 and document.number not in wrong.get_data(as_text=True)
    bad = public.post("/lacak", data={"csrf_token": token(page), "nomor": "<script>", "nik": "12"})
    assert bad.status_code == 422
