"""The office's front door over HTTP: the portal home and its doors (data in schemas/portal.json), Daftar on the
sign-in page, the demo form only in demo mode, verifying a document by a pasted code, tracking by the owner
number, the way back to a document after the survey, and the survey's privacy (never an application on the
applicant's home; no respondent profile below the minimum group size)."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from forms.office.publicinfo import public_info
from forms.store import find_submission
from tests.helpers import (
    ANSWER,
    NIK,
    RESPONDENT,
    WizardClient,
    issued,
    pin_clock,
    seed_survey,
    token,
    verification_token,
    wib,
)


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    DEMO_MODE=False)


def texts(value) -> str:
    """The Indonesian text of a schema text."""
    return value["id"] if isinstance(value, dict) else value


def test_home_tells_what_the_service_is_and_opens_every_door(app, client):
    with app.app_context():
        portal = public_info().portal
    html = client.get("/").get_data(as_text=True)
    assert texts(portal["title"]) in html and texts(portal["lead"]) in html
    assert all(texts(item) in html for item in portal["audience"]["items"])
    assert [texts(step["title"]) for step in portal["steps"]] == re.findall(
        r'<span class="path-number" aria-hidden="true">\d+</span>\s*<strong>([^<]+)</strong>', html)
    guest_doors = [door for door in portal["doors"] if door["for"] != "account"]
    for door in guest_doors:
        assert f'href="{door["url"]}"' in html
        answer = client.get(door["url"])
        assert answer.status_code == 200 or answer.headers["Location"].startswith("/masuk"), door["url"]
    assert next(door for door in portal["doors"] if door["for"] == "account")["url"] not in re.findall(
        r'<ul class="cards doors">(.*?)</ul>', html, re.DOTALL)[0]


def test_signed_in_visitors_see_their_own_doors(app, people):
    html = people["siti"].get("/").get_data(as_text=True)
    assert 'href="/beranda"' in html and 'href="/formulir/pendaftaran"' not in html


def test_sign_in_page_offers_registration(client):
    html = client.get("/masuk").get_data(as_text=True)
    assert re.search(r'<a class="button" href="/formulir/pendaftaran">Daftar</a>', html)


def test_demo_form_is_hidden_from_the_public_unless_in_demo_mode(make_app):
    office = make_app(DEMO_MODE=False).test_client()
    assert "Formulir Contoh" not in office.get("/").get_data(as_text=True)
    assert office.get("/formulir/demo").status_code == 404
    page = office.get("/formulir/pengaduan")
    assert office.post("/formulir/demo", data={"csrf_token": token(page)}).status_code == 404
    demo = make_app(DEMO_MODE=True).test_client()
    assert 'href="/formulir/demo"' in demo.get("/").get_data(as_text=True)
    assert demo.get("/formulir/demo").status_code == 200


@pytest.mark.parametrize("entered", ["{token}", "https://loket.contoh.id/verifikasi/{token}", " /verifikasi/{token}/ "])
def test_a_pasted_code_or_address_opens_the_verification_page(app, people, entered):
    document = issued(people["siti"])
    app.config["SKM_REQUIRED_FOR_DOWNLOAD"] = False  # the code is read from the PDF, downloaded without the survey
    pdf = people["siti"].get(f"/dokumen/{document.number}.pdf")
    code = verification_token(app, pdf.data)
    client = app.test_client()
    answer = client.get("/verifikasi", query_string={"kode": entered.format(token=code)})
    assert answer.status_code == 302 and answer.headers["Location"] == f"/verifikasi/{code}"
    assert document.number in client.get(answer.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("entered", ["abc", "https://contoh.id/verifikasi/<script>", "x" * 200])
def test_a_code_that_is_not_one_is_refused_with_a_reason(client, entered):
    answer = client.get("/verifikasi", query_string={"kode": entered})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Kode tidak dikenali" in html and 'aria-invalid="true"' in html
    assert "<script>" not in html


def test_tracking_finds_an_application_by_the_owner_number(app, people):
    document = issued(people["siti"])
    with app.app_context():
        owner_number = find_submission(str(document.submission_id)).derived["nib"]
    client = app.test_client()
    page = client.get("/lacak")
    assert "atau NIB" in page.get_data(as_text=True)
    found = client.post("/lacak", data={"csrf_token": token(page), "nomor": owner_number, "nik": NIK})
    assert found.status_code == 200 and document.number in found.get_data(as_text=True)
    wrong = client.post("/lacak", data={"csrf_token": token(page), "nomor": owner_number, "nik": "3201014501900099"})
    assert wrong.status_code == 404 and document.number not in wrong.get_data(as_text=True)


def send_survey(client) -> WizardClient:
    """Walk the survey over HTTP and send it."""
    wizard = WizardClient(client, "skm").start()
    assert wizard.fill("responden", RESPONDENT).status_code == 302
    assert wizard.fill("penilaian", {f"u{n}": "4" for n in range(1, 10)}).status_code == 302
    assert wizard.fill("saran", {"saran": ""}).status_code == 302
    review = client.get(f"/isian/{wizard.submission_id}/periksa")
    sent = client.post(f"/isian/{wizard.submission_id}/kirim",
                       data={"csrf_token": token(review), "_version": wizard.submission().version})
    assert sent.status_code == 302
    return wizard


def test_after_the_forced_survey_the_thank_you_page_leads_back_to_the_document(app, people):
    document = issued(people["siti"])
    asked = people["siti"].get(f"/dokumen/{document.number}.pdf")
    assert asked.status_code == 302 and asked.headers["Location"] == "/formulir/skm"
    wizard = send_survey(people["siti"])
    thanks = people["siti"].get(f"/isian/{wizard.submission_id}/status").get_data(as_text=True)
    assert f'href="/dokumen/{document.number}.pdf"' in thanks and 'href="/ikm"' in thanks
    assert people["siti"].get(f"/dokumen/{document.number}.pdf").status_code == 200
    home = people["siti"].get("/beranda").get_data(as_text=True)
    assert "Survei Kepuasan" not in home.split("Permohonan Anda", 1)[1]  # the survey is not an application


def test_respondent_profile_waits_for_the_minimum_group(app, client):
    pin_clock(app, wib("2026-12-07 10:00"))
    with app.app_context():
        seed_survey([4] * 9, datetime(2026, 11, 2))
    html = client.get("/ikm").get_data(as_text=True)
    assert "paling sedikit 5 responden" in html and "Perempuan" not in html
    with app.app_context():
        for day in range(3, 8):
            seed_survey([3] * 9, datetime(2026, 11, day))
        seed_survey([3] * 9, datetime(2026, 11, 9), jenis_kelamin="L")
    html = client.get("/ikm").get_data(as_text=True)
    assert "paling sedikit 5 responden" not in html
    women = re.search(r'<th scope="row">Perempuan</th><td class="num">(\d+)</td>', html)
    men = re.search(r'<th scope="row">Laki-laki</th>(.*?)</tr>', html, re.DOTALL)
    assert women and women.group(1) == "6"
    assert men and "&lt; 5" in men.group(1) and "14,3" not in men.group(1)  # one man of seven: withheld


@pytest.mark.parametrize("query, expected", [
    ({"kunci": "11052|mikro", "kolom": "risiko"}, "MT"),
    ({"kunci": "86903|mikro", "kolom": "produk"}, "izin"),
    ({"kunci": "55110|mikro", "kolom": "risiko", "pita": "150"}, "MT"),  # a hotel graded by its rooms
    ({"kunci": "55110|mikro", "kolom": "risiko", "pita": "250"}, "T"),
    ({"kunci": "55110|mikro", "kolom": "risiko"}, None),  # rooms not given: the rows disagree
    ({"kunci": "55110|mikro", "kolom": "risiko", "pita": "banyak"}, None),
    ({"kunci": "00000|mikro", "kolom": "risiko"}, None),
    ({"kunci": "11052|mikro", "kolom": "tidak_ada"}, None),
    ({"kunci": "", "kolom": "risiko"}, None),
])
def test_a_page_looks_up_one_value_of_a_reference_table(client, query, expected):
    answer = client.get("/referensi/kbli-risiko/nilai", query_string=query)
    assert answer.status_code == 200 and answer.get_json() == {"value": expected}
    assert client.get("/referensi/tidak-ada/nilai", query_string=query).status_code == 404
