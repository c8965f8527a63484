"""The registry core: what every field type is, how one registers, and the facts the rest of the app asks of it.

Code outside this package never tests a type by its name: it asks the type (`field.kind.is_group`,
`field.kind.has_options`…), so a new type is one decorated block plus one row in the tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from forms.engine.text import N_

if TYPE_CHECKING:
    from forms.engine.schema import Field


# Settings an admin edits per type (the builder's form for a field is made from these names).
SHOWN = ("label", "help", "visible_if")
ASKED = SHOWN + ("required", "required_if", "width")


class Invalid(ValueError):
    """A submitted value is not acceptable; the message is shown beside the field."""


@dataclass
class ParseContext:
    """What a parser may need beyond the raw value: tables, stored files, the previous answer."""

    tables: Any
    data: dict
    previous: Any = None
    save_file: Callable[..., dict] | None = None
    upload_max_bytes: int = 2 * 1024 * 1024
    today: date | None = None
    raw_confirm: Any = None
    verify_code: Callable[[Any, str, str], None] | None = None


class FieldType:
    """Base of every field type; subclasses override what differs."""

    name: ClassVar[str] = ""
    widget: ClassVar[str] = "text"
    multi: ClassVar[bool] = False  # reads a list of values (checkboxes)
    stored: ClassVar[bool] = True  # display-only types store nothing
    input: ClassVar[bool] = True  # False: the value comes from the server, never from the request
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str] = ""
    keeps_previous: ClassVar[bool] = False  # an empty input keeps the stored value (uploads, passwords)
    is_group: ClassVar[bool] = False  # rows of sub-fields, posted as <group>-<i>-<sub>
    is_upload: ClassVar[bool] = False  # a file from the request's files, not a form value
    has_options: ClassVar[bool] = False  # offers choices (static options, a table, or earlier rows)
    is_secret: ClassVar[bool] = False  # the stored value is never shown back, not even to its owner
    sends_code: ClassVar[bool] = False  # opening the step sends a one-time code (not fillable by the API)
    shows_answers: ClassVar[bool] = False  # shows the answers of the steps it names
    shows_label: ClassVar[bool] = False  # the page shows the chosen key's label beside the input
    shows_text: ClassVar[bool] = False  # words to read (its `text`), not a question with a label
    takes_boolean: ClassVar[bool] = False  # a tick box: JSON true/false is a valid answer
    displays_alone: ClassVar[bool] = False  # `display` needs no field definition (may format derived values)
    required_message: ClassVar[str] = N_("Wajib diisi.")
    settings: ClassVar[tuple[str, ...]] = ASKED + ("placeholder", "default")

    def read(self, raw: Any, key: str) -> Any:
        """This type's raw value under an input name of a posted page."""
        return raw.getlist(key) if self.multi else raw.get(key)

    def parse(self, field: Field, raw: Any, ctx: ParseContext) -> Any:
        """Turn a non-empty raw value into the value to store, or raise Invalid."""
        return raw

    def display(self, field: Field, value: Any, tables: Any, lang: str = "id") -> str:
        """The value as a person reads it on review pages and printouts."""
        return "" if value is None else str(value)

    def as_input(self, field: Field, value: Any) -> Any:
        """A stored (not None) value as the page's input shows it."""
        return value

    def check(self, field: Field, tables: Any) -> list[str]:
        """Schema-time problems of this field's definition (options missing, unknown table…)."""
        return []

    def is_empty(self, raw: Any) -> bool:
        """Whether the raw request value counts as not filled in."""
        return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []

    def still_valid(self, field: Field, value: Any, data: dict, tables: Any) -> bool:
        """Whether a stored answer still holds after other answers changed (else it is cleared)."""
        return True


REGISTRY: dict[str, FieldType] = {}


def field_type(name: str):
    """Register a FieldType subclass under a schema type name."""

    def register(cls: type[FieldType]) -> type[FieldType]:
        cls.name = name
        REGISTRY[name] = cls()
        return cls

    return register


def to_input(field: Field, value: Any) -> Any:
    """A stored value as the page's input shows it (Rupiah without the prefix, numbers grouped…)."""
    if value is None:
        return [] if field.kind.multi else ""
    return field.kind.as_input(field, value)
