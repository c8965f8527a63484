"""Everyday edits of a form definition, as pure functions on its JSON: steps and fields (and the sub-fields of
repeat groups) added, removed, moved and given their settings. Each returns a new definition; the schema store
checks the result exactly as start-up does before anything is saved.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from forms.catalog import fieldsettings, texts
from forms.catalog.conditions import set_required_if
from forms.catalog.places import EditError, find_field, find_step, place_of
from forms.engine.fields import REGISTRY
from forms.engine.text import gettext

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

# A repeat group needs a sub-field to be valid: a new group starts with this one, renamed or removed later.
STARTER_SUBFIELD = {"name": "uraian", "type": "text", "label": {"id": "Uraian", "en": "Description"}}


def set_text(target: dict, key: str, text: str) -> None:
    """Set or remove the Indonesian text of a property, keeping its other languages."""
    if not text.strip():
        target.pop(key, None)
        return
    current = texts.by_language(target.get(key))
    target[key] = texts.merged(target.get(key), {**current, "id": text})


def moved(items: list, index: int, values: Mapping[str, str]) -> list:
    """A list with one item moved: up or down one place, or to a given position (drag and drop)."""
    direction, to = values.get("direction", ""), values.get("to", "")
    if to.isdigit():
        target = min(int(to), len(items) - 1)
    else:
        target = index - 1 if direction == "naik" else index + 1
    if not 0 <= target < len(items) or target == index:
        return items
    items = list(items)
    items.insert(target, items.pop(index))
    return items


def checked_name(name: str, what: str, where: str) -> str:
    """A new step or field name: lower-case letters, digits and underscores."""
    name = (name or "").strip()
    if not NAME.match(name):
        raise EditError(gettext("Nama %(what)s '%(name)s' tidak sah: pakai huruf kecil, angka dan garis bawah, "
                                "diawali huruf.", what=what, name=name), where)
    return name


def container(form: dict, values: Mapping[str, str]) -> tuple[dict, list, str]:
    """(step, field list, place) that an edit works in: a step's fields or a repeat group's sub-fields."""
    _index, step = find_step(form, values.get("step", ""))
    if not values.get("group"):
        return step, step["fields"], place_of(step)
    _index, group = find_field(step, step["fields"], values["group"])
    if not REGISTRY.get(group.get("type")) or not REGISTRY[group["type"]].is_group:
        raise EditError(gettext("'%(name)s' bukan grup berulang.", name=values["group"]), place_of(step, group))
    return step, group.setdefault("fields", []), place_of(step, group)


def add_step(form: dict, values: Mapping[str, str]) -> None:
    name = checked_name(values.get("name", ""), gettext("langkah"), gettext("Langkah baru"))
    if any(step.get("name") == name for step in form["steps"]):
        raise EditError(gettext("Nama langkah '%(name)s' sudah dipakai.", name=name), gettext("Langkah baru"))
    title = texts.merged(None, {"id": values.get("title_id") or values.get("title") or name,
                                "en": values.get("title_en", "")})
    step = {"name": name, "title": title, "fields": []}
    after = values.get("after")
    index = find_step(form, after)[0] + 1 if after else len(form["steps"])
    form["steps"].insert(index, step)


def remove_step(form: dict, values: Mapping[str, str]) -> None:
    index, _step = find_step(form, values.get("step", ""))
    del form["steps"][index]


def move_step(form: dict, values: Mapping[str, str]) -> None:
    index, _step = find_step(form, values.get("step", ""))
    form["steps"] = moved(form["steps"], index, values)


def step_props(form: dict, values: Any) -> None:
    _index, step = find_step(form, values.get("step", ""))
    try:
        for name in ("title", "help"):
            if f"s_{name}_id" in values:
                merged = texts.merged(step.get(name), posted_text(values, name))
                fieldsettings.set_or_drop(step, name, merged or (step.get(name) if name == "title" else None))
        if "s_visible_if_kind" in values:
            condition = fieldsettings.posted_condition("s_visible_if", values)
            fieldsettings.set_or_drop(step, "visible_if", fieldsettings.condition_rule(condition))
    except ValueError as error:
        raise EditError(str(error), place_of(step)) from error


def posted_text(values: Mapping[str, str], name: str) -> dict[str, str]:
    """A text's inputs by language."""
    return {lang: values.get(f"s_{name}_{lang}", "") for lang in texts.LANGUAGES}


def add_field(form: dict, values: Any) -> None:
    _step, fields, where = container(form, values)
    name = checked_name(values.get("name", ""), gettext("isian"), where)
    taken = field_place(form, name) if not values.get("group") else \
        (where if any(f.get("name") == name for f in fields) else None)
    if taken:
        raise EditError(gettext("Nama isian '%(name)s' sudah dipakai di %(place)s.", name=name, place=taken), where)
    type_name = (values.get("type") or "text").strip()
    if type_name not in REGISTRY:
        raise EditError(gettext("Jenis isian '%(type)s' tidak dikenal.", type=type_name), where)
    field = {"name": name, "type": type_name}
    label = {"id": values.get("label_id") or values.get("label", ""), "en": values.get("label_en", "")}
    try:
        fieldsettings.set_or_drop(field, "text" if REGISTRY[type_name].shows_text else "label",
                                  texts.merged(None, label) or (None if REGISTRY[type_name].shows_text else name))
        if values.get("required") and "required" in REGISTRY[type_name].settings:
            field["required"] = True
        if "options" in REGISTRY[type_name].settings:
            fieldsettings.set_or_drop(field, "options", texts.options_from_rows(
                fieldsettings.posted_options(values), None) or None)
            fieldsettings.set_or_drop(field, "table", values.get("s_table") or None)
    except ValueError as error:
        raise EditError(str(error), where) from error
    if REGISTRY[type_name].is_group:
        field["fields"] = [dict(STARTER_SUBFIELD)]
    fields.append(field)


def field_place(form: dict, name: str) -> str | None:
    """Where a top-level field name is already used in the form, or None."""
    for step in form["steps"]:
        for field in step.get("fields", ()):
            if field.get("name") == name:
                return place_of(step, field)
    return None


def remove_field(form: dict, values: Mapping[str, str]) -> None:
    step, fields, _where = container(form, values)
    index, _field = find_field(step, fields, values.get("field", ""))
    del fields[index]
    if not values.get("group"):
        set_required_if(step, values.get("field", ""), None)


def move_field(form: dict, values: Mapping[str, str]) -> None:
    step, fields, _where = container(form, values)
    index, _field = find_field(step, fields, values.get("field", ""))
    fields[:] = moved(fields, index, values)


def field_props(form: dict, values: Any) -> None:
    step, fields, _where = container(form, values)
    _index, field = find_field(step, fields, values.get("field", ""))
    where = place_of(step, *([find_field(step, step["fields"], values["group"])[1]] if values.get("group") else []),
                     field)
    shown = fieldsettings.posted_values(field["type"], values)
    if values.get("group"):
        shown.pop("required_if", None)
    try:
        fieldsettings.apply_settings(field, step, shown)
    except fieldsettings.SettingsError as error:
        raise EditError(str(error), where, problems=error.problems) from error


OPERATIONS: dict[str, Callable[[dict, Any], None]] = {
    "tambah_langkah": add_step, "hapus_langkah": remove_step, "pindah_langkah": move_step,
    "ubah_langkah": step_props, "tambah_isian": add_field, "hapus_isian": remove_field,
    "pindah_isian": move_field, "ubah_isian": field_props,
}


def apply_edit(form: Mapping[str, Any], operation: str, values: Any) -> dict:
    """The definition after one editor operation (the input is not changed)."""
    edit = OPERATIONS.get(operation)
    if edit is None:
        raise EditError(gettext("Perubahan '%(op)s' tidak dikenal.", op=operation))
    result = copy.deepcopy(dict(form))
    if not isinstance(result.get("steps"), list):
        raise EditError(gettext("Definisi ini tidak punya daftar langkah; pakai penyunting JSON."))
    edit(result, values)
    return result
