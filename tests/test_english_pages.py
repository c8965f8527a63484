"""The English interface leaves no Indonesian interface words behind on the main pages.

Every page a visitor, an applicant and an officer reach is rendered in English mode; its visible
text (and the attributes people read: alt, title, placeholder, aria-label) is searched for
Indonesian interface words. Text that comes from schemas/ (labels, help, statuses, table rows)
may stay Indonesian where a schema gives no English, so it is taken out first.
"""
from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest

from forms.catalog.runtime import schemas
from tests.helpers import (
    ANSWER,
    DEMO_DIRI,
    DEMO_LAMPIRAN,
    DEMO_PRODUK,
    DEMO_USAHA,
    PDF,
    ROOT,
    WizardClient,
    issued,
    login,
    token,
)

INDONESIAN = re.compile(
    r"\b(Lanjut|Lanjutkan|Kembali|Simpan|Kirim|Masuk|Keluar|Langkah|Ubah|Pilih|Unduh|Unggah|Riwayat|Beranda|Periksa|"
    r"Tambah|Hapus|Berkas|Belum|Sudah|Nomor|Petugas|Dokumen|Persyaratan|Tidak|Cari|Isian|Lacak|Formulir|Akun|Kode|"
    r"Draf|Tersimpan|Lihat|Mulai|Selamat|Sisa|Kasus|Catatan|Jejak|Versi|Terima|Tolak|Alasan|Tugaskan|Masih|Kata sandi|"
    r"Nama pengguna|wajib|dikirim|dari|yang|dengan|untuk|atau|tidak|belum|sudah|Anda|kata sandi)\b")
SEPARATORS = re.compile(r"\s+[—·→|]\s+|:\s+|\s*\n\s*")


class PageText(HTMLParser):
    """Visible text nodes of a page and the attributes that are read aloud or shown."""

    READ = ("alt", "title", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style", "textarea")
        self.texts += [value for name, value in attrs if name in self.READ and value]

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style", "textarea") and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def schema_texts() -> set[str]:
    """Every string written in schemas/ (either language), whitespace-normalised, whole and in pieces."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            text = " ".join(value.split())
            found.add(text)
            found.update(part.strip(" .,;()*") for part in SEPARATORS.split(text))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (ROOT / "schemas").rglob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def known() -> set[str]:
    return schema_texts()


def leftovers(html: str, known: set[str]) -> list[str]:
    """Pieces of interface text that still contain Indonesian words, schema texts taken out."""
    parser = PageText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        text = " ".join(text.split())
        if text in known:
            continue
        for part in SEPARATORS.split(text):
            part = part.strip(" .,;()*")
            if INDONESIAN.search(part) and part not in known:
                found.append(part)
    return found


def table_labels(app) -> set[str]:
    """Labels of the rows of reference tables that the visited pages show (regions, business codes)."""
    with app.app_context():
        tables = schemas().tables
        labels = {label for name in ("provinsi", "kabupaten-kota", "kbli", "kecamatan-kantor", "kategori-pengaduan")
                  for _key, label in tables[name].choices()}
    return labels | {part.strip(" .,;()*") for label in labels for part in SEPARATORS.split(label)}


def english(client):
    """Switch a client to English as the language button does."""
    page = client.get("/")
    assert client.post("/bahasa", data={"csrf_token": token(page), "lang": "en", "next": "/"}).status_code == 302


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    RESET_RATE_LIMIT="1000/minute")


def visitor_pages(client) -> dict[str, str]:
    """Pages of an anonymous visitor: home, the demo wizard end to end (with errors), sign-in, tracking, errors."""
    pages = {}
    wizard = WizardClient(client, "demo").start()
    pages["start"] = client.get("/formulir/demo").get_data(as_text=True)
    pages["step"] = client.get(wizard.url("data_diri")).get_data(as_text=True)
    refused = wizard.fill("data_diri", {**DEMO_DIRI, "nik": "3201", "nama": "", "email": "x@", "tanggal_lahir": "1-2"})
    assert refused.status_code == 422
    pages["step with errors"] = refused.get_data(as_text=True)
    for step, values in (("data_diri", DEMO_DIRI), ("usaha", DEMO_USAHA)):
        assert wizard.fill(step, values).status_code == 302
    pages["repeat step"] = client.get(wizard.url("produk") + "?tambah=daftar_produk").get_data(as_text=True)
    assert wizard.fill("produk", {**DEMO_PRODUK, "daftar_produk-count": "1"}, action="save").status_code == 302
    pages["saved draft"] = client.get(wizard.url("produk")).get_data(as_text=True)  # flash message
    assert wizard.fill("produk", DEMO_PRODUK).status_code == 302
    upload = {"foto_usaha": (io.BytesIO(PDF), "foto.pdf")}
    assert wizard.fill("lampiran", DEMO_LAMPIRAN, files=upload).status_code == 302
    pages["file step"] = client.get(wizard.url("lampiran")).get_data(as_text=True)
    review = client.get(wizard.url() + "/periksa")
    pages["review"] = review.get_data(as_text=True)
    sent = client.post(wizard.url() + "/kirim",
                       data={"csrf_token": token(review), "_version": wizard.submission().version})
    pages["status"] = client.get(sent.headers["Location"]).get_data(as_text=True)
    pages["home"] = client.get("/").get_data(as_text=True)
    pages["sign in"] = client.get("/masuk").get_data(as_text=True)
    pages["wrong password"] = login(client, username="nobody", password="Salah#123").get_data(as_text=True)
    pages["forgot"] = client.get("/lupa-sandi").get_data(as_text=True)
    form = client.get("/lupa-sandi")
    assert client.get("/masuk/captcha.png").status_code == 200
    forgot = client.post("/lupa-sandi", data={"csrf_token": token(form), "username": "nobody", "captcha": ANSWER})
    pages["reset"] = client.get(forgot.headers["Location"]).get_data(as_text=True)
    pages["not found"] = client.get("/tidak-ada").get_data(as_text=True)
    pages["tracking"] = client.get("/lacak").get_data(as_text=True)
    pages["tracking miss"] = client.post("/lacak", data={"csrf_token": token(client.get("/lacak")), "nomor": "X-1",
                                                         "nik": "3201014501900001"}).get_data(as_text=True)
    pages["unknown document"] = client.get("/verifikasi/tidak-ada").get_data(as_text=True)
    for path in ("/standar-pelayanan", "/ikm", "/pengaduan"):
        pages[path] = client.get(path).get_data(as_text=True)
    return pages


def case_pages(people, document) -> dict[str, str]:
    """Pages of the applicant whose document was issued, and of an officer working it."""
    applicant, officer = people["siti"], people["vera"]
    pages = {name: applicant.get(path).get_data(as_text=True) for name, path in (
        ("applicant home", "/beranda"), ("profile", "/profil"), ("fulfilment", "/pemenuhan"),
        ("fulfilment document", f"/dokumen/{document.id}"))}
    pages["upload refused"] = applicant.post(f"/dokumen/{document.id}/unggah/foto_lokasi", data={
        "csrf_token": token(applicant.get(f"/dokumen/{document.id}"))}, follow_redirects=True).get_data(as_text=True)
    pages.update({name: officer.get(path).get_data(as_text=True) for name, path in (
        ("officer inbox", "/petugas/"), ("officer case", f"/petugas/dokumen/{document.id}"),
        ("complaint queue", "/petugas/pengaduan"))})
    return pages


def test_english_pages_have_no_indonesian_interface_words(app, people, known):
    known = known | table_labels(app)
    visitor = app.test_client()
    english(visitor)
    pages = visitor_pages(visitor)
    document = issued(people["siti"])
    for client in (people["siti"], people["vera"]):
        english(client)
    pages.update(case_pages(people, document))
    problems = {name: found for name, html in pages.items() if (found := leftovers(html, known))}
    assert all('<html lang="en">' in html for html in pages.values())
    assert not problems, problems


def test_the_check_finds_indonesian_interface_words(client, known):
    """The same check on the Indonesian pages finds the words it looks for (so it can fail)."""
    wizard = WizardClient(client, "demo").start()
    found = leftovers(client.get(wizard.url("data_diri")).get_data(as_text=True), known)
    assert {"Simpan draf", "Lanjut →", "Langkah 1 dari 4", "— Pilih —"} <= set(found), found


def test_english_wizard_step_keeps_its_buttons_and_error_texts(client):
    english(client)
    wizard = WizardClient(client, "demo").start()
    page = wizard.fill("data_diri", {"nik": "3201"}).get_data(as_text=True)
    for text in ("Save draft", "Next &rarr;", "Step 1 of 4", "entries need correcting", "(required)",
                 "The NIK must be 16 digits (4 characters entered).", "Required.", "— Choose —"):
        assert text in page, text


def test_a_form_refused_before_the_view_is_explained_in_english(client):
    """The CSRF check runs before the view: its page is in the visitor's language too."""
    english(client)
    refused = client.post("/formulir/demo", data={})
    assert refused.status_code == 400 and "The form cannot be sent" in refused.get_data(as_text=True)


def translated_pairs() -> dict[str, str]:
    """Indonesian texts of schemas/ that have a different English text ({"id": …, "en": …}, or `nama`/`nama_en`),
    longer than a word."""
    pairs: dict[str, str] = {}

    def keep(indonesian: str, english: str) -> None:
        text = " ".join(indonesian.split())
        if len(text) > 6 and " " in text or len(text) > 12:
            pairs[text] = english

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and isinstance(value.get("en"), str) and value["id"] != value["en"]:
                keep(value["id"], value["en"])
            for key in ("nama", "uraian"):  # table items written as `nama` beside `nama_en` (requirements)
                if isinstance(value.get(key), str) and isinstance(value.get(f"{key}_en"), str):
                    keep(value[key], value[f"{key}_en"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (ROOT / "schemas").rglob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return pairs


MONTHS = re.compile(r"\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
                    r"Desember) \d{4}\b")


def untranslated(html: str, pairs: dict[str, str]) -> list[str]:
    """Schema texts shown in Indonesian although they have an English text, and Indonesian dates."""
    parser = PageText()
    parser.feed(html)
    text = " ".join(" ".join(parser.texts).split())
    return [source for source in pairs if source in text and pairs[source] not in text] + MONTHS.findall(text)


def front_door_pages(app, people) -> dict[str, str]:
    """The applicant's and the public pages of the front door, with an issued document behind them."""
    from tests.helpers import NIK, verification_token
    app.config["SKM_REQUIRED_FOR_DOWNLOAD"] = False
    document = issued(people["siti"])
    siti, visitor = people["siti"], app.test_client()
    for client in (siti, visitor):
        english(client)
    code = verification_token(app, siti.get(f"/dokumen/{document.number}.pdf").data)
    pages = {path: siti.get(path).get_data(as_text=True) for path in (
        "/beranda", "/pemenuhan", f"/dokumen/{document.id}", f"/isian/{document.submission_id}/status")}
    pages.update({path: visitor.get(path).get_data(as_text=True) for path in (
        "/", "/masuk", "/verifikasi", f"/verifikasi/{code}", "/lacak", "/standar-pelayanan", "/ikm", "/pengaduan")})
    form = visitor.get("/lacak")
    pages["tracking found"] = visitor.post("/lacak", data={"csrf_token": token(form), "nomor": document.number,
                                                           "nik": NIK}).get_data(as_text=True)
    return pages


def test_front_door_pages_in_english_use_the_english_of_the_schemas(app, people, known):
    pairs = translated_pairs()
    pages = front_door_pages(app, people)
    problems = {name: found for name, html in pages.items() if (found := untranslated(html, pairs))}
    problems.update({name: found for name, html in pages.items() if (found := leftovers(html, known | table_labels(app)))})
    assert not problems, problems


def test_the_schema_check_finds_indonesian_left_in_english(app, people):
    """On the Indonesian pages the same check finds what it looks for (so it can fail)."""
    pairs = translated_pairs()
    issued(people["siti"])
    found = untranslated(people["siti"].get("/beranda").get_data(as_text=True), pairs)
    assert "Terbit — belum terverifikasi" in found and "Sertifikat Standar" in found
