"""Saving a step: its values stored, server-filled answers recomputed, answers that stopped applying removed."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.engine.rules import evaluate
from forms.engine.schema import Field, Form, Step
from forms.engine.wizard.context import Services, flat_data, is_visible, visible_steps
from forms.engine.wizard.rows import seed_rows


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
            if field.kind.is_group and field.name in answers[step.name]:
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

