"""The form builder in headless Chromium, desktop and 390 px: an admin builds "Permohonan Izin Reklame" from
scratch without opening a JSON editor, previews and publishes it; an applicant fills and submits it (a hidden
answer is not stored); then the admin adds an option to a select of Permohonan Baru and edits a sub-field of
`detail`, and every English label is still there."""
from __future__ import annotations

import json

import pytest

from forms.identity.accounts import create_account
from forms.store import SchemaVersion, Submission
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    VIEWPORTS,
    assert_no_sideways_scroll,
    sign_in,
)

pytestmark = pytest.mark.browser

KINDS = [("baru", "Pemasangan baru", "New installation"), ("perpanjangan", "Perpanjangan", "Renewal"),
         ("insidental", "Reklame insidental", "Temporary billboard")]
SUBFIELDS = [("alamat_titik", "text", "Alamat titik", "Site address"), ("ukuran", "number", "Ukuran (m²)", "Size (m²)"),
             ("sisi", "text", "Jumlah sisi", "Number of faces")]


def go(page, locator):
    """Click something that loads a new page and wait for that page."""
    with page.expect_navigation():
        locator.click()


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def add_field(page, name, type_name, label_id, label_en="", required=False, options=()):
    """The add-field form of the builder page, filled and sent."""
    box = page.locator("#tambah-isian")
    box.get_by_label("Nama (huruf kecil, tanpa spasi)").fill(name)
    box.locator("#baru-jenis").select_option(type_name)
    box.get_by_label("Label (Indonesia)").fill(label_id)
    box.get_by_label("Label (Inggris)").fill(label_en)
    if required:
        box.get_by_label("Wajib diisi").check()
    for index, (value, text_id, text_en) in enumerate(options):
        box.locator("input[name=opt_value]").nth(index).fill(value)
        box.locator("input[name=opt_id]").nth(index).fill(text_id)
        box.locator("input[name=opt_en]").nth(index).fill(text_en)
    go(page, box.get_by_role("button", name="Tambah isian"))
    assert "Perubahan disimpan ke draf." in page.inner_text("main"), page.inner_text("main")[:1500]


def set_condition(page, prefix, field, value):
    """One row of a condition builder in the open field settings: field · sama dengan · value."""
    box = page.locator("#isian-terpilih")
    box.locator(f"select[name={prefix}_field]").first.select_option(field)
    box.locator(f"select[name={prefix}_op]").first.select_option("==")
    box.locator(f"input[name={prefix}_value]").first.fill(value)
    box.locator(f"input[name={prefix}_value]").first.press("Escape")  # closes the suggestions of the options list


def open_field(page, label):
    go(page, page.locator("#daftar-isian").get_by_role("link", name=label, exact=True))


def save_field(page):
    page.wait_for_load_state("networkidle")  # the live preview has caught up with the typing
    go(page, page.locator("#isian-terpilih").get_by_role("button", name="Simpan isian"))
    assert "Perubahan disimpan ke draf." in page.inner_text("main"), page.inner_text("main")[:1500]


def build_the_form(page, base, shot):
    """Create the form, three steps, the radio, the conditional and required-if fields, the repeat group."""
    page.goto(base + "/admin/")
    box = page.locator("#formulir-baru")
    box.get_by_label("Kunci (huruf kecil dan tanda hubung, mis. izin-reklame)").fill("izin-reklame")
    box.get_by_label("Judul (Indonesia)").fill("Permohonan Izin Reklame")
    box.get_by_label("Judul (Inggris)").fill("Billboard Permit Application")
    go(page, box.get_by_role("button", name="Buat formulir"))
    settings = page.locator("#setelan-langkah")
    settings.locator("summary").click()
    settings.get_by_label("Judul langkah (Indonesia)").fill("Data reklame")
    settings.get_by_label("Judul langkah (Inggris)").fill("Billboard details")
    go(page, settings.get_by_role("button", name="Simpan langkah"))
    add_field(page, "jenis_reklame", "radio", "Jenis permohonan", "Application type", required=True, options=KINDS)
    add_field(page, "nomor_izin_lama", "text", "Nomor izin lama", "Previous permit number")
    set_condition(page, "s_visible_if", "jenis_reklame", "perpanjangan")
    save_field(page)
    add_field(page, "keterangan_acara", "textarea", "Keterangan acara", "Event description")
    set_condition(page, "s_required_if", "jenis_reklame", "insidental")
    assert "Keterangan acara" in page.inner_text("#pratinjau-langsung")
    save_field(page)
    shot("1-langkah")  # after the save: a full-page shot of a phone resizes the page and can swallow the next click
    reorder(page)
    preview = page.inner_text("#pratinjau-langsung")
    assert all(text_id in preview for _value, text_id, _en in KINDS)
    go(page, page.get_by_role("link", name="Permohonan Izin Reklame · versi 1"))
    for name, title_id, title_en in (("lokasi", "Lokasi reklame", "Billboard sites"),
                                     ("pernyataan", "Pernyataan", "Declaration")):
        page.locator("#langkah-baru-nama").fill(name)
        page.locator("#langkah-baru-judul").fill(title_id)
        page.locator("#langkah-baru-judul-en").fill(title_en)
        go(page, page.get_by_role("button", name="Tambah langkah"))
    go(page, page.locator("#langkah-pernyataan").get_by_role("link", name="Susun"))
    add_field(page, "setuju", "declaration", "Data yang saya isi benar.", "The data I entered is true.", required=True)
    go(page, page.get_by_role("link", name="2. Lokasi reklame"))
    add_field(page, "titik_reklame", "repeat", "Titik reklame", "Billboard sites", required=True)
    for name, type_name, label_id, label_en in SUBFIELDS:
        add_field(page, name, type_name, label_id, label_en, required=True)
    go(page, page.locator("#isian-lokasi-uraian").get_by_role("button", name="Hapus"))
    shot("2-grup")
    assert "Alamat titik" in page.inner_text("#pratinjau-langsung")


def field_order(page):
    return page.locator("#daftar-isian li[data-name]").evaluate_all("items => items.map(i => i.dataset.name)")


def reorder(page):
    """Drag a field to the top, then put it back with the keyboard on its Turun button (a plain form)."""
    with page.expect_navigation():
        page.locator("#isian-langkah_1-nomor_izin_lama .drag-handle").drag_to(
            page.locator("#isian-langkah_1-jenis_reklame .field-item-head"))
    assert field_order(page) == ["nomor_izin_lama", "jenis_reklame", "keterangan_acara"]
    page.locator("#isian-langkah_1-nomor_izin_lama").get_by_role("button", name="↓ Turun").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert field_order(page) == ["jenis_reklame", "nomor_izin_lama", "keterangan_acara"]


def edit_workflow(page, base, shot):
    """A state's deadline changed in the workflow editor; the diagram is drawn beside it."""
    page.goto(base + "/admin/workflow/sertifikat-standar")
    go(page, page.get_by_role("button", name="Buat draf dari sini"))
    assert page.locator("svg.diagram rect").count() == 7
    state = page.locator("#wf-menunggu_verifikasi")
    state.locator("summary").click()
    state.get_by_label("Batas waktu (hari kerja)").fill("7")
    go(page, state.get_by_role("button", name="Simpan menunggu_verifikasi"))
    assert "Perubahan disimpan ke draf." in page.inner_text("main")
    shot("6-alur-kerja")
    assert json.loads(SchemaVersion.objects.get(kind="workflow", key="sertifikat-standar", version=2).content)[
        "states"]["menunggu_verifikasi"]["sla_days"] == 7


def publish_it(page, shot):
    go(page, page.get_by_role("link", name="Permohonan Izin Reklame · versi 1"))
    shot("3-versi")
    go(page, page.get_by_role("link", name="Periksa dampak & terbitkan…"))
    go(page, page.get_by_role("button", name="Terbitkan versi 1"))
    assert "Versi 1 diterbitkan." in page.inner_text("main")


def apply_as_applicant(page, base, shot):
    """Siti fills the new form: the hidden old-permit number is typed, then hidden; the required-if bites."""
    page.goto(base + "/formulir/izin-reklame")
    go(page, page.get_by_role("button", name="Mulai mengisi"))
    page.get_by_label("Perpanjangan").check()
    page.get_by_label("Nomor izin lama").fill("503/REK/2025")
    page.get_by_label("Reklame insidental").check()
    assert page.get_by_label("Nomor izin lama").is_hidden()
    go(page, page.get_by_role("button", name="Lanjut"))
    assert "Wajib diisi." in page.inner_text("main")
    page.get_by_label("Keterangan acara").fill("Festival Kampar 2026")
    go(page, page.get_by_role("button", name="Lanjut"))
    page.get_by_label("Alamat titik").fill("Jl. Prof. M. Yamin, Bangkinang")
    page.get_by_label("Ukuran (m²)").fill("8")
    page.get_by_label("Jumlah sisi").fill("2")
    shot("4-pemohon")
    go(page, page.get_by_role("button", name="Lanjut"))
    page.get_by_label("Data yang saya isi benar.").check()
    go(page, page.get_by_role("button", name="Lanjut"))
    go(page, page.get_by_role("button", name="Kirim"))


def english_labels(value):
    """Every English text in a definition, by its JSON path."""
    found = {}
    def walk(node, path):
        if isinstance(node, dict):
            if "en" in node and "id" in node:
                found[path] = node["en"]
            for key, child in node.items():
                walk(child, f"{path}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}/{child.get('name', index) if isinstance(child, dict) else index}")
    walk(value, "")
    return found


def change_permohonan_baru(page, base):
    """An option added to status_lahan and the label of luas_lahan changed, both inside `detail`."""
    page.goto(base + "/admin/form/permohonan-baru")
    go(page, page.get_by_role("button", name="Buat draf dari sini"))
    version = int(page.url.rsplit("/", 1)[-1])
    page.goto(base + f"/admin/form/permohonan-baru/{version}/susun/detail_usaha?grup=detail&isian=status_lahan")
    box = page.locator("#isian-terpilih")
    box.locator("input[name=opt_value]").nth(3).fill("hibah")
    box.locator("input[name=opt_id]").nth(3).fill("Hibah")
    box.locator("input[name=opt_en]").nth(3).fill("Grant")
    box.locator("tr.option-row").nth(3).locator(".drag-handle").drag_to(
        box.locator("tr.option-row").first.locator(".drag-handle"), target_position={"x": 2, "y": 1})
    assert box.locator("input[name=opt_value]").first.input_value() == "hibah"
    assert box.locator("input[name=opt_order]").evaluate_all("inputs => inputs.map(i => i.value)")[:4] == [
        "1", "2", "3", "4"]
    save_field(page)
    open_field(page, "Luas lahan")
    page.locator("#isian-terpilih").get_by_label("Label (Indonesia)").fill("Luas lahan usaha")
    save_field(page)
    return version


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_form_is_built_without_json_published_and_filled(browser, app, live_server, screenshots, viewport):
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="id-ID")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    shot = lambda name: page.screenshot(path=str(screenshots / f"builder-{viewport}-{name}.png"), full_page=True)

    sign_in(page, live_server, "ani")
    build_the_form(page, live_server, shot)
    assert_no_sideways_scroll(page, viewport)
    publish_it(page, shot)
    go(page, page.get_by_role("button", name="Keluar"))
    sign_in(page, live_server, "siti")
    apply_as_applicant(page, live_server, shot)
    submitted = Submission.objects.get(form_id="izin-reklame")
    assert submitted.status != "draft" and submitted.number
    assert submitted.answers["langkah_1"] == {"jenis_reklame": "insidental", "keterangan_acara": "Festival Kampar 2026"}
    assert submitted.answers["lokasi"]["titik_reklame"] == [
        {"alamat_titik": "Jl. Prof. M. Yamin, Bangkinang", "ukuran": 8, "sisi": "2"}]
    go(page, page.get_by_role("button", name="Keluar"))

    sign_in(page, live_server, "ani")
    before = json.loads(SchemaVersion.objects.get(kind="form", key="permohonan-baru", version=1).content)
    version = change_permohonan_baru(page, live_server)
    shot("5-permohonan-baru")
    assert_no_sideways_scroll(page, viewport)
    after = json.loads(SchemaVersion.objects.get(kind="form", key="permohonan-baru", version=version).content)
    detail = {f["name"]: f for f in after["steps"][2]["fields"][0]["fields"]}
    assert [o["value"] for o in detail["status_lahan"]["options"]] == ["hibah", "sewa", "milik_sendiri", "pinjam_pakai"]
    assert detail["status_lahan"]["options"][0] == {"value": "hibah", "label": {"id": "Hibah", "en": "Grant"}}
    assert detail["luas_lahan"]["label"] == {"id": "Luas lahan usaha", "en": "Land area"}
    assert sorted(english_labels(after).values()) == sorted([*english_labels(before).values(), "Grant"])
    edit_workflow(page, live_server, shot)
    assert_no_sideways_scroll(page, viewport)
    assert [error for error in errors if "422" not in error] == []  # the refused step answers 422 on purpose
