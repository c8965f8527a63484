"""Build what a step page shows: one FieldView per field, for the single field macro to render.

Rendering stays in Jinja (one macro file); this module only decides values, errors, visibility,
options and repeat rows, so the page and the validator read the same definition.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from forms.engine.fields import field_options, to_input
from forms.engine.rules import evaluate, referenced_vars
from forms.engine.schema import Field, Form, Step
from forms.engine.text import gettext, tr
from forms.engine.wizard import (
    MAX_ROWS,
    RawInput,
    Services,
    flat_data,
    is_visible,
    row_count,
)


@dataclass
class FieldView:
    """A field as the template sees it."""

    field: Field
    name: str
    value: Any = ""
    error: str | None = None
    visible: bool = True
    options: list[tuple[str, str]] = dc_field(default_factory=list)
    rows: list[list[FieldView]] = dc_field(default_factory=list)
    row_titles: list[str] = dc_field(default_factory=list)
    row_context: list[dict] = dc_field(default_factory=list)  # per seeded row: the source's key, for the page's rules
    sections: list = dc_field(default_factory=list)
    shown: str = ""
    label: str = ""
    help: str = ""
    placeholder: str = ""
    condition: str = ""

    @property
    def widget(self) -> str:
        return self.field.kind.widget


def step_view(form: Form, step: Step, answers: Mapping, derived: Mapping, services: Services,
              raw: RawInput | None = None, errors: Mapping[str, str] | None = None,
              extra_rows: int = 0, lang: str = "id", parsed: Mapping[str, Any] | None = None) -> list[FieldView]:
    """FieldViews of a step: stored answers, or the posted input when re-shown with errors.

    When re-shown, `parsed` (what validation made of the input) feeds computed values, so the
    applicant sees e.g. the scale and risk that stopped them.
    """
    if parsed:
        answers = {**answers, step.name: {**answers.get(step.name, {}), **parsed}}
    data = flat_data(answers, derived, services)
    stored = answers.get(step.name, {})
    views = []
    for field in step.fields:
        value = initial_value(field, field.name, stored, data, raw, services)
        view = build_view(field, field.name, value, data, services, errors or {}, lang)
        if field.kind.is_group:
            view.rows, view.row_titles = repeat_rows(field, stored.get(field.name) or [], data, services, raw,
                                                     errors or {}, extra_rows, lang, seeded_from_parsed=bool(parsed))
            view.row_context = row_context(field, data, services)
        if field.kind.shows_answers:
            view.sections = [section for section in review_sections(form, answers, derived, services, lang)
                             if section[0].name in field.steps]
        if field.kind.input and field.kind.stored:
            data[field.name] = stored.get(field.name) if raw is None else value
        views.append(view)
    return views


def initial_value(field: Field, name: str, stored: Mapping, data: Mapping, raw: RawInput | None,
                  services: Services) -> Any:
    """Posted input (read under the input name) if re-shown, else the stored answer, else the default."""
    if not field.kind.input:
        return evaluate(field.value, data, services.tables.lookup) if field.value is not None else None
    if raw is not None and not (field.kind.is_upload or field.kind.is_group):
        return raw.getlist(name) if field.kind.multi else (raw.get(name) or "")
    if field.name in stored:
        return to_input(field, stored[field.name])
    if field.default is not None:
        return to_input(field, evaluate(field.default, data, services.tables.lookup))
    return to_input(field, None)


def build_view(field: Field, name: str, value: Any, data: Mapping, services: Services,
               errors: Mapping[str, str], lang: str) -> FieldView:
    """One FieldView with options and display text filled."""
    view = FieldView(field=field, name=name, value=value, error=errors.get(name),
                     visible=is_visible(field.visible_if, data, services.tables),
                     label=tr(field.label or field.text, lang), help=tr(field.help, lang),
                     placeholder=tr(field.placeholder, lang), condition=condition_json(field))
    if field.kind.has_options:
        view.options = field_options(field, services.tables, data)
    if not field.kind.input:
        view.shown = field.kind.display(field, value, services.tables, lang) if field.kind.stored else tr(field.text, lang)
    elif field.kind.shows_label and value:
        view.shown = field.kind.display(field, value, services.tables, lang)
    return view


def condition_json(field: Field) -> str:
    """The field's condition as compact JSON for the page's script ('' when it has none), built once."""
    cached = CONDITIONS.get(id(field))
    if cached is None or cached[0] is not field:
        text = "" if field.visible_if is None else json.dumps(field.visible_if, ensure_ascii=False, separators=(",", ":"))
        cached = CONDITIONS[id(field)] = (field, text)
    return cached[1]


CONDITIONS: dict[int, tuple[Field, str]] = {}


def row_context(field: Field, data: Mapping, services: Services) -> list[dict]:
    """For a group with `rows_from`: each row's source key, which the page's script needs to recompute the row."""
    if not field.rows_from:
        return []
    from forms.engine.wizard import seed_rows
    key = field.rows_from["key"]
    return [{key: seed.get(key)} for seed in seed_rows(field, data, services.tables)]


def repeat_rows(field: Field, stored_rows: list, data: Mapping, services: Services, raw: RawInput | None,
                errors: Mapping[str, str], extra_rows: int, lang: str,
                seeded_from_parsed: bool = False) -> tuple[list[list[FieldView]], list[str]]:
    """The rows of a repeat group (stored or posted, plus blank ones to fill) and a title per row.

    A group with `rows_from` shows exactly one row per source row, titled by the source.
    """
    from forms.engine.wizard import matching_row, seed_rows
    seeds = seed_rows(field, data, services.tables) if field.rows_from else None
    if seeds is not None:
        count = len(seeds)
    else:
        count = row_count(raw, field.name, field) if raw is not None else len(stored_rows)
        count = min(max(count + extra_rows, 1), min(field.max_items or MAX_ROWS, MAX_ROWS))
    rows, titles = [], []
    for index in range(count):
        seed = seeds[index] if seeds is not None else {}
        use_stored = raw is None or (seeds is not None and seeded_from_parsed)
        stored = matching_row(field, stored_rows, index, seed) if use_stored else {}
        row_data = {**data, **seed, **stored}
        prefix = f"{field.name}-{index}-"
        rows.append([build_view(sub, prefix + sub.name,
                                initial_value(sub, prefix + sub.name, stored, row_data, raw, services),
                                row_data, services, errors, lang) for sub in field.fields])
        label = field.rows_from.get("label") if seeds is not None else None
        titles.append(str(evaluate(label, row_data, services.tables.lookup)) if label else
                      (tr(field.item_label, lang) or gettext("Baris")) + f" {index + 1}")
    return rows, titles


def error_list(views: list[FieldView], errors: Mapping[str, str], lang: str = "id") -> list[tuple[str, str, str]]:
    """(input name, label, message) of every error, in page order, for the summary at the top."""
    if not errors:
        return []
    labels: dict[str, str] = {}
    for view in views:
        labels[view.name] = tr(view.field.label, lang) or tr(view.field.text, lang)
        for title, row in zip(view.row_titles, view.rows):
            for sub in row:
                labels[sub.name] = f"{title} · {tr(sub.field.label, lang) or tr(sub.field.text, lang)}"
    ordered = [name for name in labels if name in errors] + [name for name in errors if name not in labels]
    return [(name, labels.get(name, gettext("Perhatian")), errors[name]) for name in ordered]


def client_data(step: Step, answers: Mapping, derived: Mapping, services: Services) -> dict:
    """What the page's script needs to re-check conditions: values of other steps the step's rules read."""
    names: set[str] = set()
    for field in step.fields:
        names |= referenced_vars(field.visible_if)
    own = {field.name for field in step.fields}
    data = flat_data(answers, derived, services)
    return {name: data.get(name) for name in names - own}


@dataclass
class Answer:
    """One answered field as review and status pages list it."""

    label: str
    shown: str
    field: Field
    rows: list[list[tuple[str, str]]] = dc_field(default_factory=list)
    file: dict | None = None


def review_sections(form: Form, answers: Mapping, derived: Mapping, services: Services,
                    lang: str = "id") -> list[tuple[Step, list[Answer]]]:
    """Visible steps with their answered fields, formatted for reading."""
    from forms.engine.wizard import visible_steps
    data = flat_data(answers, derived, services)
    sections = []
    for step in visible_steps(form, data, services.tables):
        if not any(field.kind.stored for field in step.fields):
            continue  # a step that only shows things (e.g. a summary) has nothing to list
        stored = answers.get(step.name, {})
        items = [describe(field, stored[field.name], services, lang)
                 for field in step.fields if field.kind.stored and stored.get(field.name) not in (None, "", [])]
        sections.append((step, items))
    return sections


def describe(field: Field, value: Any, services: Services, lang: str) -> Answer:
    """An Answer for one stored value (repeat groups as rows of label/value pairs)."""
    answer = Answer(label=tr(field.label, lang) or tr(field.text, lang),
                    shown=field.kind.display(field, value, services.tables, lang), field=field)
    if field.kind.is_upload:
        answer.file = value
    if field.kind.is_group:
        answer.rows = [[(tr(sub.label, lang) or tr(sub.text, lang), sub.kind.display(sub, row.get(sub.name), services.tables, lang))
                        for sub in field.fields if sub.kind.stored and row.get(sub.name) not in (None, "", [])]
                       for row in value]
    return answer


def derived_items(form: Form, derived: Mapping, services: Services, lang: str = "id") -> list[tuple[str, str]]:
    """Labelled derived values (those with a label), formatted by their declared type."""
    from forms.engine.fields import REGISTRY
    items = []
    for item in form.derived:
        value = derived.get(item.name)
        if item.label and value not in (None, ""):
            kind = REGISTRY.get(item.format or "")
            shown = kind.display(None, value, services.tables, lang) if kind and kind.displays_alone else str(value)
            items.append((tr(item.label, lang), shown))
    return items
