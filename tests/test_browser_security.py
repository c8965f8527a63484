"""Account security in real headless Chromium: an officer turns on two-step verification and signs in with it,
on a desktop and a 390 px phone viewport, with no CSP violation or script error on the way."""
from __future__ import annotations

import time

import pyotp
import pytest

from forms.identity.accounts import create_account
from tests.helpers import ANSWER, PASSWORD, VIEWPORTS, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    return app


def sign_in(page, base: str) -> None:
    page.goto(base + "/masuk")
    page.get_by_label("Nama pengguna").fill("vera")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Kode pada gambar").fill(ANSWER)
    page.get_by_role("button", name="Masuk").click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_officer_turns_on_two_step_verification_and_signs_in_with_it(browser, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 42" not in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"keamanan-{viewport}-{name}.png"), full_page=True)

    sign_in(page, live_server)
    page.get_by_role("navigation").get_by_role("link", name="Vera Verifikator").click()
    page.get_by_role("link", name="Keamanan akun").click()
    assert page.get_by_role("heading", name="Verifikasi dua langkah").is_visible()
    shot("1-halaman")
    assert_no_sideways_scroll(page, viewport)

    page.get_by_role("button", name="Aktifkan verifikasi dua langkah").click()
    qr = page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 100  # a data: image, allowed by the CSP
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    shot("2-kode-qr")
    assert_no_sideways_scroll(page, viewport)
    page.get_by_label("Kode dari aplikasi").fill("000000")
    page.get_by_role("button", name="Aktifkan", exact=True).click()
    assert "Kode salah" in page.get_by_role("alert").inner_text()
    step = int(time.time() // 30)
    page.get_by_label("Kode dari aplikasi").fill(pyotp.TOTP(secret).generate_otp(step))
    page.get_by_role("button", name="Aktifkan", exact=True).click()
    assert "Verifikasi dua langkah aktif" in page.locator(".flash").inner_text()
    assert secret not in page.content()
    shot("3-aktif")

    page.get_by_role("button", name="Keluar").click()
    sign_in(page, live_server)
    assert page.get_by_role("heading", name="Kode verifikasi dua langkah").is_visible()
    shot("4-minta-kode")
    page.get_by_label("Kode dari aplikasi").fill(pyotp.TOTP(secret).generate_otp(step + 1))
    page.get_by_role("button", name="Masuk").click()
    assert page.url == live_server + "/petugas/"  # an officer's home is the inbox
    assert errors == []
    context.close()
