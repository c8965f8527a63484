"""The admin area walked in headless Chromium, desktop and 390 px: edit a label, preview, publish, and
see it in the applicant's wizard."""
from __future__ import annotations

import pytest

from forms.identity.accounts import create_account
from forms.store import SchemaVersion
from tests.helpers import ANSWER, NIK, PASSWORD, PROFILE, VIEWPORTS, sign_in

pytestmark = pytest.mark.browser
NEW_LABEL = "NPWP pelaku usaha (15 atau 16 digit)"


def go(page, locator):
    """Click something that loads a new page and wait for that page."""
    with page.expect_navigation():
        locator.click()


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_edit_preview_publish_in_the_browser(browser, app, live_server, screenshots, viewport):
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    shot = lambda name: page.screenshot(path=str(screenshots / f"admin-{viewport}-{name}.png"), full_page=True)

    sign_in(page, live_server, "ani")
    go(page, page.get_by_role("link", name="Admin", exact=True))
    shot("1-definisi")
    go(page, page.get_by_role("link", name="permohonan-baru"))
    go(page, page.get_by_role("button", name="Buat draf dari sini"))
    assert "Draf versi 2 dibuat" in page.inner_text("main")
    go(page, page.locator("#langkah-data_pelaku").get_by_role("link", name="Susun"))
    go(page, page.locator("#isian-data_pelaku-npwp").get_by_role("link", name="NPWP"))
    field = page.locator("#isian-terpilih")
    field.get_by_label("Label (Indonesia)").fill(NEW_LABEL)
    shot("2-sunting")
    go(page, field.get_by_role("button", name="Simpan isian"))
    assert "Perubahan disimpan ke draf." in page.inner_text("main")
    go(page, page.get_by_role("link", name="Permohonan Baru Perizinan Berusaha · versi 2"))

    go(page, page.get_by_role("button", name="Pratinjau sebagai pemohon"))
    assert "Pratinjau" in page.inner_text("main")
    assert NEW_LABEL in page.inner_text("main")
    shot("3-pratinjau")
    go(page, page.get_by_role("link", name="Kembali ke penyunting"))
    go(page, page.get_by_role("link", name="Periksa dampak & terbitkan…"))
    assert "Dampak pada permohonan" in page.inner_text("main")
    page.get_by_label("Catatan perubahan").fill("Label NPWP diperjelas")
    shot("4-dampak")
    go(page, page.get_by_role("button", name="Terbitkan versi 2"))
    assert "Versi 2 diterbitkan." in page.inner_text("main")
    shot("5-terbit")
    assert SchemaVersion.objects.get(kind="form", key="permohonan-baru", version=2).state == "published"
    page.goto(live_server + "/admin/table/kbli-risiko/1/baris?q=10710")
    assert "Industri Produk Roti" in page.inner_text("main")
    shot("6-tabel")
    page.goto(live_server + "/admin/akun")
    page.get_by_label("Nama pengguna").fill("rudi")
    page.get_by_label("Nama lengkap").fill("Rudi Verifikator")
    go(page, page.get_by_role("button", name="Buat akun"))
    assert "Kata sandi sementara" in page.inner_text("main")
    shot("7-akun")
    go(page, page.get_by_role("link", name="Log admin"))
    assert "terbitkan" in page.inner_text("main")
    shot("8-log")
    go(page, page.get_by_role("button", name="Keluar"))

    sign_in(page, live_server, "siti")
    page.goto(live_server + "/formulir/permohonan-baru")
    go(page, page.get_by_role("button", name="Mulai mengisi"))
    assert page.get_by_label(NEW_LABEL).count() == 1
    shot("9-pemohon")
    assert errors == []
