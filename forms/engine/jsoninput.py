"""Answers sent as JSON, read by the wizard the way it reads a posted page, so the API validates the same way.

A step's values arrive as an object keyed by field name: text and numbers as JSON scalars, choices
of a checkbox group as a list, a declaration as true, a repeat group as a list of row objects, and
a file as {"filename": …, "content_base64": …}. The shape is checked first against the step's own
field definitions (a list where text is expected, an unknown name, bad base64: a message per
field); the values are then judged by the field types exactly as for the pages. Values of fields
the server fills are ignored, as on the pages.
"""
from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import FileStorage

from forms.engine.schema import Field, Step
from forms.engine.tables import TableSet
from forms.engine.wizard import MAX_ROWS, seed_rows

SCALARS = (str, int, float)
MAX_FILE_CHARS = 64 * 1024 * 1024
UNKNOWN = "Isian ini tidak ada pada langkah ini."
NOT_SCALAR = "Harus berupa teks atau angka."


class JsonInput:
    """The wizard's view of a JSON step: flat input names as the pages post them (group-0-field)."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, FileStorage]):
        self.values, self.files = values, files

    def get(self, name: str) -> Any:
        value = self.values.get(name)
        return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)

    def getlist(self, name: str) -> list:
        value = self.values.get(name)
        return list(value) if isinstance(value, list) else ([] if value is None else [value])

    def file(self, name: str) -> FileStorage | None:
        return self.files.get(name)


def read_step_json(step: Step, values: Any, data: Mapping[str, Any], tables: TableSet) -> tuple[JsonInput, dict]:
    """A step's JSON values as wizard input, and the shape errors by field (empty when the shape is right)."""
    flat: dict[str, Any] = {}
    files: dict[str, FileStorage] = {}
    errors: dict[str, str] = {}
    if not isinstance(values, Mapping):
        return JsonInput({}, {}), {"values": "Harus berupa objek: nama isian \u2192 nilai."}
    fields = {field.name: field for field in step.fields}
    for name, value in values.items():
        field = fields.get(name) or confirmation_of(name, fields)
        if field is None:
            errors[name] = UNKNOWN
        elif field.kind.is_group:
            rows = ordered_rows(field, value, data, tables)
            read_rows(field, name, rows, flat, files, errors)
        elif field.kind.input:
            read_value(field, name, value, flat, files, errors)
    return JsonInput(flat, files), errors


def confirmation_of(name: str, fields: Mapping[str, Field]) -> Field | None:
    """The field a '<name>-ulang' value repeats (a password typed twice), if it asks for that."""
    base = name.removesuffix("-ulang")
    field = fields.get(base) if base != name else None
    return field if field is not None and field.confirm else None


def ordered_rows(field: Field, rows: Any, data: Mapping[str, Any], tables: TableSet) -> Any:
    """Rows of a group seeded from another group, put in the seeds' order when every row names its key."""
    if not field.rows_from or not isinstance(rows, list):
        return rows
    key = field.rows_from["key"]
    if not all(isinstance(row, Mapping) and key in row for row in rows):
        return rows
    by_key = {str(row[key]): row for row in rows}
    return [by_key.get(str(seed[key]), {}) for seed in seed_rows(field, data, tables)]


def read_rows(field: Field, name: str, rows: Any, flat: dict, files: dict, errors: dict) -> None:
    """A repeat group: a list of row objects, each checked against the group's sub-fields."""
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        errors[name] = "Harus berupa daftar baris (objek)."
        return
    if len(rows) > min(field.max_items or MAX_ROWS, MAX_ROWS):
        errors[name] = f"Paling banyak {min(field.max_items or MAX_ROWS, MAX_ROWS)} baris."
        return
    subs = {sub.name: sub for sub in field.fields}
    flat[f"{name}-count"] = str(len(rows))
    for index, row in enumerate(rows):
        for sub_name, value in row.items():
            sub = subs.get(sub_name)
            key = f"{name}-{index}-{sub_name}"
            if sub is None:
                if not (field.rows_from and sub_name == field.rows_from["key"]):
                    errors[f"{name}.{index}.{sub_name}"] = UNKNOWN
            elif sub.kind.input:
                read_value(sub, key, value, flat, files, errors)


def read_value(field: Field, key: str, value: Any, flat: dict, files: dict, errors: dict) -> None:
    """One input value: checked for its JSON shape, then kept as the page would post it."""
    if value is None:
        return
    if field.kind.is_upload:
        stored = read_file(value)
        if isinstance(stored, str):
            errors[public_name(key)] = stored
        elif stored is not None:
            files[key] = stored
    elif field.kind.multi:
        if not isinstance(value, list) or not all(isinstance(item, SCALARS) and not isinstance(item, bool)
                                                  for item in value):
            errors[public_name(key)] = "Harus berupa daftar pilihan."
        else:
            flat[key] = [as_text(item) for item in value]
    elif isinstance(value, bool):
        if field.kind.takes_boolean:
            flat[key] = "1" if value else ""
        else:
            errors[public_name(key)] = NOT_SCALAR
    elif isinstance(value, SCALARS):
        flat[key] = as_text(value)
    else:
        errors[public_name(key)] = NOT_SCALAR


def as_text(value: Any) -> str:
    """A JSON scalar as a page would post it (a whole float without its '.0')."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def read_file(value: Any) -> FileStorage | str | None:
    """A file sent as {"filename", "content_base64"}; a stored file reference keeps the stored file (None)."""
    if isinstance(value, Mapping) and {"id", "sha256"} <= value.keys():
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("content_base64"), str):
        return "Kirim berkas sebagai objek {\"filename\": \u2026, \"content_base64\": \u2026}."
    text = value["content_base64"]
    if len(text) > MAX_FILE_CHARS:
        return "Berkas terlalu besar."
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "Isi berkas bukan base64 yang sah."
    name = value.get("filename")
    return FileStorage(stream=io.BytesIO(data), filename=name if isinstance(name, str) and name else "berkas")


def public_name(key: str) -> str:
    """An input name as the API reports it: 'detail-0-modal' becomes 'detail.0.modal'."""
    parts = key.split("-", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return f"{parts[0]}.{parts[1]}.{parts[2]}"
    return key
