"""Permohonan Baru walked in headless Chromium (desktop and 390 px): sign in, the whole wizard, issuance."""
from __future__ import annotations

import re

import pytest

from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    fill_business_detail,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_permohonan_baru_in_the_browser(browser, app, live_server, screenshots, viewport):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"pb-{viewport}-{name}.png"), full_page=True)
    lanjut = lambda: page.get_by_role("button", name="Lanjut").click()

    page.goto(live_server + "/formulir/permohonan-baru")  # not signed in: the login page, then back here
    page.fill("#f-username", "siti")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-captcha", ANSWER)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Mulai mengisi").click()

    assert page.locator("#f-nik").inner_text() == NIK
    assert page.locator("#f-npwp").input_value() == NIK
    shot("01-data-pelaku")
    page.get_by_role("button", name="Simpan Data").click()

    page.wait_for_url(re.compile(r"/langkah/bidang_usaha$"))
    page.wait_for_load_state("load")  # the lookup is wired once the page's deferred script ran; typing before is lost
    page.fill("#f-kegiatan-0-kbli", "air minum")
    page.get_by_role("option", name=re.compile("^11052 ")).click()  # the lookup's listbox
    assert page.locator("#f-kegiatan-0-kbli").input_value() == "11052"
    page.fill("#f-kegiatan-0-uraian_kegiatan", "Depot air minum isi ulang")
    shot("02-bidang-usaha")
    lanjut()

    assert "11052 — " in page.locator(".repeat-title").first.inner_text()
    fill_business_detail(page, check_total="Rp150.000.000")
    shot("03-detail")
    lanjut()  # straight after typing: the change event must not swallow the click
    page.wait_for_url("**/langkah/produk")

    page.select_option("#f-daftar_produk-0-kbli_produk", "11052")
    page.fill("#f-daftar_produk-0-nama_produk", "Air minum isi ulang")
    page.fill("#f-daftar_produk-0-kapasitas_produk", "3000")
    page.fill("#f-daftar_produk-0-satuan_produk", "galon/bulan")
    page.locator("#f-daftar_produk-0-halal").check()
    page.fill("#f-daftar_produk-0-nomor_halal", "ID1410000123450124")
    shot("04-produk")
    lanjut()
    for name in ("05-periksa-produk", "06-periksa-usaha", "07-periksa-kegiatan"):
        shot(name)
        lanjut()
    page.locator("#f-pernyataan_sppl").check()
    shot("08-lingkungan")
    lanjut()
    for box in ("pernyataan_data", "pernyataan_tata_ruang", "pernyataan_standar"):
        page.locator(f"#f-{box}").check()
    shot("09-pernyataan")
    lanjut()
    assert "Sertifikat Standar" in page.inner_text("main")
    shot("10-draf")
    lanjut()
    shot("11-periksa")
    page.get_by_role("button", name="Terbitkan").click()
    issued = page.get_by_role("heading", name="Perizinan Berusaha Anda telah terbit")
    issued.wait_for()  # issuing renders and signs the printouts, so the status page can take a moment
    assert issued.is_visible()
    text = page.inner_text("main")
    assert "NIB" in text and "SS-" in text and "Terbit — belum terverifikasi" in text
    shot("12-terbit")
    page.goto(live_server + "/beranda")
    assert "PB-" in page.inner_text("main")
    shot("13-beranda")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert errors == []
    context.close()
