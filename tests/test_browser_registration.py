"""Registration walked in real headless Chromium, desktop and 390 px, code read from the outbox."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import VIEWPORTS, code_of

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_registration_in_the_browser(browser, app, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"daftar-{viewport}-{name}.png"), full_page=True)

    page.goto(live_server + "/formulir/pendaftaran")
    page.get_by_role("button", name="Mulai mengisi").click()
    page.get_by_label("Non-UMK").check()
    expect(page.get_by_text("Layanan di kantor ini khusus UMK")).to_be_visible()  # shown by the page's script
    shot("1-skala")
    page.get_by_label("UMK (Usaha Mikro dan Kecil)").check()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_label("Orang Perseorangan").check()
    page.get_by_role("button", name="Lanjut").click()

    page.fill("#f-nik", "3201014501900001")
    page.fill("#f-nama", "Siti Aminah")
    page.get_by_label("Perempuan").check()
    page.fill("#f-tempat_lahir", "Bogor")
    page.fill("#f-tanggal_lahir", "1990-01-06")  # does not match the NIK: refused first
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
    page.get_by_role("button", name="Lanjut").click()
    assert "tidak sesuai dengan NIK" in page.locator("#e-tanggal_lahir").inner_text()
    shot("3-formulir-salah")
    page.fill("#f-tanggal_lahir", "1990-01-05")
    for select in ("kabupaten", "kecamatan", "desa"):  # re-shown with the posted choices kept
        assert page.locator(f"#f-{select}").input_value()
    page.get_by_role("button", name="Lanjut").click()

    assert "Kode verifikasi dikirim ke si***@contoh.id" in page.inner_text("main")
    page.fill("#f-kode", code_of(app))
    shot("4-kode")
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#f-username", "siti.aminah")
    page.fill("#f-kata_sandi", "Rahasia#2026")
    page.fill("#f-kata_sandi-ulang", "Rahasia#2026")
    shot("5-akun")
    page.get_by_role("button", name="Lanjut").click()
    assert page.locator("#f-npwp").input_value() == "3201014501900001"  # defaults to the NIK
    page.get_by_role("radio", name="Tidak").check()
    expect(page.locator("#w-alamat_domisili")).to_be_visible()
    page.get_by_role("radio", name="Ya", exact=True).check()
    page.locator("#f-pernyataan").check()
    page.get_by_role("button", name="Lanjut").click()
    shot("7-periksa")
    page.get_by_role("button", name="Daftar").click()
    assert page.get_by_role("heading", name="Pendaftaran Berhasil").is_visible()
    shot("8-berhasil")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert errors == []
    context.close()
