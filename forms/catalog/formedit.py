"""Everyday edits of a form definition, as pure functions on its JSON: steps and fields added, removed,
moved, relabelled; options, required, conditions. Each returns a new definition; the schema store
checks the result exactly as start-up does before anything is saved.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from forms.engine.fields import REGISTRY
from forms.engine.jsontext import JsonRefused, parse_json

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_RULE_BYTES = 64 * 1024  # a condition typed in the form editor


class EditError(ValueError):
    """An edit that cannot even be applied (unknown step, bad JSON); `where` names the offender."""

    def __init__(self, message: str, where: str = ""):
        self.where = where
        super().__init__(message)


def text_value(current: Any, text: str) -> Any:
    """A label in the definition's shape: a plain string, or the Indonesian entry of a translated text."""
    text = text.strip()
    if isinstance(current, dict):
        return {**current, "id": text} if text else None
    return text or None


def set_text(target: dict, key: str, text: str) -> None:
    """Set or remove a text property."""
    value = text_value(target.get(key), text)
    if value in (None, "", {}):
        target.pop(key, None)
    else:
        target[key] = value


def set_or_drop(target: dict, key: str, value: Any) -> None:
    """Set a property, or remove it when the value is None."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


def set_rule(target: dict, rule: Any) -> None:
    """Set or remove a step's or field's condition."""
    set_or_drop(target, "visible_if", rule)


def parse_rule(text: str, where: str) -> Any:
    """A condition typed as JSON (JSON-logic); empty means none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_json(text, MAX_RULE_BYTES)
    except JsonRefused as error:
        raise EditError(f"Kondisi bukan JSON yang sah: {error}", where) from error


def parse_options(text: str, where: str) -> list[dict[str, Any]]:
    """Options typed one per line as 'value | label'."""
    options = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        value, bar, shown = line.partition("|")
        if not value.strip():
            raise EditError(f"Pilihan baris {number}: nilai kosong (tulis 'nilai | label').", where)
        options.append({"value": value.strip(), "label": (shown if bar else value).strip()})
    return options


def options_text(options: list[Mapping[str, Any]], lang: str = "id") -> str:
    """Options as the editor shows them."""
    def shown(label: Any) -> str:
        return label.get(lang) or next(iter(label.values()), "") if isinstance(label, dict) else str(label)
    return "\n".join(f"{o['value']} | {shown(o['label'])}" for o in options)


def find_step(form: dict, name: str) -> tuple[int, dict]:
    """A step by name."""
    for index, step in enumerate(form["steps"]):
        if step.get("name") == name:
            return index, step
    raise EditError(f"Langkah '{name}' tidak ada.", f"step '{name}'")


def find_field(step: dict, name: str) -> tuple[int, dict]:
    """A top-level field of a step by name."""
    for index, field in enumerate(step["fields"]):
        if field.get("name") == name:
            return index, field
    raise EditError(f"Isian '{name}' tidak ada di langkah '{step['name']}'.", f"step '{step['name']}': field '{name}'")


def moved(items: list, index: int, direction: str) -> list:
    """A list with one item moved up or down by one place."""
    target = index - 1 if direction == "naik" else index + 1
    if not 0 <= target < len(items):
        return items
    items = list(items)
    items[index], items[target] = items[target], items[index]
    return items


def checked_name(name: str, what: str) -> str:
    """A new step or field name: lower-case letters, digits and underscores."""
    name = (name or "").strip()
    if not NAME.match(name):
        raise EditError(f"Nama {what} '{name}' tidak sah: pakai huruf kecil, angka dan garis bawah, diawali huruf.",
                        f"new {what}")
    return name


def add_step(form: dict, values: Mapping[str, str]) -> None:
    name = checked_name(values.get("name", ""), "langkah")
    step = {"name": name, "title": values.get("title", "").strip() or name, "fields": []}
    after = values.get("after")
    index = find_step(form, after)[0] + 1 if after else len(form["steps"])
    form["steps"].insert(index, step)


def remove_step(form: dict, values: Mapping[str, str]) -> None:
    index, _step = find_step(form, values.get("step", ""))
    del form["steps"][index]


def move_step(form: dict, values: Mapping[str, str]) -> None:
    index, _step = find_step(form, values.get("step", ""))
    form["steps"] = moved(form["steps"], index, values.get("direction", ""))


def step_props(form: dict, values: Mapping[str, str]) -> None:
    _index, step = find_step(form, values.get("step", ""))
    where = f"step '{step['name']}'"
    if values.get("title", "").strip():
        set_text(step, "title", values["title"])
    set_text(step, "help", values.get("help", ""))
    set_rule(step, parse_rule(values.get("visible_if", ""), where))


def add_field(form: dict, values: Mapping[str, str]) -> None:
    _index, step = find_step(form, values.get("step", ""))
    name = checked_name(values.get("name", ""), "isian")
    field = {"name": name, "type": (values.get("type") or "text").strip()}
    label = values.get("label", "").strip()
    kind = REGISTRY.get(field["type"])
    if kind is None or not kind.shows_text:
        field["label"] = label or name
    elif label:
        field["text"] = label
    if values.get("required"):
        field["required"] = True
    step["fields"].append(field)


def remove_field(form: dict, values: Mapping[str, str]) -> None:
    _index, step = find_step(form, values.get("step", ""))
    index, _field = find_field(step, values.get("field", ""))
    del step["fields"][index]


def move_field(form: dict, values: Mapping[str, str]) -> None:
    _index, step = find_step(form, values.get("step", ""))
    index, _field = find_field(step, values.get("field", ""))
    step["fields"] = moved(step["fields"], index, values.get("direction", ""))


def field_props(form: dict, values: Mapping[str, str]) -> None:
    _index, step = find_step(form, values.get("step", ""))
    _index, field = find_field(step, values.get("field", ""))
    where = f"step '{step['name']}': field '{field['name']}'"
    if "label" in values:
        set_text(field, "label", values["label"])
    if "help" in values:
        set_text(field, "help", values["help"])
    if values.get("required"):
        field["required"] = True
    else:
        field.pop("required", None)
    if "options" in values and ("options" in field or values["options"].strip()):
        set_or_drop(field, "options", parse_options(values["options"], where) or None)
    set_rule(field, parse_rule(values.get("visible_if", ""), where))


OPERATIONS: dict[str, Callable[[dict, Mapping[str, str]], None]] = {
    "tambah_langkah": add_step, "hapus_langkah": remove_step, "pindah_langkah": move_step,
    "ubah_langkah": step_props, "tambah_isian": add_field, "hapus_isian": remove_field,
    "pindah_isian": move_field, "ubah_isian": field_props,
}


def apply_edit(form: Mapping[str, Any], operation: str, values: Mapping[str, str]) -> dict:
    """The definition after one editor operation (the input is not changed)."""
    edit = OPERATIONS.get(operation)
    if edit is None:
        raise EditError(f"Perubahan '{operation}' tidak dikenal.")
    result = copy.deepcopy(dict(form))
    if not isinstance(result.get("steps"), list):
        raise EditError("Definisi ini tidak punya daftar langkah; pakai penyunting JSON.")
    edit(result, values)
    return result


def problems_at(problems: list[str], step: str, field: str | None = None) -> list[str]:
    """The problems that name one step (or one field of it), for showing beside it."""
    marker = f"step '{step}'" + (f": field '{field}'" if field else "")
    found = [p for p in problems if marker in p]
    if field is None:
        found = [p for p in found if f"{marker}: field '" not in p]
    return found
