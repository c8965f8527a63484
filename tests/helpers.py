"""What several test files share: constants, answers and the helpers that walk Loket over HTTP.

Fixtures live in conftest.py; test files import plain helpers from here, never from one another.
"""
from __future__ import annotations

import email
import email.policy
import io
import os
import re
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def store_config() -> dict:
    """Store settings for tests: a throwaway real database if MONGODB_URI is given, else mongomock."""
    uri = os.environ.get("MONGODB_URI")
    if uri:
        return {"STORE": "mongodb", "MONGODB_URI": uri, "MONGODB_DB": f"loket_test_{uuid.uuid4().hex[:12]}"}
    return {"STORE": "memory"}


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="(\d+)"')


def token(page) -> str:
    """The CSRF token of a rendered page."""
    return CSRF.search(page.get_data(as_text=True)).group(1)


def ok(response):
    """Assert a step was saved (a redirect), showing the field errors otherwise."""
    assert response.status_code == 302, re.findall(r'class="field-error"[^>]*>([^<]*)', response.get_data(as_text=True)) or \
        response.get_data(as_text=True)[:3000]
    return response


class WizardClient:
    """Drives a form over HTTP as a browser would: reads the CSRF token and version from each page."""

    def __init__(self, client, form_id: str = "demo"):
        self.client = client
        self.form_id = form_id
        self.submission_id = None

    def start(self):
        """Begin a new submission of the form."""
        page = self.client.get(f"/formulir/{self.form_id}")
        response = self.client.post(f"/formulir/{self.form_id}", data={"csrf_token": token(page)})
        assert response.status_code == 302, response.data
        self.submission_id = response.headers["Location"].rsplit("/", 1)[-1]
        return self

    def url(self, step: str = "") -> str:
        """The address of the submission, or of one of its steps."""
        return f"/isian/{self.submission_id}" + (f"/langkah/{step}" if step else "")

    def fill(self, step: str, values: dict, action: str = "next", files: dict | None = None, **extra):
        """GET the step, then POST values with its CSRF token and version."""
        page = self.client.get(self.url(step))
        assert page.status_code == 200, page.status_code
        data = {"csrf_token": token(page), "_version": VERSION.search(page.get_data(as_text=True)).group(1),
                "_action": action, **values, **extra}
        data.update(files or {})
        return self.client.post(self.url(step), data=data, content_type="multipart/form-data")

    def submission(self):
        """The stored submission."""
        from forms.store import find_submission
        return find_submission(self.submission_id)


# A valid demo applicant; NIK region 320101 (Kab. Bogor, Nanggung), born 5 Jan 1990, female (day+40).
DEMO_DIRI = {
    "nik": "3201014501900001", "nama": "Siti Aminah", "jenis_kelamin": "P", "tanggal_lahir": "1990-01-05",
    "telepon": "0812-3456-7890", "email": "siti@contoh.id", "npwp": "", "provinsi": "32", "kabupaten": "32.01",
    "alamat": "Jl. Melati No. 1, RT 01/RW 02",
}
DEMO_USAHA = {
    "kbli": "10710", "bentuk_tempat": "rumah", "luas": "36", "pekerja": "3", "modal_mesin": "Rp25.000.000",
    "modal_kerja": "15.000.000", "saluran": ["toko", "daring"],
}
DEMO_PRODUK = {"daftar_produk-count": "1", "daftar_produk-0-nama_produk": "Roti manis",
               "daftar_produk-0-kapasitas": "12000"}
DEMO_LAMPIRAN = {"pernyataan": "1"}


ANSWER = "UJI42"  # the image code every test app accepts (CAPTCHA_TEST_ANSWER)
PASSWORD = "Rahasia#2026"
NEW_PASSWORD = "Baru!Sandi2027"
NIK = "3201014501900001"
PROFILE = {"tempat_lahir": "Bangkinang", "tanggal_lahir": "1990-01-05", "alamat": "Jl. Melati No. 1", "rt": "001",
           "rw": "002", "provinsi": "14", "kabupaten": "14.01", "kecamatan": "14.01.01", "desa": "14.01.01.1011"}


def login(client, username="siti", password=PASSWORD, answer=ANSWER, image=True, path="/masuk", **extra):
    """GET the login page (and its image, as a browser would), then POST the form."""
    page = client.get(path)
    if image:
        assert client.get("/masuk/captcha.png").status_code == 200
    data = {"csrf_token": token(page), "username": username, "password": password, "captcha": answer, **extra}
    return client.post(path, data=data)


def signed_in(client) -> bool:
    """Whether the client's session is signed in."""
    return client.get("/profil").status_code == 200


def one_page_pdf(padding: int = 0) -> bytes:
    """A small but well-formed PDF (uploads are opened and checked), optionally padded by `padding` bytes of metadata."""
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    if padding:
        writer.add_metadata({"/Keterangan": "x" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A well-formed PDF of exactly `size` bytes."""
    padding = size - len(one_page_pdf())
    made = one_page_pdf(padding)
    while len(made) != size:  # the offsets written at the end grow by a digit or two with the padding
        padding += size - len(made)
        made = one_page_pdf(padding)
    return made


def image_bytes(kind: str = "png", size: tuple[int, int] = (40, 20)) -> bytes:
    """A small real image (png or jpg)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, {"png": "PNG", "jpg": "JPEG"}[kind])
    return out.getvalue()


PDF = one_page_pdf()
REQUIREMENTS_11052 = ("hasil_uji_air", "bukti_pasokan_air_baku", "daftar_peralatan",
                      "foto_lokasi", "dokumen_sppl")


def kegiatan(*codes):
    """Answers of the activities step for KBLI codes."""
    values = {"kegiatan-count": str(len(codes))}
    for index, code in enumerate(codes):
        values[f"kegiatan-{index}-kbli"] = code
        values[f"kegiatan-{index}-uraian_kegiatan"] = f"Kegiatan {code}"
    return values


def detail(index, machinery="Rp150.000.000", working="50.000.000", land="0", building="0", **extra):
    """Answers of one row of the business details step."""
    prefix = f"detail-{index}-"
    values = {"nama_usaha": "Usaha Maju", "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011",
              "alamat_usaha": "Jl. Pahlawan 5", "koordinat": "0.3312, 101.0251", "status_lahan": "sewa", "luas_lahan": "120",
              "satuan_luas": "m2", "modal_tanah": land, "modal_bangunan": building, "modal_mesin": machinery,
              "modal_lain": "0", "modal_kerja": working, "tenaga_laki": "2", "tenaga_perempuan": "3", **extra}
    return {prefix + name: value for name, value in values.items()}


def products(*codes):
    """Answers of the products step, one product per KBLI code."""
    values = {"daftar_produk-count": str(len(codes))}
    for index, code in enumerate(codes):
        values.update({f"daftar_produk-{index}-kbli_produk": code, f"daftar_produk-{index}-nama_produk": f"Produk {code}",
                       f"daftar_produk-{index}-kapasitas_produk": "1000", f"daftar_produk-{index}-satuan_produk": "unit/tahun"})
    return values


def start(client, *codes, **detail_changes) -> tuple[WizardClient, dict]:
    """Begin Permohonan Baru up to the business details; the wizard and that step's answers."""
    wizard = WizardClient(client, "permohonan-baru").start()
    ok(wizard.fill("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}))
    ok(wizard.fill("bidang_usaha", kegiatan(*codes)))
    rows = {}
    for index, _code in enumerate(codes):
        rows.update(detail(index, **detail_changes))
    return wizard, rows


def issue(wizard, *codes, teknis=None, ukl=None):
    """Fill the remaining steps of Permohonan Baru and send it; the response of the send."""
    for step, values in (("produk", products(*codes)), ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {})):
        if step == "produk" and teknis is not None:
            ok(wizard.fill("detail_teknis", teknis))
        ok(wizard.fill(step, values))
    ok(wizard.fill("lingkungan", {"pernyataan_sppl": "1", **(ukl or {})}))
    ok(wizard.fill("pernyataan", {"pernyataan_data": "1", "pernyataan_tata_ruang": "1", "pernyataan_standar": "1"}))
    ok(wizard.fill("draf", {}))
    page = wizard.client.get(wizard.url() + "/periksa")
    return wizard.client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": wizard.submission().version})


def issued(client, code="11052", **changes):
    """Walk Permohonan Baru for one KBLI code to issuance; the issued document."""
    from forms.store import IssuedDocument
    wizard, rows = start(client, code, **changes)
    ok(wizard.fill("detail_usaha", rows))
    teknis = None
    if code == "86903":
        teknis = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari",
                  "teknis-0-uraian_teknis": "Klinik", "teknis-0-penanggung_jawab_teknis": "dr. Rina"}
    assert issue(wizard, code, teknis=teknis).status_code == 302
    return IssuedDocument.objects(submission_id=wizard.submission().id).first()


A4_POINTS = (595, 842)


def printout_text(data: bytes, pages: int = 1) -> str:
    """The text of a printout, which must be `pages` A4 pages (one; the NIB adds its attachment page), with runs of
    white space made one space."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def verification_token(app, data: bytes) -> str:
    """The token a PDF's QR code carries, read from the PDF's text (the verification address is printed too)."""
    text = printout_text(data, pages=len(PdfReader(io.BytesIO(data)).pages))  # the NIB has an attachment page
    match = re.search(r"/verifikasi/ ?([A-Za-z0-9_-]{22})", text)
    assert match, text
    return match.group(1)


class Api:
    """A client that sends one account's bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def call(self, method: str, path: str, **kwargs):
        """Send a request under /api/v1 with the token, if any."""
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        """GET under /api/v1."""
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        """POST under /api/v1."""
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        """PUT under /api/v1."""
        return self.call("PUT", path, **kwargs)


def api_rows(*codes):
    """The activities step's answers for KBLI codes, as JSON."""
    return {"kegiatan": [{"kbli": code, "uraian_kegiatan": f"Kegiatan {code}"} for code in codes]}


API_DETAIL = {"nama_usaha": "Usaha Maju", "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011",
              "alamat_usaha": "Jl. Pahlawan 5", "koordinat": "0.3312, 101.0251", "status_lahan": "sewa", "luas_lahan": 120,
              "satuan_luas": "m2", "modal_tanah": 0, "modal_bangunan": 0, "modal_mesin": 150000000, "modal_lain": 0,
              "modal_kerja": 50000000, "tenaga_laki": 2, "tenaga_perempuan": 3}
API_STEPS = [
    ("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}),
    ("bidang_usaha", api_rows("11052")),
    ("detail_usaha", {"detail": [{"kbli": "11052", **API_DETAIL}]}),
    ("produk", {"daftar_produk": [{"kbli_produk": "11052", "nama_produk": "Air minum", "kapasitas_produk": 1000,
                                   "satuan_produk": "unit/tahun"}]}),
    ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
    ("lingkungan", {"pernyataan_sppl": True}),
    ("pernyataan", {"pernyataan_data": True, "pernyataan_tata_ruang": True, "pernyataan_standar": True}),
    ("draf", {}),
]


def api_fill(api, submission_id, step, values, **extra):
    """Save one step's answers over the API."""
    return api.put(f"/submissions/{submission_id}/steps/{step}", json={"values": values, **extra})


def issue_over_api(api) -> dict:
    """Permohonan Baru from draft to issuance, over the API; returns the submitted submission."""
    created = api.post("/submissions", json={"form_id": "permohonan-baru"})
    assert created.status_code == 201, created.get_json()
    submission = created.get_json()
    for step, values in API_STEPS:
        response = api_fill(api, submission["id"], step, values, version=submission["version"])
        assert response.status_code == 200, (step, response.get_json())
        submission = response.get_json()
    assert submission["ready_to_submit"] and submission["next_step"] is None
    response = api.post(f"/submissions/{submission['id']}/submit", json={"version": submission["version"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "mengirim"  # answered at once; a job issues (run after the response)
    issued = api.get(f"/submissions/{submission['id']}")
    assert issued.status_code == 200, issued.get_json()
    return issued.get_json()


def api_upload(api, document_id, code, content=PDF, name="berkas.pdf"):
    """Upload a requirement's file over the API."""
    return api.put(f"/documents/{document_id}/requirements/{code}", data={"file": (io.BytesIO(content), name)},
                   content_type="multipart/form-data")


COMPLAINT = {"kategori": "waktu", "nomor_permohonan": "pb-2026-000001",
             "uraian": "Permohonan saya belum diverifikasi setelah dua minggu, mohon dicek."}
COMPLAINT_ATTACHMENT = PDF
CODE_SHOWN = re.compile(r"Kode akses pengaduan Anda: ([A-Z0-9]{4}-[A-Z0-9]{4})")


def file_complaint(client, contact: dict, attachment: bool = False) -> tuple[str, str, str]:
    """Walk the complaint form and send it; (ticket id, number, access code shown once)."""
    wizard = WizardClient(client, "pengaduan").start()
    files = {"lampiran": (io.BytesIO(COMPLAINT_ATTACHMENT), "bukti.pdf")} if attachment else None
    assert wizard.fill("aduan", COMPLAINT, files=files).status_code == 302
    assert wizard.fill("kontak", contact).status_code == 302
    review = client.get(f"/isian/{wizard.submission_id}/periksa")
    sent = client.post(f"/isian/{wizard.submission_id}/kirim",
                       data={"csrf_token": token(review), "_version": wizard.submission().version})
    assert sent.status_code == 302, sent.data
    status = client.get(sent.headers["Location"]).get_data(as_text=True)
    number = re.search(r"Nomor: <strong>(ADU-\d{4}-\d{6})</strong>", status).group(1)
    code = CODE_SHOWN.search(status).group(1)
    assert CODE_SHOWN.search(client.get(sent.headers["Location"]).get_data(as_text=True)) is None  # shown once
    return wizard.submission_id, number, code


FORMULIR = {
    "nik": "3201014501900001", "nama": "Siti Aminah", "jenis_kelamin": "P", "tempat_lahir": "Bogor",
    "tanggal_lahir": "1990-01-05", "email": "siti@contoh.id", "telepon": "0812-3456-7890", "provinsi": "32",
    "kabupaten": "32.01", "kecamatan": "32.01.01", "desa": "", "alamat": "Jl. Melati No. 1", "rt": "001",
    "rw": "002", "kode_pos": "16650", "kanal": "email",
}
AKUN = {"username": "Siti.Aminah", "kata_sandi": "Rahasia#2026", "kata_sandi-ulang": "Rahasia#2026"}
PELAKU = {"npwp": "", "domisili_sama": "ya", "pernyataan": "1"}


@cache
def village_code() -> str:
    """A real village of the district FORMULIR chooses (read from schemas/ once per process)."""
    from forms.engine.schema import load_schemas
    return load_schemas(ROOT / "schemas").tables["desa-kelurahan"].keys_where("kode_kecamatan", "32.01.01")[0]


def code_of(app) -> str:
    """The six-digit code in the newest message of the app's outbox."""
    newest = max(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    return re.search(r"\b(\d{6})\b", email.message_from_bytes(newest.read_bytes(), policy=email.policy.default)
                     .get_body(("plain",)).get_content()).group(1)


RESPONDENT = {"jenis_kelamin": "P", "usia": "u35", "pendidikan": "s1", "pekerjaan": "wirausaha"}


def answers_of(values: list[int], comment: str = "", **profile) -> dict:
    """Stored answers of one survey, by step, as the wizard keeps them."""
    return {"responden": {**RESPONDENT, **profile},
            "penilaian": {f"u{number}": str(value) for number, value in enumerate(values, start=1)},
            "saran": {"saran": comment} if comment else {}}


def seed_survey(values: list[int], at: datetime, owner: str = "anon:walk-in", status: str = "diterima",
                comment: str = "", **profile):
    """A sent survey (or a draft, with status='draft') directly in the store."""
    from forms.store import Submission
    seq = Submission.objects(form_id="skm").count() + 1
    return Submission(form_id="skm", form_version=1, owner=owner, status=status, answers=answers_of(values, comment, **profile),
                      number=None if status == "draft" else f"SKM-{at.year}-{seq:06d}",
                      submitted_at=None if status == "draft" else at).save()


TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
INLINE_ATTRIBUTE = re.compile(r"""\s(style|on[a-z]+)\s*=|\s(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Tags the CSP would block or that smuggle code: inline <script>, <style>, style= and on*= attributes, javascript: links."""
    found = []
    for match in TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2) or ""
        if (name == "script" and "src=" not in attributes) or name == "style" or INLINE_ATTRIBUTE.search(attributes):
            found.append(match.group(0)[:120])
    return found


OFFICE_ZONE = "Asia/Jakarta"


def wib(text: str):
    """'2026-12-13 10:00' read as office time (WIB), returned as the store keeps times: naive UTC."""
    local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(OFFICE_ZONE))
    return local.astimezone(UTC).replace(tzinfo=None)


def pin_clock(app, moment):
    """Make the app's office clock read `moment` (naive UTC): what pages call "now" and "today"."""
    calendar = app.extensions["loket.calendar"]
    app.extensions["loket.calendar"] = calendar.with_now(lambda: moment)


VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "ponsel": {"width": 390, "height": 844}}


def sign_in(page, base, username):
    """Sign in through the login page in the browser."""
    page.goto(base + "/masuk")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-captcha", ANSWER)
    page.get_by_role("button", name="Masuk").click()


def fill_business_detail(page, name: str = "Depot Tirta Kampar", area: str = "60",
                         capital: tuple[str, str, str, str, str] = ("0", "0", "120.000.000", "5.000.000", "25.000.000"),
                         workers: tuple[str, str] = ("1", "2"), check_total: str | None = None) -> None:
    """In Chromium, on 'Detail Bidang Usaha': the first row's business, place, land, capital (land, building,
    machines, other, working) and workers, as an applicant types them (the village list loads after the district,
    by the page's script: it must have run before the district is chosen)."""
    page.wait_for_load_state("load")
    page.fill("#f-detail-0-nama_usaha", name)
    page.select_option("#f-detail-0-kecamatan_usaha", "14.01.01")
    page.locator("#f-detail-0-desa_usaha option[value='14.01.01.1011']").wait_for(state="attached")
    page.select_option("#f-detail-0-desa_usaha", "14.01.01.1011")
    page.fill("#f-detail-0-alamat_usaha", "Jl. Pahlawan 5")
    page.fill("#f-detail-0-koordinat", "0.3312, 101.0251")
    page.select_option("#f-detail-0-status_lahan", "sewa")
    page.fill("#f-detail-0-luas_lahan", area)
    page.select_option("#f-detail-0-satuan_luas", "m2")
    for part, value in zip(("tanah", "bangunan", "mesin", "lain", "kerja"), capital, strict=True):
        page.fill(f"#f-detail-0-modal_{part}", value)
    if check_total is not None:  # the page sums the capital as it is typed
        assert page.locator("#f-detail-0-total_investasi").inner_text() == check_total
    page.fill("#f-detail-0-tenaga_laki", workers[0])
    page.fill("#f-detail-0-tenaga_perempuan", workers[1])


def assert_no_sideways_scroll(page, viewport: str) -> None:
    """The page fits the viewport's width (measured once its stylesheet has loaded: unstyled, tables are wider)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"page scrolls sideways: {width}px"


def upload_requirement(client, document, code, content=PDF, name="berkas.pdf"):
    """Upload one requirement of an issued document from its page, as the applicant."""
    page = client.get(f"/dokumen/{document.id}")
    return client.post(f"/dokumen/{document.id}/unggah/{code}", content_type="multipart/form-data",
                       data={"csrf_token": token(page), "berkas": (io.BytesIO(content), name)})


def take_action(client, document, action, officer: bool, note: str = ""):
    """Fire a workflow action from the document's page (the officer's or the applicant's)."""
    path = f"/petugas/dokumen/{document.id}" if officer else f"/dokumen/{document.id}"
    page = client.get(path)
    version = re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True))
    data = {"csrf_token": token(page), "catatan": note, "_version": version.group(1) if version else ""}
    return client.post(f"{path}/aksi/{action}", data=data)


def sent_for_verification(client, document, codes=REQUIREMENTS_11052):
    """Upload every requirement and send the document for verification; the document, reloaded."""
    for code in codes:
        assert upload_requirement(client, document, code).status_code == 302
    assert take_action(client, document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    return document


def run_jobs(app) -> int:
    """Run every job that is due, as a worker would; how many ran."""
    from forms.casework.jobs import run_due
    with app.app_context():
        return run_due()


class JobsAfterEachRequest:
    """WSGI wrapper for tests: once a response is complete (its unit of work committed), run the jobs it queued."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        result = self.wsgi_app(environ, start_response)
        try:
            body = list(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        run_jobs(self.app)
        return body


def find_by_nik(client, nik: str, follow: bool = False):
    """Search an applicant at the counter by NIK, as its search form posts it."""
    page = client.get("/loket/")
    return client.post("/loket/cari", data={"csrf_token": token(page), "nik": nik}, follow_redirects=follow)


def account_id(app, username: str):
    """The id of an account by username."""
    from forms.store import find_account_by_username
    with app.app_context():
        return find_account_by_username(username).id


def serve_applicant(client, nik: str = NIK) -> str:
    """At the counter: find the applicant by NIK and start serving them; the applicant page's address."""
    found = find_by_nik(client, nik)
    assert found.status_code == 302 and "/loket/pemohon/" in found.headers["Location"], found.headers.get("Location")
    page = client.get(found.headers["Location"])
    served = client.post(found.headers["Location"] + "/layani", data={"csrf_token": token(page)})
    assert served.status_code == 302
    return found.headers["Location"]


def file_at_counter(client, code: str = "11052"):
    """File Permohonan Baru for the applicant being served (siti's test data); the submission and its document."""
    from forms.store import IssuedDocument
    wizard, rows = start(client, code)
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, code).status_code == 302
    submission = wizard.submission()
    return submission, IssuedDocument.objects(submission_id=submission.id).first()
