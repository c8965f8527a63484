"""Domain errors: what the engine and the store raise on purpose (the web layer turns them into pages)."""
from __future__ import annotations

from forms.engine.text import N_


class FormsError(Exception):
    """Base of every error the engine raises on purpose."""

    status = 400
    title = N_("Permintaan tidak dapat diproses")


class ConfigError(FormsError):
    """The settings cannot run the service as configured; the message says which setting and why."""


class SchemaError(FormsError):
    """One or more schema files are invalid; `problems` lists every offender."""

    status = 500
    title = N_("Definisi formulir tidak valid")

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ConflictError(FormsError):
    """Someone else changed the record first (stale version or status)."""

    status = 409
    title = N_("Data telah berubah")
