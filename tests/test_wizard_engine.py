"""The wizard's decisions on a tiny form (tests/fixtures/forms/pesanan.json), without Flask or a database:
navigation, conditions, repeat groups, validation messages, derived values, pruning."""
from __future__ import annotations

import json

import pytest

from forms.engine.schema import Form, build_schemas
from forms.engine.tables import TableSet
from forms.engine.wizard import (
    Services,
    apply_step,
    navigate,
    validate_step,
    visible_steps,
)
from tests.helpers import FIXTURES, ROOT

SERVICES = Services(tables=TableSet({}))
SHOP = {"nama": "Siti", "jenis": "toko", "nama_toko": "Toko Melati"}
ROWS = {"barang-count": "2", "barang-0-nama_barang": "Gula", "barang-0-banyak": "10",
        "barang-1-nama_barang": "Teh", "barang-1-banyak": "5"}


class Posted:
    """What a request carries for the wizard: values by input name (a list for several), no files."""

    def __init__(self, values: dict):
        self.values = values

    def get(self, name: str):
        """One value of an input."""
        value = self.values.get(name)
        return value[0] if isinstance(value, list) else value

    def getlist(self, name: str) -> list:
        """Every value of an input."""
        value = self.values.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def file(self, name: str):
        """No uploads in these tests."""


@pytest.fixture(scope="module")
def form() -> Form:
    path = FIXTURES / "forms" / "pesanan.json"
    built = build_schemas(ROOT / "schemas", [], [("fixtures/forms/pesanan.json", json.loads(path.read_text()))])
    return built.get("pesanan")


def check(form: Form, step: str, values: dict, answers: dict | None = None):
    """Validate one step as if posted, against earlier answers."""
    return validate_step(form, form.step(step), Posted(values), answers or {}, {}, SERVICES)


def save(form: Form, answers: dict, validated: list[str], step: str, values: dict):
    """Validate and store one step; the outcome of storing it."""
    result = check(form, step, values, answers)
    assert result.ok, result.errors
    return apply_step(form, answers, validated, form.step(step), result.values, SERVICES, complete=True)


def test_a_condition_opens_a_step(form):
    names = [step.name for step in visible_steps(form, {"jenis": "toko"}, SERVICES.tables)]
    assert names == ["pemesan", "izin_toko", "daftar", "akhir"]
    names = [step.name for step in visible_steps(form, {"jenis": "pribadi"}, SERVICES.tables)]
    assert names == ["pemesan", "daftar", "akhir"]


def test_required_fields_get_a_message_each_and_hidden_ones_none(form):
    assert check(form, "pemesan", {}).errors == {"nama": "Wajib diisi.", "jenis": "Wajib diisi."}
    assert check(form, "pemesan", {"nama": "Siti", "jenis": "toko"}).errors == {"nama_toko": "Wajib diisi."}


def test_a_hidden_field_is_not_stored(form):
    result = check(form, "pemesan", {"nama": "Siti", "jenis": "pribadi", "nama_toko": "Toko Palsu"})
    assert result.ok and result.values == {"nama": "Siti", "jenis": "pribadi"}


@pytest.mark.parametrize("values, field, message", [
    ({"nomor_izin": "12a4"}, "nomor_izin", "Empat angka."),
    ({"nomor_izin": ""}, "nomor_izin", "Wajib diisi."),
])
def test_bad_answers_are_refused_with_the_schema_message(form, values, field, message):
    assert check(form, "izin_toko", values, {"pemesan": SHOP}).errors == {field: message}


def test_an_answer_outside_its_options_or_too_long_is_refused(form):
    errors = check(form, "pemesan", {"nama": "x" * 41, "jenis": "grosir"}).errors
    assert set(errors) == {"nama", "jenis"}


def test_rows_are_read_by_index_and_blank_rows_skipped(form):
    values = {**ROWS, "barang-count": "3", "barang-1-nama_barang": "", "barang-1-banyak": "",
              "barang-2-nama_barang": "Kopi", "barang-2-banyak": "7"}
    result = check(form, "daftar", values)
    assert result.ok
    assert result.values["barang"] == [{"nama_barang": "Gula", "banyak": 10}, {"nama_barang": "Kopi", "banyak": 7}]


def test_a_row_error_names_its_input(form):
    errors = check(form, "daftar", {**ROWS, "barang-1-banyak": "0"}).errors
    assert list(errors) == ["barang-1-banyak"]


def test_a_required_group_needs_a_row(form):
    assert check(form, "daftar", {"barang-count": "0"}).errors == {"barang": "Isi paling sedikit satu baris."}


def test_a_forged_row_count_reads_no_more_than_the_group_allows(form):
    values = {"barang-count": "100000"}
    for index in range(5):
        values |= {f"barang-{index}-nama_barang": f"Barang {index}", f"barang-{index}-banyak": "1"}
    result = check(form, "daftar", values)
    assert result.ok and len(result.values["barang"]) == 3


def test_a_cross_field_check_puts_its_message_on_its_field(form):
    values = {**ROWS, "barang-0-banyak": "100", "barang-1-banyak": "60"}
    assert check(form, "daftar", values).errors == {"barang": "Paling banyak 150 barang sekaligus."}


def test_saving_a_step_derives_the_total(form):
    applied = save(form, {"pemesan": SHOP}, ["pemesan"], "daftar", ROWS)
    assert applied.derived == {"jumlah_barang": 15}
    assert applied.validated == ["pemesan", "daftar"]


def test_changing_an_answer_prunes_what_stopped_applying(form):
    answers = {"pemesan": SHOP, "izin_toko": {"nomor_izin": "1234"}}
    applied = save(form, answers, ["pemesan", "izin_toko"], "pemesan", {"nama": "Siti", "jenis": "pribadi"})
    assert applied.answers == {"pemesan": {"nama": "Siti", "jenis": "pribadi"}}
    assert applied.validated == ["pemesan"]
    assert set(applied.cleared) == {"nama_toko", "nomor_izin"}


def test_steps_open_in_order_and_the_progress_shows_where_one_stands(form):
    answers = {"pemesan": SHOP}
    navigation = navigate(form, answers, ["pemesan"], {}, SERVICES)
    assert navigation.first_open().name == "izin_toko"
    assert navigation.can_open("izin_toko") and not navigation.can_open("daftar")
    assert [item["state"] for item in navigation.progress("izin_toko")] == ["selesai", "aktif", "terkunci", "terkunci"]
    before, after = navigation.neighbours("izin_toko")
    assert (before.name, after.name) == ("pemesan", "daftar")


def test_a_step_is_done_only_when_saved_with_every_required_answer(form):
    answers = {"pemesan": {"nama": "Siti", "jenis": "toko"}}
    assert navigate(form, answers, ["pemesan"], {}, SERVICES).done == set()
    assert navigate(form, {"pemesan": SHOP}, [], {}, SERVICES).done == set()


def test_the_whole_form_walked_step_by_step_ends_on_the_review(form):
    answers, validated = {}, []
    for step, values in (("pemesan", SHOP), ("izin_toko", {"nomor_izin": "1234"}), ("daftar", ROWS),
                         ("akhir", {"setuju": "1"})):
        navigation = navigate(form, answers, validated, {}, SERVICES)
        assert navigation.first_open().name == step
        applied = save(form, answers, validated, step, values)
        answers, validated = applied.answers, applied.validated
    navigation = navigate(form, answers, validated, applied.derived, SERVICES)
    assert navigation.first_open() is None
    assert navigation.done == {"pemesan", "izin_toko", "daftar", "akhir"}
