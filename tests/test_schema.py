"""Schema loading: the real schemas load; every kind of mistake is reported, all at once, by location."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from forms.engine.schema import load_schemas
from forms.errors import SchemaError

ROOT = Path(__file__).resolve().parent.parent / "schemas"

MINIMAL = {
    "id": "uji",
    "version": 1,
    "title": "Uji",
    "steps": [
        {"name": "satu", "title": "Satu", "fields": [
            {"name": "nama", "type": "text", "label": "Nama"},
            {"name": "jenis", "type": "select", "label": "Jenis", "options": [{"value": "a", "label": "A"}]},
        ]},
        {"name": "dua", "title": "Dua", "visible_if": {"==": [{"var": "jenis"}, "a"]}, "fields": [
            {"name": "produk", "type": "repeat", "label": "Produk", "fields": [{"name": "n", "type": "text", "label": "N"}]},
        ]},
    ],
}


def schema_dir(tmp_path: Path, *forms: dict, raw: str | None = None) -> Path:
    """A schemas folder with the project's meta-schemas and tables and the given form files."""
    root = tmp_path / "schemas"
    (root / "forms").mkdir(parents=True)
    for name in ("form.schema.json", "table.schema.json", "messages.json"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "tables", root / "tables")
    (root / "reference").symlink_to(ROOT / "reference")
    for form in forms:
        (root / "forms" / f"{form['id']}.json").write_text(json.dumps(form))
    if raw is not None:
        (root / "forms" / "rusak.json").write_text(raw)
    return root


def problems_of(tmp_path: Path, mutate) -> list[str]:
    form = copy.deepcopy(MINIMAL)
    mutate(form)
    with pytest.raises(SchemaError) as caught:
        load_schemas(schema_dir(tmp_path, form))
    return caught.value.problems


def test_the_project_schemas_load():
    schemas = load_schemas(ROOT)
    assert schemas.get("demo") is not None
    assert {"kbli", "wilayah-nik", "provinsi"} <= set(schemas.tables)


def test_a_minimal_form_loads_with_defaults_filled(tmp_path):
    form = load_schemas(schema_dir(tmp_path, MINIMAL)).get("uji")
    field = form.step("satu").fields[0]
    assert (field.required, field.width, field.options, form.access) == (False, "full", (), "public")


def set_in(path, value):
    def mutate(form):
        node = form
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return mutate


CASES = [
    ("unknown type", set_in(["steps", 0, "fields", 0, "type"], "areaa"),
     "schemas/forms/uji.json: step 'satu': field 'nama': unknown type 'areaa'"),
    ("duplicate field across steps", set_in(["steps", 1, "fields", 0, "name"], "nama"),
     "schemas/forms/uji.json: duplicate field name 'nama'"),
    ("duplicate step", set_in(["steps", 1, "name"], "satu"), "duplicate step name 'satu'"),
    ("condition names a missing field", set_in(["steps", 1, "visible_if"], {"==": [{"var": "jenjs"}, "a"]}),
     "step 'dua': condition names unknown field 'jenjs'"),
    ("unknown operator", set_in(["steps", 1, "visible_if"], {"eval": ["1"]}), "step 'dua': unknown operator 'eval'"),
    ("options and table together", set_in(["steps", 0, "fields", 1, "table"], "provinsi"),
     "field 'jenis': needs exactly one of 'options', 'table' or 'options_from'"),
    ("unknown table", set_in(["steps", 0, "fields", 0], {"name": "kota", "type": "lookup", "table": "kota-x"}),
     "field 'kota': unknown table 'kota-x'"),
    ("missing required key", set_in(["steps", 0, "fields", 0], {"name": "nama"}),
     "step 'satu': field 'nama': 'type' is a required property"),
    ("bad name pattern", set_in(["steps", 0, "name"], "Satu Langkah"), "'Satu Langkah' does not match"),
    ("unknown property", set_in(["steps", 0, "fields", 0, "lable"], "x"), "field 'nama': Additional properties"),
    ("nested repeat", set_in(["steps", 1, "fields", 0, "fields", 0], {"name": "n", "type": "repeat", "fields": [{"name": "m", "type": "text"}]}),
     "cannot contain another repeat group"),
    ("filter on unknown field", set_in(["steps", 0, "fields", 1], {"name": "kab", "type": "select", "table": "kabupaten-kota", "filter": {"column": "kode_provinsi", "field": "prov"}}),
     "field 'kab': filter names unknown field 'prov'"),
    ("computed without value", set_in(["steps", 0, "fields", 0], {"name": "total", "type": "computed"}), "needs 'value'"),
    ("bad date bound", set_in(["steps", 0, "fields", 0], {"name": "tgl", "type": "date", "max_date": "besok"}), "date bound 'besok'"),
    ("derived with unknown var", set_in(["derived"], [{"name": "skor", "expr": {"var": "nilai"}}]),
     "derived 'skor': condition names unknown field 'nilai'"),
    ("id differs from file name", set_in(["title"], "Uji"), None),
]


@pytest.mark.parametrize("label, mutate, expected", [c for c in CASES if c[2]], ids=[c[0] for c in CASES if c[2]])
def test_schema_errors_point_at_the_offender(tmp_path, label, mutate, expected):
    problems = problems_of(tmp_path, mutate)
    assert any(expected in problem for problem in problems), problems


def test_every_problem_is_reported_at_once(tmp_path):
    def many(form):
        form["steps"][0]["fields"][0]["type"] = "areaa"
        form["steps"][1]["visible_if"] = {"var": "tidak_ada"}
        form["steps"][1]["fields"][0]["name"] = "jenis"
    problems = problems_of(tmp_path, many)
    assert len(problems) == 3, problems


def test_broken_json_and_wrong_id_are_reported_with_the_file(tmp_path):
    other = dict(copy.deepcopy(MINIMAL), id="lain")
    root = schema_dir(tmp_path, raw='{"id": "rusak", ')
    (root / "forms" / "salah-nama.json").write_text(json.dumps(other))
    with pytest.raises(SchemaError) as caught:
        load_schemas(root)
    text = "\n".join(caught.value.problems)
    assert "schemas/forms/rusak.json: invalid JSON at line 1" in text
    assert "schemas/forms/salah-nama.json: id 'lain' does not match the file name" in text


def test_bad_table_definition_is_reported(tmp_path):
    root = schema_dir(tmp_path, MINIMAL)
    (root / "tables" / "hilang.json").write_text(json.dumps({"id": "hilang", "key": "k", "label": "l", "source": "reference/tidak-ada.csv"}))
    with pytest.raises(SchemaError) as caught:
        load_schemas(root)
    assert caught.value.problems == ["schemas/tables/hilang.json: source file 'reference/tidak-ada.csv' not found"]


def test_app_refuses_to_start_on_a_broken_schema(tmp_path, make_app):
    form = copy.deepcopy(MINIMAL)
    form["steps"][0]["fields"][0]["type"] = "areaa"
    with pytest.raises(SchemaError) as caught:
        make_app(SCHEMAS_DIR=str(schema_dir(tmp_path, form)))
    assert "unknown type 'areaa'" in str(caught.value)


def project_copy(tmp_path: Path, file: str, change) -> Path:
    """A copy of the project's schemas with one JSON file (relative to schemas/) changed in place."""
    root = tmp_path / "schemas"
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns("reference"))
    (root / "reference").symlink_to(ROOT / "reference")
    raw = json.loads((root / file).read_text())
    change(raw)
    (root / file).write_text(json.dumps(raw))
    return root


def start_up_problems(make_app, root: Path) -> str:
    with pytest.raises(SchemaError) as caught:
        make_app(SCHEMAS_DIR=str(root))
    return str(caught.value)


def test_a_form_naming_an_unknown_handler_is_refused_at_start_up(tmp_path, make_app):
    root = project_copy(tmp_path, "forms/pendaftaran.json", lambda form: form["submit"].update(handler="no_such_handler"))
    assert "schemas/forms/pendaftaran.json: submit.handler names unknown handler 'no_such_handler'" in \
        start_up_problems(make_app, root)


def test_a_form_issuing_a_kind_without_a_workflow_is_refused_at_start_up(tmp_path, make_app):
    def add_kind(form):
        kinds = form["submit"]["issue"]["per_row"]["kinds"]
        kinds["tanpa_alur"] = dict(kinds["izin"])
    root = project_copy(tmp_path, "forms/permohonan-baru.json", add_kind)
    assert "schemas/forms/permohonan-baru.json: submit.issue.per_row.kinds.tanpa_alur names no workflow" in \
        start_up_problems(make_app, root)


def test_a_form_field_naming_an_unknown_table_is_refused_at_start_up(tmp_path, make_app):
    root = project_copy(tmp_path, "forms/demo.json",
                        lambda form: form["steps"][0]["fields"].append({"name": "kota_x", "type": "lookup", "table": "kota-x"}))
    problems = start_up_problems(make_app, root)
    assert "schemas/forms/demo.json: step " in problems and "field 'kota_x': unknown table 'kota-x'" in problems


@pytest.mark.parametrize("key", ["key_table", "requirements.table"])
def test_a_workflow_naming_an_unknown_table_is_refused_at_start_up(tmp_path, make_app, key):
    def name_table(flow):
        (flow["requirements"] if key == "requirements.table" else flow)[key.split(".")[-1]] = "tidak-ada"
    root = project_copy(tmp_path, "workflows/izin.json", name_table)
    assert f"schemas/workflows/izin.json: {key} names unknown table 'tidak-ada'" in start_up_problems(make_app, root)


def test_printout_settings_naming_an_unknown_table_are_refused_at_start_up(tmp_path, make_app):
    folder = tmp_path / "printouts"
    shutil.copytree(ROOT.parent / "printouts", folder)
    settings = json.loads((folder / "settings.json").read_text())
    settings["key"]["table"] = "tidak-ada"
    (folder / "settings.json").write_text(json.dumps(settings))
    with pytest.raises(SchemaError) as caught:
        make_app(PRINTOUTS_DIR=str(folder))
    assert "settings.json: key.table names unknown table 'tidak-ada'" in str(caught.value)


def test_key_columns_take_the_short_title_of_the_key_table_in_the_page_language(tmp_path, make_app):
    from forms.catalog.runtime import key_heading
    root = project_copy(tmp_path, "tables/kbli.json",
                        lambda table: table.update(short_title={"id": "Kode usaha", "en": "Business code"}))
    with make_app(SCHEMAS_DIR=str(root)).app_context():
        assert (key_heading("id"), key_heading("en")) == ("Kode usaha", "Business code")
