"""The officer's working day over HTTP: the inbox as home, one request deciding a whole checklist (refusals,
repeats, stale pages), internal notes that never reach the applicant, no claims on finished cases, the next case."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms.identity.apitokens import create_token
from forms.store import Account, AuditEntry, IssuedDocument
from tests.helpers import (
    ANSWER,
    REQUIREMENTS_11052,
    Api,
    issued,
    printout_text,
    run_jobs,
    sent_for_verification,
    take_action,
    token,
)

SECRET = "Rekomendasi-internal-7Q3X: berkas air meragukan, cek ulang di lapangan"


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    SKM_REQUIRED_FOR_DOWNLOAD=False)


@pytest.fixture
def waiting(people):
    """An SS whose six requirements are uploaded and sent for verification."""
    return sent_for_verification(people["siti"], issued(people["siti"]))


def case_path(document) -> str:
    return f"/petugas/dokumen/{document.id}"


def version_on(page) -> str:
    return re.search(r'name="_version" value="(\d+)"', page.get_data(as_text=True)).group(1)


def decide(client, document, rows: dict, page=None, **extra):
    """Post the case page's decision form: rows maps a code to (verdict, reason)."""
    page = page or client.get(case_path(document))
    data = {"csrf_token": token(page), "_version": version_on(page), **extra}
    for code, (verdict, reason) in rows.items():
        data[f"putusan-{code}"], data[f"alasan-{code}"] = verdict, reason
    return client.post(f"{case_path(document)}/putusan", data=data)


def verdicts_of(document) -> dict:
    document.reload()
    return {code: (entry.get("verdict"), entry.get("reason")) for code, entry in document.fulfilment.items()}


def mixed_rows() -> dict:
    rows = {code: ("diterima", "") for code in REQUIREMENTS_11052}
    rows["hasil_uji_air"] = ("ditolak", "Hasil uji lebih dari 3 bulan")
    return rows


def test_officers_land_on_their_inbox(app, people):
    for officer in ("vera", "kepala"):
        home = people[officer].get("/beranda")
        assert home.status_code == 302 and home.headers["Location"].endswith("/petugas/")
        assert "Anda belum mempunyai permohonan" not in people[officer].get("/beranda", follow_redirects=True).get_data(
            as_text=True)
    assert people["siti"].get("/beranda").status_code == 200  # applicants keep their home


def test_one_request_decides_six_requirements(app, people, waiting):
    before = waiting.version
    answer = decide(people["vera"], waiting, mixed_rows())
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{case_path(waiting)}#persyaratan")
    assert verdicts_of(waiting) == {code: mixed_rows()[code] for code in REQUIREMENTS_11052}
    assert waiting.version == before + 1  # one conditional update for the whole checklist
    lines = AuditEntry.objects(subject=waiting.number, action__startswith="putusan ")
    assert sorted(line.action for line in lines) == sorted(f"putusan {code}: {verdict}"
                                                           for code, (verdict, _) in mixed_rows().items())


def test_accept_all_accepts_every_upload(app, people, waiting):
    page = people["vera"].get(case_path(waiting))
    answer = people["vera"].post(f"{case_path(waiting)}/putusan", data={"csrf_token": token(page), "semua": "diterima",
                                                                         "_version": version_on(page)})
    assert answer.status_code == 302
    assert verdicts_of(waiting) == {code: ("diterima", "") for code in REQUIREMENTS_11052}
    assert take_action(people["vera"], waiting, "verifikasi", officer=True).status_code == 302
    assert IssuedDocument.objects.get(id=waiting.id).status == "terverifikasi"


BAD_ROWS = [
    ({"hasil_uji_air": ("ditolak", "")}, "Tuliskan alasan penolakan persyaratan."),
    ({"hasil_uji_air": ("ditolak", "   ")}, "Tuliskan alasan penolakan persyaratan."),
    ({"hasil_uji_air": ("entah", "")}, "Putusan harus diterima atau ditolak."),
    ({"hasil_uji_air": ("ditolak", "x" * 501)}, "paling banyak 500 karakter"),
    ({"hasil_uji_air": ("ditolak", "alasan\u202etersembunyi")}, ""),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_a_wrong_row_saves_nothing(app, people, waiting, bad, message):
    rows = {code: ("diterima", "") for code in REQUIREMENTS_11052 if code != "hasil_uji_air"} | bad
    page = people["vera"].get(case_path(waiting))
    data = {"csrf_token": token(page), "_version": version_on(page)}
    for code, (verdict, reason) in rows.items():
        data[f"putusan-{code}"], data[f"alasan-{code}"] = verdict, reason
    before = waiting.version
    answer = people["vera"].post(f"{case_path(waiting)}/putusan", data=data)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "tidak ada yang diubah" in text and message in text
    assert all(verdict is None for verdict, _ in verdicts_of(waiting).values())
    assert waiting.version == before
    assert 'aria-invalid="true"' in text  # the refused form comes back as it was typed, the row marked
    assert text.count('value="diterima" checked') == len(REQUIREMENTS_11052) - 1


def test_nothing_chosen_is_refused(app, people, waiting):
    answer = decide(people["vera"], waiting, {})
    assert answer.status_code == 422 and "Pilih Terima atau Tolak" in answer.get_data(as_text=True)


def test_a_repeated_decision_is_applied_once(app, people, waiting):
    page = people["vera"].get(case_path(waiting))
    first = decide(people["vera"], waiting, mixed_rows(), page=page)
    again = decide(people["vera"], waiting, mixed_rows(), page=page)  # a double click: same page, same verdicts
    assert first.status_code == again.status_code == 302
    waiting.reload()
    assert waiting.version == int(version_on(page)) + 1
    assert AuditEntry.objects(subject=waiting.number, action__startswith="putusan ").count() == len(REQUIREMENTS_11052)


def test_a_stale_page_gets_a_conflict_and_changes_nothing(app, people, waiting):
    stale = people["vera"].get(case_path(waiting))
    assert decide(people["vino"], waiting, mixed_rows()).status_code == 302
    answer = decide(people["vera"], waiting, {code: ("diterima", "") for code in REQUIREMENTS_11052}, page=stale)
    assert answer.status_code == 409
    assert "diubah orang lain setelah halaman Anda dimuat" in answer.get_data(as_text=True)
    assert verdicts_of(waiting)["hasil_uji_air"] == ("ditolak", "Hasil uji lebih dari 3 bulan")


def test_decisions_only_while_the_officer_has_the_case(app, people):
    document = issued(people["siti"])
    answer = decide(people["vera"], document, {"hasil_uji_air": ("diterima", "")})
    assert answer.status_code == 422 and "menunggu pemeriksaan petugas" in answer.get_data(as_text=True)


def internal_note(client, document, text):
    page = client.get(case_path(document))
    return client.post(f"{case_path(document)}/catatan-internal", data={"csrf_token": token(page), "catatan_internal": text,
                                                                         "_version": version_on(page)})


def applicant_api(app) -> Api:
    """The applicant's JSON API client (a token of her own)."""
    with app.app_context():
        return Api(app.test_client(), create_token(Account.objects.get(username="siti"), "uji")[0])


def test_internal_notes_never_reach_the_applicant(app, people, waiting):
    assert internal_note(people["vera"], waiting, SECRET).status_code == 302
    assert decide(people["vera"], waiting, {code: ("diterima", "") for code in REQUIREMENTS_11052}).status_code == 302
    page = people["vera"].get(case_path(waiting))
    answer = people["vera"].post(f"{case_path(waiting)}/aksi/verifikasi", data={
        "csrf_token": token(page), "_version": version_on(page), "catatan": "Selamat, terverifikasi.",
        "catatan_internal": SECRET + " (aksi)"})
    assert answer.status_code == 302
    run_jobs(app)
    waiting.reload()
    assert waiting.status == "terverifikasi" and len(waiting.internal_notes) == 2
    assert SECRET in people["vera"].get(case_path(waiting)).get_data(as_text=True)
    applicant_sees = [people["siti"].get(path).get_data(as_text=True)
                      for path in ("/beranda", "/pemenuhan", f"/dokumen/{waiting.id}")]
    applicant_sees += [Path(mail).read_text(errors="replace") for mail in Path(app.config["OUTBOX_DIR"]).glob("*.eml")]
    applicant_sees.append(applicant_api(app).get(f"/documents/{waiting.id}").get_data(as_text=True))
    applicant_sees.append(printout_text(people["siti"].get(f"/dokumen/{waiting.number}.pdf").data))
    assert any("Selamat, terverifikasi." in text for text in applicant_sees)  # the note to the applicant does arrive
    assert not [text for text in applicant_sees if "7Q3X" in text]


def test_only_officers_write_internal_notes_and_never_empty(app, people, waiting):
    assert internal_note(people["vera"], waiting, "   ").status_code == 422
    waiting.reload()
    assert waiting.internal_notes == []
    page = people["siti"].get(f"/dokumen/{waiting.id}")
    refused = people["siti"].post(f"{case_path(waiting)}/catatan-internal",
                                  data={"csrf_token": token(page), "catatan_internal": "dari pemohon"})
    assert refused.status_code in (403, 404)
    waiting.reload()
    assert waiting.internal_notes == []


def test_finished_cases_offer_and_allow_no_claims(app, people, waiting):
    decide(people["vera"], waiting, {code: ("diterima", "") for code in REQUIREMENTS_11052})
    assert take_action(people["vera"], waiting, "verifikasi", officer=True).status_code == 302
    page = people["vino"].get(case_path(waiting))
    text = page.get_data(as_text=True)
    assert "Ambil kasus ini" not in text and "Tugaskan" not in text
    refused = people["vino"].post(f"{case_path(waiting)}/klaim", data={"csrf_token": token(page)})
    assert refused.status_code == 422 and "sudah selesai" in refused.get_data(as_text=True)
    waiting.reload()
    assert waiting.assigned_to is None


def test_the_case_page_links_the_next_case_of_its_state(app, people):
    first = sent_for_verification(people["siti"], issued(people["siti"]))
    second = sent_for_verification(people["budi"], issued(people["budi"], code="11052"))
    text = people["vera"].get(case_path(first)).get_data(as_text=True)
    assert f'href="/petugas/dokumen/{second.id}" data-shortcut="next"' in text
    assert "Alt</kbd> + <kbd>Shift</kbd> + <kbd>N" in text
    assert "Tidak ada kasus berikutnya" in people["vera"].get(case_path(second)).get_data(as_text=True)


def test_the_case_page_shows_no_raw_codes(app, people, waiting):
    text = people["vera"].get(case_path(waiting)).get_data(as_text=True)
    assert "account:" not in text and "None" not in text
    assert "Siti Aminah (pemohon)" in text
    assert "unggah hasil_uji_air" not in text and "Unggah Hasil uji laboratorium" in text
    assert "Sisa 5 hari kerja" in text


IZIN_REQUIREMENTS = ("str_sip_penanggung_jawab", "daftar_tenaga_atlm", "daftar_peralatan", "kerja_sama_limbah_medis",
                     "denah_tata_letak", "dokumen_sppl")


def test_the_verifiers_recommendation_reaches_the_head_not_the_applicant(app, people):
    izin = sent_for_verification(people["siti"], issued(people["siti"], "86903"), IZIN_REQUIREMENTS)
    assert decide(people["vera"], izin, {code: ("diterima", "") for code in IZIN_REQUIREMENTS}).status_code == 302
    page = people["vera"].get(case_path(izin))
    answer = people["vera"].post(f"{case_path(izin)}/aksi/rekomendasikan", data={
        "csrf_token": token(page), "_version": version_on(page), "catatan": "", "catatan_internal": SECRET})
    assert answer.status_code == 302
    head = people["kepala"].get(case_path(izin)).get_data(as_text=True)
    assert SECRET in head and "Vera Verifikator" in head
    assert "7Q3X" not in people["siti"].get(f"/dokumen/{izin.id}").get_data(as_text=True)
    izin.reload()
    assert [note["text"] for note in izin.internal_notes] == [SECRET]
    assert all("7Q3X" not in (entry.get("note") or "") for entry in izin.history)


def test_officer_pages_print_no_none_nor_owner_keys(app, people, waiting):
    decide(people["vera"], waiting, {code: ("diterima", "") for code in REQUIREMENTS_11052})
    internal_note(people["vera"], waiting, "Sudah dicek.")
    take_action(people["vera"], waiting, "verifikasi", officer=True)
    open_case = sent_for_verification(people["budi"], issued(people["budi"], code="11052"))
    inbox = people["vera"].get("/petugas/").get_data(as_text=True)
    tabs = re.findall(r'href="(/petugas/\?status=\w+)"', inbox)
    assert len(tabs) >= 5
    pages = tabs + ["/petugas/", "/petugas/pekerjaan", "/petugas/pengaduan", case_path(waiting), case_path(open_case),
                    "/petugas/?saya=1&q=usaha"]
    for path in pages:
        answer = people["vera"].get(path)
        text = re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True))
        assert answer.status_code == 200, path
        assert not re.search(r"\bNone\b|account:[0-9a-f]{6}|\d\.0 hari", text), path


def test_two_officers_deciding_at_once_never_both_win(app, people, waiting):
    from forms.casework import verdicts
    from forms.errors import ConflictError
    with app.test_request_context():
        vera, vino = Account.objects.get(username="vera"), Account.objects.get(username="vino")
        mine, theirs, repeat = (IssuedDocument.objects.get(id=waiting.id) for _ in range(3))  # all read at one version
        verdicts.decide(mine, {"foto_lokasi": ("diterima", "")}, vera, mine.version)
        with pytest.raises(ConflictError):  # another verdict on the same version: refused, not layered on
            verdicts.decide(theirs, {"foto_lokasi": ("ditolak", "Foto buram")}, vino, theirs.version)
        saved = IssuedDocument.objects.get(id=waiting.id).version
        verdicts.decide(repeat, {"foto_lokasi": ("diterima", "")}, vera)  # the same verdict again: done, not redone
        assert IssuedDocument.objects.get(id=waiting.id).version == saved
    assert verdicts_of(waiting)["foto_lokasi"] == ("diterima", "")
    assert AuditEntry.objects(subject=waiting.number, action__startswith="putusan foto_lokasi").count() == 1


def test_the_case_header_names_scale_risk_and_environmental_document_in_words(app, people, waiting):
    text = re.sub(r"<[^>]+>", " ", people["vera"].get(case_path(waiting)).get_data(as_text=True))
    header = text[text.index(f"{waiting.key} — "):][:300]
    assert "Menengah Tinggi" in header and "Mikro" in header.title()
    assert not re.search(r"·\s*(MT|mikro|SPPL)\s*(·|$)", header, re.MULTILINE), header


def test_the_case_page_says_the_officers_next_step_from_the_workflow(app, people, waiting):
    from forms.catalog.runtime import workflows
    with app.app_context():
        expected = workflows().get(waiting.kind).states[waiting.status].guidance["officer"]["id"]
    assert f"Langkah petugas: {expected}" in people["vera"].get(case_path(waiting)).get_data(as_text=True)
