"""The form builder over HTTP: new forms from scratch, the builder page of a step and of a repeat group, refusals
that keep what was typed, the live preview that saves nothing, and the page in English."""
from __future__ import annotations

import json

import pytest

from forms.identity.accounts import create_account
from forms.store import SchemaVersion
from tests.helpers import ANSWER, PASSWORD, login, token


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def admin(app):
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    client = app.test_client()
    assert login(client, username="ani").status_code == 302
    return client


def stored(key, version):
    return json.loads(SchemaVersion.objects.get(kind="form", key=key, version=version).content)


def draft_of(admin, key):
    page = admin.get(f"/admin/form/{key}")
    response = admin.post(f"/admin/form/{key}/draf", data={"csrf_token": token(page), "from": "1"})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def edit(admin, key, version, page_url, **values):
    page = admin.get(page_url)
    revision = str(SchemaVersion.objects.get(kind="form", key=key, version=version).revision)
    return admin.post(f"/admin/form/{key}/{version}/ubah", data={"csrf_token": token(page), "revision": revision,
                                                                  "view": "susun", **values})


def test_a_new_form_starts_as_a_valid_draft_with_one_step(admin):
    page = admin.get("/admin/")
    response = admin.post("/admin/formulir-baru", data={"csrf_token": token(page), "key": "izin-reklame",
                                                         "title_id": "Izin Reklame", "title_en": "Billboard Permit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/susun/langkah_1")
    content = stored("izin-reklame", 1)
    assert content["title"] == {"id": "Izin Reklame", "en": "Billboard Permit"}
    assert [step["name"] for step in content["steps"]] == ["langkah_1"]
    assert SchemaVersion.objects.get(kind="form", key="izin-reklame", version=1).state == "draft"


@pytest.mark.parametrize("key, title, message", [
    ("Izin Reklame", "Izin", "tidak sah"), ("demo", "Demo lagi", "sudah dipakai"), ("izin-baru", "", "wajib diisi"),
])
def test_a_new_form_with_a_bad_key_or_title_is_refused_and_nothing_is_stored(admin, key, title, message):
    page = admin.get("/admin/")
    count = SchemaVersion.objects.count()
    response = admin.post("/admin/formulir-baru", data={"csrf_token": token(page), "key": key, "title_id": title},
                          follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert SchemaVersion.objects.count() == count


def test_a_refused_field_edit_keeps_everything_typed(admin):
    version = draft_of(admin, "permohonan-baru")
    url = f"/admin/form/permohonan-baru/{version}/susun/data_pelaku?isian=bpjs_tk"
    before = stored("permohonan-baru", version)
    response = edit(admin, "permohonan-baru", version, url, op="ubah_isian", step="data_pelaku", field="bpjs_tk",
                    settings="label,max_length,help", s_label_id="Nomor BPJS TK baru", s_label_en="New BPJS label",
                    s_help_id="Bantuan diketik", s_help_en="", s_max_length="dua puluh")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Panjang maksimum (karakter): &#39;dua puluh&#39; bukan bilangan bulat" in body
    assert "isian &#39;Nomor BPJS Ketenagakerjaan&#39; (bpjs_tk)" in body
    for typed in ('value="Nomor BPJS TK baru"', 'value="New BPJS label"', ">Bantuan diketik</textarea>",
                  'value="dua puluh"'):
        assert typed in body
    assert stored("permohonan-baru", version) == before


def test_a_sub_field_of_a_repeat_group_has_its_own_builder_page_with_a_breadcrumb(admin):
    version = draft_of(admin, "permohonan-baru")
    page = admin.get(f"/admin/form/permohonan-baru/{version}/susun/detail_usaha?grup=detail&isian=status_lahan")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sub-isian grup" in body and "Langkah Detail Bidang Usaha" in body
    assert 'name="opt_en" value="Rented"' in body and 'name="s_label_en" value="Land status"' in body
    assert admin.get(f"/admin/form/permohonan-baru/{version}/susun/detail_usaha?grup=nama_usaha").status_code == 404
    assert admin.get(f"/admin/form/permohonan-baru/{version}/susun/tidak_ada").status_code == 404


def test_the_live_preview_renders_unsaved_settings_and_saves_nothing(admin):
    version = draft_of(admin, "permohonan-baru")
    url = f"/admin/form/permohonan-baru/{version}/susun/data_pelaku?isian=bpjs_tk"
    before = stored("permohonan-baru", version)
    page = admin.get(url)
    response = admin.post(f"/admin/form/permohonan-baru/{version}/pratinjau-langsung", data={
        "csrf_token": token(page), "op": "ubah_isian", "step": "data_pelaku", "field": "bpjs_tk",
        "settings": "label", "s_label_id": "Label yang belum disimpan", "s_label_en": ""})
    assert response.status_code == 200 and "Label yang belum disimpan" in response.get_data(as_text=True)
    assert stored("permohonan-baru", version) == before


def test_a_step_moves_to_the_place_it_is_dropped(admin):
    version = draft_of(admin, "permohonan-baru")
    url = f"/admin/form/permohonan-baru/{version}"
    names = [step["name"] for step in stored("permohonan-baru", version)["steps"]]
    page = admin.get(url)
    revision = str(SchemaVersion.objects.get(kind="form", key="permohonan-baru", version=version).revision)
    response = admin.post(f"/admin/form/permohonan-baru/{version}/ubah", data={
        "csrf_token": token(page), "revision": revision, "op": "pindah_langkah", "step": "draf", "to": "0"})
    assert response.status_code == 302
    assert [step["name"] for step in stored("permohonan-baru", version)["steps"]] == ["draf", *names[:-1]]


def test_the_builder_speaks_english_with_the_switch(admin):
    version = draft_of(admin, "permohonan-baru")
    admin.set_cookie("lang", "en")
    body = admin.get(f"/admin/form/permohonan-baru/{version}/susun/data_pelaku?isian=npwp").get_data(as_text=True)
    for words in ("Field settings", "Add a field to this step", "Label (English)", "Shown if", "Save field"):
        assert words in body
    assert "Pengaturan isian" not in body
