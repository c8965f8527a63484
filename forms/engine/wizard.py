"""Step navigation and validation over (form, answers): no Flask, no database.

Answers are stored by step and field: ``{"identitas": {"nik": "…"}}``. Field names are unique in a
form, so conditions see one flat mapping of every answer, plus ``derived``, ``account`` and ``today``.
Hidden fields are never validated nor stored, and an answer that stops applying is removed.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any, Protocol

from forms.engine.fields import Invalid, ParseContext
from forms.engine.rules import evaluate, truthy
from forms.engine.schema import Field, Form, Step
from forms.engine.tables import TableSet
from forms.engine.text import active_language, gettext, tr

MAX_ROWS = 200


class RawInput(Protocol):
    """What the wizard reads from a request: form values and uploaded files."""

    def get(self, name: str) -> Any: ...

    def getlist(self, name: str) -> list: ...

    def file(self, name: str) -> Any: ...


@dataclass
class Services:
    """What validation needs from outside: tables, the account, file storage, today's date."""

    tables: TableSet
    account: Mapping[str, Any] = dc_field(default_factory=dict)
    save_file: Callable[..., dict] | None = None
    upload_max_bytes: int = 2 * 1024 * 1024
    today: date | None = None
    verify_code: Callable[[Field, str, str], None] | None = None
    taken: Callable[[str, Any], bool] | None = None


@dataclass
class StepResult:
    """Parsed values of one step and the errors by input name."""

    values: dict[str, Any]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def flat_data(answers: Mapping[str, Mapping[str, Any]], derived: Mapping[str, Any], services: Services) -> dict:
    """The mapping conditions and derived values are evaluated against."""
    data: dict[str, Any] = {}
    for step_answers in answers.values():
        data.update(step_answers)
    data["derived"] = dict(derived)
    data["account"] = dict(services.account)
    data["today"] = (services.today or date.today()).isoformat()
    return data


def is_visible(rule: Any, data: Mapping[str, Any], tables: TableSet) -> bool:
    """A missing condition means visible."""
    return rule is None or truthy(evaluate(rule, data, tables.lookup))


def visible_steps(form: Form, data: Mapping[str, Any], tables: TableSet) -> list[Step]:
    """The steps that apply to these answers, in order."""
    return [step for step in form.steps if is_visible(step.visible_if, data, tables)]


def visible_fields(step: Step, data: Mapping[str, Any], tables: TableSet) -> list[Field]:
    """The fields of a step that apply to these answers."""
    return [f for f in step.fields if is_visible(f.visible_if, data, tables)]


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
            errors.setdefault(check.field or "_langkah", tr(check.message, active_language()))


def read_field(field: Field, key: str, raw: RawInput, previous: Any, data: dict, services: Services,
               require: bool, errors: dict[str, str]) -> Any:
    """One field's value from the request (or from the server for read-only types); errors recorded."""
    if not field.kind.input:
        return evaluate(field.value, data, services.tables.lookup)
    if field.type == "repeat":
        return read_rows(field, key, raw, previous, data, services, require, errors)
    value = raw.file(key) if field.type == "file" else (raw.getlist(key) if field.kind.multi else raw.get(key))
    if field.kind.is_empty(value):
        if field.kind.keeps_previous and previous:
            return previous
        if require and field.required:
            errors[key] = (gettext("Wajib diisi.") if field.type != "declaration"
                           else gettext("Centang pernyataan ini untuk melanjutkan."))
        return None
    ctx = ParseContext(services.tables, data, previous, services.save_file, services.upload_max_bytes, services.today,
                       raw_confirm=raw.get(f"{key}-ulang") if field.confirm else None,
                       verify_code=services.verify_code)
    try:
        return field.kind.parse(field, value, ctx)
    except Invalid as error:
        errors[key] = str(error)
        return None


def seed_rows(field: Field, data: Mapping[str, Any], tables: TableSet) -> list[dict]:
    """For a group with `rows_from`: one seed per row of the source group (filtered by `where`)."""
    source = field.rows_from
    rows = [row for row in data.get(source["group"]) or [] if isinstance(row, Mapping)]
    if source.get("where") is not None:
        rows = [row for row in rows if truthy(evaluate(source["where"], {**data, **row}, tables.lookup))]
    return [dict(row) for row in rows if row.get(source["key"]) not in (None, "")]


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


def matching_row(field: Field, rows: list, index: int, seed: Mapping[str, Any]) -> dict:
    """The stored row that corresponds to a posted one: by key for seeded groups, else by position."""
    if field.rows_from:
        key = field.rows_from["key"]
        return next((row for row in rows if row.get(key) == seed.get(key)), {})
    return rows[index] if index < len(rows) else {}


def row_count(raw: RawInput, key: str, field: Field) -> int:
    """How many rows the page posted (bounded, so a forged count costs nothing)."""
    try:
        count = int(raw.get(f"{key}-count") or 0)
    except ValueError:
        count = 0
    return max(0, min(count, field.max_items or MAX_ROWS, MAX_ROWS))


def all_empty(field: Field, raw: RawInput, prefix: str) -> bool:
    """Whether every input of a posted row is blank."""
    for sub in field.fields:
        if not sub.kind.input:
            continue
        name = prefix + sub.name
        value = raw.file(name) if sub.type == "file" else (raw.getlist(name) if sub.kind.multi else raw.get(name))
        if not sub.kind.is_empty(value):
            return False
    return True


@dataclass
class Applied:
    """The outcome of saving a step: new answers, derived values, validated steps, cleared fields."""

    answers: dict[str, dict[str, Any]]
    derived: dict[str, Any]
    validated: list[str]
    cleared: list[str]


def apply_step(form: Form, answers: Mapping, validated: list[str], step: Step, values: Mapping[str, Any],
               services: Services, complete: bool) -> Applied:
    """Store a step's values, then recompute server values, prune what no longer applies, derive."""
    new_answers = {name: dict(step_answers) for name, step_answers in answers.items()}
    new_answers[step.name] = dict(values)
    done = [name for name in validated if name != step.name] + ([step.name] if complete else [])
    derived = compute_derived(form, new_answers, services)
    cleared: list[str] = []
    for _round in range(len(form.steps) + 1):
        refresh_server_values(form, new_answers, derived, services)
        removed = prune(form, new_answers, derived, services)
        derived = compute_derived(form, new_answers, services)
        if not removed:
            break
        cleared += removed
    data = flat_data(new_answers, derived, services)
    hidden_here = [f.name for f in step.fields if f.name in answers.get(step.name, {}) and f.name not in values
                   and not is_visible(f.visible_if, data, services.tables)]
    visible = {s.name for s in visible_steps(form, data, services.tables)}
    done = [name for name in done if name in visible and name in new_answers]
    return Applied(new_answers, derived, done, hidden_here + cleared)


def compute_derived(form: Form, answers: Mapping, services: Services) -> dict[str, Any]:
    """The form's derived values in declared order; each may use those before it."""
    derived: dict[str, Any] = {}
    for item in form.derived:
        data = flat_data(answers, derived, services)
        derived[item.name] = evaluate(item.expr, data, services.tables.lookup)
    return derived


def refresh_server_values(form: Form, answers: dict, derived: Mapping, services: Services) -> None:
    """Recompute read-only and computed answers of every saved step (their inputs may have changed)."""
    for step in form.steps:
        if step.name not in answers:
            continue
        for field in step.fields:
            data = flat_data(answers, derived, services)
            if field.type == "repeat" and field.name in answers[step.name]:
                answers[step.name][field.name] = refresh_rows(field, answers[step.name][field.name], data, services)
            elif not field.kind.input and field.kind.stored:
                set_or_drop(answers[step.name], field.name, evaluate(field.value, data, services.tables.lookup))


def set_or_drop(target: dict, name: str, value: Any) -> None:
    """Store a value, or remove the name when the value is None."""
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def refresh_rows(field: Field, rows: list, data: Mapping[str, Any], services: Services) -> list:
    """Rows realigned to their source (seeded groups) with computed sub-fields recomputed."""
    if field.rows_from:
        key = field.rows_from["key"]
        by_key = {row.get(key): row for row in rows}
        rows = [by_key.get(seed[key]) or {key: seed[key]} for seed in seed_rows(field, data, services.tables)]
        seeds = {seed[key]: seed for seed in seed_rows(field, data, services.tables)}
    else:
        key, seeds = None, {}
    fresh = []
    for row in rows:
        row = dict(row)
        row_data = {**data, **seeds.get(row.get(key), {}), **row}
        for sub in field.fields:
            if not sub.kind.input and sub.kind.stored:
                set_or_drop(row, sub.name, evaluate(sub.value, row_data, services.tables.lookup))
                row_data[sub.name] = row.get(sub.name)
        fresh.append(row)
    return fresh


def prune(form: Form, answers: dict, derived: Mapping, services: Services) -> list[str]:
    """Remove answers of hidden steps and fields; return the names removed."""
    data = flat_data(answers, derived, services)
    removed = []
    for step in form.steps:
        if step.name not in answers:
            continue
        if not is_visible(step.visible_if, data, services.tables):
            removed += list(answers.pop(step.name))
            continue
        for field in step.fields:
            stored = answers[step.name].get(field.name)
            if stored is None:
                continue
            if not is_visible(field.visible_if, data, services.tables) or \
                    not field.kind.still_valid(field, stored, data, services.tables):
                del answers[step.name][field.name]
                removed.append(field.name)
    return removed


def step_complete(step: Step, answers: Mapping, data: Mapping[str, Any], tables: TableSet) -> bool:
    """Whether every visible required field of a step has a stored value."""
    stored = answers.get(step.name, {})
    for field in visible_fields(step, data, tables):
        value = stored.get(field.name)
        if field.type == "repeat":
            if not rows_complete(field, value or [], data, tables):
                return False
        elif field.kind.input and field.required and value in (None, "", []):
            return False
    return True


def rows_complete(field: Field, rows: list, data: Mapping[str, Any], tables: TableSet) -> bool:
    """A group is complete when it has its rows (one per source row if seeded) and each row its required answers."""
    if field.rows_from:
        key = field.rows_from["key"]
        if [row.get(key) for row in rows] != [seed[key] for seed in seed_rows(field, data, tables)]:
            return False
    elif (field.required and not rows) or (field.min_items and len(rows) < field.min_items):
        return False
    for row in rows:
        row_data = {**data, **row}
        for sub in field.fields:
            if sub.kind.input and sub.required and is_visible(sub.visible_if, row_data, tables) \
                    and row.get(sub.name) in (None, "", []):
                return False
    return True


@dataclass
class Navigation:
    """Where an applicant stands: the visible steps in order and which of them are complete."""

    steps: list[Step]
    done: set[str]

    def first_open(self) -> Step | None:
        """The first visible step not yet complete; None when all are (review is next)."""
        return next((step for step in self.steps if step.name not in self.done), None)

    def can_open(self, step_name: str) -> bool:
        """A step may be opened when it is visible and every visible step before it is complete."""
        for step in self.steps:
            if step.name == step_name:
                return True
            if step.name not in self.done:
                return False
        return False

    def neighbours(self, step_name: str) -> tuple[Step | None, Step | None]:
        """The visible steps before and after a step."""
        names = [step.name for step in self.steps]
        index = names.index(step_name) if step_name in names else -1
        before = self.steps[index - 1] if index > 0 else None
        after = self.steps[index + 1] if 0 <= index < len(self.steps) - 1 else None
        return before, after

    def progress(self, current: str | None) -> list[dict]:
        """Every visible step with its state for the progress bar (selesai, aktif, terbuka, terkunci)."""
        items, blocked = [], False
        for step in self.steps:
            state = "aktif" if step.name == current else (
                "selesai" if step.name in self.done else ("terkunci" if blocked else "terbuka"))
            items.append({"step": step, "state": state, "reachable": not blocked})
            blocked = blocked or step.name not in self.done
        return items


def navigate(form: Form, answers: Mapping, validated: list[str], derived: Mapping,
             services: Services) -> Navigation:
    """Visible steps, and those saved with full validation that still have every required answer."""
    data = flat_data(answers, derived, services)
    steps = visible_steps(form, data, services.tables)
    done = {step.name for step in steps
            if step.name in validated and step_complete(step, answers, data, services.tables)}
    return Navigation(steps, done)


def completed_steps(form: Form, answers: Mapping, validated: list[str], derived: Mapping,
                    services: Services) -> list[str]:
    """Names of the complete visible steps, in order."""
    navigation = navigate(form, answers, validated, derived, services)
    return [step.name for step in navigation.steps if step.name in navigation.done]


def can_open(form: Form, step_name: str, answers: Mapping, validated: list[str], derived: Mapping,
             services: Services) -> bool:
    """Whether a step may be opened now (see Navigation.can_open)."""
    return navigate(form, answers, validated, derived, services).can_open(step_name)
