"""Every field type with valid and invalid input: the stored value, or the Indonesian message."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from forms.engine.fields import REGISTRY, Invalid, ParseContext, sniff_kind
from forms.engine.schema import build_field, load_schemas
from tests.helpers import PDF, image_bytes

ROOT = Path(__file__).resolve().parent.parent
TABLES = load_schemas(ROOT / "schemas").tables
TODAY = date(2026, 11, 25)


def parse(definition: dict, raw, data=None, saved=None):
    field = build_field({"name": "x", **definition})
    save = (lambda content, name, mime: saved.append((content, name, mime)) or {"id": "f1", "name": name}) \
        if saved is not None else None
    ctx = ParseContext(tables=TABLES, data=data or {}, save_file=save, upload_max_bytes=1024, today=TODAY)
    return field.kind.parse(field, raw, ctx)


VALID = [
    ({"type": "text"}, "  Siti  ", "Siti"),
    ({"type": "text", "pattern": "[A-Z]{2}\\d+"}, "AB12", "AB12"),
    ({"type": "text", "transform": "lower"}, "Siti.Aminah", "siti.aminah"),
    ({"type": "textarea"}, "baris 1\nbaris 2", "baris 1\nbaris 2"),
    ({"type": "number"}, "1.250", 1250),
    ({"type": "number", "decimals": 1}, "12,5", 12.5),
    ({"type": "number", "min": 0, "max": 10}, "10", 10),
    ({"type": "money"}, "Rp1.250.000", 1250000),
    ({"type": "money"}, "1250000", 1250000),
    ({"type": "money"}, "Rp 1.250.000,00", 1250000),
    ({"type": "date"}, "2020-02-29", "2020-02-29"),
    ({"type": "date"}, "05/01/1990", "1990-01-05"),
    ({"type": "date", "max_date": "today"}, "2026-11-25", "2026-11-25"),
    ({"type": "email"}, "Siti@Contoh.ID", "Siti@contoh.id"),
    ({"type": "phone"}, "0812-3456-7890", "+6281234567890"),
    ({"type": "phone"}, "+62 812 3456 789", "+628123456789"),
    ({"type": "phone"}, "6285712345678", "+6285712345678"),
    ({"type": "nik", "table": "wilayah-nik"}, "3201014501900001", "3201014501900001"),
    ({"type": "nik", "table": "wilayah-nik"}, "9101010101900001", "9101010101900001"),  # historical code
    ({"type": "nik"}, "3201 0105 0190 0001", "3201010501900001"),
    ({"type": "npwp"}, "3201014501900001", "3201014501900001"),
    ({"type": "npwp"}, "01.234.567.8-901.000", "012345678901000"),
    ({"type": "select", "options": [{"value": "a", "label": "A"}]}, "a", "a"),
    ({"type": "select", "table": "provinsi"}, "32", "32"),
    ({"type": "radio", "table": "jenis-kelamin"}, "P", "P"),
    ({"type": "checkboxes", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}, ["b", "a"], ["a", "b"]),
    ({"type": "lookup", "table": "kbli"}, "10710", "10710"),
    ({"type": "lookup", "table": "kbli"}, "10710 — Industri Produk Roti", "10710"),
    ({"type": "declaration"}, "1", True),
    ({"type": "password"}, "Rahasia#2026", "$argon2id$"),
]


@pytest.mark.parametrize("definition, raw, expected", VALID, ids=[f"{d['type']}-{i}" for i, (d, _r, _e) in enumerate(VALID)])
def test_valid_input_is_normalised(definition, raw, expected):
    value = parse(definition, raw)
    if definition["type"] == "password":  # only a hash is kept, never the password
        from forms.identity.passwords import verify_password
        assert value.startswith(expected) and verify_password(value, raw)
    else:
        assert value == expected


INVALID = [
    ({"type": "text", "max_length": 3}, "Siti", "Paling banyak 3 karakter"),
    ({"type": "text", "pattern": "\\d+", "pattern_message": "Hanya angka."}, "12a", "Hanya angka."),
    ({"type": "textarea"}, "x" * 4001, "Paling banyak 4000"),
    ({"type": "number"}, "1,5", "bilangan bulat"),
    ({"type": "number"}, "abc", "bilangan bulat"),
    ({"type": "number", "min": 1}, "0", "Paling kecil 1"),
    ({"type": "number", "max": 10}, "11", "Paling besar 10"),
    ({"type": "money"}, "1,5 juta", "Rupiah"),
    ({"type": "money"}, "-5000", "Rupiah"),
    ({"type": "money", "max": 1000}, "Rp1.001", "Paling besar Rp1.000"),
    ({"type": "date"}, "2021-02-29", "Tanggal tidak valid"),
    ({"type": "date"}, "besok", "Tanggal tidak valid"),
    ({"type": "date", "max_date": "today"}, "2026-11-26", "paling akhir 25 November 2026"),
    ({"type": "date", "min_date": "1900-01-01"}, "1899-12-31", "paling awal 1 Januari 1900"),
    ({"type": "email"}, "siti@", "e-mail tidak valid"),
    ({"type": "email"}, "siti contoh.id", "e-mail tidak valid"),
    ({"type": "phone"}, "021-555-1234", "Nomor HP Indonesia tidak valid"),
    ({"type": "phone"}, "0812", "Nomor HP Indonesia tidak valid"),
    ({"type": "nik", "table": "wilayah-nik"}, "320101450190000", "16 digit"),
    ({"type": "nik", "table": "wilayah-nik"}, "9999994501900001", "tidak dikenal"),
    ({"type": "nik", "table": "wilayah-nik"}, "3201013201900001", "bukan tanggal"),  # day 32
    ({"type": "nik", "table": "wilayah-nik"}, "3201017201900001", "bukan tanggal"),  # day 72 (32 + 40)
    ({"type": "nik", "table": "wilayah-nik"}, "3201014513900001", "bukan tanggal"),  # month 13
    ({"type": "nik", "table": "wilayah-nik"}, "3201014501900000", "tidak boleh 0000"),
    ({"type": "npwp"}, "12345", "16 digit"),
    ({"type": "select", "options": [{"value": "a", "label": "A"}]}, "z", "Pilih salah satu"),
    ({"type": "radio", "table": "jenis-kelamin"}, "X", "Pilih salah satu"),
    ({"type": "checkboxes", "options": [{"value": "a", "label": "A"}]}, ["a", "z"], "tidak tersedia"),
    ({"type": "checkboxes", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}], "max_items": 1},
     ["a", "b"], "paling banyak 1"),
    ({"type": "lookup", "table": "kbli"}, "99999", "Kode tidak ditemukan"),
    ({"type": "lookup", "table": "kbli"}, "1071", "Kode tidak ditemukan"),  # a 4-digit level, not a kelompok
    ({"type": "declaration"}, "0", "Centang pernyataan"),
    ({"type": "password"}, "pendek", "paling sedikit 8 karakter"),
    ({"type": "password"}, "semuakecil1!", "huruf besar"),
    ({"type": "password"}, "TanpaAngka!", "angka"),
    ({"type": "password"}, "TanpaSimbol1", "simbol"),
]


@pytest.mark.parametrize("definition, raw, message", INVALID, ids=[f"{d['type']}-{i}" for i, (d, _r, _m) in enumerate(INVALID)])
def test_invalid_input_gets_an_indonesian_message(definition, raw, message):
    with pytest.raises(Invalid) as caught:
        parse(definition, raw)
    assert message in str(caught.value)


def test_cascading_select_only_offers_children_of_the_parent_answer():
    definition = {"type": "select", "table": "kabupaten-kota", "filter": {"column": "kode_provinsi", "field": "prov"}}
    assert parse(definition, "32.01", data={"prov": "32"}) == "32.01"
    with pytest.raises(Invalid):
        parse(definition, "11.01", data={"prov": "32"})


PNG = image_bytes("png")
JPG = image_bytes("jpg")


def upload(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


@pytest.mark.parametrize("content, name, kind", [(PDF, "a.pdf", "pdf"), (PNG, "foto.PNG", "png"), (JPG, "x.jpeg", "jpg")])
def test_file_is_accepted_by_content_and_stored(content, name, kind):
    saved = []
    value = parse({"type": "file"}, upload(content, name), saved=saved)
    assert saved[0][1] == name.rsplit(".", 1)[0] + "." + kind
    if kind == "pdf":
        assert saved[0][0] == content  # a PDF is stored as sent; an image as decoded and written again
    else:
        assert Image.open(io.BytesIO(saved[0][0])).size == Image.open(io.BytesIO(content)).size
    assert value["name"].endswith("." + kind)


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00" + b"\0" * 50, "surat.pdf", "dicek dari isinya"),  # an executable renamed
    (b"<html><script>alert(1)</script>", "ktp.pdf", "dicek dari isinya"),  # HTML disguised as PDF
    (PDF + b"\0" * 1024, "besar.pdf", "lebih dari 1 KB"),  # over the 1 KB test limit
    (b"", "kosong.pdf", "kosong"),
    (PNG, "foto.png", "PDF"),  # PNG where only PDF is accepted
])
def test_bad_upload_is_refused_and_nothing_stored(content, name, message):
    saved = []
    definition = {"type": "file", "accept": ["pdf"]} if name == "foto.png" else {"type": "file"}
    with pytest.raises(Invalid) as caught:
        parse(definition, upload(content, name), saved=saved)
    assert message in str(caught.value)
    assert saved == []


def test_path_like_upload_names_are_reduced_to_a_plain_name():
    saved = []
    parse({"type": "file"}, upload(PDF, "../../etc/passwd\x00.pdf"), saved=saved)
    assert saved[0][1] == "passwd.pdf"


def test_password_confirmation_must_match():
    field = build_field({"name": "x", "type": "password", "confirm": True})
    ctx = ParseContext(tables=TABLES, data={}, raw_confirm="Rahasia#2027")
    with pytest.raises(Invalid, match="tidak sama"):
        field.kind.parse(field, "Rahasia#2026", ctx)


def test_sniffing_ignores_the_name():
    assert sniff_kind(PDF) == "pdf" and sniff_kind(b"GIF89a") is None


DISPLAY = [
    ({"type": "money"}, 1250000, "Rp1.250.000"),
    ({"type": "number", "decimals": 1}, 12.5, "12,5"),
    ({"type": "date"}, "1990-01-05", "5 Januari 1990"),
    ({"type": "phone"}, "+6281234567890", "+62 812-3456-7890"),
    ({"type": "npwp"}, "012345678901000", "01.234.567.8-901.000"),
    ({"type": "radio", "table": "jenis-kelamin"}, "P", "Perempuan"),
    ({"type": "lookup", "table": "kbli"}, "10710", "10710 — Industri Produk Roti Dan Kue"),
    ({"type": "computed", "value": 1, "format": "money"}, 5000, "Rp5.000"),
]


@pytest.mark.parametrize("definition, value, shown", DISPLAY)
def test_values_are_displayed_the_indonesian_way(definition, value, shown):
    field = build_field({"name": "x", **definition})
    assert field.kind.display(field, value, TABLES) == shown


def test_every_registered_type_is_covered_by_these_tables():
    # file, repeat, readonly, display: tests above and test_wizard.py; otp: test_registration.py;
    # summary: test_permohonan.py
    covered = {d["type"] for d, *_rest in VALID + INVALID + DISPLAY} | {
        "file", "repeat", "readonly", "display", "otp", "summary"}
    assert set(REGISTRY) <= covered


# What the rest of the app asks of each type instead of testing its name: one row per registered type.
FACTS = ("is_group", "is_upload", "has_options", "multi", "is_secret", "sends_code", "shows_answers", "shows_label",
         "shows_text", "takes_boolean", "displays_alone", "keeps_previous")
TRAITS = {
    "text": set(), "textarea": set(), "email": set(), "phone": set(), "nik": set(), "npwp": set(), "number": set(),
    "money": {"displays_alone"}, "date": {"displays_alone"},
    "select": {"has_options"}, "radio": {"has_options"}, "checkboxes": {"has_options", "multi"},
    "lookup": {"shows_label"}, "declaration": {"takes_boolean"},
    "file": {"is_upload", "keeps_previous"}, "repeat": {"is_group"},
    "password": {"is_secret", "keeps_previous"}, "otp": {"sends_code"},
    "readonly": {"filled_by_server"}, "computed": {"filled_by_server"},
    "summary": {"shows_answers", "filled_by_server", "stores_nothing"},
    "display": {"shows_text", "filled_by_server", "stores_nothing"},
}


def facts_of(kind) -> set[str]:
    return ({name for name in FACTS if getattr(kind, name)} | ({"filled_by_server"} if not kind.input else set())
            | ({"stores_nothing"} if not kind.stored else set()))


def test_every_registered_type_has_a_row_of_facts():
    assert set(TRAITS) == set(REGISTRY)


@pytest.mark.parametrize("name, facts", sorted(TRAITS.items()), ids=sorted(TRAITS))
def test_a_type_answers_what_the_app_asks_of_it(name, facts):
    assert facts_of(REGISTRY[name]) == facts


@pytest.mark.parametrize("name, message", [("text", "Wajib diisi."), ("declaration", "Centang pernyataan")])
def test_an_empty_required_field_gets_its_types_message(name, message):
    assert REGISTRY[name].required_message.startswith(message)
