"""axe-core (WCAG 2.2 A/AA) over every page of the applicant, officer, head-of-office and admin journeys.

Each page is checked in Indonesian and English, at 1280 and 390 px, in real headless Chromium, with
its states that matter: a refused wizard step, a refused sign-in, the KBLI lookup's open list. The
data (a registration half-way, an application at its draft, an issued SS waiting for verification,
an Izin recommended to the head of office, an admin draft) is made over HTTP first; each browser
context then carries the session of the person whose pages it looks at.
"""
from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from forms.identity.accounts import create_account
from tests.accessibility import blocking, describe, violations
from tests.helpers import (
    ANSWER,
    FORMULIR,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    REQUIREMENTS_11052,
    VIEWPORTS,
    WizardClient,
    detail,
    issued,
    kegiatan,
    login,
    ok,
    products,
    token,
    village_code,
)

pytestmark = pytest.mark.browser
IZIN_REQUIREMENTS = ("str_sip_penanggung_jawab", "daftar_tenaga_atlm", "daftar_peralatan", "kerja_sama_limbah_medis",
                     "denah_tata_letak", "dokumen_sppl")
TEKNIS = {"teknis-0-kapasitas": "40", "teknis-0-satuan_kapasitas": "pasien/hari", "teknis-0-uraian_teknis": "Laboratorium medis",
          "teknis-0-penanggung_jawab_teknis": "dr. Rina"}
NEWCOMER = {"nik": "3201014501900009", "telepon": "0812-3456-7899", "email": "ani.baru@contoh.id"}  # not Siti
PERNYATAAN = {"pernyataan_data": "1", "pernyataan_tata_ruang": "1", "pernyataan_standar": "1"}


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False)


def post_on(client, page_path: str, action: str, **data):
    """POST a form of a page with the page's CSRF token."""
    return client.post(action, data={"csrf_token": token(client.get(page_path)), **data})


def act(client, document, action, officer=True):
    """Take a workflow action on a document, as the applicant or an officer."""
    path = f"/petugas/dokumen/{document.id}" if officer else f"/dokumen/{document.id}"
    version = re.search(r'name="_version" value="(\d+)"', client.get(path).get_data(as_text=True))
    assert post_on(client, path, f"{path}/aksi/{action}", catatan="", _version=version.group(1) if version else "") \
        .status_code == 302


def fulfil_and_judge(siti, vera, document, codes, action):
    """Upload every requirement, ask for verification, accept each, then the officer's action (if any)."""
    path = f"/dokumen/{document.id}"
    for code in codes:
        page = siti.get(path)
        assert siti.post(f"{path}/unggah/{code}", data={"csrf_token": token(page), "berkas": (io.BytesIO(PDF), "b.pdf")},
                         content_type="multipart/form-data").status_code == 302
    act(siti, document, "ajukan_verifikasi", officer=False)
    if action:
        for code in codes:
            post_on(vera, f"/petugas{path}", f"/petugas{path}/putusan/{code}", putusan="diterima", alasan="")
        act(vera, document, action)


def application_at_draft(client) -> str:
    """Permohonan Baru filled up to its last step (not sent); its submission id."""
    wizard = WizardClient(client, "permohonan-baru").start()
    ok(wizard.fill("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}))
    ok(wizard.fill("bidang_usaha", kegiatan("86903")))
    ok(wizard.fill("detail_usaha", detail(0)))
    ok(wizard.fill("detail_teknis", TEKNIS))
    ok(wizard.fill("produk", products("86903")))
    for step in ("periksa_produk", "periksa_usaha", "periksa_kegiatan"):
        ok(wizard.fill(step, {}))
    ok(wizard.fill("lingkungan", {"pernyataan_sppl": "1"}))
    ok(wizard.fill("pernyataan", PERNYATAAN))
    ok(wizard.fill("draf", {}))
    return wizard.submission_id


def registration_half_way(client) -> str:
    """Pendaftaran filled up to the code step; its submission id."""
    wizard = WizardClient(client, "pendaftaran").start()
    ok(wizard.fill("skala_usaha", {"skala_usaha": "umk"}))
    ok(wizard.fill("jenis_pelaku", {"jenis_pelaku": "perseorangan"}))
    ok(wizard.fill("formulir", dict(FORMULIR, desa=village_code(), **NEWCOMER)))
    return wizard.submission_id


def prepare(app) -> dict:
    """Everyone's signed-in client and the addresses of the data each one looks at."""
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
        create_account("kepala", PASSWORD, "Ibu Kepala", ["kepala"])
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    clients = {name: app.test_client() for name in ("siti", "vera", "kepala", "ani", "tamu")}
    for name in ("siti", "vera", "kepala", "ani"):
        assert login(clients[name], username=name).status_code == 302
    siti, vera = clients["siti"], clients["vera"]
    certificate = issued(siti)
    fulfil_and_judge(siti, vera, certificate, REQUIREMENTS_11052, None)
    izin = issued(siti, "86903")
    fulfil_and_judge(siti, vera, izin, IZIN_REQUIREMENTS, "rekomendasikan")
    draft = post_on(clients["ani"], "/admin/", "/admin/form/permohonan-baru/draf", **{"from": "1"})
    return {"clients": clients, "cookie": app.config["SESSION_COOKIE_NAME"], "certificate": str(certificate.id), "izin": str(izin.id),
            "application": application_at_draft(siti), "registration": registration_half_way(clients["tamu"]),
            "admin_draft": draft.headers["Location"]}


def journeys(data: dict) -> dict[str, list[str]]:
    """Who looks at which pages."""
    application, registration = f"/isian/{data['application']}", f"/isian/{data['registration']}"
    return {
        "tamu": ["/", "/standar-pelayanan", "/ikm", "/lacak", "/pengaduan", "/pengaduan/ikuti", "/masuk", "/masuk/lewat-kode",
                 "/lupa-sandi", "/formulir/pendaftaran", "/formulir/skm"]
                + [f"{registration}/langkah/{step}" for step in ("skala_usaha", "jenis_pelaku", "formulir", "verifikasi")],
        "siti": ["/beranda", "/profil", "/profil/keamanan", "/profil/token", "/formulir/permohonan-baru", "/pemenuhan",
                 f"/dokumen/{data['certificate']}", f"/dokumen/{data['izin']}", f"{application}/periksa"]
                + [f"{application}/langkah/{step}" for step in ("data_pelaku", "bidang_usaha", "detail_usaha", "detail_teknis",
                                                                "produk", "periksa_produk", "periksa_usaha",
                                                                "periksa_kegiatan", "lingkungan", "pernyataan", "draf")],
        "vera": ["/petugas/", f"/petugas/dokumen/{data['certificate']}", "/petugas/pengaduan", "/petugas/pekerjaan",
                 f"/petugas/dokumen/{data['izin']}"],
        "kepala": ["/petugas/", f"/petugas/dokumen/{data['izin']}"],
        "ani": ["/admin/", "/admin/form/permohonan-baru", "/admin/form/permohonan-baru/1", data["admin_draft"],
                data["admin_draft"] + "/terbitkan", "/admin/akun", "/admin/log", "/admin/table/kbli-risiko/1/baris",
                "/admin/webhook"],
    }


def acted_states(page, base: str, data: dict) -> dict[str, list[tuple[str, callable]]]:
    """Per person, pages in a state reached by acting: refused steps and sign-in, the KBLI list open."""
    application, registration = f"{base}/isian/{data['application']}", f"{base}/isian/{data['registration']}"

    def refuse(address, selector, value):
        page.goto(address)
        page.fill(selector, value)
        page.locator("button.primary[value=next]").click()

    def kbli_list_open():
        page.goto(f"{application}/langkah/bidang_usaha")
        page.fill("#f-kegiatan-0-kbli", "klinik")
        page.wait_for_timeout(600)

    def refused_login():
        page.goto(base + "/masuk")
        page.fill("#f-username", "siti")
        page.fill("#f-password", "Salah#2026")
        page.fill("#f-captcha", ANSWER)
        page.locator("form button[type=submit]").last.click()

    def refused_decisions():
        page.goto(f"{base}/petugas/dokumen/{data['certificate']}")
        page.locator("details.preview summary").first.click()
        page.locator(f"#p-{REQUIREMENTS_11052[0]} input[value=ditolak]").check()
        page.get_by_role("button", name=re.compile("Simpan semua putusan|Save all verdicts")).click()
        page.locator(".field-error").first.wait_for()

    return {
        "vera": [("putusan ditolak, pratinjau terbuka", refused_decisions)],
        "siti": [("langkah ditolak", lambda: refuse(f"{application}/langkah/data_pelaku", "#f-email", "bukan-email")),
                 ("KBLI terbuka", kbli_list_open)],
        "tamu": [("pendaftaran ditolak", lambda: refuse(f"{registration}/langkah/formulir", "#f-nik", "3201")),
                 ("masuk ditolak", refused_login)],
    }


def check_pages(browser, base, data, language, viewport, report) -> None:
    """Run axe on every page of every journey in one language and viewport, adding findings to report."""
    cookie_name = data["cookie"]
    for person, paths in journeys(data).items():
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
        cookies = [{"name": "lang", "value": language, "url": base}]
        session = data["clients"][person].get_cookie(cookie_name)
        if session is not None:
            cookies.append({"name": cookie_name, "value": session.value, "url": base})
        context.add_cookies(cookies)
        page = context.new_page()
        for path in paths:
            response = page.goto(base + path)
            assert response.status < 400, (person, path, response.status)
            report.append((f"{language} {viewport} {person} {path}", violations(page)))
        for name, reach in acted_states(page, base, data).get(person, []):
            reach()
            page.wait_for_load_state("load")  # its stylesheet too: unstyled, every link is a 19 px target
            report.append((f"{language} {viewport} {person} {name}", violations(page)))
        context.close()


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_journey_page_passes_axe(browser, app, live_server, language, screenshots):
    # Issued from a worker thread: Playwright keeps an event loop in this one, and signing printouts
    # (pyHanko) starts one of its own.
    with ThreadPoolExecutor(1) as pool:
        data = pool.submit(prepare, app).result()
    report = []
    for viewport in VIEWPORTS:
        check_pages(browser, live_server, data, language, viewport, report)
    lines = [line for where, found in report for line in describe(where, found)]
    (screenshots / f"axe-{language}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    serious = [line for where, found in report for line in describe(where, blocking(found))]
    assert len(report) >= 2 * 40
    assert not serious, f"{len(serious)} serious/critical axe findings:\n" + "\n".join(serious[:80])
