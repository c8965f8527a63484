"""Signing in and out in real headless Chromium, on a desktop and a 390 px phone viewport."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forms.identity.accounts import create_account
from tests.helpers import ANSWER, PASSWORD, VIEWPORTS, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        create_account("siti.aminah", PASSWORD, "Siti Aminah Binti Abdullah", ["pemohon"], nik="3201014501900001",
                       phone="+6281234567890", email="siti@contoh.id", profile={"tempat_lahir": "Bogor"})
    return app


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_login_beranda_logout(browser, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 42" not in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"login-{viewport}-{name}.png"), full_page=True)

    page.goto(live_server + "/")
    page.get_by_role("navigation").get_by_role("link", name="Masuk").click()
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.wait_for_load_state("load")
    image = page.locator("img.captcha-image")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 200
    shot("1-halaman")

    page.get_by_label("Nama pengguna").fill("Siti.Aminah")
    page.get_by_label("Kata sandi").fill("Salah#2026")
    page.get_by_label("Kode pada gambar").fill(ANSWER)
    page.get_by_role("button", name="Masuk").click()
    assert "Gagal masuk: nama pengguna atau kata sandi salah" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Nama pengguna").input_value() == "Siti.Aminah"
    assert page.get_by_label("Kata sandi").input_value() == ""
    shot("2-salah")

    with page.expect_navigation():  # a new code: typed into the new page, not the one being left
        page.get_by_role("link", name="Ganti gambar").click()
    page.get_by_label("Nama pengguna").fill("Siti.Aminah")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Kode pada gambar").fill(ANSWER.lower())
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Selamat datang, Siti Aminah Binti Abdullah")).to_be_visible()
    assert page.url == live_server + "/beranda"
    expect(page.get_by_role("link", name="Permohonan Baru")).to_be_visible()
    shot("3-beranda")
    assert_no_sideways_scroll(page, viewport)

    page.get_by_role("navigation").get_by_role("link", name="Siti Aminah Binti Abdullah").click()
    expect(page.get_by_role("heading", name="Profil akun")).to_be_visible()
    assert "************0001" in page.inner_text("main")
    shot("4-profil")
    assert_no_sideways_scroll(page, viewport)

    page.get_by_role("button", name="Keluar").click()
    assert "Anda sudah keluar." in page.locator(".flash").inner_text()
    shot("5-keluar")
    page.goto(live_server + "/beranda")
    assert page.url == live_server + "/masuk?next=/beranda"
    assert "Silakan masuk terlebih dahulu" in page.locator(".flash").inner_text()
    assert errors == []
    context.close()


