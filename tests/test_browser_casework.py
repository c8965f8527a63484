"""Pemenuhan Persyaratan and the officer's verification walked in headless Chromium, desktop and 390 px."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from forms.identity.accounts import create_account
from forms.store import IssuedDocument
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    REQUIREMENTS_11052,
    VIEWPORTS,
    assert_no_sideways_scroll,
    issued,
    login,
    sent_for_verification,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_fulfilment_and_verification_in_the_browser(browser, app, live_server, screenshots, viewport):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    client = app.test_client()
    login(client)
    # Issued from a worker thread: Playwright keeps an event loop running in this one, and signing
    # printouts (pyHanko) starts an event loop of its own.
    with ThreadPoolExecutor(1) as pool:
        document = pool.submit(issued, client).result()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"kasus-{viewport}-{name}.png"), full_page=True)

    sign_in(page, live_server, "siti")
    page.get_by_role("link", name="Pemenuhan").click()
    shot("1-daftar")
    page.get_by_role("link", name="Penuhi persyaratan").click()
    for code in REQUIREMENTS_11052:
        page.set_input_files(f"#u-{code}", files=[{"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        page.locator(f"#p-{code} button", has_text="Unggah").click()
        assert "Berkas tersimpan." in page.inner_text("main")
    shot("2-terunggah")
    page.get_by_role("button", name="Ajukan verifikasi").click()
    assert "Menunggu verifikasi" in page.inner_text("main")
    shot("3-menunggu")
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, live_server, "vera")
    page.get_by_role("link", name="Petugas").click()
    assert document.number in page.inner_text("main")
    shot("4-kotak-masuk")
    page.get_by_role("link", name=document.number).click()
    with page.expect_navigation():  # the claim reloads the case page: judge on the new one
        page.get_by_role("button", name="Ambil kasus ini").click()
    assert_no_sideways_scroll(page, viewport)
    decide_six_in_one_submit(page, document, shot)
    page.get_by_label("Catatan internal (tidak terlihat oleh pemohon)").fill("Rekomendasi: berkas lengkap.")
    page.get_by_role("button", name="Verifikasi (semua persyaratan diterima)").click()
    assert "Terverifikasi" in page.inner_text("main")
    assert "Ambil kasus ini" not in page.inner_text("main")  # finished: nothing to take
    shot("6-terverifikasi")
    assert IssuedDocument.objects.get(id=document.id).status == "terverifikasi"
    assert_no_sideways_scroll(page, viewport)
    assert errors == []
    context.close()


def decide_six_in_one_submit(page, document, shot) -> None:
    """Reject one requirement without a reason (refused, the form kept), then with one: six verdicts, one request."""
    files = []
    page.on("request", lambda request: files.append(request.url) if "/berkas/" in request.url else None)
    page.reload()
    assert files == []  # previews load only when opened
    first = page.locator(f"#p-{REQUIREMENTS_11052[0]}")
    first.get_by_text("Pratinjau berkas").click()
    first.locator("iframe.viewer").wait_for()
    assert len(files) == 1
    for code in REQUIREMENTS_11052:
        page.locator(f"#p-{code}").get_by_label("Tolak" if code == "hasil_uji_air" else "Terima", exact=True).check()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="Simpan semua putusan").click()
    assert "tidak ada yang diubah" in page.inner_text("main")
    assert page.locator("#p-daftar_peralatan").get_by_label("Terima", exact=True).is_checked()  # what was chosen is kept
    expect(page.locator("#alasan-hasil_uji_air")).to_be_focused()  # the wrong row, ready to type in
    assert all(not entry.get("verdict") for entry in IssuedDocument.objects.get(id=document.id).fulfilment.values())
    page.fill("#alasan-hasil_uji_air", "Hasil uji lebih dari 3 bulan")
    page.get_by_role("button", name="Simpan semua putusan").click()
    page.wait_for_url("**#persyaratan")
    assert "Putusan persyaratan tersimpan." in page.inner_text("main")
    assert page.evaluate("window.scrollY") > 400  # back at the checklist, not at the top
    assert len(posts) == 2  # the refused try and the saved one
    verdicts = {code: entry["verdict"] for code, entry in IssuedDocument.objects.get(id=document.id).fulfilment.items()}
    assert verdicts == {code: "ditolak" if code == "hasil_uji_air" else "diterima" for code in REQUIREMENTS_11052}
    shot("5-kasus")
    page.get_by_role("button", name="Terima semua yang terunggah").click()
    page.wait_for_url("**#persyaratan")
    assert all(entry["verdict"] == "diterima" for entry in IssuedDocument.objects.get(id=document.id).fulfilment.values())


def test_next_case_shortcut_never_fires_while_typing(browser, app, live_server):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    client = app.test_client()
    login(client)
    with ThreadPoolExecutor(1) as pool:
        first, second = (pool.submit(lambda: sent_for_verification(client, issued(client))).result() for _ in range(2))
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="id-ID")
    page = context.new_page()
    sign_in(page, live_server, "vera")
    page.wait_for_url("**/petugas/")  # the officer's home is the inbox
    page.goto(f"{live_server}/petugas/dokumen/{first.id}")
    page.focus("#catatan-internal-baru")
    page.keyboard.type("Catatan")
    page.keyboard.press("Alt+Shift+N")  # in a field: nothing happens, the typing stays
    page.keyboard.press("n")
    assert page.url.endswith(f"/petugas/dokumen/{first.id}")
    assert page.input_value("#catatan-internal-baru") == "Catatann"
    page.locator("h1").click()
    page.keyboard.press("n")  # a single key never navigates
    assert page.url.endswith(f"/petugas/dokumen/{first.id}")
    with page.expect_navigation():
        page.keyboard.press("Alt+Shift+N")
    assert page.url.endswith(f"/petugas/dokumen/{second.id}")
    with page.expect_navigation():
        page.keyboard.press("Alt+Shift+K")
    assert "/petugas/?status=menunggu_verifikasi" in page.url
    context.close()


def test_six_decisions_in_one_submit_without_javascript(browser, app, live_server):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    client = app.test_client()
    login(client)
    with ThreadPoolExecutor(1) as pool:
        document = pool.submit(lambda: sent_for_verification(client, issued(client))).result()
    context = browser.new_context(viewport=VIEWPORTS["ponsel"], locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "vera")
    page.wait_for_url("**/petugas/")
    page.goto(f"{live_server}/petugas/dokumen/{document.id}")
    for code in REQUIREMENTS_11052:
        page.locator(f"#p-{code}").get_by_label("Tolak" if code == "foto_lokasi" else "Terima", exact=True).check()
    page.fill("#alasan-foto_lokasi", "Foto buram")
    page.get_by_role("button", name="Simpan semua putusan").click()
    page.wait_for_url("**#persyaratan")
    assert "Putusan persyaratan tersimpan." in page.inner_text("main")
    assert page.evaluate("window.scrollY") > 400  # the anchor, without any script
    assert_no_sideways_scroll(page, "ponsel")
    fulfilment = IssuedDocument.objects.get(id=document.id).fulfilment
    assert {code: entry["verdict"] for code, entry in fulfilment.items()} == {
        code: "ditolak" if code == "foto_lokasi" else "diterima" for code in REQUIREMENTS_11052}
    assert fulfilment["foto_lokasi"]["reason"] == "Foto buram"
    context.close()
