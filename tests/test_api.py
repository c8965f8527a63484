"""The JSON API: token sign-in only, the wizard's own validation, object-level access, casework, printouts, errors."""
from __future__ import annotations

import base64
import io

import pytest

from forms.identity.accounts import create_account
from forms.identity.apitokens import create_token
from forms.store import IssuedDocument, Submission
from tests.helpers import (
    ANSWER,
    API_DETAIL,
    API_STEPS,
    NIK,
    PASSWORD,
    PDF,
    REQUIREMENTS_11052,
    Api,
    api_fill,
    api_rows,
    api_upload,
    issue_over_api,
    login,
    verification_token,
)


@pytest.fixture
def app(make_app, signing_pair):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    API_RATE_LIMIT="10000/minute", SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]),
                    SKM_REQUIRED_FOR_DOWNLOAD=False)


def test_a_token_signs_in_and_a_cookie_does_not(app, api_people):
    me = api_people["siti"].get("/me")
    assert me.get_json()["username"] == "siti" and me.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in me.headers  # the API keeps no session
    browser = app.test_client()
    assert login(browser).status_code == 302 and browser.get("/beranda").status_code == 200
    refused = browser.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    posted = browser.post("/api/v1/submissions", json={"form_id": "permohonan-baru"})  # no CSRF token, no bearer
    assert posted.status_code == 401 and Submission.objects.count() == 0
    wrong = api_people["anonim"].get("/me", headers={"Authorization": "Bearer lkt_bukan-token"})
    assert wrong.status_code == 401 and "Token tidak dikenal" in wrong.get_json()["error"]


def test_the_full_journey_over_the_api_issues_the_same_documents_as_the_pages(api_people):
    submission = issue_over_api(api_people["siti"])
    assert submission["status"] == "terbit" and submission["number"].startswith("PB-")
    assert submission["owner_number"]["label"] == "NIB" and len(submission["owner_number"]["number"]) == 13
    (document,) = submission["documents"]
    assert (document["kind"], document["key"], document["status"]) == ("Sertifikat Standar", "11052",
                                                                       "belum_terverifikasi")
    row = submission["answers"]["detail_usaha"]["detail"][0]
    assert (row["skala"], row["risiko"], row["produk"]) == ("mikro", "MT", "sertifikat_standar")
    assert Submission.objects.get(id=submission["id"]).owner.startswith("account:")


def test_field_errors_are_the_wizards_messages_and_nothing_is_stored(api_people):
    api = api_people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    bad = api_fill(api, submission["id"], "data_pelaku", {"npwp": "123", "email": "bukan-email"})
    assert bad.status_code == 422
    assert bad.get_json()["fields"] == {"npwp": "NPWP harus 16 digit (NIK) atau 15 digit format lama.",
                                        "email": "Alamat e-mail tidak valid, mis. nama@contoh.id."}
    missing = api_fill(api, submission["id"], "data_pelaku", {})
    assert missing.get_json()["fields"] == {"npwp": "Wajib diisi.", "email": "Wajib diisi."}
    stored = Submission.objects.get(id=submission["id"])
    assert stored.answers == {} and stored.version == submission["version"]


@pytest.mark.parametrize("values, field, message", [
    ({"npwp": ["3201014501900001"]}, "npwp", "Harus berupa teks atau angka."),
    ({"npwp": {"$ne": ""}}, "npwp", "Harus berupa teks atau angka."),
    ({"email": True}, "email", "Harus berupa teks atau angka."),
    ({"status": "terbit"}, "status", "Isian ini tidak ada pada langkah ini."),
    ({"nik": "9999999999999999", "npwp": NIK, "email": "siti@contoh.id"}, None, None),  # server-filled: ignored
])
def test_wrong_shapes_and_unknown_names_are_refused(api_people, values, field, message):
    api = api_people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    response = api_fill(api, submission["id"], "data_pelaku", values)
    stored = Submission.objects.get(id=submission["id"])
    if field is None:
        assert response.status_code == 200 and stored.answers["data_pelaku"]["nik"] == NIK
    else:
        assert response.status_code == 422 and response.get_json()["fields"][field] == message
        assert stored.answers == {} and stored.status == "draft"


def test_repeat_rows_and_files_are_checked_row_by_row(api_people):
    api = api_people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    api_fill(api, submission["id"], "data_pelaku", API_STEPS[0][1])
    api_fill(api, submission["id"], "bidang_usaha", api_rows("10110"))
    detail = api_fill(api, submission["id"], "detail_usaha", {"detail": [{"kbli": "10110", **API_DETAIL, "modal_mesin": "x"}]})
    assert detail.status_code == 422 and "detail.0.modal_mesin" in detail.get_json()["fields"]
    assert api_fill(api, submission["id"], "detail_usaha", {"detail": [{"kbli": "10110", **API_DETAIL}]}).status_code == 200
    teknis = {"teknis": [{"kapasitas": 16, "satuan_kapasitas": "ekor/hari", "uraian_teknis": "Rumah potong mini",
                          "penanggung_jawab_teknis": "Budi"}]}
    assert api_fill(api, submission["id"], "detail_teknis", teknis).status_code == 200
    for step, values in API_STEPS[3:7]:
        assert api_fill(api, submission["id"], step, {**values, "daftar_produk": [{**values.get("daftar_produk", [{}])[0],
                                                                             "kbli_produk": "10110"}]}
                    if step == "produk" else values).status_code == 200
    not_base64 = api_fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": "%%%"}}]})
    assert not_base64.status_code == 422 and not_base64.get_json()["fields"] == {
        "ukl_upl.0.formulir_ukl_upl": "Isi berkas bukan base64 yang sah."}
    exe = api_fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}}]})
    assert exe.status_code == 422 and "dicek dari isinya" in exe.get_json()["fields"]["ukl_upl.0.formulir_ukl_upl"]
    good = api_fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": base64.b64encode(PDF).decode()}}]})
    assert good.status_code == 200, good.get_json()
    stored = good.get_json()["answers"]["lingkungan"]["ukl_upl"][0]["formulir_ukl_upl"]
    assert stored["content_type"] == "application/pdf" and stored["name"] == "ukl.pdf"


def test_steps_open_in_order_and_stale_versions_conflict(api_people):
    api = api_people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    early = api_fill(api, submission["id"], "produk", {})
    assert early.status_code == 409 and early.get_json()["next_step"] == "data_pelaku"
    assert api_fill(api, submission["id"], "data_pelaku", API_STEPS[0][1], version=submission["version"]).status_code == 200
    stale = api_fill(api, submission["id"], "data_pelaku", API_STEPS[0][1], version=submission["version"])
    assert stale.status_code == 409 and stale.get_json()["current_version"] == submission["version"] + 1
    incomplete = api.post(f"/submissions/{submission['id']}/submit")
    assert incomplete.status_code == 422 and incomplete.get_json()["next_step"] == "bidang_usaha"
    assert Submission.objects.get(id=submission["id"]).status == "draft"


def test_object_level_access_follows_the_pages(api_people):
    submission = issue_over_api(api_people["siti"])
    draft = api_people["siti"].post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    document_id = submission["documents"][0]["id"]
    for path in (f"/submissions/{submission['id']}", f"/submissions/{draft['id']}", f"/documents/{document_id}"):
        assert api_people["budi"].get(path).status_code == 404
        assert api_people["anonim"].get(path).status_code == 401
    assert api_fill(api_people["budi"], draft["id"], "data_pelaku", API_STEPS[0][1]).status_code == 404
    assert api_people["budi"].get("/submissions").get_json()["items"] == []
    assert api_people["vera"].get(f"/submissions/{submission['id']}").status_code == 200  # as on the case page
    assert api_people["vera"].get(f"/submissions/{draft['id']}").status_code == 404  # drafts stay private
    assert api_fill(api_people["vera"], draft["id"], "data_pelaku", API_STEPS[0][1]).status_code == 404
    assert api_people["vera"].get(f"/documents/{document_id}").status_code == 200
    assert api_people["budi"].post(f"/documents/{document_id}/claim", json={}).status_code == 403


def test_fulfilment_and_verification_through_casework(app, api_people):
    submission = issue_over_api(api_people["siti"])
    document_id = submission["documents"][0]["id"]
    early = api_people["siti"].post(f"/documents/{document_id}/transitions", json={"action": "ajukan_verifikasi"})
    assert early.status_code == 422 and "Unggah dulu persyaratan wajib" in early.get_json()["error"]
    wrong = api_upload(api_people["siti"], document_id, "hasil_uji_air", b"<html>", "izin.pdf")
    assert wrong.status_code == 422 and "dicek dari isinya" in wrong.get_json()["error"]
    for code in REQUIREMENTS_11052:
        assert api_upload(api_people["siti"], document_id, code).status_code == 200
    document = api_people["siti"].get(f"/documents/{document_id}").get_json()
    assert [action["name"] for action in document["actions"]] == ["ajukan_verifikasi"]
    assert all(item["upload"]["content_type"] == "application/pdf" for item in document["requirements"])
    sent = api_people["siti"].post(f"/documents/{document_id}/transitions",
                               json={"action": "ajukan_verifikasi", "version": document["version"]})
    assert sent.status_code == 200 and sent.get_json()["status"] == "menunggu_verifikasi"
    assert api_people["siti"].post(f"/documents/{document_id}/transitions", json={"action": "verifikasi"}).status_code == 403
    officer = api_people["vera"]
    assert officer.post(f"/documents/{document_id}/claim", json={}).get_json()["assigned_name"] == "Vera Verifikator"
    refused = officer.post(f"/documents/{document_id}/requirements/hasil_uji_air/verdict", json={"verdict": "ditolak"})
    assert refused.status_code == 422 and "alasan" in refused.get_json()["error"]
    for code in REQUIREMENTS_11052:
        judged = officer.post(f"/documents/{document_id}/requirements/{code}/verdict", json={"verdict": "diterima"})
        assert judged.status_code == 200
    file = officer.get(f"/documents/{document_id}/requirements/foto_lokasi")
    assert file.status_code == 200 and file.data == PDF
    current = officer.get(f"/documents/{document_id}").get_json()
    stale = officer.post(f"/documents/{document_id}/transitions", json={"action": "verifikasi", "version": 1})
    assert stale.status_code == 409
    done = officer.post(f"/documents/{document_id}/transitions",
                        json={"action": "verifikasi", "version": current["version"]})
    assert done.status_code == 200 and (done.get_json()["status"], done.get_json()["code"]) == ("terverifikasi", "50")
    assert IssuedDocument.objects.get(id=document_id).history[-1]["actor"].startswith("vera")
    history = api_people["siti"].get(f"/documents/{document_id}").get_json()["history"]
    assert [entry["to"] for entry in history] == ["belum_terverifikasi", "menunggu_verifikasi", "terverifikasi"]
    assert all("actor" not in entry for entry in history)  # applicants see statuses, not officers' names


def test_printouts_download_and_verify(app, api_people):
    submission = issue_over_api(api_people["siti"])
    number = submission["documents"][0]["number"]
    pdf = api_people["siti"].get(f"/printouts/{number}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert api_people["budi"].get(f"/printouts/{number}").status_code == 404
    assert api_people["vera"].get(f"/printouts/{number}").status_code == 200
    assert api_people["siti"].get(f"/printouts/{submission['owner_number']['number']}").status_code == 200
    app.config["SKM_REQUIRED_FOR_DOWNLOAD"] = True
    held = api_people["siti"].get(f"/printouts/{number}")
    assert held.status_code == 403 and held.get_json()["survey_form"] == "skm"
    token = verification_token(app, pdf.data)
    facts = api_people["anonim"].get(f"/verify/{token}").get_json()
    assert facts["number"] == number and facts["state"]["name"] == "belum_terverifikasi"
    checked = api_people["anonim"].post(f"/verify/{token}", data={"file": (io.BytesIO(pdf.data), "x.pdf")},
                                    content_type="multipart/form-data").get_json()["check"]
    assert checked["identical"] and checked["signature_valid"]
    forged = api_people["anonim"].post(f"/verify/{token}", data={"file": (io.BytesIO(pdf.data + b"\n"), "x.pdf")},
                                   content_type="multipart/form-data").get_json()["check"]
    assert not forged["identical"]
    assert api_people["anonim"].get("/verify/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_reference_lookups(api_people):
    api = api_people["anonim"]
    found = api.get("/reference/kbli?q=roti&limit=5").get_json()["items"]
    assert {"key": "10710", "label": "Industri Produk Roti Dan Kue"} in found and len(found) <= 5
    districts = api.get("/reference/kabupaten-kota?column=kode_provinsi&parent=14&limit=50").get_json()["items"]
    assert districts and all(item["key"].startswith("14.") for item in districts)
    row = api.get("/reference/kbli/10710")
    assert row.get_json()["label"] == "Industri Produk Roti Dan Kue" and row.headers["Cache-Control"].startswith("public")
    assert api.get("/reference/tidak-ada").status_code == 404
    assert api.get("/reference/kbli?limit=0").get_json()["fields"] == {"limit": "Bilangan 1\u201350."}


def test_forms_show_only_what_the_caller_may_fill(api_people):
    anonymous = {item["id"] for item in api_people["anonim"].get("/forms").get_json()["items"]}
    applicant = {item["id"] for item in api_people["siti"].get("/forms").get_json()["items"]}
    assert "permohonan-baru" not in anonymous and "permohonan-baru" in applicant
    definition = api_people["siti"].get("/forms/permohonan-baru").get_json()
    assert definition["steps"][0]["name"] == "data_pelaku" and definition["version"] >= 1
    assert api_people["anonim"].get("/forms/permohonan-baru").status_code == 404
    otp = api_people["siti"].post("/submissions", json={"form_id": "pendaftaran"})
    assert otp.status_code == 422 and "halaman web" in otp.get_json()["error"]


def test_errors_are_json_with_proper_codes(api_people):
    api = api_people["siti"]
    assert api.get("/tidak-ada").get_json()["error"] and api.get("/tidak-ada").status_code == 404
    method = api.call("DELETE", "/submissions")
    assert method.status_code == 405 and "POST" in method.headers["Allow"] and method.is_json
    not_json = api.post("/submissions", data="form_id=demo", content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 400 and not_json.get_json()["fields"] == {}


def test_the_rate_limit_counts_per_token(make_app):
    app = make_app(API_RATE_LIMIT="3/minute")
    with app.app_context():
        token = create_token(create_account("siti", PASSWORD, "Siti", ["pemohon"]), "uji")[0]
    api, other = Api(app.test_client(), token), Api(app.test_client(), None)
    codes = [api.get("/me").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429] and api.get("/me").get_json()["error"]
    assert other.get("/forms").status_code == 200  # another caller has its own count
