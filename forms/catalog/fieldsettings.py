"""A field's settings as the builder edits them: which inputs a type offers comes from the field-type registry
(`FieldType.settings`); this module knows how each kind of setting is shown, read back and written into the
definition. Keys a type does not offer are left exactly as they were, so nothing is ever dropped.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.catalog import conditions, texts
from forms.engine.fields import REGISTRY
from forms.engine.jsontext import JsonRefused
from forms.engine.jsontext import parse_json as read_json
from forms.engine.text import N_, gettext

LANGUAGES = texts.LANGUAGES


@dataclass(frozen=True)
class Setting:
    """How one setting is edited: its kind of input and its label (translated where shown)."""

    kind: str
    label: str
    choices: tuple[str, ...] = ()
    help: str = ""


SETTINGS: dict[str, Setting] = {
    "label": Setting("text", N_("Label")),
    "text": Setting("longtext", N_("Teks yang dibaca pemohon")),
    "help": Setting("longtext", N_("Teks bantuan")),
    "placeholder": Setting("text", N_("Contoh isian (placeholder)")),
    "pattern_message": Setting("text", N_("Pesan bila pola tidak cocok")),
    "item_label": Setting("text", N_("Sebutan satu baris")),
    "required": Setting("bool", N_("Wajib diisi")),
    "confirm": Setting("bool", N_("Ketik dua kali")),
    "visible_if": Setting("condition", N_("Tampil jika")),
    "required_if": Setting("condition", N_("Wajib jika")),
    "width": Setting("enum", N_("Lebar"), ("full", "half", "third")),
    "transform": Setting("enum", N_("Ubah huruf"), ("", "lower", "upper")),
    "min_length": Setting("int", N_("Panjang minimum (karakter)")),
    "max_length": Setting("int", N_("Panjang maksimum (karakter)")),
    "min_items": Setting("int", N_("Jumlah minimum")),
    "max_items": Setting("int", N_("Jumlah maksimum")),
    "max_bytes": Setting("int", N_("Ukuran berkas maksimum (byte)")),
    "decimals": Setting("int", N_("Angka di belakang koma")),
    "min": Setting("number", N_("Nilai minimum")),
    "max": Setting("number", N_("Nilai maksimum")),
    "pattern": Setting("string", N_("Pola (regular expression)"), help=N_("Mis. ^[0-9]{13}$ untuk 13 angka.")),
    "min_date": Setting("string", N_("Tanggal paling awal"), help=N_("YYYY-MM-DD atau 'today'.")),
    "max_date": Setting("string", N_("Tanggal paling akhir"), help=N_("YYYY-MM-DD atau 'today'.")),
    "accept": Setting("multi", N_("Jenis berkas"), ("pdf", "jpg", "png")),
    "options": Setting("options", N_("Pilihan")),
    "table": Setting("table", N_("Atau pilihan dari tabel referensi")),
    "default": Setting("source", N_("Isi awal diambil dari"), help=N_("Mis. account.email; kosong = tidak ada.")),
    "value": Setting("source", N_("Nilai diambil dari"), help=N_("Mis. account.nik atau nama isian lain.")),
    "target": Setting("source", N_("Kode dikirim ke")),
    "channel": Setting("source", N_("Saluran pengiriman")),
    "format": Setting("format", N_("Ditampilkan sebagai jenis")),
    "steps": Setting("steps", N_("Langkah yang diringkas")),
}


# How the choices of enumerated settings read (translated where shown).
CHOICE_LABELS = {"full": N_("Penuh"), "half": N_("Setengah"), "third": N_("Sepertiga"), "": N_("Tidak diubah"),
                 "lower": N_("huruf kecil"), "upper": N_("HURUF BESAR")}


def settings_of(type_name: str) -> list[tuple[str, Setting]]:
    """The settings a field type offers, in the registry's order (none for an unknown type)."""
    kind = REGISTRY.get(type_name)
    return [(name, SETTINGS[name]) for name in (kind.settings if kind else ())]


def format_choices() -> list[str]:
    """Type names a server-filled value may be shown as."""
    return sorted(name for name, kind in REGISTRY.items() if kind.input and not kind.is_group)


def values_of(field: Mapping[str, Any], step: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the settings inputs show for a stored field (texts by language, rows of options and conditions)."""
    shown: dict[str, Any] = {}
    for name, setting in settings_of(field.get("type", "")):
        if name == "required_if":
            shown[name] = conditions.condition_of(conditions.find_required_if(step or {}, field["name"])[1])
        else:
            shown[name] = stored_value(setting, field.get(name))
    return shown


def stored_value(setting: Setting, value: Any) -> Any:
    """One stored setting as its input shows it."""
    if setting.kind in ("text", "longtext"):
        return texts.by_language(value)
    if setting.kind == "condition":
        return conditions.condition_of(value)
    if setting.kind == "options":
        return [{"value": str(o.get("value", "")), **texts.by_language(o.get("label")), "old": str(o.get("value", ""))}
                for o in value or ()]
    if setting.kind == "source":
        return source_value(value)
    if setting.kind in ("multi", "steps"):
        return list(value or ())
    if setting.kind == "bool":
        return bool(value)
    return "" if value is None else str(value)


def source_value(value: Any) -> dict[str, str]:
    """A prefill or value rule: a plain variable path, or JSON for anything else."""
    if value is None:
        return {"var": "", "json": ""}
    if conditions.is_var(value):
        return {"var": value["var"], "json": ""}
    return {"var": "", "json": json.dumps(value, ensure_ascii=False)}


class SettingsError(ValueError):
    """Settings that cannot be read (not a number, bad JSON); `problems` by setting name, in the admin's words."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def posted_values(type_name: str, posted: Any) -> dict[str, Any]:
    """The settings inputs as posted, in the shape `values_of` gives (to show again what was typed).

    Only the settings the page said it showed (its `settings` list) are read, so a page that leaves one out
    never removes it.
    """
    shown_names = set((posted.get("settings") or "").split(","))
    return {name: posted_value(name, setting, posted) for name, setting in settings_of(type_name)
            if name in shown_names}


def posted_value(name: str, setting: Setting, posted: Any) -> Any:
    """One setting's inputs as posted."""
    key = f"s_{name}"
    if setting.kind in ("text", "longtext"):
        return {lang: posted.get(f"{key}_{lang}", "") for lang in LANGUAGES}
    if setting.kind == "condition":
        return posted_condition(key, posted)
    if setting.kind == "options":
        return posted_options(posted)
    if setting.kind == "source":
        return {"var": posted.get(f"{key}_var", "").strip(), "json": posted.get(f"{key}_json", "")}
    if setting.kind in ("multi", "steps"):
        return posted.getlist(key)
    if setting.kind == "bool":
        return bool(posted.get(key))
    return posted.get(key, "").strip()


def posted_condition(key: str, posted: Any) -> conditions.Condition:
    """Builder rows (blank rows ignored), or the JSON box when the rule was shown as JSON."""
    if posted.get(f"{key}_kind") == "json":
        return conditions.Condition(json=posted.get(f"{key}_json", ""))
    rows = zip(posted.getlist(f"{key}_field"), posted.getlist(f"{key}_op"), posted.getlist(f"{key}_value"))
    kept = tuple((f.strip(), o.strip(), v.strip()) for f, o, v in rows if f.strip())
    return conditions.Condition(mode=posted.get(f"{key}_mode", "all"), rows=kept)


def posted_options(posted: Any) -> list[dict[str, str]]:
    """Option rows in the posted order (or by their order numbers), blank rows left out."""
    columns = [posted.getlist(f"opt_{name}") for name in ("value", *LANGUAGES, "old", "order")]
    rows = []
    for position, (value, *labels, old, order) in enumerate(zip(*columns)):
        if value.strip() or any(label.strip() for label in labels):
            rows.append((order_number(order, position), position, {
                "value": value.strip(), **dict(zip(LANGUAGES, (label.strip() for label in labels))), "old": old}))
    return [row for _order, _position, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def order_number(text: str, position: int) -> float:
    """An option's place: its typed order number, else where it was posted."""
    try:
        return float(text)
    except ValueError:
        return position + 1


def apply_settings(field: dict, step: dict, shown: Mapping[str, Any], lang: str = "id") -> None:
    """Write the settings inputs into a field definition (and its step's checks); SettingsError if unreadable."""
    problems: dict[str, str] = {}
    for name, setting in settings_of(field["type"]):
        if name not in shown:
            continue
        try:
            write_setting(field, step, name, setting, shown[name])
        except ValueError as error:
            problems[name] = f"{gettext(setting.label)}: {error}"
    if problems:
        raise SettingsError(problems)


def write_setting(field: dict, step: dict, name: str, setting: Setting, value: Any) -> None:
    """One setting into the definition."""
    if name == "required_if":
        conditions.set_required_if(step, field["name"], condition_rule(value))
        return
    set_or_drop(field, name, definition_value(setting, value, field.get(name)))


def definition_value(setting: Setting, value: Any, current: Any) -> Any:
    """A setting's value as the definition stores it (None: remove the key)."""
    if setting.kind in ("text", "longtext"):
        return texts.merged(current, value)
    if setting.kind == "condition":
        return condition_rule(value)
    if setting.kind == "options":
        return texts.options_from_rows(value, current) or None
    if setting.kind == "source":
        return source_rule(value)
    if setting.kind in ("multi", "steps"):
        return list(value) or None
    if setting.kind == "bool":
        return True if value else None
    return scalar(setting, value)


def scalar(setting: Setting, text: str) -> Any:
    """A one-line setting: a whole number, a number, a choice or a string (empty removes it)."""
    if text == "":
        return None
    if setting.kind == "int":
        if not text.lstrip("-").isdigit():
            raise ValueError(gettext("'%(text)s' bukan bilangan bulat.", text=text))
        return int(text)
    if setting.kind == "number":
        number = conditions.typed(text)
        if isinstance(number, str):
            raise ValueError(gettext("'%(text)s' bukan angka.", text=text))
        return number
    if setting.kind in ("enum", "table", "format") and setting.choices and text not in setting.choices:
        raise ValueError(gettext("'%(text)s' bukan pilihan yang tersedia.", text=text))
    return text


def condition_rule(condition: conditions.Condition) -> Any:
    """The JSON-logic of builder rows or of the JSON box (empty: no condition)."""
    if not condition.expressible:
        return parse_json(condition.json)
    for field, operator, value in condition.rows:
        if operator not in conditions.OPERATORS:
            raise ValueError(gettext("operator '%(op)s' tidak dikenal.", op=operator))
        if operator not in conditions.UNARY and value == "":
            raise ValueError(gettext("baris kondisi '%(field)s' belum punya nilai.", field=field))
    return conditions.rule_of(condition.mode, list(condition.rows))


def source_rule(value: Mapping[str, str]) -> Any:
    """A prefill/value rule from its variable path or its JSON."""
    if value.get("json", "").strip():
        return parse_json(value["json"])
    return {"var": value["var"]} if value.get("var") else None


MAX_TYPED_JSON = 64 * 1024  # a rule or a prefill typed in the builder


def parse_json(text: str) -> Any:
    """JSON typed by an expert (empty: none), read with the size and depth limits of every JSON the app takes."""
    if not (text or "").strip():
        return None
    try:
        return read_json(text, MAX_TYPED_JSON)
    except JsonRefused as error:
        raise ValueError(gettext("JSON tidak sah: %(problem)s", problem=str(error))) from error


def set_or_drop(target: dict, key: str, value: Any) -> None:
    """Set a property, or remove it when the value is None."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
