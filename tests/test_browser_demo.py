"""The demo form filled end to end in real headless Chromium, on a desktop and a 390 px phone viewport."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import PDF, VIEWPORTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_demo_form_end_to_end(browser, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "the server responded with a status of 422" not in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server + "/")
    page.get_by_role("link", name="Formulir Contoh").click()
    page.get_by_role("button", name="Mulai mengisi").click()
    shot = lambda name: page.screenshot(path=str(screenshots / f"demo-{viewport}-{name}.png"), full_page=True)

    # Step 1: a wrong NIK first, to see the error summary and the message beside the field.
    page.fill("#f-nik", "3201")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert "NIK harus 16 digit" in page.locator("#e-nik").inner_text()
    assert "Nama sesuai KTP: Wajib diisi." in page.locator(".error-summary").inner_text()
    shot("1-kesalahan")
    page.fill("#f-nik", "3201014501900001")
    page.fill("#f-nama", "Siti Aminah")
    page.get_by_label("Perempuan").check()
    page.fill("#f-tanggal_lahir", "1990-01-05")
    page.fill("#f-telepon", "0812 3456 7890")
    page.fill("#f-email", "siti@contoh.id")
    page.select_option("#f-provinsi", "32")
    page.locator("#f-kabupaten option[value='32.01']").wait_for(state="attached")
    page.select_option("#f-kabupaten", "32.01")
    page.fill("#f-alamat", "Jl. Melati No. 1")
    shot("1-data-diri")
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url("**/langkah/usaha")
    page.wait_for_load_state("load")  # the page's script shows and hides fields: it must have run

    # Step 2: the conditional rent field appears only for "Sewa"; the lookup suggests KBLI codes.
    expect(page.locator("#w-biaya_sewa")).to_be_hidden()
    page.select_option("#f-bentuk_tempat", "sewa")
    expect(page.locator("#w-biaya_sewa")).to_be_visible()
    page.fill("#f-biaya_sewa", "12.000.000")
    page.fill("#f-kbli", "roti")
    page.locator("#l-kbli [role=option][data-value='10710']").click()  # the lookup's listbox
    assert page.locator("#f-kbli").input_value() == "10710"
    page.fill("#f-pekerja", "3")
    page.fill("#f-modal_mesin", "25.000.000")
    page.fill("#f-modal_kerja", "15.000.000")
    page.get_by_label("Toko").check()
    assert page.locator("#f-total").inner_text() == "Rp40.000.000"  # recomputed in the page as you type
    shot("2-usaha")
    page.get_by_role("button", name="Lanjut").click()

    # Step 3: repeat group with a conditional sub-field.
    page.fill("#f-daftar_produk-0-nama_produk", "Roti manis")
    page.get_by_role("button", name="+ Tambah produk").click()
    assert page.locator("#f-daftar_produk-0-nama_produk").input_value() == "Roti manis"
    page.fill("#f-daftar_produk-1-nama_produk", "Kue lapis")
    page.locator("#f-daftar_produk-1-halal").check()
    expect(page.locator("#w-daftar_produk-1-nomor_halal")).to_be_visible()
    page.fill("#f-daftar_produk-1-nomor_halal", "ID00110012345")
    shot("3-produk")
    page.get_by_role("button", name="Lanjut").click()

    # Step 4: upload by content, declaration.
    page.set_input_files("#f-foto_usaha", files=[{"name": "foto.pdf", "mimeType": "application/pdf",
                                                  "buffer": PDF}])
    page.locator("#f-pernyataan").check()
    shot("4-lampiran")
    page.get_by_role("button", name="Lanjut").click()

    # Review, then submit.
    expect(page.get_by_role("heading", name="Periksa sebelum mengirim")).to_be_visible()
    text = page.inner_text("main")
    for expected in ("Siti Aminah", "Rp12.000.000", "Rp40.000.000", "Mikro", "Kue lapis", "10710 — Industri Produk Roti",
                     "+62 812-3456-7890", "Kabupaten Bogor", "foto.pdf"):
        assert expected in text, expected
    shot("5-periksa")
    page.get_by_role("button", name="Kirim isian").click()
    expect(page.get_by_role("heading", name="Terima kasih, isian Anda sudah diterima")).to_be_visible()
    assert "DEMO-" in page.inner_text(".status-card")
    shot("6-status")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"page scrolls sideways: {width}px"
    assert errors == []
    context.close()
