"""Where an applicant stands: which visible steps are complete, which may be opened, the progress bar."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.engine.schema import Field, Form, Step
from forms.engine.tables import TableSet
from forms.engine.wizard.context import (
    Services,
    flat_data,
    is_visible,
    visible_fields,
    visible_steps,
)
from forms.engine.wizard.rows import seed_rows


def step_complete(step: Step, answers: Mapping, data: Mapping[str, Any], tables: TableSet) -> bool:
    """Whether every visible required field of a step has a stored value."""
    stored = answers.get(step.name, {})
    for field in visible_fields(step, data, tables):
        value = stored.get(field.name)
        if field.kind.is_group:
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
