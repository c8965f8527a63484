"""Issue 20 walked in headless Chromium (desktop and 390 px): a hotel's room count asked and its risk derived, a
provincial activity refused naming its issuer, obligations with due dates on the applicant's home."""
from __future__ import annotations

import re

import pytest

from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    assert_no_sideways_scroll,
    fill_business_detail,
    issue,
    login,
    ok,
    sign_in,
    start,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def choose_kbli(page, code: str) -> None:
    """Pick one business code in the lookup of the business-field step and go on."""
    page.wait_for_load_state("load")  # the lookup is wired once the page's deferred script ran
    page.fill("#f-kegiatan-0-kbli", code)
    page.get_by_role("option", name=re.compile(f"^{code} ")).click()
    page.fill("#f-kegiatan-0-uraian_kegiatan", "Kegiatan usaha")
    page.get_by_role("button", name="Lanjut").click()


def fill_detail(page) -> None:
    """The business details of one row (capital of a micro business)."""
    fill_business_detail(page, "Usaha Maju", "900", ("0", "0", "400.000.000", "0", "50.000.000"), ("4", "5"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_parameter_refusal_and_obligations_in_the_browser(browser, app, live_server, screenshots, viewport):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    wizard, rows = start(client, "56290")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "56290").status_code == 302
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"oss-{viewport}-{name}.png"), full_page=True)
    sign_in(page, live_server, "siti")
    page.goto(live_server + "/beranda")
    obligations = page.locator("#kewajiban")
    assert "Sertifikat Laik Higiene Sanitasi (SLHS)" in obligations.inner_text()
    assert re.search(r"\d{1,2} \w+ \d{4}", obligations.inner_text())
    assert_no_sideways_scroll(page, viewport)
    shot("01-beranda-kewajiban")

    page.goto(live_server + "/formulir/permohonan-baru")
    page.get_by_role("button", name=re.compile("Mulai mengisi|Lanjutkan")).first.click()
    page.get_by_role("button", name="Simpan Data").click()
    page.wait_for_url(re.compile(r"/langkah/bidang_usaha$"))
    choose_kbli(page, "55110")
    page.wait_for_url(re.compile(r"/langkah/detail_usaha$"))
    assert page.locator("#f-detail-0-parameter_nilai").is_visible()
    assert "Jumlah kamar (kamar)" in page.locator("#w-detail-0-parameter_nama").inner_text()
    fill_detail(page)
    page.fill("#f-detail-0-parameter_nilai", "150")
    shot("02-detail-jumlah-kamar")
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url(re.compile(r"/langkah/produk$"))
    page.go_back()
    page.reload()
    assert "Menengah Tinggi" in page.locator("#w-detail-0-risiko").inner_text()  # the label of MT
    shot("03-detail-risiko-mt")

    page.goto(page.url.replace("/langkah/detail_usaha", "/langkah/bidang_usaha"))
    choose_kbli(page, "08103")
    page.wait_for_url(re.compile(r"/langkah/detail_usaha$"))
    assert not page.locator("#f-detail-0-parameter_nilai").is_visible()
    fill_detail(page)
    page.get_by_role("button", name="Lanjut").click()
    refusal = page.locator("#e-detail")
    refusal.wait_for()
    assert "Gubernur Riau melalui DPMPTSP Provinsi Riau" in refusal.inner_text()
    assert_no_sideways_scroll(page, viewport)
    shot("04-ditolak-kewenangan-provinsi")
    assert errors == []
    context.close()
