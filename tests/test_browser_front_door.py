"""The front door in real headless Chromium, on a desktop and a 390 px phone: a new visitor gets from `/` to a
finished registration and a signed-in home by following links only; every page of the applicant's journey fits
the phone's width (document scrollWidth) and has no serious or critical axe-core violation; the next step on
/beranda is the one the workflow declares for the document's state."""
from __future__ import annotations

import pytest

from forms.catalog.runtime import workflows
from tests.accessibility import blocking, describe, violations
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    REQUIREMENTS_11052,
    VIEWPORTS,
    code_of,
    issued,
    login,
    sent_for_verification,
    sign_in,
    take_action,
    token,
    verification_token,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False,
                    DEMO_MODE=False)


class Walk:
    """A browser page that checks every page it reaches: width, axe-core, and a screenshot."""

    def __init__(self, page, viewport, folder, name):
        self.page, self.viewport, self.folder, self.name = page, viewport, folder, name
        self.problems: list[str] = []
        self.seen: list[str] = []

    def check(self, label: str) -> None:
        """The page as it is now: no sideways scroll, no blocking axe violation."""
        self.page.wait_for_load_state()
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[self.viewport]["width"]:
            self.problems.append(f"{label}: scrolls sideways ({width}px)")
        self.problems += describe(label, blocking(violations(self.page)))
        self.seen.append(label)
        self.page.screenshot(path=str(self.folder / f"{self.name}-{self.viewport}-{len(self.seen):02d}-{label}.png"),
                             full_page=True)


def register_by_links(walk: Walk, app) -> None:
    """From the home page through registration, only clicking and typing."""
    page = walk.page
    walk.check("beranda-publik")
    page.get_by_role("link", name="Daftar").first.click()
    walk.check("pendaftaran-mulai")
    page.get_by_role("button", name="Mulai mengisi").click()
    page.get_by_label("UMK (Usaha Mikro dan Kecil)").check()
    walk.check("skala")
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_label("Orang Perseorangan").check()
    page.get_by_role("button", name="Lanjut").click()
    walk.check("formulir")
    fill_identity(page)
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#f-kode", code_of(app))
    walk.check("kode")
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#f-username", "siti.aminah")
    page.fill("#f-kata_sandi", "Rahasia#2026")
    page.fill("#f-kata_sandi-ulang", "Rahasia#2026")
    walk.check("akun")
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("radio", name="Ya", exact=True).check()
    page.locator("#f-pernyataan").check()
    walk.check("data-pelaku")
    page.get_by_role("button", name="Lanjut").click()
    walk.check("periksa")
    page.get_by_role("button", name="Daftar").click()
    assert page.get_by_role("heading", name="Pendaftaran Berhasil").is_visible()
    walk.check("berhasil")


def fill_identity(page) -> None:
    """The registration form's identity and address."""
    page.fill("#f-nik", "3201014501900001")
    page.fill("#f-nama", "Siti Aminah")
    page.get_by_label("Perempuan").check()
    page.fill("#f-tempat_lahir", "Bogor")
    page.fill("#f-tanggal_lahir", "1990-01-05")
    page.fill("#f-email", "siti@contoh.id")
    page.fill("#f-telepon", "0812 3456 7890")
    for select, value in (("provinsi", "32"), ("kabupaten", "32.01"), ("kecamatan", "32.01.01")):
        page.locator(f"#f-{select} option[value='{value}']").wait_for(state="attached")
        page.select_option(f"#f-{select}", value)
    page.locator("#f-desa option:nth-child(2)").wait_for(state="attached")
    page.select_option("#f-desa", index=1)
    page.fill("#f-alamat", "Jl. Melati No. 1")
    page.fill("#f-rt", "001")
    page.fill("#f-rw", "002")
    page.fill("#f-kode_pos", "16650")
    page.get_by_label("E-mail", exact=True).last.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_new_visitor_registers_and_signs_in_by_following_links(browser, app, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    walk = Walk(page, viewport, screenshots, "pintu")
    page.goto(live_server + "/")  # the only address typed: everything after is a link or a button
    register_by_links(walk, app)
    page.get_by_role("link", name="Masuk sekarang").click()
    walk.check("masuk")
    page.fill("#f-username", "siti.aminah")
    page.fill("#f-password", "Rahasia#2026")
    page.fill("#f-captcha", ANSWER)
    page.get_by_role("button", name="Masuk").last.click()
    assert page.get_by_role("heading", name="Selamat datang, Siti Aminah").is_visible()
    walk.check("beranda")
    page.get_by_role("link", name="Permohonan Baru").first.click()
    assert page.url.endswith("/formulir/permohonan-baru")
    walk.check("permohonan-baru")
    assert walk.problems == [] and errors == []
    context.close()


def applicant_with_documents(app) -> tuple:
    """Siti, an SS sent for verification and verified, and an Izin waiting for requirements."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    siti, vera = app.test_client(), app.test_client()
    assert login(siti).status_code == 302 and login(vera, username="vera").status_code == 302
    certificate = sent_for_verification(siti, issued(siti))
    for code in REQUIREMENTS_11052:
        page = vera.get(f"/petugas/dokumen/{certificate.id}")
        vera.post(f"/petugas/dokumen/{certificate.id}/putusan/{code}",
                  data={"csrf_token": token(page), "putusan": "diterima", "alasan": ""})
    assert take_action(vera, certificate, "verifikasi", officer=True).status_code == 302
    certificate.reload()
    licence = issued(siti, "86105")
    code = verification_token(app, siti.get(f"/dokumen/{certificate.number}.pdf").data)
    return certificate, licence, code


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_applicant_journey_fits_a_phone_and_passes_axe(browser, app, live_server, screenshots, viewport):
    certificate, licence, code = applicant_with_documents(app)
    with app.app_context():
        declared = {kind: {name: state.guidance for name, state in flow.states.items()}
                    for kind, flow in workflows().items()}
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    walk = Walk(page, viewport, screenshots, "perjalanan")
    for path in ("/", "/verifikasi", f"/verifikasi/{code}", "/lacak", "/standar-pelayanan", "/ikm", "/pengaduan"):
        page.goto(live_server + path)
        walk.check(path.strip("/").replace("/", "-")[:20] or "rumah")
    sign_in(page, live_server, "siti")
    for path in ("/beranda", "/pemenuhan", f"/dokumen/{certificate.id}", f"/dokumen/{licence.id}",
                 f"/isian/{certificate.submission_id}/status", "/profil"):
        page.goto(live_server + path)
        walk.check(path.strip("/").split("/")[0])
    page.goto(live_server + "/beranda")
    for document in (certificate, licence):  # the next step shown is the one its workflow state declares
        shown = page.locator(f'[data-state="{document.status}"]').first.inner_text()
        assert declared[document.kind][document.status]["applicant"]["id"] in shown
    assert walk.problems == []
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_risk_and_product_appear_on_the_step_that_decides_them(browser, app, live_server, viewport):
    from forms.identity.accounts import create_account
    from tests.helpers import kegiatan, ok, start
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    wizard, _rows = start(client, "11052")
    ok(wizard.fill("bidang_usaha", kegiatan("11052")))
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    sign_in(page, live_server, "siti")
    page.goto(live_server + wizard.url("detail_usaha"))
    for name, value in (("modal_tanah", "0"), ("modal_bangunan", "0"), ("modal_mesin", "150000000"),
                        ("modal_lain", "0"), ("modal_kerja", "50000000")):
        page.fill(f"#f-detail-0-{name}", value)
    from playwright.sync_api import expect
    expect(page.locator("#f-detail-0-skala")).to_have_text("Usaha Mikro")
    expect(page.locator("#f-detail-0-risiko")).to_have_text("Menengah Tinggi")
    expect(page.locator("#f-detail-0-produk")).to_have_text("Sertifikat Standar")
    expect(page.locator("#f-detail-0-lingkungan")).to_contain_text("SPPL")
    page.fill("#f-detail-0-modal_mesin", "2000000000")  # now a small business: the class follows at once
    expect(page.locator("#f-detail-0-skala")).to_have_text("Usaha Kecil")
    expect(page.locator("#f-detail-0-risiko")).to_have_text("Menengah Tinggi")
    page.fill("#f-detail-0-modal_mesin", "6000000000")  # beyond UMK: no risk class of this service any more
    expect(page.locator("#f-detail-0-skala")).to_have_text("Bukan UMK")
    expect(page.locator("#f-detail-0-risiko")).to_have_text("—")
    context.close()
