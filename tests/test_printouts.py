"""Printouts: signed PDFs with QR codes, rendered at issue, served from the store, verifiable by anyone."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from forms import create_app
from forms.errors import SchemaError
from forms.printing.issue import reissue
from forms.printing.render import qr_png
from forms.printing.signing import (
    check_signature,
    office_signer,
)
from forms.store import IssuedDocument, OwnerNumber, Printout
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    ROOT,
    issue,
    login,
    ok,
    printout_text,
    start,
    store_config,
    token,
    verification_token,
)

PUBLIC_URL = "https://loket.contoh.test"


@pytest.fixture
def app(make_app, signing_pair):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]), PUBLIC_URL=PUBLIC_URL,
                    SKM_REQUIRED_FOR_DOWNLOAD=False)  # the survey gate on downloads is tested with the survey


def make_person(app, username, roles=("pemohon",), nik=None):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account(username, PASSWORD, username.title(), list(roles), nik=nik, profile=PROFILE,
                       phone=None, email=f"{username}@contoh.id")


@pytest.fixture
def applicant(app, client):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    assert login(client).status_code == 302
    return client


def issued(applicant, *codes, **changes):
    """Walk Permohonan Baru to issuance; return the wizard."""
    wizard, rows = start(applicant, *codes, **changes)
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, *codes).status_code == 302
    return wizard


def page_image(data: bytes, tmp_path: Path, name: str = "page", pages: int = 1) -> Image.Image:
    """The PDF's first page (of `pages`) as a 150 dpi PNG, through poppler as a reader would see it."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(source), str(tmp_path / name)], check=True)
    images = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(images) == pages
    return Image.open(images[0])


def decode_qr(image: Image.Image) -> str:
    import zxingcpp
    found = [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1, found
    return found[0]


def printout_of(number):
    return Printout.objects(number=number).order_by("-version").first()


def test_issuing_renders_a_signed_certificate_with_every_field(app, applicant):
    wizard = issued(applicant, "11052")
    document = IssuedDocument.objects.get(submission_id=wizard.submission().id)
    nib = wizard.submission().derived["nib"]
    response = applicant.get(f"/dokumen/{document.number}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = printout_text(response.data)
    for expected in ("PEMERINTAH KABUPATEN KAMPAR", "SERTIFIKAT STANDAR", f"Nomor: {document.number}",
                     "BELUM TERVERIFIKASI", "Siti Aminah", "320101******0001", "Jl. Melati No. 1", nib, "Usaha Maju",
                     "11052", "Industri Air Minum Isi Ulang", "Jl. Pahlawan 5", "Bangkinang Kota", "Usaha Mikro",
                     "Menengah Tinggi", "SPPL", "HAMBALI, SE, MBA, MH", "NIP. 19681024 200003 1 002",
                     "berdasarkan data dari pelaku usaha, tersimpan dalam sistem, yang menjadi tanggung jawab pelaku usaha"):
        assert expected in text, expected
    assert NIK not in text  # masked, NPWP (= NIK) too
    assert re.search(r"Diterbitkan di Bangkinang, \d{1,2} \w+ \d{4}", text)
    stored = printout_of(document.number)
    assert stored.sha256 == __import__("hashlib").sha256(response.data).hexdigest() and not stored.superseded
    assert stored.status == "belum_terverifikasi" and stored.version == 1


def test_the_nib_printout_lists_the_business_codes_of_its_owner(app, applicant):
    first = issued(applicant, "11052")
    nib = first.submission().derived["nib"]
    text = printout_text(applicant.get(f"/dokumen/{nib}.pdf").data, pages=2)
    assert f"NOMOR INDUK BERUSAHA: {nib}" in text and "11052" in text and "47721" not in text
    issued(applicant, "47721", machinery="Rp2.000.000.000")
    text = printout_text(applicant.get(f"/dokumen/{nib}.pdf").data, pages=2)
    assert "11052" in text and "47721" in text and "Perdagangan Eceran" in text
    versions = list(Printout.objects(number=nib).order_by("version"))
    assert [item.superseded for item in versions] == [True, False]


def test_qr_code_leads_to_the_public_verification_page(app, applicant, tmp_path):
    wizard = issued(applicant, "11052")
    document = IssuedDocument.objects.get(submission_id=wizard.submission().id)
    url = decode_qr(page_image(applicant.get(f"/dokumen/{document.number}.pdf").data, tmp_path))
    assert re.fullmatch(re.escape(PUBLIC_URL) + r"/verifikasi/[A-Za-z0-9_-]{22}", url)
    assert url.rsplit("/", 1)[1] not in json.dumps(Printout.objects.first().to_mongo().to_dict(), default=str)
    public = app.test_client()
    page = public.get(url.removeprefix(PUBLIC_URL))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in ("Sertifikat Standar", document.number, "Siti Aminah", "11052", "Industri Air Minum Isi Ulang",
                     "Belum terverifikasi"):
        assert expected in text, expected
    for secret in (NIK, "320101", "Jl. Melati", "Jl. Pahlawan", "siti@contoh.id"):
        assert secret not in text, secret


def test_unknown_token_is_not_found(client):
    assert client.get("/verifikasi/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_signature_is_valid_and_a_changed_byte_breaks_it(app, applicant):
    wizard = issued(applicant, "11052")
    number = IssuedDocument.objects.get(submission_id=wizard.submission().id).number
    data = applicant.get(f"/dokumen/{number}.pdf").data
    tampered = changed_byte(data)
    with app.app_context():
        office = office_signer(app)
        assert check_signature(office, data).valid
        broken = check_signature(office, tampered)
    assert not broken.valid and broken.problem
    report = subprocess.run(["pdfsig", "-nocert", "-"], input=data, capture_output=True, check=False) if shutil.which("pdfsig") else None
    if report is not None and report.returncode == 0:
        assert b"Signature is Valid" in report.stdout


def changed_byte(data: bytes) -> bytes:
    """A copy with one byte of the first page's content changed (inside the signed range)."""
    at = data.index(b"stream", data.index(b"/Contents")) + 40
    copy = bytearray(data)
    copy[at] ^= 0x01
    return bytes(copy)


def upload(client, path, data, name="dokumen.pdf"):
    page = client.get(path)
    return client.post(path, data={"csrf_token": token(page), "berkas": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_uploaded_copy_is_checked_byte_for_byte_and_by_signature(app, applicant):
    wizard = issued(applicant, "11052")
    number = IssuedDocument.objects.get(submission_id=wizard.submission().id).number
    data = applicant.get(f"/dokumen/{number}.pdf").data
    with app.app_context():
        path = "/verifikasi/" + verification_token(app, data)
    public = app.test_client()
    genuine = upload(public, path, data).get_data(as_text=True)
    assert "Sama persis" in genuine and "Tanda tangan sah" in genuine
    fake = upload(public, path, changed_byte(data)).get_data(as_text=True)
    assert "Tidak sama" in fake and "Tanda tangan tidak sah" in fake
    junk = upload(public, path, b"%PDF-1.4 bukan dokumen").get_data(as_text=True)
    assert "Tidak sama" in junk and "Tanda tangan tidak sah" in junk


def test_reissue_supersedes_the_old_version_which_stays_retrievable(app, applicant):
    wizard = issued(applicant, "11052")
    document = IssuedDocument.objects.get(submission_id=wizard.submission().id)
    old = applicant.get(f"/dokumen/{document.number}.pdf").data
    with app.app_context():
        old_path = "/verifikasi/" + verification_token(app, old)
        IssuedDocument.objects(id=document.id).update(set__status="terverifikasi")
        document.reload()
        newer = reissue(document)
    assert newer.version == 2 and not newer.superseded and printout_of(document.number).id == newer.id
    fresh = applicant.get(f"/dokumen/{document.number}.pdf").data
    text = printout_text(fresh)
    assert "BELUM TERVERIFIKASI" not in text and "Status: Berlaku" in text
    assert applicant.get(f"/dokumen/{document.number}/versi/1.pdf").data == old
    assert "Digantikan" in app.test_client().get(old_path).get_data(as_text=True)
    new_page = app.test_client().get("/verifikasi/" + verification_token(app, fresh)).get_data(as_text=True)
    assert "Berlaku" in new_page and "Digantikan" not in new_page
    listing = applicant.get(f"/dokumen/{document.number}/versi").get_data(as_text=True)
    assert "Digantikan" in listing and "Berlaku" in listing


def test_the_workflow_can_reach_reissue_through_the_app(app):
    assert app.extensions["loket.reissue"] is reissue


def test_a_rejected_document_shows_as_revoked(app, applicant):
    wizard = issued(applicant, "11052")
    document = IssuedDocument.objects.get(submission_id=wizard.submission().id)
    data = applicant.get(f"/dokumen/{document.number}.pdf").data
    IssuedDocument.objects(id=document.id).update(set__status="ditolak")
    with app.app_context():
        path = "/verifikasi/" + verification_token(app, data)
    assert "Dicabut" in app.test_client().get(path).get_data(as_text=True)


def test_only_the_owner_and_officers_can_download(app, applicant):
    wizard = issued(applicant, "11052")
    number = IssuedDocument.objects.get(submission_id=wizard.submission().id).number
    nib = wizard.submission().derived["nib"]
    status = applicant.get(wizard.url() + "/status").get_data(as_text=True)
    assert f"/dokumen/{number}.pdf" in status and f"/dokumen/{nib}.pdf" in status
    make_person(app, "budi", nik="3201014501900002")
    other = app.test_client()
    assert login(other, "budi").status_code == 302
    for path in (f"/dokumen/{number}.pdf", f"/dokumen/{number}/versi/1.pdf", f"/dokumen/{nib}.pdf",
                 f"/dokumen/{number}/versi"):
        assert other.get(path).status_code == 404, path
    anonymous = app.test_client().get(f"/dokumen/{number}.pdf")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]
    make_person(app, "petugas", roles=("verifikator",))
    officer = app.test_client()
    assert login(officer, "petugas").status_code == 302
    assert officer.get(f"/dokumen/{number}.pdf").status_code == 200


def test_verification_is_rate_limited(make_app, signing_pair):
    app = make_app(VERIFY_RATE_LIMIT="2/minute", SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]))
    client = app.test_client()
    codes = [client.get("/verifikasi/AAAAAAAAAAAAAAAAAAAAAA").status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_a_fresh_machine_makes_its_office_certificate_once(make_app, tmp_path, capsys):
    unset = {"SIGNING_KEY": "", "SIGNING_CERT": ""}  # no configured key: the instance makes its own
    app = make_app(**unset)
    with app.app_context():
        first = office_signer(app)
    folder = Path(app.instance_path) / "signing"
    assert (folder / "office-key.pem").stat().st_mode & 0o777 == 0o600
    assert first.fingerprint in capsys.readouterr().err
    again = make_app(**unset)
    again.instance_path = app.instance_path
    with again.app_context():
        assert office_signer(again).fingerprint == first.fingerprint
    assert first.fingerprint not in capsys.readouterr().err


def test_broken_printout_settings_stop_the_start_with_every_problem(tmp_path):
    folder = tmp_path / "printouts"
    shutil.copytree(ROOT / "printouts", folder)
    settings = json.loads((folder / "settings.json").read_text())
    settings["documents"]["izin"]["template"] = "tidak_ada.html"
    settings["status_states"]["terbit"] = "entah"
    del settings["office"]["signer"]["nip"]
    (folder / "settings.json").write_text(json.dumps(settings))
    with pytest.raises(SchemaError) as raised:
        create_app({"TESTING": True, "SECRET_KEY": "x", "PRINTOUTS_DIR": str(folder), **store_config()})
    assert "office.signer" in str(raised.value) and "nip" in str(raised.value)
    settings["office"]["signer"]["nip"] = "19681024 200003 1 002"
    (folder / "settings.json").write_text(json.dumps(settings))
    with pytest.raises(SchemaError) as raised:
        create_app({"TESTING": True, "SECRET_KEY": "x", "PRINTOUTS_DIR": str(folder), **store_config()})
    assert "status_states.terbit: unknown state 'entah'" in str(raised.value)
    assert "tidak_ada.html: template not found" in str(raised.value)


def test_draft_preview_is_watermarked_and_only_for_its_owner(app, applicant):
    wizard, rows = start(applicant, "11052")
    ok(wizard.fill("detail_usaha", rows))
    response = applicant.get(wizard.url() + "/draf.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = printout_text(response.data)
    assert "DRAF PERIZINAN BERUSAHA" in text and "11052" in text and "Sertifikat Standar" in text
    assert b"/ByteRange" not in response.data  # a preview is not signed
    make_person(app, "budi", nik="3201014501900002")
    other = app.test_client()
    login(other, "budi")
    assert other.get(wizard.url() + "/draf.pdf").status_code == 404
    assert Printout.objects.count() == 0


def test_qr_code_decodes_and_a_long_address_still_fits(tmp_path):
    spec = {"version": 6, "error_correction": "M", "mask": 2, "box_size": 4, "border": 4}
    short = PUBLIC_URL + "/verifikasi/" + "x" * 22
    assert decode_qr(Image.open(io.BytesIO(qr_png(short, spec)))) == short
    long = "https://" + "a" * 150 + ".test/verifikasi/" + "y" * 22
    assert decode_qr(Image.open(io.BytesIO(qr_png(long, spec)))) == long


def test_the_izin_printout(app, applicant):
    wizard, rows = start(applicant, "86903", machinery="Rp1.500.000.000")
    ok(wizard.fill("detail_usaha", rows))
    teknis = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari",
              "teknis-0-uraian_teknis": "Klinik pratama", "teknis-0-penanggung_jawab_teknis": "dr. Rina"}
    pdf = (io.BytesIO(PDF), "ukl-upl.pdf")
    assert issue(wizard, "86903", teknis=teknis, ukl={"ukl_upl-0-formulir_ukl_upl": pdf}).status_code == 302
    number = IssuedDocument.objects.get(submission_id=wizard.submission().id).number
    text = printout_text(applicant.get(f"/dokumen/{number}.pdf").data)
    assert "IZIN" in text and number in text and "Aktivitas Pelayanan Penunjang Kesehatan" in text and "Tinggi" in text
    assert "BELUM TERVERIFIKASI" in text and "UKL-UPL" in text and "Usaha Kecil" in text


KBLI_CODES = ("11052", "47721", "86105", "47301", "10710", "56101", "96111", "49431")


def test_every_template_is_one_a4_page_even_with_many_codes(app, tmp_path):
    """Render each kind (the NIB with eight codes on its attachment page, the draft with eight rows) and look at it
    as pixels: one page each, the NIB two."""
    from forms.catalog.runtime import schemas
    from forms.printing.issue import document_context, draft_pdf, print_settings
    from forms.store import Submission

    row = {"nama_usaha": "Usaha Maju Bersama Sejahtera Abadi", "skala": "kecil", "risiko": "MT", "lingkungan": "SPPL",
           "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011", "alamat_usaha": "Jl. Pahlawan Kemerdekaan 5",
           "koordinat": "0.3312, 101.0251", "produk": "sertifikat_standar"}
    answers = {"data_pelaku": {"nama": "Siti Aminah binti Abdullah Rahman", "nik": NIK, "npwp": NIK,
                               "alamat_ktp": "Jl. Melati Putih No. 1, RT 001/RW 002, Bangkinang, Bangkinang Kota, "
                                             "Kabupaten Kampar, Riau"},
               "detail_usaha": {"detail": [{**row, "kbli": code} for code in KBLI_CODES]}}
    with app.test_request_context():
        settings = print_settings()
        submission = Submission(form_id="permohonan-baru", form_version=1, owner="o", answers=answers).save()
        nib = OwnerNumber(name="nib", owner="o", number="7418759781001").save()
        documents = [IssuedDocument(submission_id=submission.id, owner="o", kind=kind, number=f"X-{index}", key=code,
                                    data={**row, "kbli": code}, status="belum_terverifikasi").save()
                     for index, (code, kind) in enumerate(zip(KBLI_CODES, ("sertifikat_standar", "izin") * 4))]
        pdfs = {kind: render(settings, document_context(settings, subject, submission, PUBLIC_URL + "/verifikasi/x"))
                for kind, subject in (("sertifikat_standar", documents[0]), ("izin", documents[1]), ("nib", nib))}
        pdfs["draf"] = draft_pdf(submission, schemas().get("permohonan-baru"))
    assert "49431" in printout_text(pdfs["nib"], pages=2) and "49431" in printout_text(pdfs["draf"])
    for kind, data in pdfs.items():
        image = page_image(data, tmp_path, kind, pages=2 if kind == "nib" else 1)
        assert abs(image.size[0] - 1240) <= 1 and abs(image.size[1] - 1754) <= 1, kind  # A4 at 150 dpi
        (tmp_path / f"{kind}.png").write_bytes((tmp_path / f"{kind}-1.png").read_bytes())


def render(settings, context):
    from forms.printing.render import render_pdf
    return render_pdf(settings, context["template"], context)


def test_signing_works_where_an_event_loop_is_running(app, applicant):
    """pyHanko's sync API calls asyncio.run(); under a running loop (Playwright, async servers) it must still sign."""
    wizard = inside_an_event_loop(lambda: issued(applicant, "11052"))
    number = IssuedDocument.objects.get(submission_id=wizard.submission().id).number
    data = applicant.get(f"/dokumen/{number}.pdf").data

    def check():
        with app.app_context():
            return check_signature(office_signer(app), data)

    assert inside_an_event_loop(check).valid


def inside_an_event_loop(function):
    """Call function from a coroutine, in a thread of its own (this one may already run a loop)."""
    import asyncio
    import threading

    result = {}

    async def main():
        result["value"] = function()

    thread = threading.Thread(target=lambda: asyncio.run(main()))
    thread.start()
    thread.join()
    return result["value"]


def test_downloads_wait_for_the_survey_when_the_setting_is_on(make_app):
    """SKM_REQUIRED_FOR_DOWNLOAD on: the owner is sent to the survey first; officers are not held."""
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                   SKM_REQUIRED_FOR_DOWNLOAD=True)
    from forms.identity.accounts import create_account
    from forms.store import IssuedDocument
    with app.app_context():
        create_account("siti", "Rahasia#2026", "Siti Aminah", ["pemohon"], email="siti@contoh.id",
                       phone="+6281234567890", nik=NIK, profile=PROFILE)
        create_account("vera", "Rahasia#2026", "Vera", ["verifikator"])
    client, officer = app.test_client(), app.test_client()
    login(client)
    login(officer, username="vera")
    wizard, rows = start(client, "11052")
    ok(wizard.fill("detail_usaha", rows))
    issue(wizard, "11052")
    number = IssuedDocument.objects.first().number
    held = client.get(f"/dokumen/{number}.pdf")
    assert held.status_code == 302 and "/formulir/skm" in held.headers["Location"]
    assert officer.get(f"/dokumen/{number}.pdf").status_code == 200
    app.config["SKM_REQUIRED_FOR_DOWNLOAD"] = False
    assert client.get(f"/dokumen/{number}.pdf").status_code == 200
