"""The condition language, and the pure wizard decisions built on it."""
from __future__ import annotations

from pathlib import Path

import pytest

from forms.engine.rules import check_rule, evaluate, referenced_vars
from forms.engine.schema import build_form, load_schemas
from forms.engine.wizard import Services, apply_step, can_open, completed_steps

TABLES = load_schemas(Path(__file__).resolve().parent.parent / "schemas").tables

DATA = {"a": 5, "b": "x", "list": [{"n": 2}, {"n": 3}], "kosong": "", "derived": {"skala": "Mikro"}}


@pytest.mark.parametrize("rule, expected", [
    ({"==": [{"var": "a"}, 5]}, True),
    ({"!=": [{"var": "b"}, "x"]}, False),
    ({"and": [{">": [{"var": "a"}, 1]}, {"<": [{"var": "a"}, 10]}]}, True),
    ({"or": [{"var": "kosong"}, "cadangan"]}, "cadangan"),
    ({"!": {"var": "kosong"}}, True),
    ({"in": [{"var": "b"}, ["x", "y"]]}, True),
    ({"if": [{">": [{"var": "a"}, 10]}, "besar", {">": [{"var": "a"}, 3]}, "sedang", "kecil"]}, "sedang"),
    ({"+": [{"var": "a"}, {"var": "tidak_ada"}, "2"]}, 7),
    ({"-": [{"var": "a"}, 2]}, 3),
    ({"*": [{"var": "a"}, 2]}, 10),
    ({"/": [{"var": "a"}, 0]}, None),
    ({"sum": [{"map": [{"var": "list"}, {"var": "n"}]}]}, 5),
    ({"count": [{"filter": [{"var": "list"}, {">": [{"var": "n"}, 2]}]}]}, 1),
    ({"some": [{"var": "list"}, {"==": [{"var": "n"}, 3]}]}, True),
    ({"var": "derived.skala"}, "Mikro"),
    ({"var": ["tidak_ada", "bawaan"]}, "bawaan"),
    ({"<": [{"var": "tidak_ada"}, 5]}, False),
    ({"<": ["a", 5]}, False),
    ({"cat": ["A", 1, None]}, "A1"),
    ({"phrase": ["RT ", "003"]}, "RT 003"),
    ({"phrase": ["RT ", None]}, ""),
    ({"phrase": ["RT ", {"var": "tidak_ada"}]}, ""),
    ({"join": [", ", "Jl. Mawar", None, "", {"phrase": ["RT ", None]}, "Bangkinang"]}, "Jl. Mawar, Bangkinang"),
    ({"join": [", ", None, ""]}, ""),
    ({"lookup": ["kbli", "10710", "kategori"]}, "C"),
    ({"lookup": ["kbli", "00000", "kategori"]}, None),
    ({"substr": ["3201014501900001", 6, 2]}, "45"),
])
def test_rules_evaluate(rule, expected):
    assert evaluate(rule, DATA, TABLES.lookup) == expected


def test_rules_are_checked_for_unknown_operators_and_variables():
    problems = check_rule({"and": [{"exec": ["x"]}, {"var": "siapa"}, {"var": "account.nik"},
                                   {"map": [{"var": "list"}, {"var": "inner_only"}]}]}, {"list", "account"}, "di sini")
    assert problems == ["di sini: unknown operator 'exec'", "di sini: condition names unknown field 'siapa'"]
    assert referenced_vars({"and": [{"var": "a.b"}, {"map": [{"var": "c"}, {"var": "d"}]}]}) == {"a", "c"}


FORM = build_form({
    "id": "uji", "version": 1, "title": "Uji",
    "steps": [
        {"name": "satu", "title": "Satu", "fields": [
            {"name": "jenis", "type": "radio", "required": True, "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            {"name": "catatan", "type": "text", "visible_if": {"==": [{"var": "jenis"}, "a"]}}]},
        {"name": "khusus_a", "title": "Khusus A", "visible_if": {"==": [{"var": "jenis"}, "a"]}, "fields": [
            {"name": "detail", "type": "text", "required": True}]},
        {"name": "akhir", "title": "Akhir", "fields": [
            {"name": "setuju", "type": "declaration", "required": True}]},
    ],
})
SERVICES = Services(tables=TABLES)


def test_hiding_a_step_clears_its_answers_and_its_completion():
    answers = {"satu": {"jenis": "a", "catatan": "c"}, "khusus_a": {"detail": "d"}, "akhir": {"setuju": True}}
    applied = apply_step(FORM, answers, ["satu", "khusus_a", "akhir"], FORM.step("satu"), {"jenis": "b"}, SERVICES, True)
    assert applied.answers == {"satu": {"jenis": "b"}, "akhir": {"setuju": True}}
    assert applied.validated == ["akhir", "satu"]
    assert set(applied.cleared) == {"catatan", "detail"}


def test_a_step_becomes_required_when_a_condition_opens_it():
    answers = {"satu": {"jenis": "b"}, "akhir": {"setuju": True}}
    applied = apply_step(FORM, answers, ["satu", "akhir"], FORM.step("satu"), {"jenis": "a"}, SERVICES, True)
    assert completed_steps(FORM, applied.answers, applied.validated, {}, SERVICES) == ["satu", "akhir"]
    assert can_open(FORM, "khusus_a", applied.answers, applied.validated, {}, SERVICES)
    assert not can_open(FORM, "akhir", applied.answers, applied.validated, {}, SERVICES)
