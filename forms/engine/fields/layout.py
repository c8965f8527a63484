"""Types that are not one question: repeat groups, values the server fills, summaries of earlier steps, text to read."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forms.engine.fields.core import REGISTRY, SHOWN, FieldType, field_type
from forms.engine.text import gettext, tr

if TYPE_CHECKING:
    from forms.engine.schema import Field


@field_type("repeat")
class Repeat(FieldType):
    """A list of sub-records; the wizard parses each row with the sub-fields' own types."""

    widget = "repeat"
    is_group = True
    settings = SHOWN + ("required", "item_label", "min_items", "max_items")

    def check(self, field, tables):
        if not field.fields:
            return ["a repeat group needs 'fields'"]
        return []

    def display(self, field, value, tables, lang="id"):
        return f"{len(value or [])} " + (tr(field.item_label, lang) or gettext("baris"))


@field_type("readonly")
class ReadOnly(FieldType):
    """A value filled by the server (from the account or earlier answers); a posted value is ignored."""

    widget = "readonly"
    input = False
    settings = SHOWN + ("value", "format", "width")

    def display(self, field, value, tables, lang="id"):
        return display_as(field, value, tables, lang)

    def check(self, field, tables):
        return [] if field.value is not None else ["needs 'value' (a rule giving the prefilled value)"]


@field_type("computed")
class Computed(ReadOnly):
    """A derived value (a total, a class from a table), recomputed on every save; `options` label its codes."""

    widget = "computed"
    settings = ReadOnly.settings + ("options",)

    def display(self, field, value, tables, lang="id"):
        if field.options and value is not None:
            return next((tr(option.label, lang) for option in field.options if str(option.value) == str(value)),
                        str(value))
        return display_as(field, value, tables, lang)


def display_as(field: Field, value: Any, tables: Any, lang: str) -> str:
    """Display a server-filled value with the formatter of the (input) type named in `format`."""
    kind = REGISTRY.get(field.format or "")
    if kind is not None and kind.input:
        return kind.display(field, value, tables, lang)
    if isinstance(value, bool):  # a yes/no from a rule or a table, never Python's True/False
        return gettext("Ya") if value else gettext("Tidak")
    return "" if value is None else str(value)


@field_type("summary")
class Summary(FieldType):
    """The answers of earlier steps shown again for checking (e.g. the product list); stores nothing."""

    widget = "summary"
    stored = False
    input = False
    shows_answers = True
    settings = SHOWN + ("steps",)

    def check(self, field, tables):
        return [] if field.steps else ["needs 'steps'"]


@field_type("display")
class Display(FieldType):
    """Text shown to the applicant; stores nothing."""

    widget = "display"
    stored = False
    input = False
    shows_text = True
    settings = ("text", "label", "visible_if")

    def check(self, field, tables):
        return [] if field.text or field.label else ["needs 'text'"]
