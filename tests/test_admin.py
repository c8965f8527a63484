"""The admin area: the schema store's versions, the structured and JSON editors, preview, publish with
impact and migration, rollback, export/import, table rows, printout settings, officer accounts, the log."""
from __future__ import annotations

import io
import json
import re

import pytest

from forms.identity.accounts import create_account
from forms.store import AdminLogEntry, IssuedDocument, SchemaVersion, Submission
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PROFILE,
    WizardClient,
    detail,
    issue,
    login,
    ok,
    start,
    token,
)

NEW_FIELD = "nomor_telepon_usaha"


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    CATALOG_REFRESH_SECONDS=0)


@pytest.fixture
def people(app):
    """Signed-in clients: an admin, two applicants, a verifier and a head of office."""
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("budi", PASSWORD, "Budi", ["pemohon"], email="budi@contoh.id", nik="3201010501900002",
                       phone="+6281234567891", profile=PROFILE)
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
        create_account("kepala", PASSWORD, "Ibu Kepala", ["kepala"])
    clients = {}
    for name in ("ani", "siti", "budi", "vera", "kepala"):
        client = app.test_client()
        assert login(client, username=name).status_code == 302
        clients[name] = client
    return clients


def post(client, url, page_url=None, **data):
    """POST with the CSRF token of a page (the admin index by default)."""
    page = client.get(page_url or "/admin/")
    return client.post(url, data={"csrf_token": token(page), **data})


def new_draft(admin, kind, key, from_version=None):
    """Create a draft from the newest published version; return its number."""
    with_version = from_version or SchemaVersion.objects(kind=kind, key=key, state="published").order_by(
        "-version").first().version
    response = post(admin, f"/admin/{kind}/{key}/draf", **{"from": str(with_version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def revision(kind, key, version):
    return str(SchemaVersion.objects.get(kind=kind, key=key, version=version).revision)


def edit(admin, key, version, op, **values):
    """One structured edit of a form draft."""
    return post(admin, f"/admin/form/{key}/{version}/ubah", op=op, revision=revision("form", key, version), **values)


def publish(admin, kind, key, version, **choices):
    page = admin.get(f"/admin/{kind}/{key}/{version}/terbitkan")
    assert page.status_code == 200
    return admin.post(f"/admin/{kind}/{key}/{version}/terbitkan",
                      data={"csrf_token": token(page), "revision": revision(kind, key, version), **choices})


def content(kind, key, version):
    return json.loads(SchemaVersion.objects.get(kind=kind, key=key, version=version).content)


def add_required_field(admin, key="permohonan-baru"):
    """The acceptance edit: a new required text field on the first step; returns the draft's version."""
    version = new_draft(admin, "form", key)
    response = edit(admin, key, version, "tambah_isian", step="data_pelaku", name=NEW_FIELD,
                    label="Nomor telepon tempat usaha", type="text", required="1")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return version


def pelaku(**extra):
    return {"npwp": NIK, "email": "siti@contoh.id", **extra}


def finish(wizard, code="11052"):
    """Fill the remaining steps after data_pelaku and submit; return the submit response."""
    ok(wizard.fill("bidang_usaha", {"kegiatan-count": "1", "kegiatan-0-kbli": code,
                                    "kegiatan-0-uraian_kegiatan": "Kegiatan"}))
    ok(wizard.fill("detail_usaha", detail(0)))
    return issue(wizard, code)


def test_files_seed_the_store_once_as_published_versions(app):
    with app.app_context():
        forms = {r.key: r for r in SchemaVersion.objects(kind="form")}
        assert {"permohonan-baru", "pendaftaran", "demo"} <= set(forms)
        assert all(r.state == "published" and r.origin == "file" for r in forms.values())
        assert SchemaVersion.objects(kind="table", key="kbli-risiko").count() == 1
        assert SchemaVersion.objects(kind="document", key="cetakan").count() == 1
        before = SchemaVersion.objects.count()
    from forms.catalog.seeding import seed_and_build
    with app.app_context():
        seed_and_build(app)
        assert SchemaVersion.objects.count() == before


def test_journey_a_new_required_field(app, people):
    admin, siti, budi = people["ani"], people["siti"], people["budi"]
    begun = start(siti, "11052")[0]  # begun on version 1, kept there
    moved_later = start(budi, "11052")[0]  # begun on version 1, moved by choice at the next publish

    version = add_required_field(admin)
    page = admin.get(f"/admin/form/permohonan-baru/{version}/terbitkan").get_data(as_text=True)
    assert "Nomor telepon tempat usaha" in page and "isian baru" in page
    assert re.search(r"<b>Draf</b></td>\s*<td[^>]*>2 \(versi 1: 2\)", page), page[page.find("Dampak"):][:1500]
    assert "<b>draft</b>" not in page  # the status by its label, not its code
    assert publish(admin, "form", "permohonan-baru", version, status_draft="tetap").status_code == 302

    fresh = WizardClient(siti, "permohonan-baru").start()
    assert fresh.submission().form_version == version
    page = fresh.client.get(fresh.url("data_pelaku")).get_data(as_text=True)
    assert "Nomor telepon tempat usaha" in page
    refused = fresh.fill("data_pelaku", pelaku())
    assert refused.status_code == 422 and NEW_FIELD in refused.get_data(as_text=True)
    ok(fresh.fill("data_pelaku", pelaku(**{NEW_FIELD: "0761-12345"})))
    assert fresh.submission().answers["data_pelaku"][NEW_FIELD] == "0761-12345"

    assert begun.submission().form_version == 1
    assert NEW_FIELD not in begun.client.get(begun.url("bidang_usaha")).get_data(as_text=True)
    assert finish(begun).status_code == 302
    done = begun.submission()
    assert done.status != "draft" and done.form_version == 1 and done.number

    # A later version (a label change), published with drafts moved: Budi's draft now asks for the field.
    later = new_draft(admin, "form", "permohonan-baru")
    assert edit(admin, "permohonan-baru", later, "ubah_isian", step="data_pelaku", field="bpjs_tk", settings="label",
                s_label_id="Nomor BPJS Ketenagakerjaan (jika ada)", s_label_en="").status_code == 302
    assert publish(admin, "form", "permohonan-baru", later, status_draft="pindah").status_code == 302
    moved = moved_later.submission()
    assert moved.form_version == later
    assert "data_pelaku" not in moved.validated
    assert any(entry["action"] == "pindah_versi" for entry in moved.history)
    assert budi.get(moved_later.url("bidang_usaha")).status_code == 302  # later steps wait for the changed one
    assert budi.get(moved_later.url()).headers["Location"].endswith("/langkah/data_pelaku")
    refused = moved_later.fill("data_pelaku", pelaku())
    assert refused.status_code == 422
    ok(moved_later.fill("data_pelaku", pelaku(**{NEW_FIELD: "0761-999"})))
    assert done.reload().form_version == 1  # submitted work never moves


@pytest.mark.parametrize("op, values, offender", [
    ("tambah_isian", {"step": "data_pelaku", "name": "jumlah", "type": "areaa", "label_id": "Jumlah"},
     "langkah 'Data Pelaku Usaha' (data_pelaku): Jenis isian 'areaa' tidak dikenal"),
    ("tambah_isian", {"step": "pernyataan", "name": "npwp", "type": "text", "label_id": "NPWP lagi"},
     "Nama isian 'npwp' sudah dipakai di langkah 'Data Pelaku Usaha' (data_pelaku)"),
    ("ubah_isian", {"step": "data_pelaku", "field": "bpjs_tk", "settings": "visible_if", "s_visible_if_kind": "rows",
                    "s_visible_if_field": "tidak_ada", "s_visible_if_op": "==", "s_visible_if_value": "ya"},
     "(bpjs_tk): kondisi (visible_if) menyebut isian 'tidak_ada' yang tidak ada di formulir"),
    ("ubah_isian", {"step": "data_pelaku", "field": "bpjs_tk", "settings": "visible_if", "s_visible_if_kind": "json",
                    "s_visible_if_json": "{rusak"},
     "Tampil jika: JSON tidak sah"),
    ("ubah_isian", {"step": "data_pelaku", "field": "bpjs_tk", "settings": "max_length", "s_max_length": "banyak"},
     "Panjang maksimum (karakter): 'banyak' bukan bilangan bulat"),
    ("tambah_isian", {"step": "data_pelaku", "name": "Nama Salah", "type": "text"}, "tidak sah"),
])
def test_invalid_form_edits_are_refused_at_the_offender(app, people, op, values, offender):
    admin = people["ani"]
    version = new_draft(admin, "form", "permohonan-baru")
    before = content("form", "permohonan-baru", version)
    response = edit(admin, "permohonan-baru", version, op, **values)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert offender in body.replace("&#39;", "'").replace("&#34;", '"'), body[:3000]
    assert content("form", "permohonan-baru", version) == before
    assert SchemaVersion.objects(kind="form", key="permohonan-baru", state="published").count() == 1


def test_unknown_field_in_a_condition_is_named(app, people):
    admin = people["ani"]
    version = new_draft(admin, "form", "permohonan-baru")
    response = edit(admin, "permohonan-baru", version, "ubah_isian", step="data_pelaku", field="bpjs_tk",
                    settings="visible_if", s_visible_if_kind="json",
                    s_visible_if_json='{"==": [{"var": "tidak_ada"}, "ya"]}', view="susun")
    assert response.status_code == 422
    assert "tidak_ada" in response.get_data(as_text=True)


def test_workflow_transition_to_an_undeclared_state_is_refused(app, people):
    admin = people["ani"]
    version = new_draft(admin, "workflow", "izin")
    raw = content("workflow", "izin", version)
    action = next(iter(raw["actions"]))
    raw["actions"][action]["to"] = "dibuang"
    response = post(admin, f"/admin/workflow/izin/{version}/json", content=json.dumps(raw),
                    revision=revision("workflow", "izin", version))
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert f"action '{action}': transition to undeclared state 'dibuang'" in body
    assert content("workflow", "izin", version)["actions"][action]["to"] != "dibuang"
    assert publish(admin, "workflow", "izin", version).status_code == 302  # the unchanged draft still publishes
    # A broken JSON text is refused with its line, nothing changes.
    other = new_draft(admin, "workflow", "izin")
    response = post(admin, f"/admin/workflow/izin/{other}/json", content='{"id": "izin",', revision="1")
    assert response.status_code == 422 and "JSON tidak sah pada baris 1" in response.get_data(as_text=True)


def test_publishing_an_invalid_draft_is_impossible(app, people):
    admin = people["ani"]
    version = new_draft(admin, "form", "demo")
    SchemaVersion.objects(kind="form", key="demo", version=version).update_one(
        set__content=json.dumps({**content("form", "demo", version), "steps": []}))
    response = publish(admin, "form", "demo", version)
    assert response.status_code == 422
    assert SchemaVersion.objects.get(kind="form", key="demo", version=version).state == "draft"


@pytest.mark.parametrize("who, expected", [("siti", 403), ("vera", 403), ("kepala", 403), ("ani", 200)])
def test_only_admins_reach_the_area(app, people, who, expected):
    client = people[who]
    for url in ("/admin/", "/admin/form/permohonan-baru", "/admin/form/permohonan-baru/1", "/admin/akun",
                "/admin/log", "/admin/table/kbli-risiko/1/baris", "/admin/form/permohonan-baru/1/ekspor"):
        assert client.get(url).status_code == expected, url
    if expected == 403:
        page = client.get("/profil")
        response = client.post("/admin/form/permohonan-baru/draf", data={"csrf_token": token(page), "from": "1"})
        assert response.status_code == 403
        assert SchemaVersion.objects(kind="form", key="permohonan-baru").count() == 1


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_preview_renders_the_draft_and_never_submits(app, people):
    admin = people["ani"]
    version = add_required_field(admin)
    response = post(admin, f"/admin/form/permohonan-baru/{version}/pratinjau",
                    page_url=f"/admin/form/permohonan-baru/{version}")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Nomor telepon tempat usaha" in page and "Pratinjau" in page
    preview = Submission.objects(preview=True).first()
    assert preview.form_version == version
    # The preview is nobody's application and cannot be submitted.
    assert people["siti"].get(f"/isian/{preview.id}").status_code == 404
    page = admin.get(f"/isian/{preview.id}/periksa")
    response = admin.post(f"/isian/{preview.id}/kirim", data={"csrf_token": token(page), "_version": preview.version})
    assert response.status_code == 302 and preview.reload().status == "draft" and not preview.number
    assert "permohonan-baru" not in admin.get("/beranda").get_data(as_text=True) or \
        str(preview.id) not in admin.get("/beranda").get_data(as_text=True)


def test_rollback_publishes_an_old_version_as_new(app, people):
    admin = people["ani"]
    version = add_required_field(admin)
    assert publish(admin, "form", "permohonan-baru", version).status_code == 302
    assert post(admin, "/admin/form/permohonan-baru/1/kembalikan").status_code == 302
    newest = SchemaVersion.objects(kind="form", key="permohonan-baru").order_by("-version").first()
    assert newest.version == version + 1 and newest.state == "published" and newest.origin == "rollback"
    assert NEW_FIELD not in newest.content
    with app.app_context():
        from forms.catalog.runtime import schemas
        assert schemas().get("permohonan-baru").version == newest.version
    wizard = start(people["siti"], "11052")[0]
    assert wizard.submission().form_version == newest.version


def test_export_and_import_round_trip(app, people):
    admin = people["ani"]
    exported = admin.get("/admin/form/demo/1/ekspor")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.get_data(as_text=True))
    assert data["kind"] == "form" and data["content"]["id"] == "demo"
    data["content"]["title"] = "Formulir demo (impor)"
    page = admin.get("/admin/")
    response = admin.post("/admin/impor", data={"csrf_token": token(page), "berkas": (
        io.BytesIO(json.dumps(data).encode()), "demo.json")}, content_type="multipart/form-data")
    assert response.status_code == 302
    imported = SchemaVersion.objects(kind="form", key="demo", state="draft").first()
    assert imported.origin == "import" and "Formulir demo (impor)" in imported.content
    # A broken import is refused and stores nothing.
    data["content"]["steps"][0]["fields"][0]["type"] = "areaa"
    count = SchemaVersion.objects.count()
    response = admin.post("/admin/impor", data={"csrf_token": token(page), "berkas": (
        io.BytesIO(json.dumps(data).encode()), "demo.json")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "unknown type 'areaa'" in response.get_data(as_text=True).replace("&#39;", "'")
    assert SchemaVersion.objects.count() == count
    response = admin.post("/admin/impor", data={"csrf_token": token(page), "berkas": (
        io.BytesIO(b"<html>"), "x.json")}, content_type="multipart/form-data")
    assert response.status_code == 302 and SchemaVersion.objects.count() == count


def row_cells(row):
    """A table row as the row editor posts it (lists as JSON)."""
    return {f"kolom_{name}": value if isinstance(value, str) else json.dumps(value) for name, value in row.items()}


@pytest.mark.parametrize("column, typed, message", [
    ("risiko", "t", "Nilai 't' tidak diizinkan; pilih salah satu: R, MR, MT, T."),
    ("skala", "menengah", "Nilai 'menengah' tidak diizinkan; pilih salah satu: mikro, kecil."),
    ("kbli", "1105", "KBLI 2020 terdiri dari 5 angka."),
    ("persyaratan", "[rusak", "JSON tidak sah"),
    ("judul", "", "Wajib diisi."),
    ("risiko", "", "Wajib diisi."),
    ("kewenangan", "", "Wajib diisi."),
    ("kewenangan", "kota", "Nilai 'kota' tidak diizinkan; pilih salah satu: kabupaten_kota, provinsi, pusat."),
    ("sumber", "", "Wajib diisi."),
    ("jangka_waktu", "lima", "Harus bilangan bulat"),
])
def test_a_bad_risk_row_is_refused_with_the_cell_named(app, people, column, typed, message):
    admin = people["ani"]
    version = new_draft(admin, "table", "kbli-risiko")
    before = content("table", "kbli-risiko", version)
    index = next(i for i, row in enumerate(before["rows"]) if row["kbli"] == "11052" and row["skala"] == "mikro")
    page = admin.get(f"/admin/table/kbli-risiko/{version}/baris?q=11052&ubah={index}")
    assert f'<select id="kolom-{index}-risiko" name="kolom_risiko"' in page.get_data(as_text=True)
    response = admin.post(f"/admin/table/kbli-risiko/{version}/baris", data={
        "csrf_token": token(page), "index": str(index), **row_cells(before["rows"][index]), f"kolom_{column}": typed})
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert re.search(rf'id="e-kolom-{index}-{column}">[^<]*{re.escape(message)}', body), body[:3000]
    assert f'name="kolom_{column}"' in body and (typed in body)  # what was typed is shown again
    assert content("table", "kbli-risiko", version) == before


def test_a_table_file_with_an_undeclared_risk_stops_start_up(tmp_path):
    import shutil
    from pathlib import Path

    from forms.engine.schema import load_schemas
    from forms.errors import SchemaError
    root = tmp_path / "schemas"
    shutil.copytree(Path(__file__).parent.parent / "schemas", root)
    table = json.loads((root / "tables" / "kbli-risiko.json").read_text(encoding="utf-8"))
    table["rows"][0]["risiko"] = "t"
    (root / "tables" / "kbli-risiko.json").write_text(json.dumps(table), encoding="utf-8")
    with pytest.raises(SchemaError) as refused:
        load_schemas(root)
    assert any("row 1 (10710|mikro): column 'risiko': Nilai 't' tidak diizinkan" in p for p in refused.value.problems)


def test_kbli_risk_table_rows_are_searched_edited_and_published(app, people):
    admin, siti = people["ani"], people["siti"]
    version = new_draft(admin, "table", "kbli-risiko")
    page = admin.get(f"/admin/table/kbli-risiko/{version}/baris?q=11052")
    assert page.status_code == 200 and "11052" in page.get_data(as_text=True)
    rows = content("table", "kbli-risiko", version)["rows"]
    index = next(i for i, row in enumerate(rows) if row["kbli"] == "11052" and row["skala"] == "mikro")
    edit_page = admin.get(f"/admin/table/kbli-risiko/{version}/baris?q=11052&ubah={index}")
    assert 'name="kolom_kbli" value="11052"' in edit_page.get_data(as_text=True)
    cells = row_cells(rows[index])
    cells["kolom_judul"] = "Industri Air Minum Dalam Kemasan (disunting)"
    response = admin.post(f"/admin/table/kbli-risiko/{version}/baris",
                          data={"csrf_token": token(edit_page), "index": str(index), **cells})
    assert response.status_code == 302
    assert content("table", "kbli-risiko", version)["rows"][index]["judul"].endswith("(disunting)")
    # A duplicate key is refused, nothing changes.
    before = content("table", "kbli-risiko", version)
    response = admin.post(f"/admin/table/kbli-risiko/{version}/baris",
                          data={"csrf_token": token(edit_page), **cells})
    assert content("table", "kbli-risiko", version) == before
    assert publish(admin, "table", "kbli-risiko", version).status_code == 302
    with app.app_context():
        from forms.catalog.runtime import schemas
        assert schemas().tables.lookup("kbli-risiko", "11052|mikro", "judul").endswith("(disunting)")
    assert "(disunting)" in siti.get("/referensi/kbli-risiko?q=11052").get_data(as_text=True)


def test_office_settings_change_the_printouts_of_new_work_only(app, people):
    admin = people["ani"]
    version = new_draft(admin, "document", "cetakan")
    page = admin.get(f"/admin/document/cetakan/{version}")
    assert "Nama penanda tangan" in page.get_data(as_text=True)
    png = (__import__("pathlib").Path(app.config["PRINTOUTS_DIR"]) / "logo.png").read_bytes()
    response = admin.post(f"/admin/document/cetakan/{version}/kantor", data={
        "csrf_token": token(page), "revision": revision("document", "cetakan", version), "name": "DRA. PENGGANTI",
        "logo": (io.BytesIO(png), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    saved = content("document", "cetakan", version)["office"]
    assert saved["signer"]["name"] == "DRA. PENGGANTI" and saved["logo"].startswith("data:image/png;base64,")
    response = admin.post(f"/admin/document/cetakan/{version}/kantor", data={
        "csrf_token": token(page), "revision": revision("document", "cetakan", version),
        "logo": (io.BytesIO(b"MZ\x90\x00 not a png"), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 302 and content("document", "cetakan", version)["office"]["logo"] == saved["logo"]
    before = start(people["siti"], "11052")[0]
    assert publish(admin, "document", "cetakan", version).status_code == 302
    with app.app_context():
        from forms.printing.issue import print_settings, print_settings_for
        assert print_settings().data["office"]["signer"]["name"] == "DRA. PENGGANTI"
        pinned = before.submission().procedure["printouts"]
        assert pinned == 1 and print_settings_for(pinned).data["office"]["signer"]["name"] != "DRA. PENGGANTI"
    after = start(people["siti"], "11052")[0]
    assert after.submission().procedure["printouts"] == version


def test_documents_stay_on_the_workflow_version_they_began_on(app, people):
    admin, siti = people["ani"], people["siti"]
    wizard = start(siti, "11052")[0]
    assert finish(wizard).status_code == 302
    document = IssuedDocument.objects(submission_id=wizard.submission().id).first()
    version = new_draft(admin, "workflow", "sertifikat-standar")
    raw = content("workflow", "sertifikat-standar", version)
    first_state = next(iter(raw["states"]))
    raw["states"][first_state]["label"] = "Label baru"
    response = post(admin, f"/admin/workflow/sertifikat-standar/{version}/json", content=json.dumps(raw),
                    revision=revision("workflow", "sertifikat-standar", version))
    assert response.status_code == 302
    assert publish(admin, "workflow", "sertifikat-standar", version).status_code == 302
    assert document.reload().workflow_version == 1
    later = start(siti, "11052")[0]
    assert later.submission().procedure["workflows"][document.kind] == version


def test_officer_accounts_are_created_changed_and_disabled(app, people):
    admin = people["ani"]
    page = admin.get("/admin/akun")
    response = admin.post("/admin/akun", data={"csrf_token": token(page), "username": "Rudi.P", "name": "Rudi P",
                                               "email": "rudi@contoh.id", "role": "verifikator"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    password = re.search(r'class="secret">([^<]+)<', body).group(1).replace("&amp;", "&").replace("&#39;", "'")
    rudi = app.test_client()
    assert login(rudi, username="rudi.p", password=password).status_code == 302
    assert rudi.get("/petugas/").status_code == 200
    from forms.store import Account
    account = Account.objects.get(username="rudi.p")
    assert post(admin, f"/admin/akun/{account.id}", role="kepala").status_code == 302
    assert account.reload().roles == ["kepala"]
    assert post(admin, f"/admin/akun/{account.id}", role="pemohon").status_code == 302
    assert account.reload().roles == ["kepala"]  # not an officer role: refused
    assert post(admin, f"/admin/akun/{account.id}", active="0").status_code == 302
    assert rudi.get("/petugas/").status_code == 302  # the session ended with the account
    assert login(rudi, username="rudi.p", password=password).status_code != 302
    me = Account.objects.get(username="ani")
    assert post(admin, f"/admin/akun/{me.id}", active="0").status_code == 302 and me.reload().active
    response = admin.post("/admin/akun", data={"csrf_token": token(page), "username": "x", "name": "",
                                               "role": "verifikator"})
    assert Account.objects(username="x").count() == 0


def test_every_admin_change_is_logged_with_its_difference(app, people):
    admin = people["ani"]
    version = add_required_field(admin)
    assert publish(admin, "form", "permohonan-baru", version, note="tambah telepon usaha").status_code == 302
    entries = list(AdminLogEntry.objects(key="permohonan-baru").order_by("at"))
    assert [e.action for e in entries] == ["buat_draf", "ubah_draf", "terbitkan"]
    assert all(e.actor == "ani" for e in entries)
    assert any(line.startswith("+") and f'"name": "{NEW_FIELD}"' in line for line in entries[1].diff.splitlines())
    page = admin.get("/admin/log").get_data(as_text=True)
    assert "tambah telepon usaha" in page and NEW_FIELD in page
    from forms.casework.audit import verify_chain
    with app.app_context():
        assert verify_chain() == []


def test_a_publish_elsewhere_reaches_this_process(app, people):
    from forms.catalog.items import GENERATION, canonical, digest
    from forms.store import next_sequence, utcnow
    with app.app_context():
        raw = json.loads(SchemaVersion.objects.get(kind="form", key="demo", version=1).content)
        raw = {**raw, "version": 2, "title": "Demo dari proses lain"}
        SchemaVersion(kind="form", key="demo", version=2, state="published", content=canonical(raw),
                      sha256=digest(raw), published_at=utcnow()).save()
        next_sequence(GENERATION)
    page = people["siti"].get("/formulir/demo").get_data(as_text=True)
    assert "Demo dari proses lain" in page


def test_a_stale_editor_gets_a_conflict(app, people):
    admin = people["ani"]
    version = new_draft(admin, "form", "demo")
    stale = revision("form", "demo", version)
    assert edit(admin, "demo", version, "ubah_langkah", step=content("form", "demo", version)["steps"][0]["name"],
                s_title_id="Judul baru", s_help_id="").status_code == 302
    response = post(admin, f"/admin/form/demo/{version}/ubah", op="ubah_langkah", revision=stale,
                    step=content("form", "demo", version)["steps"][0]["name"], s_title_id="Judul lain")
    assert response.status_code == 422 and "sudah diubah" in response.get_data(as_text=True)
    assert content("form", "demo", version)["steps"][0]["title"]["id"] == "Judul baru"


def test_the_service_standard_is_edited_and_published_from_the_admin_area(app, people):
    admin = people["ani"]
    version = new_draft(admin, "document", "standar-pelayanan")
    raw = content("document", "standar-pelayanan", version)
    raw["title"] = {**raw["title"], "id": "Standar Pelayanan (ditetapkan ulang 2026)"} if isinstance(raw["title"], dict) \
        else "Standar Pelayanan (ditetapkan ulang 2026)"
    response = post(admin, f"/admin/document/standar-pelayanan/{version}/json", content=json.dumps(raw),
                    revision=revision("document", "standar-pelayanan", version))
    assert response.status_code == 302
    assert "ditetapkan ulang 2026" not in people["siti"].get("/standar-pelayanan").get_data(as_text=True)
    assert publish(admin, "document", "standar-pelayanan", version).status_code == 302
    assert "ditetapkan ulang 2026" in people["siti"].get("/standar-pelayanan").get_data(as_text=True)
    # A component without its required parts is refused where it is.
    later = new_draft(admin, "document", "standar-pelayanan")
    broken = content("document", "standar-pelayanan", later)
    broken["components"] = "tidak ada"
    response = post(admin, f"/admin/document/standar-pelayanan/{later}/json", content=json.dumps(broken),
                    revision=revision("document", "standar-pelayanan", later))
    assert response.status_code == 422 and "components" in response.get_data(as_text=True)


def test_service_standard_components_are_edited_as_plain_text(app, people):
    admin = people["ani"]
    version = new_draft(admin, "document", "standar-pelayanan")
    page = admin.get(f"/admin/document/standar-pelayanan/{version}")
    assert "Komponen standar pelayanan" in page.get_data(as_text=True)
    before = content("document", "standar-pelayanan", version)
    legal = next(c for c in before["components"] if c["key"] == "dasar_hukum")
    kept, added = legal["items"][0], "Undang-Undang Nomor 6 Tahun 2023 tentang Penetapan Perpu Cipta Kerja."
    response = admin.post(f"/admin/document/standar-pelayanan/{version}/komponen", data={
        "csrf_token": token(page), "revision": revision("document", "standar-pelayanan", version),
        "component": "dasar_hukum", "title": "Dasar hukum", "items": "\n".join([kept["id"], added])})
    assert response.status_code == 302
    after = content("document", "standar-pelayanan", version)
    # the unchanged line keeps its English; the new one is Indonesian only until translated
    assert next(c for c in after["components"] if c["key"] == "dasar_hukum")["items"] == [kept, added]
    # Emptying a required text is refused and nothing changes.
    assert next(c for c in after["components"] if c["key"] == "jangka_waktu")["text"]["id"]  # required, filled
    response = admin.post(f"/admin/document/standar-pelayanan/{version}/komponen", data={
        "csrf_token": token(page), "revision": revision("document", "standar-pelayanan", version),
        "component": "jangka_waktu", "title": "Jangka waktu", "text": ""})
    assert response.status_code == 422 and "tidak ada yang disimpan" in response.get_data(as_text=True)
    assert content("document", "standar-pelayanan", version) == after
    assert publish(admin, "document", "standar-pelayanan", version).status_code == 302
    assert "Nomor 6 Tahun 2023" in people["siti"].get("/standar-pelayanan").get_data(as_text=True)
