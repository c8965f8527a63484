"""The satisfaction survey: the index on a hand-worked example, grade edges, periods, files, and download gating."""
from __future__ import annotations

import io
import shutil
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from pypdf import PdfReader

from forms import create_app
from forms.errors import SchemaError
from forms.identity.accounts import create_account
from forms.office.surveys import (
    Period,
    build_report,
    grade_of,
    parse_semester,
    round_half_up,
    score,
    semester_of,
    settings,
    survey_done,
    survey_required,
    trend,
)
from forms.store import IssuedDocument, Submission
from tests.helpers import (
    ANSWER,
    PASSWORD,
    RESPONDENT,
    ROOT,
    WizardClient,
    login,
    seed_survey,
    token,
    wib,
)

# Four respondents, nine elements each (U1..U9). Column sums: 14 14 11 16 13 14 15 13 11 = 121.
# NRR: 3.5, 3.5, 2.75, 4, 3.25, 3.5, 3.75, 3.25, 2.75. Mean of the NRRs = 121/36 = 3.36111…
# IKM = 121/36 × 25 = 3025/36 = 84.02777… → 84.03, grade B (76.61–88.30).
# (Weighting each NRR by a rounded 0.111 instead of exactly 1/9 would give 83.96: the regulation's
# tables are met only with the exact weight.)
HAND_WORKED = [
    [4, 4, 3, 4, 3, 4, 4, 3, 3],
    [3, 3, 3, 4, 3, 3, 4, 3, 2],
    [4, 3, 2, 4, 4, 3, 3, 3, 3],
    [3, 4, 3, 4, 3, 4, 4, 4, 3],
]


def flat(values: list[int]) -> dict:
    return {f"u{number}": str(value) for number, value in enumerate(values, start=1)}


def test_index_of_a_hand_worked_example(app):
    with app.app_context():
        scores, mean = score([flat(row) for row in HAND_WORKED], settings())
        assert [item.nrr for item in scores] == [Fraction(14, 4), Fraction(14, 4), Fraction(11, 4), Fraction(4),
                                                 Fraction(13, 4), Fraction(14, 4), Fraction(15, 4), Fraction(13, 4),
                                                 Fraction(11, 4)]
        assert mean == Fraction(121, 36)
        assert [str(item.converted) for item in scores][:4] == ["87.50", "87.50", "68.75", "100.00"]
        assert [item.grade.grade for item in scores] == ["B", "B", "C", "A", "B", "B", "A", "B", "C"]
        report = build_report(Period(datetime(2026, 1, 1).date(), datetime(2026, 6, 30).date(), 1),
                              [flat(row) for row in HAND_WORKED])
        assert report.ikm == Decimal("84.03") and report.grade.grade == "B" and report.respondents == 4


@pytest.mark.parametrize("value, grade", [
    ("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"), ("65.00", "C"),
    ("64.99", "D"), ("25.00", "D"),
])
def test_grade_bands_at_their_edges(app, value, grade):
    with app.app_context():
        assert grade_of(Decimal(value), settings().grades).grade == grade


@pytest.mark.parametrize("exact, rounded, grade", [
    (Fraction(88305, 1000), "88.31", "A"),  # half up, then read the band: an unrounded 88.305 fits no band
    (Fraction(883049, 10000), "88.30", "B"),
    (Fraction(76605, 1000), "76.61", "B"),
    (Fraction(649949, 10000), "64.99", "D"),
    (Fraction(6499500001, 100000000), "65.00", "C"),
])
def test_index_is_rounded_once_half_up_before_grading(app, exact, rounded, grade):
    with app.app_context():
        assert str(round_half_up(exact)) == rounded
        assert grade_of(round_half_up(exact), settings().grades).grade == grade


def test_semesters():
    assert semester_of(datetime(2026, 6, 30).date()) == Period(datetime(2026, 1, 1).date(), datetime(2026, 6, 30).date(), 1)
    assert semester_of(datetime(2026, 7, 1).date()).key == "2026-2"
    assert parse_semester("2025-2").start.isoformat() == "2025-07-01"
    assert parse_semester("2025-3") is None and parse_semester("x") is None and parse_semester("0000-1") is None


def test_report_counts_only_sent_surveys_of_the_period(app):
    with app.app_context():
        for row in HAND_WORKED:
            seed_survey(row, datetime(2026, 3, 10, 9))
        seed_survey([1] * 9, datetime(2026, 3, 11), status="draft")
        seed_survey([1] * 9, wib("2026-07-01 00:00:01"))  # next semester (office time; 17:00 UTC on 30 June)
        seed_survey([1] * 9, wib("2025-12-31 23:59"))  # previous semester (16:59 UTC)
        report = build_report(parse_semester("2026-1"))
        assert report.respondents == 4 and report.ikm == Decimal("84.03")


def test_a_semester_runs_from_office_midnight_to_office_midnight(app):
    with app.app_context():
        seed_survey([4] * 9, wib("2026-01-01 00:01"))  # in: 17:01 UTC on 31 December
        seed_survey([4] * 9, wib("2026-06-30 23:59"))  # in: 16:59 UTC
        seed_survey([1] * 9, wib("2025-12-31 23:59"))  # out: 16:59 UTC on 31 December
        seed_survey([1] * 9, wib("2026-07-01 00:00"))  # out: 17:00 UTC on 30 June
        report = build_report(parse_semester("2026-1"))
        assert report.respondents == 2 and report.ikm == Decimal("100.00")


def test_trend_leaves_a_gap_for_a_semester_without_respondents(app):
    with app.app_context():
        seed_survey([4] * 9, datetime(2025, 2, 1))
        seed_survey([3] * 9, datetime(2026, 2, 1))
        reports = trend(parse_semester("2026-1"))
        assert [r.period.key for r in reports] == ["2023-2", "2024-1", "2024-2", "2025-1", "2025-2", "2026-1"]
        assert [str(r.ikm) if r.ikm is not None else None for r in reports] == [None, None, None, "100.00", None, "75.00"]


def fill_survey(client, values: list[int], comment: str = "") -> WizardClient:
    """Walk the survey over HTTP and send it."""
    wizard = WizardClient(client, "skm").start()
    assert wizard.fill("responden", RESPONDENT).status_code == 302
    assert wizard.fill("penilaian", flat(values)).status_code == 302
    assert wizard.fill("saran", {"saran": comment}).status_code == 302
    review = client.get(f"/isian/{wizard.submission_id}/periksa")
    version = wizard.submission().version
    response = client.post(f"/isian/{wizard.submission_id}/kirim", data={"csrf_token": token(review), "_version": version})
    assert response.status_code == 302, response.data
    return wizard


def test_walk_in_respondent_without_an_account_is_counted(app, client):
    wizard = fill_survey(client, [4, 4, 4, 4, 4, 4, 4, 4, 3], comment="Ruang tunggu nyaman.")
    sent = wizard.submission()
    assert sent.status == "diterima" and sent.number.startswith("SKM-") and sent.owner.startswith("anon:")
    page = client.get("/ikm").get_data(as_text=True)
    assert "1 responden" in page and "97,22" in page  # (8×4 + 3)/9 × 25 = 97.22
    assert "Ruang tunggu" not in page  # comments are for officers only


def test_download_gate_follows_the_setting(make_app):
    for required in (True, False):
        app = make_app(SKM_REQUIRED_FOR_DOWNLOAD=required)
        with app.app_context():
            owner = "account:65f000000000000000000001"
            assert survey_done(owner) is False
            assert survey_required(owner) is required
            seed_survey([3] * 9, datetime(2026, 3, 1), owner=owner)
            assert survey_done(owner) is True and survey_required(owner) is False
            assert survey_done(owner, since=datetime(2026, 3, 2)) is False
            assert survey_required(owner, since=datetime(2026, 3, 2)) is required
            assert survey_done(None) is False
            Submission.drop_collection()


def test_survey_filled_when_signed_in_counts_for_the_account(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    client = app.test_client()
    with app.app_context():
        siti = create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id")
        IssuedDocument(submission_id=Submission(form_id="x", form_version=1, owner=f"account:{siti.id}").save().id,
                       owner=f"account:{siti.id}", kind="SS", number="SS-1", status="terbit").save()
    assert login(client).status_code == 302
    home = client.get("/beranda").get_data(as_text=True)
    assert "Bantu kami menilai layanan ini" in home and "/formulir/skm" in home
    with app.app_context():
        assert survey_required(f"account:{siti.id}") is True
    fill_survey(client, [3] * 9)
    with app.app_context():
        assert survey_done(f"account:{siti.id}") and not survey_required(f"account:{siti.id}")
    assert "Bantu kami menilai layanan ini" not in client.get("/beranda").get_data(as_text=True)


def test_recap_csv(app, client):
    with app.app_context():
        for row in HAND_WORKED:
            seed_survey(row, datetime(2026, 3, 10))
    response = client.get("/ikm/rekap.csv?periode=2026-1")
    assert response.mimetype == "text/csv" and 'filename="ikm-2026-1.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "periode_mulai,periode_akhir,kode,unsur,responden,jumlah_nilai,nrr,nilai_konversi,mutu"
    assert lines[1] == "2026-01-01,2026-06-30,U1,Persyaratan,4,14,3.5000,87.50,B"
    assert lines[-1] == "2026-01-01,2026-06-30,IKM,Indeks Kepuasan Masyarakat,4,,3.3611,84.03,B"


def test_answers_csv_is_for_officers_and_defuses_formulas(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER)
    client = app.test_client()
    with app.app_context():
        seed_survey([4] * 9, datetime(2026, 3, 10), comment="=HYPERLINK(\"http://x\")")
        create_account("budi", PASSWORD, "Budi", ["verifikator"])
    assert client.get("/ikm/jawaban.csv?periode=2026-1").status_code == 302
    login(client, "budi")
    text = client.get("/ikm/jawaban.csv?periode=2026-1").get_data(as_text=True)
    head, row = text.lstrip("\ufeff").splitlines()
    assert head == "nomor,dikirim,jenis_kelamin,usia,pendidikan,pekerjaan,U1,U2,U3,U4,U5,U6,U7,U8,U9,saran"
    assert row.startswith("SKM-2026-000001,2026-03-10T07:00:00+07:00,Perempuan,26–35 tahun,D4/S1,Wirausaha,4,4")
    assert row.endswith(',"\'=HYPERLINK(""http://x"")"')


def test_pdf_report_of_a_semester(app, client):
    with app.app_context():
        for row in HAND_WORKED:
            seed_survey(row, datetime(2026, 3, 10))
    response = client.get("/ikm/laporan.pdf?periode=2026-1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Laporan Survei Kepuasan Masyarakat" in text and "Semester I 2026" in text
    assert "84,03" in text and "3,3611" in text


def test_page_shows_index_and_charts_without_style_attributes(app, client):
    with app.app_context():
        for row in HAND_WORKED:
            seed_survey(row, datetime(2026, 3, 10))
    response = client.get("/ikm?periode=2026-1")
    page = response.get_data(as_text=True)
    assert "84,03" in page and "Mutu B" in page and "4 responden" in page
    assert page.count("<svg") == 2 and page.count('<rect x="4.0" y=') == 9
    assert "style=" not in page and "<script>" not in page
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_custom_date_range_and_bad_input(app, client):
    with app.app_context():
        seed_survey([4] * 9, datetime(2026, 2, 1))
        seed_survey([2] * 9, datetime(2026, 5, 1))
    page = client.get("/ikm?dari=2026-01-01&sampai=2026-03-31").get_data(as_text=True)
    assert "1 Januari 2026 – 31 Maret 2026" in page and "100,00" in page and "1 responden" in page
    assert "Tanggal tidak valid" in client.get("/ikm?dari=2026-13-01&sampai=2026-01-01").get_data(as_text=True)
    assert "harus urut" in client.get("/ikm?dari=2026-03-01&sampai=2026-01-01").get_data(as_text=True)
    assert "harus urut" in client.get("/ikm?dari=0001-01-01&sampai=0001-02-01").get_data(as_text=True)
    assert "tidak dikenal" in client.get("/ikm?periode=0000-1").get_data(as_text=True)


def test_survey_settings_are_checked_at_start_up(tmp_path):
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    survey = (schemas / "survey.json").read_text(encoding="utf-8")
    (schemas / "survey.json").write_text(survey.replace('"field": "u9"', '"field": "u10"'), encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        create_app({"TESTING": True, "STORE": "memory", "SECRET_KEY": "x", "SCHEMAS_DIR": str(schemas),
                    "OUTBOX_DIR": str(tmp_path / "outbox")})
    assert "schemas/survey.json: element 'U9': 'u10' is not a radio or select field of 'skm'" in str(raised.value)


@pytest.mark.parametrize("population, sample", [(0, 0), (1, 1), (10, 10), (100, 80), (500, 217), (1000, 278),
                                                (10_000, 370), (1_000_000, 384)])
def test_krejcie_morgan_minimum_sample(population, sample):
    from forms.office.surveys import krejcie_morgan
    assert krejcie_morgan(population) == sample


def test_the_report_shows_respondents_against_the_minimum_sample_of_the_services_delivered(app, client):
    from bson import ObjectId
    with app.app_context():
        for row in HAND_WORKED:
            seed_survey(row, datetime(2026, 3, 10))
        for index in range(100):  # services delivered in the semester: a population of 100 needs 80 respondents
            IssuedDocument(submission_id=ObjectId(), owner="account:x", kind="sertifikat_standar", number=f"X-{index}",
                           key=f"{index:05d}", status="terbit", issued_at=datetime(2026, 2, 1)).save()
        IssuedDocument(submission_id=ObjectId(), owner="account:x", kind="izin", number="X-luar", key="1",
                       status="terbit", issued_at=datetime(2026, 8, 1)).save()  # another semester: not counted
    page = client.get("/ikm?periode=2026-1").get_data(as_text=True)
    assert "4 responden" in page and "untuk 100 layanan pada periode ini: 80 responden" in page
    assert "belum memenuhi sampel minimal" in page
    report = client.get("/ikm/laporan.pdf?periode=2026-1")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.data)).pages).split())
    assert report.status_code == 200 and "80 responden" in text
