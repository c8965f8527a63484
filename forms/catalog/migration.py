"""What publishing a new form version does to submissions in flight, and moving drafts onto it.

A submission stays on the form version it began on unless an admin chooses, per status, to move
drafts to the new version. Moving keeps every answer whose step and field still exist, drops the
rest (listed in the submission's history), and asks again for every step whose definition changed,
so a newly required field is asked for before the draft can be submitted.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from forms.casework import audit
from forms.engine.schema import Form
from forms.engine.text import tr
from forms.store import (
    DRAFT,
    Submission,
    move_draft,
    submissions_off_version,
    submissions_to_move,
    utcnow,
)

MIGRATABLE = (DRAFT,)


@dataclass
class Impact:
    """What a new version means for the submissions of its form."""

    by_status: dict[str, dict[int, int]] = dc_field(default_factory=dict)  # status → version → count
    orphaned: list[dict[str, Any]] = dc_field(default_factory=list)  # fields that disappear, with answer counts
    required: list[dict[str, Any]] = dc_field(default_factory=list)  # fields that become required
    new_steps: list[str] = dc_field(default_factory=list)
    changed_steps: list[str] = dc_field(default_factory=list)

    def total(self, status: str) -> int:
        return sum(self.by_status.get(status, {}).values())


def step_sources(form: Form) -> dict[str, Mapping[str, Any]]:
    """A form's step definitions as written, by name."""
    return {step["name"]: step for step in form.source["steps"]}


def field_places(form: Form) -> dict[tuple[str, str], Any]:
    """(step, field) → field, for the top-level fields of a form."""
    return {(step.name, field.name): field for step in form.steps for field in step.fields}


def changed_steps(old: Form, new: Form) -> list[str]:
    """Steps of the new version whose definition differs from (or is missing in) the old one."""
    before = step_sources(old)
    return [name for name, source in step_sources(new).items()
            if json.dumps(before.get(name), sort_keys=True) != json.dumps(source, sort_keys=True)]


def impact(form_id: str, current: Form | None, new: Form, versions: Mapping[int, Form], lang: str = "id") -> Impact:
    """Counts by status and version, answers that would be orphaned, and what becomes required."""
    result = Impact()
    old_places = field_places(current) if current else {}
    new_places = field_places(new)
    gone = [place for place in old_places if place not in new_places]
    answered = {place: 0 for place in gone}
    for submission in submissions_off_version(form_id, new.version):
        counts = result.by_status.setdefault(submission.status, {})
        counts[submission.form_version] = counts.get(submission.form_version, 0) + 1
        if submission.status in MIGRATABLE:
            for step, name in gone:
                if (submission.answers or {}).get(step, {}).get(name) not in (None, "", [], {}):
                    answered[(step, name)] += 1
    result.orphaned = [{"step": step, "field": name, "label": tr(old_places[(step, name)].label, lang) or name,
                        "answers": answered[(step, name)]} for step, name in gone]
    for (step, name), field in new_places.items():
        before = old_places.get((step, name))
        if field.required and (before is None or not before.required):
            result.required.append({"step": step, "field": name, "label": tr(field.label, lang) or name,
                                    "new": before is None})
    old_steps = {step.name for step in current.steps} if current else set()
    result.new_steps = [step.name for step in new.steps if step.name not in old_steps]
    result.changed_steps = changed_steps(current, new) if current else [step.name for step in new.steps]
    return result


def migrate(submission: Submission, old: Form, new: Form, actor: str) -> bool:
    """Move one draft to the new version; False if it changed meanwhile (it then stays where it was)."""
    keep = {step.name: {field.name for field in step.fields} for step in new.steps}
    answers, dropped = {}, []
    for step_name, values in (submission.answers or {}).items():
        for name, value in (values or {}).items():
            if name in keep.get(step_name, ()):
                answers.setdefault(step_name, {})[name] = value
            else:
                dropped.append(f"{step_name}.{name}")
    changed = set(changed_steps(old, new))
    validated = [name for name in submission.validated or [] if name in keep and name not in changed]
    now = utcnow()
    entry = {"at": now, "actor": actor, "action": "pindah_versi", "from": submission.status, "to": submission.status,
             "note": f"versi {old.version} → {new.version}" + (f"; jawaban dihapus: {', '.join(dropped)}" if dropped else "")}
    moved = move_draft(submission, old.version, new.version, answers, validated, entry)
    if moved:
        audit.append(actor, f"submission:{submission.id}", "pindah_versi", DRAFT, DRAFT, note=entry["note"], at=now)
    return moved


def migrate_drafts(form_id: str, versions: Mapping[int, Form], new: Form, actor: str,
                   statuses: Iterable[str]) -> dict[str, int]:
    """Move every submission in the chosen statuses (drafts only) to the new version; counts moved and skipped."""
    chosen = [status for status in statuses if status in MIGRATABLE]
    moved = skipped = 0
    if not chosen:
        return {"moved": 0, "skipped": 0}
    for submission in submissions_to_move(form_id, chosen, new.version):
        old = versions.get(submission.form_version)
        if old is not None and migrate(submission, old, new, actor):
            moved += 1
        else:
            skipped += 1
    return {"moved": moved, "skipped": skipped}

