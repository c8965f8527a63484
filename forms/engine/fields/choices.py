"""Choices: one or several values out of a list (static, a reference table, earlier rows), a lookup, a declaration."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forms.engine.fields.core import ASKED, FieldType, Invalid, field_type
from forms.engine.text import N_, active_language, gettext, tr

if TYPE_CHECKING:
    from forms.engine.schema import Field


class Choice(FieldType):
    """Shared by select and radio: one value out of the field's options."""

    has_options = True
    settings = ASKED + ("default", "options", "table")

    def parse(self, field, raw, ctx):
        value = str(raw)
        if value not in dict(field_options(field, ctx.tables, ctx.data)):
            raise Invalid(gettext("Pilih salah satu pilihan yang tersedia."))
        return value

    def display(self, field, value, tables, lang="id"):
        return option_label(field, value, tables, lang)

    def check(self, field, tables):
        return check_options(field, tables)


@field_type("select")
class Select(Choice):
    widget = "select"


@field_type("radio")
class Radio(Choice):
    widget = "radio"


@field_type("checkboxes")
class Checkboxes(FieldType):
    widget = "checkboxes"
    multi = True
    has_options = True
    settings = ASKED + ("options", "table", "min_items", "max_items")

    def parse(self, field, raw, ctx):
        allowed = dict(field_options(field, ctx.tables, ctx.data))
        values = [str(item) for item in raw]
        if any(value not in allowed for value in values):
            raise Invalid(gettext("Ada pilihan yang tidak tersedia."))
        chosen = [value for value in allowed if value in values]
        if field.min_items and len(chosen) < field.min_items:
            raise Invalid(gettext("Pilih paling sedikit %(limit)s.", limit=field.min_items))
        if field.max_items and len(chosen) > field.max_items:
            raise Invalid(gettext("Pilih paling banyak %(limit)s.", limit=field.max_items))
        return chosen

    def display(self, field, value, tables, lang="id"):
        return ", ".join(option_label(field, item, tables, lang) for item in value or [])

    def check(self, field, tables):
        return check_options(field, tables)


def field_options(field: Field, tables: Any, data: dict | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs of a choice field: static, or from a table filtered by a parent answer."""
    if field.options:
        return [(str(option.value), tr(option.label, active_language())) for option in field.options]
    if field.options_from:
        return rows_as_options(field.options_from, data or {}, tables)
    table = tables.get(field.table)
    if field.filter:
        parent = (data or {}).get(field.filter.field)
        return table.choices(field.filter.column, parent) if parent else []
    return table.choices()


def rows_as_options(source: Any, data: dict, tables: Any) -> list[tuple[str, str]]:
    """Choices made from the rows of an earlier repeat group (e.g. the business codes entered)."""
    from forms.engine.rules import evaluate
    pairs = []
    for row in data.get(source["group"]) or []:
        value = row.get(source["value"]) if isinstance(row, dict) else None
        if value not in (None, ""):
            label = evaluate(source["label"], {**data, **row}, tables.lookup) if source.get("label") else value
            pairs.append((str(value), str(label)))
    return pairs


def option_label(field: Field, value: Any, tables: Any, lang: str = "id") -> str:
    """The label of one chosen value (the value itself if it is no longer an option)."""
    if value is None:
        return ""
    if field.options:
        labels = {str(option.value): tr(option.label, lang) for option in field.options}
        return labels.get(str(value), str(value))
    if field.options_from:
        return str(value)
    return tables.get(field.table).label(str(value)) or str(value)


def check_options(field: Field, tables: Any) -> list[str]:
    """A choice field needs exactly one source: options, a known table, or options_from."""
    if [bool(field.options), bool(field.table), bool(field.options_from)].count(True) != 1:
        return ["needs exactly one of 'options', 'table' or 'options_from'"]
    if field.table and field.table not in tables:
        return [f"unknown table '{field.table}'"]
    return []


@field_type("lookup")
class Lookup(FieldType):
    widget = "lookup"
    shows_label = True
    settings = ASKED + ("placeholder", "default", "table")

    def parse(self, field, raw, ctx):
        key = str(raw).strip().split(" ")[0]
        if not ctx.tables.get(field.table).has(key):
            raise Invalid(gettext("Kode tidak ditemukan; ketik kode atau kata kunci lalu pilih dari daftar."))
        return key

    def display(self, field, value, tables, lang="id"):
        label = tables.get(field.table).label(value) if value else ""
        return f"{value} — {label}" if label else (value or "")

    def check(self, field, tables):
        if not field.table:
            return ["a lookup needs 'table'"]
        return [] if field.table in tables else [f"unknown table '{field.table}'"]


@field_type("declaration")
class Declaration(FieldType):
    widget = "declaration"
    takes_boolean = True
    settings = ("text", "label", "help", "visible_if", "required", "required_if")
    required_message = N_("Centang pernyataan ini untuk melanjutkan.")

    def parse(self, field, raw, ctx):
        if str(raw) not in ("1", "on", "true", "ya"):
            raise Invalid(gettext("Centang pernyataan ini untuk melanjutkan."))
        return True

    def display(self, field, value, tables, lang="id"):
        return gettext("Disetujui") if value else gettext("Belum disetujui")
