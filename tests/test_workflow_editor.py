"""The workflow editor: states and actions edited as tables (choices from the meta-schema), refusals retold at
the action they concern with nothing stored, and the diagram drawn on the server as SVG."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from forms.catalog import workflowedit
from forms.catalog.places import EditError
from forms.identity.accounts import create_account
from forms.store import SchemaVersion
from forms.views.admin.diagram import diagram
from tests.helpers import ANSWER, PASSWORD, login, token

SCHEMA = str(Path(__file__).parent.parent / "schemas" / "workflow.schema.json")
FLOW = json.loads((Path(__file__).parent.parent / "schemas" / "workflows" / "sertifikat-standar.json").read_text())


def test_a_state_keeps_its_english_and_takes_its_new_settings():
    edited = workflowedit.apply_edit(FLOW, "ubah_status", MultiDict({
        "state": "menunggu_verifikasi", "s_label_id": "Menunggu diverifikasi", "s_label_en": "Awaiting verification",
        "s_pia": "09", "s_turn": "petugas", "s_sla_days": "7", "s_public_status": "belum_terverifikasi",
        "s_deemed_approval": "setujui_otomatis"}), SCHEMA)
    state = edited["states"]["menunggu_verifikasi"]
    assert state["label"] == {"id": "Menunggu diverifikasi", "en": "Awaiting verification"}
    assert state["sla_days"] == 7 and state["deemed_approval"] == "setujui_otomatis"
    assert FLOW["states"]["menunggu_verifikasi"]["sla_days"] == 5  # the input is not changed


@pytest.mark.parametrize("values, message", [
    ({"s_sla_days": "lima"}, "'lima' bukan bilangan bulat"),
    ({"s_turn": "siapa_saja"}, "'siapa_saja' bukan pilihan yang tersedia"),
    ({"s_label_id": "", "s_label_en": ""}, "Nama status wajib diisi"),
])
def test_an_unreadable_state_setting_is_refused_naming_it(values, message):
    posted = MultiDict({"state": "perlu_perbaikan", "s_label_id": "Perlu perbaikan", "s_pia": "93", **values})
    with pytest.raises(EditError, match=message) as refused:
        workflowedit.apply_edit(FLOW, "ubah_status", posted, SCHEMA)
    assert refused.value.where == "status 'perlu_perbaikan'"


def test_roles_and_states_offered_are_those_the_meta_schema_and_workflow_declare():
    choices = workflowedit.schema_choices(SCHEMA)
    settings = workflowedit.action_settings(choices, FLOW)
    assert settings["roles"].choices == ("pemohon", "verifikator", "kepala", "admin", "sistem")
    assert settings["to"].choices == tuple(FLOW["states"])
    with pytest.raises(EditError, match="pilihan tidak tersedia"):
        workflowedit.apply_edit(FLOW, "ubah_aksi", MultiDict([("action", "verifikasi"), ("s_label_id", "V"),
                                                             ("s_from", "menunggu_verifikasi"), ("s_to", "terverifikasi"),
                                                             ("s_roles", "direktur")]), SCHEMA)


def test_the_diagram_has_a_box_per_state_and_an_arrow_per_transition():
    drawn = diagram(FLOW, "id")
    assert sorted(box.name for box in drawn["boxes"]) == sorted(FLOW["states"])
    transitions = sum(len(a["from"]) for a in FLOW["actions"].values())
    assert len(drawn["arrows"]) == transitions
    initial = next(box for box in drawn["boxes"] if box.initial)
    assert initial.name == FLOW["initial"] and initial.x == min(box.x for box in drawn["boxes"])
    assert all(box.x > initial.x for box in drawn["boxes"] if box is not initial)


@pytest.fixture
def admin(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    client = app.test_client()
    assert login(client, username="ani").status_code == 302
    page = client.get("/admin/workflow/sertifikat-standar")
    assert client.post("/admin/workflow/sertifikat-standar/draf",
                       data={"csrf_token": token(page), "from": "1"}).status_code == 302
    return client


def post_edit(admin, **values):
    page = admin.get("/admin/workflow/sertifikat-standar/2")
    revision = str(SchemaVersion.objects.get(kind="workflow", key="sertifikat-standar", version=2).revision)
    return admin.post("/admin/workflow/sertifikat-standar/2/ubah",
                      data={"csrf_token": token(page), "revision": revision, **values})


def stored():
    return json.loads(SchemaVersion.objects.get(kind="workflow", key="sertifikat-standar", version=2).content)


def test_the_workflow_page_shows_the_diagram_and_a_form_per_state(admin):
    body = admin.get("/admin/workflow/sertifikat-standar/2").get_data(as_text=True)
    assert body.count('<rect ') == len(FLOW["states"])
    assert re.search(r'<svg class="diagram"[^>]*role="img"', body)
    assert 'id="wf-menunggu_verifikasi"' in body and 'name="s_sla_days" value="5"' in body


def test_an_action_to_an_undeclared_state_is_refused_in_the_admins_words(admin):
    before = stored()
    response = post_edit(admin, op="ubah_aksi", action="verifikasi", settings="pia", s_pia="45")
    assert response.status_code == 302
    assert stored()["actions"]["verifikasi"] == {**before["actions"]["verifikasi"], "pia": "45"}  # nothing else dropped
    before = stored()
    response = post_edit(admin, op="hapus_status", name="terverifikasi")
    body = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert "aksi 'verifikasi' menuju status 'terverifikasi' yang tidak ada" in body
    assert stored() == before


def test_a_new_state_and_action_are_added_and_drawn(admin):
    assert post_edit(admin, op="tambah_status", name="ditunda", s_label_id="Ditunda", s_label_en="On hold",
                     s_pia="41").status_code == 302
    assert post_edit(admin, op="tambah_aksi", name="tunda", s_label_id="Tunda", s_label_en="Put on hold",
                     s_from="menunggu_verifikasi", s_to="ditunda", s_roles="verifikator").status_code == 302
    flow = stored()
    assert flow["states"]["ditunda"] == {"label": {"id": "Ditunda", "en": "On hold"}, "pia": "41"}
    assert flow["actions"]["tunda"] == {"label": {"id": "Tunda", "en": "Put on hold"}, "from": ["menunggu_verifikasi"],
                                        "to": "ditunda", "roles": ["verifikator"]}
    assert ">Ditunda</text>" in admin.get("/admin/workflow/sertifikat-standar/2").get_data(as_text=True)
