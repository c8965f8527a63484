"""Keyboard only, in real headless Chromium: registration, sign-in and a whole Permohonan Baru.

No clicks and no `fill`: focus moves with Tab (so every control must be reachable, in order), text
is typed, choices are made with Space and the arrow keys, forms are sent with Enter. Enter in a
field of a wizard step must go forward (Lanjut), not save a draft or remove a row. The focus ring
is checked where the keyboard lands: visible, and at least 3:1 against the page.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forms.identity.accounts import create_account
from tests.accessibility import contrast
from tests.helpers import (
    ANSWER,
    FORMULIR,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    code_of,
    village_code,
)
from tests.keyboard import enter, tab_to, type_into

pytestmark = pytest.mark.browser
RING = """() => { const s = getComputedStyle(document.activeElement);
  return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"""
@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False)


def choose(page, selector: str, value: str) -> None:
    """Tab to a select or a radio group and press Down until it holds the value (a radio: Space first)."""
    if page.evaluate("s => document.querySelector(s).tagName", selector) == "SELECT":  # options may load after an
        page.locator(f"{selector} option[value='{value}']").wait_for(state="attached")  # earlier choice
    tab_to(page, selector)
    if page.evaluate("() => document.activeElement.type") == "radio":
        page.keyboard.press("Space")
    field = page.evaluate("() => document.activeElement.name")
    for _ in range(300):
        current = page.evaluate("n => { const f = document.activeElement.form.elements[n];"
                                " return f instanceof RadioNodeList ? f.value : f.value; }", field)
        if current == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector} never took {value}")


def type_date(page, selector: str, day: str, month: str, year: str) -> None:
    """Type a date into a date field, whose parts come in the order of the browser's own language."""
    tab_to(page, selector)
    for parts in ((day, month, year), (month, day, year)):
        page.keyboard.type("".join(parts))
        if page.locator(selector).input_value() == f"{year}-{month}-{day}":
            return
        page.keyboard.press("Shift+Tab")  # back to the first part of the field
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"{selector} did not take {year}-{month}-{day}")


def press_button(page, name: str) -> None:
    """Tab to a button by its text and press Enter."""
    tab_to(page, "button", text=name)
    enter(page)


def assert_focus_ring(page, background: str = "rgb(255, 255, 255)") -> None:
    """The focused element shows a solid ring of 2 px or more, 3:1 against the background at least."""
    style, width, color = page.evaluate(RING)
    assert style != "none" and width >= 2, (style, width)
    assert contrast(color, background) >= 3, color


def register(page, base, app) -> None:
    """Pendaftaran from the first step to the success page."""
    page.goto(base + "/formulir/pendaftaran")
    press_button(page, "Mulai mengisi")
    choose(page, "input[name=skala_usaha]", "umk")
    assert_focus_ring(page)
    press_button(page, "Lanjut")
    choose(page, "input[name=jenis_pelaku]", "perseorangan")
    press_button(page, "Lanjut")
    for name in ("nik", "nama"):
        type_into(page, f"#f-{name}", FORMULIR[name])
    choose(page, "input[name=jenis_kelamin]", "P")
    type_into(page, "#f-tempat_lahir", "Bogor")
    type_date(page, "#f-tanggal_lahir", "05", "01", "1990")
    type_into(page, "#f-email", FORMULIR["email"])
    type_into(page, "#f-telepon", FORMULIR["telepon"])
    for select, value in (("provinsi", "32"), ("kabupaten", "32.01"), ("kecamatan", "32.01.01"), ("desa", village_code())):
        page.locator(f"#f-{select} option[value='{value}']").wait_for(state="attached")  # filled after the one above
        choose(page, f"#f-{select}", value)
    for name in ("alamat", "rt", "rw", "kode_pos"):
        type_into(page, f"#f-{name}", FORMULIR[name])
    choose(page, "input[name=kanal]", "email")
    tab_to(page, "#f-kode_pos")
    enter(page)  # Enter in a field goes forward
    expect(page.locator("#f-kode")).to_be_visible()
    type_into(page, "#f-kode", code_of(app))
    enter(page)
    type_into(page, "#f-username", "siti.aminah")
    type_into(page, "#f-kata_sandi", PASSWORD)
    type_into(page, "#f-kata_sandi-ulang", PASSWORD)
    enter(page)
    choose(page, "input[name=domisili_sama]", "ya")
    tab_to(page, "#f-pernyataan")
    page.keyboard.press("Space")
    press_button(page, "Lanjut")
    press_button(page, "Daftar")
    expect(page.get_by_role("heading", name="Pendaftaran Berhasil")).to_be_visible()


def sign_in_by_keyboard(page, base, username) -> None:
    """The sign-in page, typed and sent with Enter."""
    page.goto(base + "/masuk")
    type_into(page, "#f-username", username)
    type_into(page, "#f-password", PASSWORD)
    type_into(page, "#f-captcha", ANSWER)
    assert_focus_ring(page)
    enter(page)
    expect(page.get_by_role("heading", name=re.compile("^Selamat datang"))).to_be_visible()


def test_registration_and_sign_in_by_keyboard(browser, app, live_server, screenshots):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="id-ID")
    page = context.new_page()
    register(page, live_server, app)
    page.screenshot(path=str(screenshots / "keyboard-daftar.png"), full_page=True)
    sign_in_by_keyboard(page, live_server, "siti.aminah")
    context.close()


def business_details(page) -> None:
    """The business details step of one KBLI row, typed."""
    prefix = "#f-detail-0-"
    type_into(page, prefix + "nama_usaha", "Depot Tirta Kampar")
    page.locator(prefix + "kecamatan_usaha option[value='14.01.01']").wait_for(state="attached")
    choose(page, prefix + "kecamatan_usaha", "14.01.01")
    page.locator(prefix + "desa_usaha option[value='14.01.01.1011']").wait_for(state="attached")
    choose(page, prefix + "desa_usaha", "14.01.01.1011")
    type_into(page, prefix + "alamat_usaha", "Jl. Pahlawan 5")
    type_into(page, prefix + "koordinat", "0.3312, 101.0251")
    choose(page, prefix + "status_lahan", "sewa")
    type_into(page, prefix + "luas_lahan", "60")
    choose(page, prefix + "satuan_luas", "m2")
    for name, value in (("tanah", "0"), ("bangunan", "0"), ("mesin", "120000000"), ("lain", "0"), ("kerja", "30000000")):
        type_into(page, f"{prefix}modal_{name}", value)
    type_into(page, prefix + "tenaga_laki", "1")
    type_into(page, prefix + "tenaga_perempuan", "2")
    enter(page)


def kbli_by_keyboard(page, words: str, code: str) -> None:
    """Type into the KBLI combobox, walk its list with Down until the code is active, take it with Enter."""
    field = page.locator("#f-kegiatan-0-kbli")
    type_into(page, "#f-kegiatan-0-kbli", words)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#l-kegiatan-0-kbli [role=option][data-value='{code}']")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="pilihan")).to_have_count(1)
    for _ in range(30):
        page.keyboard.press("ArrowDown")
        active = page.locator("#" + field.get_attribute("aria-activedescendant"))
        if active.get_attribute("data-value") == code:
            break
    assert active.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")  # takes the option; the form is not sent
    page.wait_for_timeout(300)
    assert field.input_value() == code
    expect(field).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_whole_application_by_keyboard(browser, app, live_server, screenshots, viewport):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "siti")
    page.goto(live_server + "/formulir/permohonan-baru")
    press_button(page, "Mulai mengisi")
    tab_to(page, "#f-email")
    enter(page)  # the step's answers come from the account: Enter goes on
    page.wait_for_url("**/langkah/bidang_usaha")
    kbli_by_keyboard(page, "air minum", "11052")
    type_into(page, "#f-kegiatan-0-uraian_kegiatan", "Depot air minum isi ulang")  # a text area: Enter is a new line
    page.keyboard.press("Shift+Tab")
    enter(page)  # in the closed combobox: forward, not "Hapus kegiatan 1", the first visible submit button
    page.wait_for_url("**/langkah/detail_usaha")
    business_details(page)
    page.wait_for_url("**/langkah/produk")
    choose(page, "#f-daftar_produk-0-kbli_produk", "11052")
    type_into(page, "#f-daftar_produk-0-nama_produk", "Air minum isi ulang")
    type_into(page, "#f-daftar_produk-0-kapasitas_produk", "3000")
    type_into(page, "#f-daftar_produk-0-satuan_produk", "galon/bulan")
    enter(page)
    for step in ("periksa_produk", "periksa_usaha", "periksa_kegiatan"):
        page.wait_for_url(f"**/langkah/{step}")
        press_button(page, "Lanjut")
    page.wait_for_url("**/langkah/lingkungan")
    for box in ("pernyataan_sppl",):
        tab_to(page, f"#f-{box}")
        page.keyboard.press("Space")
    press_button(page, "Lanjut")
    for box in ("pernyataan_data", "pernyataan_tata_ruang", "pernyataan_standar"):
        tab_to(page, f"#f-{box}")
        page.keyboard.press("Space")
    press_button(page, "Lanjut")
    page.wait_for_url("**/langkah/draf")
    press_button(page, "Lanjut")
    press_button(page, "Terbitkan")
    issued = page.get_by_role("heading", name="Perizinan Berusaha Anda telah terbit")
    issued.wait_for()
    page.screenshot(path=str(screenshots / f"keyboard-terbit-{viewport}.png"), full_page=True)
    context.close()


def test_enter_on_a_refused_step_moves_focus_to_the_error_summary(browser, app, live_server):
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    context = browser.new_context(viewport=VIEWPORTS["ponsel"], locale="id-ID")
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "siti")
    page.goto(live_server + "/formulir/permohonan-baru")
    press_button(page, "Mulai mengisi")
    type_into(page, "#f-email", "@")
    enter(page)
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert page.title().startswith("Perlu diperbaiki")
    assert page.locator("#f-email").get_attribute("aria-describedby") == "e-email" or \
        "e-email" in page.locator("#f-email").get_attribute("aria-describedby").split()
    page.keyboard.press("Tab")  # the summary's link is next and leads to the field
    enter(page)
    expect(page.locator("#f-email")).to_be_focused()
    context.close()
