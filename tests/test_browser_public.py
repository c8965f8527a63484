"""Public pages in real headless Chromium (desktop and 390 px): the index charts, a complaint, the standard, English."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from forms.identity.accounts import create_account
from forms.office.surveys import semester_of
from tests.helpers import (
    ANSWER,
    PASSWORD,
    VIEWPORTS,
    assert_no_sideways_scroll,
    seed_survey,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    with app.app_context():
        create_account("budi", PASSWORD, "Budi Santoso", ["verifikator"])
    return app


def seed_semesters(app) -> None:
    """Respondents in this semester and earlier ones (one semester left empty), answers drawn with a fixed seed."""
    draw = random.Random(14)
    current = semester_of(date.today())
    starts, period = [], current
    for _ in range(5):
        starts.append(period.start)
        period = semester_of(period.start - timedelta(days=1))
    leanings = [(3, 4), (2, 4), None, (2, 3), (1, 4)]  # newest first; None = no respondents
    with app.app_context():
        for start, leaning in zip(starts, leanings):
            if leaning is None:
                continue
            for number in range(draw.randint(12, 30)):
                values = [draw.randint(*leaning) for _ in range(9)]
                values[3] = 4  # the service is free: cost is always rated best
                seed_survey(values, datetime.combine(start, datetime.min.time()) + timedelta(days=number % 60, hours=9),
                            jenis_kelamin=draw.choice("LP"), usia=draw.choice(["u25", "u35", "u45", "u55", "u56"]))


def watch(page) -> list[str]:
    """Collect console errors (a CSP violation from an inline style would show here) and page errors."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 4" not in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_index_charts(app, browser, live_server, screenshots, viewport):
    seed_semesters(app)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = watch(page)
    page.goto(live_server + "/")
    page.get_by_role("link", name="Indeks kepuasan (IKM)").click()
    expect(page.get_by_role("heading", name="Indeks Kepuasan Masyarakat (IKM)")).to_be_visible()
    bars = page.locator("#grafik-unsur")
    trend = page.locator("#grafik-tren")
    expect(bars).to_be_visible()
    expect(trend).to_be_visible()
    page.wait_for_load_state("load")  # sizes are measured with the stylesheet applied
    assert bars.locator("rect").count() == 9
    assert trend.locator("circle").count() == 4 and trend.locator("polyline").count() == 2  # a gap splits the line
    for chart in (bars, trend):
        box = chart.bounding_box()
        assert box["width"] <= VIEWPORTS[viewport]["width"] - 30 and box["height"] > 150
    label = bars.locator("text", has_text="U4 Biaya/tarif")
    expect(label).to_be_visible()
    assert label.bounding_box()["height"] >= (9 if viewport == "ponsel" else 12)
    assert_no_sideways_scroll(page, viewport)
    page.screenshot(path=str(screenshots / f"ikm-{viewport}.png"), full_page=True)
    bars.screenshot(path=str(screenshots / f"ikm-{viewport}-unsur.png"))
    trend.screenshot(path=str(screenshots / f"ikm-{viewport}-tren.png"))

    page.select_option("#periode", index=1)
    page.get_by_role("button", name="Tampilkan").first.click()
    assert "periode=" in page.url and page.locator("#grafik-unsur rect").count() == 9
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_complaint_sent_answered_and_followed(app, browser, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = watch(page)
    shot = lambda name: page.screenshot(path=str(screenshots / f"pengaduan-{viewport}-{name}.png"), full_page=True)
    page.goto(live_server + "/pengaduan")
    expect(page.get_by_role("link", name="www.lapor.go.id")).to_be_visible()
    shot("1-halaman")
    page.get_by_role("link", name="Buat pengaduan").click()
    page.get_by_role("button", name="Mulai mengisi").click()
    page.select_option("#f-kategori", "petugas")
    page.fill("#f-uraian", "Petugas loket meminta fotokopi yang tidak ada di persyaratan.")
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_label("Tanpa identitas (anonim)").check()
    shot("2-kontak")
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim pengaduan").click()
    secret = page.locator(".flash-secret").inner_text()
    number = page.locator(".status-card .number strong").inner_text()
    code = secret.split(": ", 1)[1].split(".", 1)[0]
    assert number.startswith("ADU-") and len(code) == 9
    shot("3-terkirim")

    officer = context.browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID").new_page()
    officer.goto(live_server + "/masuk")
    officer.get_by_label("Nama pengguna").fill("budi")
    officer.get_by_label("Kata sandi").fill(PASSWORD)
    officer.get_by_label("Kode pada gambar").fill(ANSWER)
    officer.get_by_role("button", name="Masuk").click()
    officer.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Pengaduan").click()
    officer.get_by_role("link", name=number).click()
    officer.fill("#jawaban", "Mohon maaf. Fotokopi itu memang tidak diperlukan; petugas sudah kami ingatkan.")
    officer.select_option("#status", "selesai")
    officer.get_by_role("button", name="Simpan dan kirim").click()
    assert "Pelapor anonim" in officer.locator(".flash-info").inner_text()
    officer.screenshot(path=str(screenshots / f"pengaduan-{viewport}-4-petugas.png"), full_page=True)
    assert_no_sideways_scroll(officer, viewport)
    page.get_by_role("link", name="Ikuti tindak lanjut pengaduan").click()
    page.get_by_label("Nomor pengaduan").fill(number)
    page.get_by_label("Kode akses").fill(code)
    page.get_by_role("button", name="Lihat").click()
    assert "petugas sudah kami ingatkan" in page.locator(".replies").inner_text()
    assert "Selesai" in page.locator(".replies").inner_text()
    shot("5-diikuti")
    assert_no_sideways_scroll(page, viewport)
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_standard_page_in_both_languages(browser, live_server, screenshots, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = watch(page)
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Informasi layanan").get_by_role("link", name="Standar pelayanan").click()
    assert page.locator(".component").count() == 14
    expect(page.get_by_role("heading", name="Dasar hukum")).to_be_visible()
    page.screenshot(path=str(screenshots / f"standar-{viewport}-id.png"), full_page=True)
    page.get_by_role("button", name="English").click()
    assert page.url.endswith("/standar-pelayanan")
    expect(page.get_by_role("heading", name="Legal basis")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.screenshot(path=str(screenshots / f"standar-{viewport}-en.png"), full_page=True)
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Dasar hukum")).to_be_visible()
    assert_no_sideways_scroll(page, viewport)
    assert errors == []
    context.close()
