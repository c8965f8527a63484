"""The hardening seen from a real browser (headless Chromium, desktop and 390 px): the one sign-in refusal, a
refused upload with its reason, a claim another officer holds, and a form posted from a page of no origin."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from forms.identity.accounts import create_account
from forms.store import IssuedDocument
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    assert_no_sideways_scroll,
    issued,
    login,
    sign_in,
)

pytestmark = pytest.mark.browser


def scripted_pdf() -> bytes:
    """A one-page PDF that runs JavaScript when opened."""
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    writer.add_open_action(JavaScript("app.alert('halo');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def document(app):
    """Siti's issued document, and two verifiers."""
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
        create_account("vino", PASSWORD, "Vino Verifikator", ["verifikator"])
    client = app.test_client()
    login(client)
    with ThreadPoolExecutor(1) as pool:  # pyHanko's event loop must not meet Playwright's
        return pool.submit(issued, client).result()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_hardening_in_the_browser(browser, app, live_server, document, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    shot = lambda name: page.screenshot(path=str(screenshots / f"keamanan-{viewport}-{name}.png"), full_page=True)

    page.goto(live_server + "/masuk")
    page.fill("#f-username", "siti")
    page.fill("#f-password", "Salah#2026")
    page.fill("#f-captcha", ANSWER)
    page.get_by_role("button", name="Masuk").click()
    assert "Gagal masuk: nama pengguna atau kata sandi salah" in page.get_by_role("alert").inner_text()
    assert_no_sideways_scroll(page, viewport)
    shot("1-gagal-masuk")

    sign_in(page, live_server, "siti")
    page.goto(f"{live_server}/dokumen/{document.id}")
    page.set_input_files("#u-hasil_uji_air", files=[{"name": "hasil.pdf", "mimeType": "application/pdf",
                                                     "buffer": scripted_pdf()}])
    page.locator("#p-hasil_uji_air button", has_text="Unggah").click()
    assert "Berkas ditolak: PDF memuat JavaScript." in page.inner_text("main")
    assert IssuedDocument.objects.get(id=document.id).fulfilment == {}
    assert_no_sideways_scroll(page, viewport)
    shot("2-unggahan-ditolak")
    page.get_by_role("button", name="Keluar").click()

    other = context.browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID").new_page()
    sign_in(other, live_server, "vino")
    other.goto(f"{live_server}/petugas/dokumen/{document.id}")  # Vino opens the case first
    sign_in(page, live_server, "vera")
    page.goto(f"{live_server}/petugas/dokumen/{document.id}")
    page.get_by_role("button", name="Ambil kasus ini").click()
    other.get_by_role("button", name="Ambil kasus ini").click()
    assert "sedang ditangani oleh Vera Verifikator" in other.inner_text("main")
    assert_no_sideways_scroll(other, viewport)
    other.screenshot(path=str(screenshots / f"keamanan-{viewport}-3-kasus-dipegang.png"), full_page=True)
    other.context.close()

    page.goto("about:blank")
    page.set_content(f'<form method="post" action="{live_server}/keluar"><button>Kirim</button></form>')
    page.get_by_role("button", name="Kirim").click()  # a page of no origin posts to Loket: Origin: null
    assert "situs lain" in page.inner_text("main")
    assert_no_sideways_scroll(page, viewport)
    shot("4-situs-lain")
    page.goto(live_server + "/beranda")
    assert "Vera Verifikator" in page.inner_text("body")  # still signed in: the foreign post changed nothing
    context.close()
