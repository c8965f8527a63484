"""Issuing in headless Chromium (desktop and 390 px): submit, "sedang disiapkan" while the job runs, then the PDF."""
from __future__ import annotations

import subprocess

import pytest

from forms.casework.jobs import run_job
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    assert_no_sideways_scroll,
    detail,
    login,
    ok,
    printout_text,
    run_jobs,
    sign_in,
    start,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    """Jobs wait for the test to run them, as they would wait for a busy worker."""
    return make_app(run_jobs_after_requests=False, CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute",
                    CAPTCHA_RATE_LIMIT="1000/minute", SKM_REQUIRED_FOR_DOWNLOAD=False)


def filled_draft(app) -> str:
    """Siti's Permohonan Baru for one code, every step filled, not yet sent; its id."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    wizard, _rows = start(client, "11052")
    ok(wizard.fill("detail_usaha", detail(0)))
    for step, values in (("produk", {"daftar_produk-count": "1", "daftar_produk-0-kbli_produk": "11052",
                                     "daftar_produk-0-nama_produk": "Air minum", "daftar_produk-0-kapasitas_produk": "1000",
                                     "daftar_produk-0-satuan_produk": "galon/bulan"}),
                         ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
                         ("lingkungan", {"pernyataan_sppl": "1"}),
                         ("pernyataan", {"pernyataan_data": "1", "pernyataan_tata_ruang": "1", "pernyataan_standar": "1"}), ("draf", {})):
        ok(wizard.fill(step, values))
    return wizard.submission_id


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_submit_shows_the_documents_being_prepared_then_the_pdf(browser, app, live_server, screenshots, viewport,
                                                                tmp_path):
    submission_id = filled_draft(app)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"terbit-{viewport}-{name}.png"), full_page=True)
    sign_in(page, live_server, "siti")
    page.goto(f"{live_server}/isian/{submission_id}/periksa")
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_role("heading", name="Permohonan Anda sedang diproses").wait_for()
    assert "Dokumen sedang disiapkan." in page.inner_text("main")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert_no_sideways_scroll(page, viewport)
    shot("01-sedang-disiapkan")

    with app.app_context():  # a worker issues (numbers, documents); the page refreshes by itself, no script needed
        assert run_job(f"submit:{submission_id}")
    page.get_by_role("heading", name="Perizinan Berusaha Anda telah terbit").wait_for(timeout=15000)
    assert page.locator("td", has_text="PDF sedang disiapkan").count() == 1
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    shot("02-pdf-disiapkan")

    assert run_jobs(app) == 2  # then the printouts (one job each: Sertifikat Standar, NIB)
    link = page.locator("td a", has_text="Unduh PDF").first
    link.wait_for()
    assert "sedang disiapkan" not in page.inner_text("main") and page.locator('meta[http-equiv="refresh"]').count() == 0
    assert_no_sideways_scroll(page, viewport)
    shot("03-terbit")

    pdf = context.request.get(live_server + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert f"{live_server}/verifikasi/" in printout_text(pdf.body())  # the address it was sent to, though a job printed
    (tmp_path / "sertifikat.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(tmp_path / "sertifikat.pdf"),
                    str(screenshots / f"terbit-{viewport}-04-pdf")], check=True)
    assert (screenshots / f"terbit-{viewport}-04-pdf.png").stat().st_size > 10_000
    assert errors == []
    context.close()
