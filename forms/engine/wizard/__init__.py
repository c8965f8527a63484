"""Step navigation and validation over (form, answers): no Flask, no database."""
# Answers are stored by step and field: ``{"identitas": {"nik": "…"}}``. Field names are unique in a
# form, so conditions see one flat mapping of every answer, plus ``derived``, ``account`` and ``today``.
# Hidden fields are never validated nor stored, and an answer that stops applying is removed.
# The modules: `context` (input, services, flat data), `rows` (repeat groups), `validation` (judging a
# post), `saving` (storing a step and what follows from it), `navigation` (where the applicant stands).
from __future__ import annotations

from forms.engine.wizard.context import (
    MAX_ROWS,
    RawInput,
    Services,
    flat_data,
    is_visible,
    visible_fields,
    visible_steps,
)
from forms.engine.wizard.navigation import (
    Navigation,
    can_open,
    completed_steps,
    navigate,
    step_complete,
)
from forms.engine.wizard.rows import matching_row, row_count, seed_rows
from forms.engine.wizard.saving import Applied, apply_step, compute_derived
from forms.engine.wizard.validation import StepResult, read_field, validate_step

__all__ = ["MAX_ROWS", "Applied", "Navigation", "RawInput", "Services", "StepResult", "apply_step", "can_open",
           "completed_steps", "compute_derived", "flat_data", "is_visible", "matching_row", "navigate", "read_field",
           "row_count", "seed_rows", "step_complete", "validate_step", "visible_fields", "visible_steps"]
