"""Filing at the counter in headless Chromium: a front-office officer registers a walk-in applicant, files an MT
application for them, uploads two scanned requirements and prints the receipt; the applicant then sees it."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.accessibility import blocking, describe, violations
from tests.helpers import (
    ANSWER,
    PASSWORD,
    PDF,
    REQUIREMENTS_11052,
    VIEWPORTS,
    code_of,
    fill_business_detail,
    sign_in,
)

pytestmark = pytest.mark.browser
NIK = "3201014501900001"


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False)


def register_walk_in(page, app, live_server):
    """The officer walks the registration wizard with the applicant; the code arrives at the applicant's e-mail."""
    page.goto(live_server + "/loket/")
    page.get_by_role("button", name="Daftarkan pemohon baru").click()
    page.get_by_role("button", name="Mulai mengisi").click()
    page.get_by_label("UMK (Usaha Mikro dan Kecil)").check()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_label("Orang Perseorangan").check()
    page.get_by_role("button", name="Lanjut").click()
    for name, value in (("nik", NIK), ("nama", "Siti Aminah"), ("tempat_lahir", "Bogor"), ("tanggal_lahir", "1990-01-05"),
                        ("email", "siti@contoh.id"), ("telepon", "0812 3456 7890")):
        page.fill(f"#f-{name}", value)
    page.get_by_label("Perempuan").check()
    for select, value in (("provinsi", "32"), ("kabupaten", "32.01"), ("kecamatan", "32.01.01")):
        page.locator(f"#f-{select} option[value='{value}']").wait_for(state="attached")
        page.select_option(f"#f-{select}", value)
    page.locator("#f-desa option:nth-child(2)").wait_for(state="attached")
    page.select_option("#f-desa", index=1)
    for name, value in (("alamat", "Jl. Melati No. 1"), ("rt", "001"), ("rw", "002"), ("kode_pos", "16650")):
        page.fill(f"#f-{name}", value)
    page.get_by_label("E-mail", exact=True).last.check()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#f-kode", code_of(app))  # read out by the applicant from their own mailbox
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#f-username", "siti.aminah")  # typed by the applicant at the counter
    page.fill("#f-kata_sandi", PASSWORD)
    page.fill("#f-kata_sandi-ulang", PASSWORD)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("radio", name="Ya", exact=True).check()
    page.locator("#f-pernyataan").check()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Daftar").click()
    assert page.get_by_role("heading", name="Pendaftaran Berhasil").is_visible()


def file_application(page, shot):
    """Permohonan Baru for one MT business code, through the applicant's own wizard."""
    lanjut = lambda: page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name=re.compile("Mulai: Permohonan")).click()
    shot("03-data-pelaku")
    page.get_by_role("button", name="Simpan Data").click()
    page.wait_for_url(re.compile(r"/langkah/bidang_usaha$"))
    page.wait_for_load_state("load")
    page.fill("#f-kegiatan-0-kbli", "air minum")
    page.get_by_role("option", name=re.compile("^11052 ")).click()
    page.fill("#f-kegiatan-0-uraian_kegiatan", "Depot air minum isi ulang")
    lanjut()
    fill_business_detail(page)
    lanjut()
    page.wait_for_url("**/langkah/produk")
    page.select_option("#f-daftar_produk-0-kbli_produk", "11052")
    page.fill("#f-daftar_produk-0-nama_produk", "Air minum isi ulang")
    page.fill("#f-daftar_produk-0-kapasitas_produk", "3000")
    page.fill("#f-daftar_produk-0-satuan_produk", "galon/bulan")
    lanjut()
    for _step in range(3):
        lanjut()
    page.locator("#f-pernyataan_sppl").check()
    lanjut()
    for box in ("pernyataan_data", "pernyataan_tata_ruang", "pernyataan_standar"):
        page.locator(f"#f-{box}").check()
    lanjut()
    lanjut()
    page.get_by_role("button", name="Terbitkan").click()
    page.get_by_role("heading", name="Perizinan Berusaha Anda telah terbit").wait_for()
    assert "Diajukan oleh petugas Lina Loket atas nama Siti Aminah" in page.inner_text("main")
    shot("04-terbit")


def check_counter_page(page, context, where: str, problems: list[str], screenshots) -> None:
    """No serious or critical axe finding, and no sideways scroll at 390 px."""
    problems += describe(where, blocking(violations(page)))
    phone = context.new_page()
    phone.set_viewport_size(VIEWPORTS["ponsel"])
    phone.goto(page.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    if width > VIEWPORTS["ponsel"]["width"]:
        problems.append(f"{where}: scrolls sideways at 390 px ({width}px)")
    phone.screenshot(path=str(screenshots / f"loket-ponsel-{where}.png"), full_page=True)
    phone.close()



def test_front_office_files_for_a_walk_in_applicant(browser, app, live_server, screenshots, tmp_path):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("lina", PASSWORD, "Lina Loket", ["loket"])
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="id-ID")
    page = context.new_page()
    errors, problems = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shot = lambda name: page.screenshot(path=str(screenshots / f"loket-desktop-{name}.png"), full_page=True)

    sign_in(page, live_server, "lina")
    register_walk_in(page, app, live_server)
    page.goto(live_server + "/loket/")
    check_counter_page(page, context, "antrean-kosong", problems, screenshots)
    page.fill("#nik", NIK)
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("button", name="Layani pemohon ini").click()
    assert "Anda sedang melayani pemohon ini." in page.inner_text("main")
    shot("02-pemohon")
    check_counter_page(page, context, "pemohon", problems, screenshots)
    file_application(page, shot)

    page.get_by_role("link", name="Pemenuhan").click()
    page.get_by_role("link", name="Penuhi persyaratan").click()
    for code in REQUIREMENTS_11052[:2]:
        page.set_input_files(f"#u-{code}", files=[{"name": f"scan-{code}.pdf", "mimeType": "application/pdf",
                                                   "buffer": PDF}])
        page.locator(f"#p-{code} button", has_text="Unggah").click()
        assert "Berkas tersimpan." in page.inner_text("main")
    shot("05-unggah")
    page.get_by_role("link", name="Kembali ke loket").click()
    with page.expect_navigation():  # the request queues the receipt's job and comes back to this page
        page.get_by_role("button", name="Cetak bukti pendaftaran").click()
    link = page.get_by_role("link", name="Unduh bukti pendaftaran (PDF)")
    for _attempt in range(40):  # the receipt is a job's work: ready once it ran
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    link.wait_for()
    shot("06-bukti-siap")
    pdf = context.request.get(live_server + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "bukti.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(tmp_path / "bukti.pdf"), str(screenshots / "loket-bukti")],
                   check=True)
    pages = sorted(screenshots.glob("loket-bukti*.png"))
    assert len(pages) == 1  # one page

    page.goto(live_server + "/loket/")
    queue = page.inner_text("main")
    assert "Siti Aminah" in queue and "Lina Loket" in queue and "Kurang" in queue
    shot("07-antrean")
    check_counter_page(page, context, "antrean", problems, screenshots)
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, live_server, "siti.aminah")
    page.goto(live_server + "/beranda")
    assert "Diajukan oleh petugas Lina Loket" in page.inner_text("main")
    shot("08-beranda-pemohon")
    page.get_by_role("link", name="Lihat status dan riwayat").first.click()
    assert "Diajukan oleh petugas Lina Loket atas nama Siti Aminah" in page.inner_text("main")
    shot("09-status-pemohon")
    page.get_by_role("button", name="Keluar").click()

    from forms.store import IssuedDocument
    sign_in(page, live_server, "vera")
    page.goto(live_server + f"/petugas/dokumen/{IssuedDocument.objects.first().id}")
    page.get_by_text("Siapa mengisi setiap jawaban dan berkas").click()
    case = page.inner_text("main")
    assert "Diajukan oleh petugas Lina Loket atas nama Siti Aminah" in case and "petugas loket Lina Loket" in case
    shot("10-kasus-petugas")
    assert problems == [] and errors == []
    context.close()
