"""The demo form walked over HTTP: navigation, validation, storage rules, conflicts, submission."""
from __future__ import annotations

import io

import pytest

from tests.helpers import (
    DEMO_DIRI,
    DEMO_LAMPIRAN,
    DEMO_PRODUK,
    DEMO_USAHA,
    PDF,
    WizardClient,
    token,
)


def fill_all(wizard):
    for step, values in (("data_diri", DEMO_DIRI), ("usaha", DEMO_USAHA), ("produk", DEMO_PRODUK),
                         ("lampiran", DEMO_LAMPIRAN)):
        response = wizard.fill(step, values)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:3000])
    return response


def test_a_complete_walk_submits_with_a_number(wizard, client):
    last = fill_all(wizard)
    assert last.headers["Location"].endswith("/periksa")
    review = client.get(last.headers["Location"]).get_data(as_text=True)
    assert "Siti Aminah" in review and "Rp40.000.000" in review and "Mikro" in review
    page = client.get(wizard.url() + "/periksa")
    response = client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": wizard.submission().version})
    assert response.status_code == 302
    submission = wizard.submission()
    assert submission.status == "diterima"
    assert submission.number.startswith("DEMO-") and submission.number.endswith("-000001")
    assert [h["to"] for h in submission.history] == ["diterima"]
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert submission.number in status and "Diterima" in status


def test_answers_are_normalised_and_derived_values_computed(wizard):
    fill_all(wizard)
    submission = wizard.submission()
    assert submission.answers["data_diri"]["telepon"] == "+6281234567890"
    assert submission.answers["usaha"]["modal_mesin"] == 25_000_000
    assert submission.answers["usaha"]["total"] == 40_000_000
    assert submission.derived == {"total_investasi": 40_000_000, "skala": "Mikro"}
    assert submission.answers["produk"]["daftar_produk"] == [{"nama_produk": "Roti manis", "kapasitas": 12000}]


def test_errors_are_shown_beside_fields_and_in_a_summary_and_nothing_is_stored(wizard):
    response = wizard.fill("data_diri", dict(DEMO_DIRI, nik="123", email="bukan-email", nama=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ada 3 isian yang perlu diperbaiki" in page
    assert 'id="e-nik"' in page and "NIK harus 16 digit" in page
    assert "Wajib diisi." in page and "Alamat e-mail tidak valid" in page
    assert 'value="bukan-email"' in page  # what the applicant typed is kept
    assert wizard.submission().answers == {} and wizard.submission().version == 1


def test_hidden_field_is_not_validated_nor_stored(wizard):
    wizard.fill("data_diri", DEMO_DIRI)
    response = wizard.fill("usaha", dict(DEMO_USAHA, bentuk_tempat="rumah", biaya_sewa="bukan angka"))
    assert response.status_code == 302
    assert "biaya_sewa" not in wizard.submission().answers["usaha"]


def test_visible_conditional_field_is_required(wizard):
    wizard.fill("data_diri", DEMO_DIRI)
    response = wizard.fill("usaha", dict(DEMO_USAHA, bentuk_tempat="sewa"))
    assert response.status_code == 422 and 'id="e-biaya_sewa"' in response.get_data(as_text=True)
    assert wizard.fill("usaha", dict(DEMO_USAHA, bentuk_tempat="sewa", biaya_sewa="12.000.000")).status_code == 302
    assert wizard.submission().answers["usaha"]["biaya_sewa"] == 12_000_000


def test_changing_an_answer_clears_answers_that_no_longer_apply(wizard, client):
    wizard.fill("data_diri", DEMO_DIRI)
    wizard.fill("usaha", dict(DEMO_USAHA, bentuk_tempat="sewa", biaya_sewa="12.000.000"))
    response = wizard.fill("usaha", dict(DEMO_USAHA, bentuk_tempat="milik"))
    assert "biaya_sewa" not in wizard.submission().answers["usaha"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jawaban yang tidak berlaku lagi dihapus: Biaya sewa per tahun." in page


def test_forged_readonly_and_computed_values_are_ignored(wizard):
    wizard.fill("data_diri", DEMO_DIRI)
    wizard.fill("usaha", dict(DEMO_USAHA, total="1", ringkasan="palsu"))
    answers = wizard.submission().answers["usaha"]
    assert answers["total"] == 40_000_000
    assert answers["ringkasan"] == "Siti Aminah — NIK 3201014501900001"


def test_undeclared_fields_are_not_stored(wizard):
    wizard.fill("data_diri", dict(DEMO_DIRI, **{"is_admin": "1", "$where": "1", "status": "diterima"}))
    submission = wizard.submission()
    assert set(submission.answers["data_diri"]) <= {f for f in DEMO_DIRI} | {"npwp"}
    assert submission.status == "draft"


def test_skipping_ahead_is_refused_and_stores_nothing(wizard, client):
    response = client.get(wizard.url("lampiran"))
    assert response.status_code == 302 and response.headers["Location"].endswith(wizard.url())
    page = client.get(wizard.url("data_diri"))
    posted = client.post(wizard.url("lampiran"), data={"csrf_token": token(page), "_version": "1",
                                                       "_action": "next", **DEMO_LAMPIRAN})
    assert posted.status_code == 302
    assert wizard.submission().answers == {}
    assert client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": "1"}).status_code == 302
    assert wizard.submission().status == "draft"


def test_stale_version_gets_a_conflict_page_and_changes_nothing(wizard, client):
    page = client.get(wizard.url("data_diri"))
    wizard.fill("data_diri", DEMO_DIRI)  # another tab saves first
    stale = client.post(wizard.url("data_diri"), data={"csrf_token": token(page), "_version": "1",
                                                       "_action": "next", **dict(DEMO_DIRI, nama="Tab Lama")})
    assert stale.status_code == 409
    assert "sudah diubah di tab atau perangkat lain" in stale.get_data(as_text=True)
    assert wizard.submission().answers["data_diri"]["nama"] == "Siti Aminah"


def test_double_submit_gets_a_conflict(wizard, client):
    fill_all(wizard)
    page = client.get(wizard.url() + "/periksa")
    version = wizard.submission().version
    assert client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": version}).status_code == 302
    again = client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": version})
    assert again.status_code == 409
    assert len(wizard.submission().history) == 1


def test_change_status_is_conditional_on_status_and_version(wizard):
    from forms.errors import ConflictError
    from forms.store import change_status, find_submission
    first, second = wizard.submission(), find_submission(wizard.submission_id)
    change_status(first, "draft", "diterima", "uji", "submit")
    with pytest.raises(ConflictError):
        change_status(second, "draft", "ditolak", "uji", "reject")
    assert find_submission(wizard.submission_id).status == "diterima"


def test_missing_csrf_token_is_refused_with_a_message_and_nothing_stored(wizard, client):
    response = client.post(wizard.url("data_diri"), data={"_version": "1", "_action": "next", **DEMO_DIRI})
    assert response.status_code == 400
    assert "Token keamanan formulir" in response.get_data(as_text=True)
    assert wizard.submission().answers == {}


def test_save_as_draft_skips_required_checks_and_resumes_where_left(wizard, client):
    response = wizard.fill("data_diri", {"nama": "Siti"}, action="save")
    assert response.status_code == 302 and response.headers["Location"].endswith("/langkah/data_diri")
    submission = wizard.submission()
    assert submission.answers["data_diri"] == {"nama": "Siti"} and submission.validated == []
    assert client.get(wizard.url()).headers["Location"].endswith("/langkah/data_diri")
    home = client.get("/").get_data(as_text=True)
    assert "Lanjutkan" in home


def test_draft_save_still_rejects_malformed_values(wizard):
    response = wizard.fill("data_diri", {"nama": "Siti", "nik": "12"}, action="save")
    assert response.status_code == 422 and wizard.submission().answers == {}


def test_repeat_rows_can_be_added_and_removed(wizard, client):
    wizard.fill("data_diri", DEMO_DIRI)
    wizard.fill("usaha", DEMO_USAHA)
    added = wizard.fill("produk", DEMO_PRODUK, action="tambah:daftar_produk")
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert 'name="daftar_produk-1-nama_produk"' in page
    assert 'name="daftar_produk-0-nama_produk" type="text" value="Roti manis"' in page
    two = {"daftar_produk-count": "2", "daftar_produk-0-nama_produk": "Roti", "daftar_produk-1-nama_produk": "Kue",
           "daftar_produk-1-halal": "1", "daftar_produk-1-nomor_halal": "ID123"}
    wizard.fill("produk", two)
    assert [row["nama_produk"] for row in wizard.submission().answers["produk"]["daftar_produk"]] == ["Roti", "Kue"]
    wizard.fill("produk", two, action="hapus:daftar_produk:0")
    assert wizard.submission().answers["produk"]["daftar_produk"] == [
        {"nama_produk": "Kue", "halal": True, "nomor_halal": "ID123"}]


def test_repeat_row_errors_name_the_row(wizard):
    wizard.fill("data_diri", DEMO_DIRI)
    wizard.fill("usaha", DEMO_USAHA)
    response = wizard.fill("produk", {"daftar_produk-count": "1", "daftar_produk-0-nama_produk": "Roti",
                                      "daftar_produk-0-halal": "1"})
    assert response.status_code == 422 and 'id="e-daftar_produk-0-nomor_halal"' in response.get_data(as_text=True)


def test_empty_repeat_group_is_required(wizard):
    wizard.fill("data_diri", DEMO_DIRI)
    wizard.fill("usaha", DEMO_USAHA)
    response = wizard.fill("produk", {"daftar_produk-count": "1"})
    assert response.status_code == 422 and "Isi paling sedikit satu baris." in response.get_data(as_text=True)


def test_upload_goes_to_gridfs_and_only_the_owner_can_download_it(wizard, client, app):
    fill_all(wizard)
    pdf = PDF
    response = wizard.fill("lampiran", DEMO_LAMPIRAN, files={"foto_usaha": (io.BytesIO(pdf), "foto.pdf")})
    assert response.status_code == 302
    stored = wizard.submission().answers["lampiran"]["foto_usaha"]
    url = f"{wizard.url()}/berkas/{stored['id']}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == pdf and download.mimetype == "application/pdf"
    stranger = app.test_client()
    assert stranger.get(url).status_code == 404
    assert client.get(f"{wizard.url()}/berkas/{'0' * 24}").status_code == 404


def test_another_visitor_cannot_open_a_submission(wizard, app):
    stranger = app.test_client()
    assert stranger.get(wizard.url("data_diri")).status_code == 404
    assert stranger.get(wizard.url() + "/status").status_code == 404
    assert stranger.get("/isian/bukan-id").status_code == 404


def test_reference_search_finds_codes_and_words(client):
    rows = client.get("/referensi/kbli?q=roti").get_json()
    assert any(row["key"] == "10710" for row in rows)
    assert client.get("/referensi/kbli?q=1071").get_json()[0]["key"].startswith("1071")
    children = client.get("/referensi/kabupaten-kota?kolom=kode_provinsi&induk=32&batas=100").get_json()
    assert len(children) == 27 and all(row["key"].startswith("32.") for row in children)
    assert client.get("/referensi/tidak-ada").status_code == 404


def test_second_client_in_same_session_sees_same_draft_list(wizard, client):
    second = WizardClient(client).start()
    assert second.submission_id != wizard.submission_id
    home = client.get("/").get_data(as_text=True)
    assert home.count("Lanjutkan") == 2


class Crash(BaseException):
    """The process dying at this line (nothing catches it, nothing after it runs)."""


def test_a_submit_that_died_between_its_writes_is_a_draft_again_and_sends_once(wizard, client, monkeypatch):
    """An in-request submit (no intent, no job) claimed, numbered, then died: the sweep gives the draft back after
    five minutes, and sending it again gives it the number it had claimed; a live claim is left alone."""
    from datetime import timedelta

    from forms.casework import filling
    from forms.casework.jobs import (
        STRANDED_AFTER,
        queue_open_intents,
        release_stranded_claims,
    )
    from forms.store import utcnow
    fill_all(wizard)
    page = client.get(wizard.url() + "/periksa")
    real_change = filling.store.change_status

    def die(*_args, **_kwargs):
        raise Crash

    monkeypatch.setattr(filling.store, "change_status", die)
    with pytest.raises(Crash):
        client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": wizard.submission().version})
    monkeypatch.setattr(filling.store, "change_status", real_change)
    assert wizard.submission().status == "mengirim"
    queue_open_intents()  # the sweep right away: the claim may still be in flight, so it stays
    assert wizard.submission().status == "mengirim"
    assert release_stranded_claims(utcnow() + STRANDED_AFTER + timedelta(seconds=1)) == [wizard.submission_id]
    assert wizard.submission().status == "draft"
    page = client.get(wizard.url() + "/periksa")
    sent = client.post(wizard.url() + "/kirim", data={"csrf_token": token(page), "_version": wizard.submission().version})
    assert sent.status_code == 302
    submission = wizard.submission()
    assert submission.status == "diterima" and submission.number.endswith("-000001")
    assert [entry["to"] for entry in submission.history] == ["diterima"]
    assert release_stranded_claims(utcnow() + timedelta(hours=1)) == []  # finished: nothing to give back
