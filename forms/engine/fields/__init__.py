"""The field-type registry: one decorated block per type, with its parser, checks, display and facts."""
# A type's `parse` receives a non-empty raw value from the request and returns the value to store, or
# raises `Invalid` with a message (Indonesian source text, translated by `gettext` for the request).
# Emptiness and `required` are handled once, by the wizard, so no type repeats them. The core (what a
# type is, the registry) is in `core`; the types come in families, one module each, all registered
# when this package is imported. Adding a type is one block in a family plus one row in the tests.
from __future__ import annotations

from forms.engine.fields import choices, credentials, layout, numeric, textual, uploads
from forms.engine.fields.choices import field_options
from forms.engine.fields.core import (
    REGISTRY,
    FieldType,
    Invalid,
    ParseContext,
    field_type,
    to_input,
)
from forms.engine.fields.uploads import (
    FILE_SIGNATURES,
    format_bytes,
    safe_filename,
    sniff_kind,
)

__all__ = ["FILE_SIGNATURES", "REGISTRY", "FieldType", "Invalid", "ParseContext", "choices", "credentials",
           "field_options", "field_type", "format_bytes", "layout", "numeric", "safe_filename", "sniff_kind",
           "textual", "to_input", "uploads"]
