"""Risk, authority and deadlines as OSS-RBA models them: the risk table's rows as the wizard derives and refuses
them, one deadline per document from its row, PIA codes, obligations apart from requirements."""
from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from forms.store import IssuedDocument
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    issue,
    login,
    ok,
    sent_for_verification,
    start,
    take_action,
    token,
)

SCHEMAS = Path(__file__).parent.parent / "schemas"


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def signed_in_applicant(app, client):
    """A signed-in pemohon with a registered profile."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    assert login(client).status_code == 302
    return client


@pytest.fixture
def applicant(app, client):
    return signed_in_applicant(app, client)


def derived_row(wizard) -> dict:
    """The first business row as the server stored it."""
    return wizard.submission().answers["detail_usaha"]["detail"][0]


@pytest.mark.parametrize("code, changes, expected", [
    ("86105", {}, ("mikro", "MT", "sertifikat_standar", "kabupaten_kota")),
    ("55110", {"parameter_nilai": "150"}, ("mikro", "MT", "sertifikat_standar", "kabupaten_kota")),
    ("55110", {"parameter_nilai": "250"}, ("mikro", "T", "izin", "kabupaten_kota")),
    ("55120", {"parameter_nilai": "101", "machinery": "Rp2.000.000.000"}, ("kecil", "MT", "sertifikat_standar",
                                                                             "kabupaten_kota")),
    ("55120", {"parameter_nilai": "200"}, ("mikro", "MT", "sertifikat_standar", "kabupaten_kota")),
])
def test_risk_is_derived_from_the_row_and_its_parameter_band(applicant, code, changes, expected):
    wizard, rows = start(applicant, code, **changes)
    ok(wizard.fill("detail_usaha", rows))
    row = derived_row(wizard)
    assert (row["skala"], row["risiko"], row["produk"], row["kewenangan"]) == expected


@pytest.mark.parametrize("code, changes, words", [
    ("93292", {}, ("Menengah Rendah (MR)", "oss.go.id", "93292 — risiko MR")),
    ("55110", {"parameter_nilai": "80"}, ("Menengah Rendah (MR)", "55110 — risiko MR")),
    ("08103", {}, ("bukan kewenangan Pemerintah Kabupaten Kampar", "08103 — Gubernur Riau melalui DPMPTSP Provinsi Riau")),
    ("47301", {}, ("bukan kewenangan", "47301 — Kementerian ESDM")),
    ("86103", {}, ("tidak dapat dimiliki orang perseorangan", "86103")),
])
def test_rows_outside_this_service_are_refused_with_guidance_and_nothing_is_stored(applicant, code, changes, words):
    wizard, rows = start(applicant, code, **changes)
    response = wizard.fill("detail_usaha", rows)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for word in words:
        assert word in body, word
    assert "detail_usaha" not in wizard.submission().answers


def test_a_graded_kbli_asks_its_parameter_and_needs_it(applicant):
    wizard, rows = start(applicant, "55110")
    page = applicant.get(wizard.url() + "/langkah/detail_usaha").get_data(as_text=True)
    assert "Jumlah kamar (kamar)" in page and not PARAMETER_HIDDEN.search(page)
    response = wizard.fill("detail_usaha", rows)
    assert response.status_code == 422 and 'id="e-detail-0-parameter_nilai"' in response.get_data(as_text=True)
    plain, _rows = start(applicant, "11052")
    assert PARAMETER_HIDDEN.search(applicant.get(plain.url() + "/langkah/detail_usaha").get_data(as_text=True))


PARAMETER_HIDDEN = re.compile(r'id="w-detail-0-parameter_nilai"[^>]*\shidden')


def test_every_row_names_its_source_or_says_it_is_unverified():
    table = json.loads((SCHEMAS / "tables" / "kbli-risiko.json").read_text(encoding="utf-8"))
    for row in table["rows"]:
        assert row["sumber"] == "belum diverifikasi" or row.get("sumber_diperiksa"), row["kbli"]
        assert row["risiko"] not in ("MT", "T") or row["jangka_waktu"] > 0, row["kbli"]
        assert row["kewenangan"] == "kabupaten_kota" or row.get("penerbit"), row["kbli"]


def test_hotel_bands_do_not_overlap_and_cover_every_room_count():
    from forms.engine.schema import load_schemas
    tables = load_schemas(SCHEMAS).tables
    for rooms, risk in ((1, "MR"), (60, "MR"), (61, "MR"), (100, "MR"), (101, "MT"), (200, "MT"), (201, "T"), (5000, "T")):
        for key in ("55110|mikro", "55110|kecil", "55120|mikro", "55120|kecil"):
            assert tables.lookup("kbli-risiko", key, "risiko", rooms) == risk, (key, rooms)
    assert tables.lookup("kbli-risiko", "55110|mikro", "risiko") is None  # no room count: no single answer


def seven_day_schemas(tmp_path) -> Path:
    """A copy of the schemas where the bottled water row (11052) has a 7-working-day deadline."""
    root = tmp_path / "schemas-7"
    shutil.copytree(SCHEMAS, root)
    path = root / "tables" / "kbli-risiko.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    for row in table["rows"]:
        if row["kbli"] == "11052":
            row["jangka_waktu"] = 7
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    return root


def test_a_seven_day_row_gives_one_seven_working_day_deadline_paused_while_the_applicant_corrects(make_app, tmp_path):
    from forms.catalog.runtime import office_clock
    app = make_app(SCHEMAS_DIR=str(seven_day_schemas(tmp_path)), CAPTCHA_TEST_ANSWER=ANSWER,
                   LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")
    client = signed_in_applicant(app, app.test_client())
    wizard, rows = start(client, "11052")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "11052").status_code == 302
    document = IssuedDocument.objects(submission_id=wizard.submission().id).first()
    assert document.data["jangka_waktu"] == 7
    document = sent_for_verification(client, document)
    with app.app_context():
        due = office_clock().add(document.entered_at, 7)
    assert (document.sla["days"], document.sla["due_at"], document.history[-1]["pia"]) == (7, due, "09")
    officer = officer_client(app)
    assert judge(officer, document, "hasil_uji_air", "ditolak", "Hasil uji kedaluwarsa").status_code == 302
    assert take_action(officer, document, "minta_perbaikan", officer=True, note="Ganti hasil uji").status_code == 302
    document.reload()
    assert document.sla["paused"] and document.history[-1]["pia"] == "41"
    document = sent_for_verification(client, document, codes=("hasil_uji_air",))
    assert document.history[-1]["pia"] == "42" and document.sla["days"] == 7 and document.sla["due_at"] >= due


def judge(client, document, code, verdict, reason=""):
    """An officer's verdict on one uploaded requirement."""
    page = client.get(f"/petugas/dokumen/{document.id}")
    return client.post(f"/petugas/dokumen/{document.id}/putusan/{code}",
                       data={"csrf_token": token(page), "putusan": verdict, "alasan": reason})


def officer_client(app):
    """A signed-in verifikator."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("vera", PASSWORD, "Vera Petugas", ["verifikator"], email="vera@contoh.id")
    client = app.test_client()
    assert login(client, "vera").status_code == 302
    return client


def test_the_hygiene_certificate_is_an_obligation_not_a_requirement(applicant, app):
    from forms.casework.transitions import obligations, requirements
    wizard, rows = start(applicant, "56290")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "56290").status_code == 302
    document = IssuedDocument.objects(submission_id=wizard.submission().id).first()
    with app.app_context():
        required = [item["kode"] for item in requirements(document)]
        due = obligations(document)
    assert "sertifikat_laik_higiene_sanitasi" not in required and "dokumen_sppl" in required
    assert [item["kode"] for item in due] == ["sertifikat_laik_higiene_sanitasi"]
    issued_day = document.issued_at.date()
    assert (due[0]["due"].year - issued_day.year) * 12 + due[0]["due"].month - issued_day.month == 12


@pytest.mark.parametrize("change, message", [
    ({"parameter_min": 90}, "row 12 (55110|mikro): column 'parameter_min': Rentang ini bertumpuk"),
    ({"parameter_max": 50}, "row 12 (55110|mikro): column 'parameter_max': Batas atas lebih kecil"),
])
def test_overlapping_or_upside_down_bands_stop_start_up(tmp_path, change, message):
    from forms.engine.schema import load_schemas
    from forms.errors import SchemaError
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    path = root / "tables" / "kbli-risiko.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    index = next(i for i, row in enumerate(table["rows"]) if row["kbli"] == "55110" and row.get("parameter_min") == 101)
    table["rows"][index].update(change)
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SchemaError) as refused:
        load_schemas(root)
    assert any(message.replace("row 12", f"row {index + 1}") in problem for problem in refused.value.problems), \
        refused.value.problems


def test_obligations_show_on_the_home_and_are_reminded_once_over_the_applicants_channel(app, applicant):
    from forms.casework.jobs import run_due
    from forms.casework.reminders import queue_reminders
    from forms.store import Job
    wizard, rows = start(applicant, "56290")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "56290").status_code == 302
    document = IssuedDocument.objects(submission_id=wizard.submission().id).first()
    home = applicant.get("/beranda").get_data(as_text=True)
    assert "Kewajiban setelah terbit" in home and "Sertifikat Laik Higiene Sanitasi (SLHS)" in home
    assert document.number in home
    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*")) if outbox.exists() else set()
    with app.app_context():
        assert queue_reminders(document.issued_at + timedelta(days=200)) == []  # not due within the window yet
        near = document.issued_at + timedelta(days=350)
        keys = queue_reminders(near)
        assert len(keys) == 1 and keys[0].endswith(":sertifikat_laik_higiene_sanitasi:" + keys[0].rsplit(":", 1)[1])
        assert queue_reminders(near) == keys and Job.objects(kind="obligation-reminder").count() == 1  # once only
        run_due()
    sent = [path.read_text(encoding="utf-8", errors="replace") for path in set(outbox.glob("*")) - before]
    reminders = [text for text in sent if "Sertifikat Laik Higiene Sanitasi" in text]
    assert len(reminders) == 1 and document.number in reminders[0] and "siti@contoh.id" in reminders[0]
    assert Job.objects(kind="obligation-reminder").first().state == "done"


@pytest.mark.parametrize("npwp, warned", [(NIK, False), ("3201014501900002", True), ("01.234.567.8-901.000", False)])
def test_the_npwp_is_prefilled_from_the_nik_and_a_different_16_digit_one_is_warned_but_kept(applicant, npwp, warned):
    from tests.helpers import WizardClient
    wizard = WizardClient(applicant, "permohonan-baru").start()
    page = applicant.get(wizard.url() + "/langkah/data_pelaku").get_data(as_text=True)
    assert re.search(rf'name="npwp"[^>]*value="{NIK}"', page)  # prefilled from the account's NIK
    ok(wizard.fill("data_pelaku", {"npwp": npwp, "email": "siti@contoh.id"}))  # a warning, not a refusal
    page = applicant.get(wizard.url() + "/langkah/data_pelaku").get_data(as_text=True)
    assert bool(re.search(r'id="w-peringatan_npwp"[^>]*\shidden', page)) is not warned
    assert "berbeda dari NIK Anda" in page  # the text is on the page for the script to show as the applicant types


def test_the_declarations_name_the_sanction_and_ask_for_the_sppl_once(applicant):
    from tests.helpers import products
    wizard, rows = start(applicant, "11052")
    ok(wizard.fill("detail_usaha", rows))
    for step, values in (("produk", products("11052")), ("periksa_produk", {}), ("periksa_usaha", {}),
                         ("periksa_kegiatan", {})):
        ok(wizard.fill(step, values))
    lingkungan = applicant.get(wizard.url() + "/langkah/lingkungan").get_data(as_text=True)
    assert lingkungan.count('name="pernyataan_sppl"') == 1
    ok(wizard.fill("lingkungan", {"pernyataan_sppl": "1"}))
    page = applicant.get(wizard.url() + "/langkah/pernyataan").get_data(as_text=True)
    assert "bersedia dikenakan sanksi" in page and "pernyataan_sppl" not in page
