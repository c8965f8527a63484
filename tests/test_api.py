"""The JSON API: token sign-in only, the wizard's own validation, object-level access, casework, printouts, errors."""
from __future__ import annotations

import base64
import io

import pytest

from forms.identity.accounts import create_account
from forms.identity.apitokens import create_token
from forms.store import IssuedDocument, Submission
from tests.test_casework import PDF, REQUIREMENTS_11052
from tests.test_login import ANSWER, PASSWORD, login
from tests.test_permohonan import NIK, PROFILE
from tests.test_printouts import signing_pair, verification_token  # noqa: F401 (a fixture)


@pytest.fixture
def app(make_app, signing_pair):  # noqa: F811
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    API_RATE_LIMIT="10000/minute", SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]),
                    SKM_REQUIRED_FOR_DOWNLOAD=False)


class Api:
    """A client that sends one account's bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def call(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)


@pytest.fixture
def people(app):
    """API clients of two applicants, a verifier and a head of office, plus an anonymous one."""
    tokens = {}
    with app.app_context():
        accounts = {
            "siti": create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id",
                                   phone="+6281234567890", nik=NIK, profile=PROFILE),
            "budi": create_account("budi", PASSWORD, "Budi", ["pemohon"], nik="3201010501900002",
                                   phone="+6281234567891", profile=PROFILE),
            "vera": create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"]),
            "kepala": create_account("kepala", PASSWORD, "Ibu Kepala", ["kepala"]),
        }
        for name, account in accounts.items():
            tokens[name] = create_token(account, "uji")[0]
    clients = {name: Api(app.test_client(), token) for name, token in tokens.items()}
    clients["anonim"] = Api(app.test_client(), None)
    return clients


def rows(*codes):
    return {"kegiatan": [{"kbli": code, "uraian_kegiatan": f"Kegiatan {code}"} for code in codes]}


DETAIL = {"nama_usaha": "Usaha Maju", "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011",
          "alamat_usaha": "Jl. Pahlawan 5", "koordinat": "0.3312, 101.0251", "status_lahan": "sewa", "luas_lahan": 120,
          "satuan_luas": "m2", "modal_tanah": 0, "modal_bangunan": 0, "modal_mesin": 150000000, "modal_lain": 0,
          "modal_kerja": 50000000, "tenaga_laki": 2, "tenaga_perempuan": 3}
STEPS = [
    ("data_pelaku", {"npwp": NIK, "email": "siti@contoh.id"}),
    ("bidang_usaha", rows("11052")),
    ("detail_usaha", {"detail": [{"kbli": "11052", **DETAIL}]}),
    ("produk", {"daftar_produk": [{"kbli_produk": "11052", "nama_produk": "Air minum", "kapasitas_produk": 1000,
                                   "satuan_produk": "unit/tahun"}]}),
    ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
    ("lingkungan", {"pernyataan_sppl": True}),
    ("pernyataan", {"pernyataan_data": True, "pernyataan_tata_ruang": True, "pernyataan_standar": True,
                    "pernyataan_sppl_ulang": True}),
    ("draf", {}),
]


def fill(api, submission_id, step, values, **extra):
    return api.put(f"/submissions/{submission_id}/steps/{step}", json={"values": values, **extra})


def issue_over_api(api) -> dict:
    """Permohonan Baru from draft to issuance, over the API; returns the submitted submission."""
    created = api.post("/submissions", json={"form_id": "permohonan-baru"})
    assert created.status_code == 201, created.get_json()
    submission = created.get_json()
    for step, values in STEPS:
        response = fill(api, submission["id"], step, values, version=submission["version"])
        assert response.status_code == 200, (step, response.get_json())
        submission = response.get_json()
    assert submission["ready_to_submit"] and submission["next_step"] is None
    response = api.post(f"/submissions/{submission['id']}/submit", json={"version": submission["version"]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_token_signs_in_and_a_cookie_does_not(app, people):
    me = people["siti"].get("/me")
    assert me.get_json()["username"] == "siti" and me.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in me.headers  # the API keeps no session
    browser = app.test_client()
    assert login(browser).status_code == 302 and browser.get("/beranda").status_code == 200
    refused = browser.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    posted = browser.post("/api/v1/submissions", json={"form_id": "permohonan-baru"})  # no CSRF token, no bearer
    assert posted.status_code == 401 and Submission.objects.count() == 0
    wrong = people["anonim"].get("/me", headers={"Authorization": "Bearer lkt_bukan-token"})
    assert wrong.status_code == 401 and "Token tidak dikenal" in wrong.get_json()["error"]


def test_the_full_journey_over_the_api_issues_the_same_documents_as_the_pages(people):
    submission = issue_over_api(people["siti"])
    assert submission["status"] == "terbit" and submission["number"].startswith("PB-")
    assert submission["owner_number"]["label"] == "NIB" and len(submission["owner_number"]["number"]) == 13
    (document,) = submission["documents"]
    assert (document["kind"], document["key"], document["status"]) == ("Sertifikat Standar", "11052",
                                                                       "belum_terverifikasi")
    row = submission["answers"]["detail_usaha"]["detail"][0]
    assert (row["skala"], row["risiko"], row["produk"]) == ("mikro", "MT", "sertifikat_standar")
    assert Submission.objects.get(id=submission["id"]).owner.startswith("account:")


def test_field_errors_are_the_wizards_messages_and_nothing_is_stored(people):
    api = people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    bad = fill(api, submission["id"], "data_pelaku", {"npwp": "123", "email": "bukan-email"})
    assert bad.status_code == 422
    assert bad.get_json()["fields"] == {"npwp": "NPWP harus 16 digit (NIK) atau 15 digit format lama.",
                                        "email": "Alamat e-mail tidak valid, mis. nama@contoh.id."}
    missing = fill(api, submission["id"], "data_pelaku", {})
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
def test_wrong_shapes_and_unknown_names_are_refused(people, values, field, message):
    api = people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    response = fill(api, submission["id"], "data_pelaku", values)
    stored = Submission.objects.get(id=submission["id"])
    if field is None:
        assert response.status_code == 200 and stored.answers["data_pelaku"]["nik"] == NIK
    else:
        assert response.status_code == 422 and response.get_json()["fields"][field] == message
        assert stored.answers == {} and stored.status == "draft"


def test_repeat_rows_and_files_are_checked_row_by_row(people):
    api = people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    fill(api, submission["id"], "data_pelaku", STEPS[0][1])
    fill(api, submission["id"], "bidang_usaha", rows("47301"))
    detail = fill(api, submission["id"], "detail_usaha", {"detail": [{"kbli": "47301", **DETAIL, "modal_mesin": "x"}]})
    assert detail.status_code == 422 and "detail.0.modal_mesin" in detail.get_json()["fields"]
    assert fill(api, submission["id"], "detail_usaha", {"detail": [{"kbli": "47301", **DETAIL}]}).status_code == 200
    teknis = {"teknis": [{"kapasitas": 16, "satuan_kapasitas": "kl/hari", "uraian_teknis": "SPBU mini",
                          "penanggung_jawab_teknis": "Budi"}]}
    assert fill(api, submission["id"], "detail_teknis", teknis).status_code == 200
    for step, values in STEPS[3:7]:
        assert fill(api, submission["id"], step, {**values, "daftar_produk": [{**values.get("daftar_produk", [{}])[0],
                                                                             "kbli_produk": "47301"}]}
                    if step == "produk" else values).status_code == 200
    not_base64 = fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": "%%%"}}]})
    assert not_base64.status_code == 422 and not_base64.get_json()["fields"] == {
        "ukl_upl.0.formulir_ukl_upl": "Isi berkas bukan base64 yang sah."}
    exe = fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}}]})
    assert exe.status_code == 422 and "dicek dari isinya" in exe.get_json()["fields"]["ukl_upl.0.formulir_ukl_upl"]
    good = fill(api, submission["id"], "lingkungan", {"ukl_upl": [{"formulir_ukl_upl": {
        "filename": "ukl.pdf", "content_base64": base64.b64encode(PDF).decode()}}]})
    assert good.status_code == 200, good.get_json()
    stored = good.get_json()["answers"]["lingkungan"]["ukl_upl"][0]["formulir_ukl_upl"]
    assert stored["content_type"] == "application/pdf" and stored["name"] == "ukl.pdf"


def test_steps_open_in_order_and_stale_versions_conflict(people):
    api = people["siti"]
    submission = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    early = fill(api, submission["id"], "produk", {})
    assert early.status_code == 409 and early.get_json()["next_step"] == "data_pelaku"
    assert fill(api, submission["id"], "data_pelaku", STEPS[0][1], version=submission["version"]).status_code == 200
    stale = fill(api, submission["id"], "data_pelaku", STEPS[0][1], version=submission["version"])
    assert stale.status_code == 409 and stale.get_json()["current_version"] == submission["version"] + 1
    incomplete = api.post(f"/submissions/{submission['id']}/submit")
    assert incomplete.status_code == 422 and incomplete.get_json()["next_step"] == "bidang_usaha"
    assert Submission.objects.get(id=submission["id"]).status == "draft"


def test_object_level_access_follows_the_pages(people):
    submission = issue_over_api(people["siti"])
    draft = people["siti"].post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    document_id = submission["documents"][0]["id"]
    for path in (f"/submissions/{submission['id']}", f"/submissions/{draft['id']}", f"/documents/{document_id}"):
        assert people["budi"].get(path).status_code == 404
        assert people["anonim"].get(path).status_code == 401
    assert fill(people["budi"], draft["id"], "data_pelaku", STEPS[0][1]).status_code == 404
    assert people["budi"].get("/submissions").get_json()["items"] == []
    assert people["vera"].get(f"/submissions/{submission['id']}").status_code == 200  # as on the case page
    assert people["vera"].get(f"/submissions/{draft['id']}").status_code == 404  # drafts stay private
    assert fill(people["vera"], draft["id"], "data_pelaku", STEPS[0][1]).status_code == 404
    assert people["vera"].get(f"/documents/{document_id}").status_code == 200
    assert people["budi"].post(f"/documents/{document_id}/claim", json={}).status_code == 403


def upload(api, document_id, code, content=PDF, name="berkas.pdf"):
    return api.put(f"/documents/{document_id}/requirements/{code}", data={"file": (io.BytesIO(content), name)},
                   content_type="multipart/form-data")


def test_fulfilment_and_verification_through_casework(app, people):
    submission = issue_over_api(people["siti"])
    document_id = submission["documents"][0]["id"]
    early = people["siti"].post(f"/documents/{document_id}/transitions", json={"action": "ajukan_verifikasi"})
    assert early.status_code == 422 and "Unggah dulu persyaratan wajib" in early.get_json()["error"]
    wrong = upload(people["siti"], document_id, "hasil_uji_air", b"<html>", "izin.pdf")
    assert wrong.status_code == 422 and "dicek dari isinya" in wrong.get_json()["error"]
    for code in REQUIREMENTS_11052:
        assert upload(people["siti"], document_id, code).status_code == 200
    document = people["siti"].get(f"/documents/{document_id}").get_json()
    assert [action["name"] for action in document["actions"]] == ["ajukan_verifikasi"]
    assert all(item["upload"]["content_type"] == "application/pdf" for item in document["requirements"])
    sent = people["siti"].post(f"/documents/{document_id}/transitions",
                               json={"action": "ajukan_verifikasi", "version": document["version"]})
    assert sent.status_code == 200 and sent.get_json()["status"] == "menunggu_verifikasi"
    assert people["siti"].post(f"/documents/{document_id}/transitions", json={"action": "verifikasi"}).status_code == 403
    officer = people["vera"]
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
    assert done.status_code == 200 and (done.get_json()["status"], done.get_json()["code"]) == ("terverifikasi", "45")
    assert IssuedDocument.objects.get(id=document_id).history[-1]["actor"].startswith("vera")
    history = people["siti"].get(f"/documents/{document_id}").get_json()["history"]
    assert [entry["to"] for entry in history] == ["belum_terverifikasi", "menunggu_verifikasi", "terverifikasi"]
    assert all("actor" not in entry for entry in history)  # applicants see statuses, not officers' names


def test_printouts_download_and_verify(app, people):
    submission = issue_over_api(people["siti"])
    number = submission["documents"][0]["number"]
    pdf = people["siti"].get(f"/printouts/{number}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert people["budi"].get(f"/printouts/{number}").status_code == 404
    assert people["vera"].get(f"/printouts/{number}").status_code == 200
    assert people["siti"].get(f"/printouts/{submission['owner_number']['number']}").status_code == 200
    app.config["SKM_REQUIRED_FOR_DOWNLOAD"] = True
    held = people["siti"].get(f"/printouts/{number}")
    assert held.status_code == 403 and held.get_json()["survey_form"] == "skm"
    token = verification_token(app, pdf.data)
    facts = people["anonim"].get(f"/verify/{token}").get_json()
    assert facts["number"] == number and facts["state"]["name"] == "belum_terverifikasi"
    checked = people["anonim"].post(f"/verify/{token}", data={"file": (io.BytesIO(pdf.data), "x.pdf")},
                                    content_type="multipart/form-data").get_json()["check"]
    assert checked["identical"] and checked["signature_valid"]
    forged = people["anonim"].post(f"/verify/{token}", data={"file": (io.BytesIO(pdf.data + b"\n"), "x.pdf")},
                                   content_type="multipart/form-data").get_json()["check"]
    assert not forged["identical"]
    assert people["anonim"].get("/verify/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_reference_lookups(people):
    api = people["anonim"]
    found = api.get("/reference/kbli?q=roti&limit=5").get_json()["items"]
    assert {"key": "10710", "label": "Industri Produk Roti Dan Kue"} in found and len(found) <= 5
    districts = api.get("/reference/kabupaten-kota?column=kode_provinsi&parent=14&limit=50").get_json()["items"]
    assert districts and all(item["key"].startswith("14.") for item in districts)
    row = api.get("/reference/kbli/10710")
    assert row.get_json()["label"] == "Industri Produk Roti Dan Kue" and row.headers["Cache-Control"].startswith("public")
    assert api.get("/reference/tidak-ada").status_code == 404
    assert api.get("/reference/kbli?limit=0").get_json()["fields"] == {"limit": "Bilangan 1\u201350."}


def test_forms_show_only_what_the_caller_may_fill(people):
    anonymous = {item["id"] for item in people["anonim"].get("/forms").get_json()["items"]}
    applicant = {item["id"] for item in people["siti"].get("/forms").get_json()["items"]}
    assert "permohonan-baru" not in anonymous and "permohonan-baru" in applicant
    definition = people["siti"].get("/forms/permohonan-baru").get_json()
    assert definition["steps"][0]["name"] == "data_pelaku" and definition["version"] >= 1
    assert people["anonim"].get("/forms/permohonan-baru").status_code == 404
    otp = people["siti"].post("/submissions", json={"form_id": "pendaftaran"})
    assert otp.status_code == 422 and "halaman web" in otp.get_json()["error"]


def test_errors_are_json_with_proper_codes(people):
    api = people["siti"]
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
