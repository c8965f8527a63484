"""Judging a posted step: each visible field parsed by its type in order, then the step's own checks."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.engine.fields import Invalid, ParseContext
from forms.engine.rules import evaluate, truthy
from forms.engine.schema import Check, Field, Form, Step
from forms.engine.text import active_language, gettext, tr
from forms.engine.wizard.context import RawInput, Services, flat_data, is_visible
from forms.engine.wizard.rows import all_empty, matching_row, row_count, seed_rows


@dataclass
class StepResult:
    """Parsed values of one step and the errors by input name."""

    values: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_step(form: Form, step: Step, raw: RawInput, answers: Mapping, derived: Mapping,
                  services: Services, require: bool = True) -> StepResult:
    """Parse and check one step's input; fields are judged in order so later conditions see earlier values."""
    data = flat_data(answers, derived, services)
    previous = dict(answers.get(step.name, {}))
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in step.fields:
        if not is_visible(field.visible_if, data, services.tables):
            data.pop(field.name, None)
            continue
        if not field.kind.stored:
            continue
        value = read_field(field, field.name, raw, previous.get(field.name), data, services, require, errors)
        if value is not None:
            values[field.name] = value
        data[field.name] = value
    check_unique(step, values, previous, services, errors)
    if require and not errors:
        run_checks(step, data, services, errors)
    return StepResult(values, errors)


def check_unique(step: Step, values: Mapping[str, Any], previous: Mapping[str, Any], services: Services,
                 errors: dict[str, str]) -> None:
    """Refuse a value that must be unique (e.g. one account per NIK) and is already taken."""
    for field in step.fields:
        value = values.get(field.name)
        if field.unique and value is not None and field.name not in errors and services.taken \
                and services.taken(field.unique["in"], value):
            errors[field.name] = tr(field.unique.get("message"), active_language()) or gettext("Sudah terdaftar.")


def run_checks(step: Step, data: Mapping[str, Any], services: Services, errors: dict[str, str]) -> None:
    """The step's cross-field rules; a failing rule puts its message on its field (or the step)."""
    for check in step.checks:
        if not truthy(evaluate(check.rule, data, services.tables.lookup)):
            errors.setdefault(check.field or "_langkah", check_message(check, data, services))


def check_message(check: Check, data: Mapping[str, Any], services: Services) -> str:
    """A failed check's message, followed by what its detail rule names (the offending rows, who issues them)."""
    message = tr(check.message, active_language())
    if check.detail is None:
        return message
    named = evaluate(check.detail, data, services.tables.lookup)
    named = "; ".join(str(item) for item in named if item) if isinstance(named, list) else str(named or "")
    return f"{message} {named}" if named else message


def read_field(field: Field, key: str, raw: RawInput, previous: Any, data: dict, services: Services,
               require: bool, errors: dict[str, str]) -> Any:
    """One field's value from the request (or from the server for read-only types); errors recorded."""
    if not field.kind.input:
        return evaluate(field.value, data, services.tables.lookup)
    if field.kind.is_group:
        return read_rows(field, key, raw, previous, data, services, require, errors)
    value = field.kind.read(raw, key)
    if field.kind.is_empty(value):
        if field.kind.keeps_previous and previous:
            return previous
        if require and field.required:
            errors[key] = gettext(field.kind.required_message)
        return None
    ctx = ParseContext(services.tables, data, previous, services.save_file, services.upload_max_bytes, services.today,
                       raw_confirm=raw.get(f"{key}-ulang") if field.confirm else None,
                       verify_code=services.verify_code)
    try:
        return field.kind.parse(field, value, ctx)
    except Invalid as error:
        errors[key] = str(error)
        return None


def read_rows(field: Field, key: str, raw: RawInput, previous: Any, data: dict, services: Services,
              require: bool, errors: dict[str, str]) -> list[dict] | None:
    """The rows of a repeat group, posted as <group>-<i>-<sub> with <group>-count rows.

    A group with `rows_from` has exactly one row per source row, keyed by the source's key column;
    the key is taken from the source, never from the request.
    """
    seeds = seed_rows(field, data, services.tables) if field.rows_from else None
    count = len(seeds) if seeds is not None else row_count(raw, key, field)
    rows, old_rows = [], previous or []
    for index in range(count):
        prefix = f"{key}-{index}-"
        if seeds is None and all_empty(field, raw, prefix):
            continue
        seed = seeds[index] if seeds is not None else {}
        row_data = {**data, **seed}
        row: dict[str, Any] = {field.rows_from["key"]: seed[field.rows_from["key"]]} if seeds is not None else {}
        old = matching_row(field, old_rows, index, seed)
        for sub in field.fields:
            if not is_visible(sub.visible_if, row_data, services.tables) or not sub.kind.stored:
                continue
            value = read_field(sub, prefix + sub.name, raw, old.get(sub.name), row_data, services, require, errors)
            if value is not None:
                row[sub.name] = value
            row_data[sub.name] = value
        rows.append(row)
    if seeds is not None:
        return rows or None
    if require and field.required and not rows:
        errors[key] = gettext("Isi paling sedikit satu baris.")
    elif require and field.min_items and len(rows) < field.min_items:
        errors[key] = gettext("Isi paling sedikit %(limit)s baris.", limit=field.min_items)
    if field.max_items and len(rows) > field.max_items:
        errors[key] = gettext("Paling banyak %(limit)s baris.", limit=field.max_items)
    return rows or None


