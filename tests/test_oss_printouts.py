"""Printouts as OSS prints them: the NIB's fields, validity sentence and KBLI attachment page, the four-point
footer from the office settings, and on certificates the authority, scope, verified requirements, obligations,
validity and the date verified — rendered to PNG with poppler and checked page by page."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from forms.store import IssuedDocument
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    issue,
    login,
    ok,
    sent_for_verification,
    start,
    take_action,
    token,
)

FOOTER_POINTS = ("berdasarkan data dari pelaku usaha, tersimpan dalam sistem, yang menjadi tanggung jawab pelaku usaha",
                 "Dalam hal terjadi kekeliruan isi dokumen ini akan dilakukan perbaikan sebagaimana mestinya",
                 "ditandatangani secara elektronik menggunakan sertifikat elektronik",
                 "Data lengkap perizinan berusaha dapat diperoleh melalui")


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    SKM_REQUIRED_FOR_DOWNLOAD=False)


@pytest.fixture
def applicant(app, client):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    assert login(client).status_code == 302
    return client


def pages_text(data: bytes) -> list[str]:
    """Each page's text with runs of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def to_png(data: bytes, folder: Path, name: str) -> list[Path]:
    """The PDF's pages as 110 dpi PNGs through poppler, as a reader would see them."""
    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", str(source), str(folder / name)], check=True)
    return sorted(folder.glob(f"{name}-*.png"))


def issue_two_codes(applicant):
    """One application with two activities (bottled water MT, catering MT with an obligation); its documents."""
    wizard, rows = start(applicant, "11052", "56290")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "11052", "56290").status_code == 302
    submission = wizard.submission()
    return submission.derived["nib"], list(IssuedDocument.objects(submission_id=submission.id).order_by("key"))


def test_the_nib_has_its_fields_validity_sentence_and_an_attachment_page_of_every_kbli(applicant, screenshots):
    nib, documents = issue_two_codes(applicant)
    data = applicant.get(f"/dokumen/{nib}.pdf").data
    first, attachment = pages_text(data)
    for expected in (f"NOMOR INDUK BERUSAHA: {nib}", "Status penanaman modal", "PMDN", "Skala usaha", "Usaha Mikro",
                     "320101******0001", "berlaku di seluruh wilayah Republik Indonesia", "lampiran"):
        assert expected in first, expected
    assert NIK not in first
    assert "LAMPIRAN" in attachment and nib in attachment
    for document in documents:
        assert document.key in attachment and document.number in attachment
    for words in ("Industri Air Minum Isi Ulang", "Jasa Boga", "Menengah Tinggi", "Belum terverifikasi", "Jl. Pahlawan 5"):
        assert words in attachment, words
    for point in FOOTER_POINTS:
        assert point in first, point
    assert len(to_png(data, screenshots, "nib")) == 2


def test_a_verified_certificate_names_authority_scope_requirements_obligations_and_dates(app, applicant, screenshots):
    _nib, documents = issue_two_codes(applicant)
    catering = next(document for document in documents if document.key == "56290")
    first_print = applicant.get(f"/dokumen/{catering.number}.pdf").data
    assert len(to_png(first_print, screenshots, "sertifikat-standar-belum")) == 1
    unverified = pages_text(first_print)
    assert len(unverified) == 1 and "BELUM TERVERIFIKASI" in unverified[0] and "Belum diverifikasi" in unverified[0]
    codes = [item["kode"] for item in catering_requirements(app, catering)]
    catering = sent_for_verification(applicant, catering, codes=codes)
    officer = app.test_client()
    assert login(officer, "vera").status_code == 302
    for code in codes:
        page = officer.get(f"/petugas/dokumen/{catering.id}")
        officer.post(f"/petugas/dokumen/{catering.id}/putusan/{code}",
                     data={"csrf_token": token(page), "putusan": "diterima", "alasan": ""})
    assert take_action(officer, catering, "verifikasi", officer=True).status_code == 302
    data = applicant.get(f"/dokumen/{catering.number}.pdf").data
    (text,) = pages_text(data)
    for expected in ("a.n. Bupati Kampar", "Kewenangan", "Pemerintah Daerah Kabupaten Kampar", "Ruang lingkup",
                     "Produk 56290", "Persyaratan yang telah diverifikasi", "Dokumen SPPL (", "Kewajiban setelah terbit",
                     "Sertifikat Laik Higiene Sanitasi (SLHS), paling lambat", "Masa berlaku", "Tanggal verifikasi"):
        assert expected in text, expected
    assert "BELUM TERVERIFIKASI" not in text and "Belum diverifikasi" not in text
    for point in FOOTER_POINTS:
        assert point in text, point
    assert len(to_png(data, screenshots, "sertifikat-standar-terverifikasi")) == 1


def catering_requirements(app, document):
    from forms.casework.transitions import requirements
    with app.app_context():
        return requirements(document)


def test_the_footer_points_and_the_on_behalf_line_are_office_settings(app):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    admin = app.test_client()
    assert login(admin, "ani").status_code == 302
    page = admin.get("/admin/")
    made = admin.post("/admin/document/cetakan/draf", data={"csrf_token": token(page), "from": "1"})
    version = int(made.headers["Location"].rsplit("/", 1)[-1])
    page = admin.get(f"/admin/document/cetakan/{version}")
    assert FOOTER_POINTS[1] in page.get_data(as_text=True)  # the points as the admin edits them
    response = admin.post(f"/admin/document/cetakan/{version}/kantor", data={
        "csrf_token": token(page), "revision": revision(version),
        "footer_points": "Butir satu.\n\n  Butir dua.  \n", "on_behalf": "a.n. Bupati Kampar (uji)"})
    assert response.status_code == 302
    office = office_of(version)
    assert office["footer_points"] == ["Butir satu.", "Butir dua."] and office["on_behalf"] == "a.n. Bupati Kampar (uji)"
    refused = admin.post(f"/admin/document/cetakan/{version}/kantor", data={
        "csrf_token": token(page), "revision": revision(version), "footer_points": "  \n"})
    assert refused.status_code in (302, 422)  # an empty list is refused by the settings' schema, nothing changes
    assert office_of(version)["footer_points"] == ["Butir satu.", "Butir dua."]


def revision(version):
    """The draft's revision, which a save must name (two admins never overwrite each other)."""
    from forms.store import SchemaVersion
    return str(SchemaVersion.objects.get(kind="document", key="cetakan", version=version).revision)


def office_of(version):
    """The office settings of a printout settings version, as stored."""
    import json

    from forms.store import SchemaVersion
    return json.loads(SchemaVersion.objects.get(kind="document", key="cetakan", version=version).content)["office"]
