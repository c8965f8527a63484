"""The form builder's edits as pure functions: settings from the field-type registry, texts per language, options,
the condition builder and required-if, sub-fields of repeat groups, moves, and problems retold at their place."""
from __future__ import annotations

import copy

import pytest
from werkzeug.datastructures import MultiDict

from forms.catalog import conditions, fieldsettings, formedit, places, texts
from forms.engine.fields import REGISTRY
from forms.engine.rules import evaluate, truthy

FORM = {"id": "uji", "version": 1, "title": "Uji", "steps": [
    {"name": "satu", "title": {"id": "Satu", "en": "One"}, "fields": [
        {"name": "jenis", "type": "radio", "label": {"id": "Jenis", "en": "Kind"}, "required": True,
         "options": [{"value": "a", "label": {"id": "A id", "en": "A en"}, "help": "bantuan A"},
                     {"value": 2, "label": "Dua"}]},
        {"name": "catatan", "type": "text", "label": "Catatan", "max_length": 50, "unique": {"in": "account.email"}},
        {"name": "baris", "type": "repeat", "label": {"id": "Baris", "en": "Rows"}, "fields": [
            {"name": "isi", "type": "text", "label": {"id": "Isi", "en": "Content"}, "required": True}]}]},
    {"name": "dua", "title": "Dua", "fields": []}]}


def post(**values) -> MultiDict:
    """A posted form; list values become repeated inputs."""
    return MultiDict([(k, item) for k, v in values.items() for item in (v if isinstance(v, list) else [v])])


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_field_type_offers_only_settings_the_builder_can_edit(name):
    offered = REGISTRY[name].settings
    assert offered and set(offered) <= set(fieldsettings.SETTINGS)
    assert len(set(offered)) == len(offered)


@pytest.mark.parametrize("mode, rows, rule", [
    ("all", [("jenis", "==", "a")], {"==": [{"var": "jenis"}, "a"]}),
    ("any", [("jenis", "==", "a"), ("umur", ">=", "17")],
     {"or": [{"==": [{"var": "jenis"}, "a"]}, {">=": [{"var": "umur"}, 17]}]}),
    ("all", [("pilihan", "in", "x"), ("catatan", "filled", "")],
     {"and": [{"in": ["x", {"var": "pilihan"}]}, {"!!": {"var": "catatan"}}]}),
    ("all", [("catatan", "empty", "")], {"!": {"var": "catatan"}}),
])
def test_condition_rows_become_json_logic_and_back(mode, rows, rule):
    assert conditions.rule_of(mode, rows) == rule
    read = conditions.condition_of(rule)
    assert read.expressible and list(read.rows) == [(f, o, v) for f, o, v in rows]
    assert read.mode == (mode if len(rows) > 1 else "all")


@pytest.mark.parametrize("rule", [
    {"some": [{"var": "detail"}, {"==": [{"var": "risiko"}, "T"]}]},
    {"==": [{"lookup": ["t", {"var": "a"}, "b"]}, "x"]},
    {"and": [{"==": [{"var": "a"}, "x"]}, {"or": [{"var": "b"}, {"var": "c"}]}]},
])
def test_a_condition_the_rows_cannot_express_is_kept_as_json(rule):
    read = conditions.condition_of(rule)
    assert not read.expressible and read.json == rule


@pytest.mark.parametrize("answers, refused", [
    ({"jenis": "a", "catatan": None}, True), ({"jenis": "a", "catatan": "ada"}, False),
    ({"jenis": 2, "catatan": None}, False),
])
def test_required_if_is_a_step_check_that_bites_only_when_its_condition_holds(answers, refused):
    step = {"name": "satu", "fields": []}
    conditions.set_required_if(step, "catatan", {"==": [{"var": "jenis"}, "a"]})
    (check,) = step["checks"]
    assert check["field"] == "catatan" and check["message"]["id"] == "Wajib diisi."
    assert truthy(evaluate(check["rule"], answers)) is not refused
    assert conditions.find_required_if(step, "catatan")[1] == {"==": [{"var": "jenis"}, "a"]}
    conditions.set_required_if(step, "catatan", None)
    assert "checks" not in step


def test_a_label_keeps_its_english_when_the_indonesian_is_edited():
    assert texts.merged({"id": "Lama", "en": "Old"}, {"id": "Baru", "en": "Old"}) == {"id": "Baru", "en": "Old"}
    assert texts.merged("Polos", {"id": "Polos diubah", "en": ""}) == "Polos diubah"
    assert texts.merged(None, {"id": "Baru", "en": "New"}) == {"id": "Baru", "en": "New"}
    with pytest.raises(ValueError, match="bahasa Indonesia wajib"):
        texts.merged(None, {"id": "", "en": "Only English"})


def test_a_radio_with_options_in_two_languages_is_added_in_one_step():
    form = formedit.apply_edit(FORM, "tambah_isian", post(
        step="dua", name="ukuran", type="radio", label_id="Ukuran", label_en="Size", required="1",
        opt_value=["k", "b", ""], opt_id=["Kecil", "Besar", ""], opt_en=["Small", "", ""], opt_old=["", "", ""],
        opt_order=["2", "1", "3"]))
    assert form["steps"][1]["fields"] == [{"name": "ukuran", "type": "radio", "label": {"id": "Ukuran", "en": "Size"},
                                           "required": True, "options": [{"value": "b", "label": "Besar"},
                                                                         {"value": "k", "label": {"id": "Kecil",
                                                                                                  "en": "Small"}}]}]
    assert FORM["steps"][1]["fields"] == []  # the input is not changed


def test_editing_options_keeps_help_value_types_and_other_languages():
    form = formedit.apply_edit(FORM, "ubah_isian", post(
        step="satu", field="jenis", settings="options", opt_value=["2", "a", "c"], opt_id=["Dua", "A baru", "Ce"],
        opt_en=["Two", "A en", ""], opt_old=["2", "a", ""], opt_order=["1", "2", "3"]))
    field = form["steps"][0]["fields"][0]
    assert field["options"] == [{"value": 2, "label": {"id": "Dua", "en": "Two"}},
                                {"value": "a", "label": {"id": "A baru", "en": "A en"}, "help": "bantuan A"},
                                {"value": "c", "label": "Ce"}]
    assert field["label"] == {"id": "Jenis", "en": "Kind"} and field["required"] is True


def test_settings_a_page_did_not_show_are_never_dropped():
    form = formedit.apply_edit(FORM, "ubah_isian", post(step="satu", field="catatan", settings="label",
                                                        s_label_id="Catatan baru", s_label_en=""))
    assert form["steps"][0]["fields"][1] == {**FORM["steps"][0]["fields"][1], "label": "Catatan baru"}


def test_settings_form_reads_back_what_it_shows():
    field = FORM["steps"][0]["fields"][1]
    shown = fieldsettings.values_of(field, FORM["steps"][0])
    assert shown["label"] == {"id": "Catatan", "en": ""} and shown["max_length"] == "50"
    form = formedit.apply_edit(FORM, "ubah_isian", post(
        step="satu", field="catatan", settings=",".join(shown), s_label_id="Catatan", s_label_en="Note",
        s_max_length="80", s_visible_if_kind="rows", s_visible_if_mode="all", s_visible_if_field="jenis",
        s_visible_if_op="==", s_visible_if_value="a", s_required_if_kind="rows", s_required_if_field="jenis",
        s_required_if_op="==", s_required_if_value="2", s_width="half"))
    edited = form["steps"][0]["fields"][1]
    assert edited["label"] == {"id": "Catatan", "en": "Note"} and edited["max_length"] == 80
    assert edited["visible_if"] == {"==": [{"var": "jenis"}, "a"]} and edited["width"] == "half"
    assert edited["unique"] == {"in": "account.email"}
    assert conditions.find_required_if(form["steps"][0], "catatan")[1] == {"==": [{"var": "jenis"}, "2"]}


@pytest.mark.parametrize("values, message", [
    ({"settings": "max_length", "s_max_length": "lima"}, "'lima' bukan bilangan bulat"),
    ({"settings": "visible_if", "s_visible_if_kind": "json", "s_visible_if_json": "{rusak"}, "JSON tidak sah"),
    ({"settings": "visible_if", "s_visible_if_kind": "rows", "s_visible_if_field": "jenis", "s_visible_if_op": "==",
      "s_visible_if_value": ""}, "belum punya nilai"),
    ({"settings": "label", "s_label_id": "", "s_label_en": "Only"}, "bahasa Indonesia wajib"),
])
def test_an_unreadable_setting_is_refused_with_its_place_and_name(values, message):
    with pytest.raises(formedit.EditError, match=message) as refused:
        formedit.apply_edit(FORM, "ubah_isian", post(step="satu", field="catatan", **values))
    assert refused.value.where == "langkah 'Satu' (satu) › isian 'Catatan' (catatan)"
    assert list(refused.value.problems) == [values["settings"]]


def test_sub_fields_of_a_repeat_group_are_added_edited_and_moved_like_fields():
    form = formedit.apply_edit(FORM, "tambah_isian", post(step="satu", group="baris", name="jumlah", type="number",
                                                          label_id="Jumlah", label_en="Amount"))
    form = formedit.apply_edit(form, "ubah_isian", post(step="satu", group="baris", field="isi", settings="label",
                                                        s_label_id="Isi baris", s_label_en="Content"))
    form = formedit.apply_edit(form, "pindah_isian", post(step="satu", group="baris", field="jumlah", to="0"))
    subs = form["steps"][0]["fields"][2]["fields"]
    assert [s["name"] for s in subs] == ["jumlah", "isi"]
    assert subs[1] == {"name": "isi", "type": "text", "label": {"id": "Isi baris", "en": "Content"}, "required": True}


def test_a_field_name_used_elsewhere_in_the_form_is_refused_naming_where():
    with pytest.raises(formedit.EditError, match=r"sudah dipakai di langkah 'Satu' \(satu\) › isian 'Jenis'"):
        formedit.apply_edit(FORM, "tambah_isian", post(step="dua", name="jenis", type="text"))


def test_a_new_repeat_group_starts_valid_with_one_sub_field():
    form = formedit.apply_edit(FORM, "tambah_isian", post(step="dua", name="titik", type="repeat", label_id="Titik"))
    assert form["steps"][1]["fields"][0]["fields"] == [formedit.STARTER_SUBFIELD]


def test_removing_a_field_removes_its_required_if():
    form = copy.deepcopy(FORM)
    conditions.set_required_if(form["steps"][0], "catatan", {"==": [{"var": "jenis"}, "a"]})
    form = formedit.apply_edit(form, "hapus_isian", post(step="satu", field="catatan"))
    assert "checks" not in form["steps"][0]


@pytest.mark.parametrize("problem, told", [
    ("form 'uji' versi 2: step 'satu': field 'catatan': unknown type 'areaa' (known: text)",
     "langkah 'Satu' (satu) › isian 'Catatan' (catatan): jenis isian 'areaa' tidak dikenal"),
    ("form 'uji' versi 2: step 'satu': field 'baris': field 'isi': visible_if: condition names unknown field 'x'",
     ("langkah 'Satu' (satu) › isian 'Baris' (baris) › isian 'Isi' (isi): kondisi (visible_if) menyebut isian 'x' "
     "yang tidak ada di formulir")),
    ("form 'uji' versi 2: duplicate field name 'jenis'",
     "langkah 'Satu' (satu) › isian 'Jenis' (jenis): nama isian 'jenis' dipakai lebih dari sekali"),
    ("form 'uji' versi 2: step 'satu': field 'jenis': needs exactly one of 'options', 'table' or 'options_from'",
     ("langkah 'Satu' (satu) › isian 'Jenis' (jenis): isian pilihan perlu daftar pilihan atau tabel referensi "
     "(salah satu saja)")),
])
def test_start_up_problems_are_retold_at_their_place(problem, told):
    assert places.explain(problem, FORM) == told
