"""What the form builder page shows: one step (or one repeat group) with its fields, the chosen field's
settings from the field-type registry, the condition builder's choices, and the step rendered by the real
renderer beside it. Problems of a refused save are shown at their place, with what the admin typed."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import abort, current_app, render_template

from forms.catalog import conditions, fieldsettings, places, texts
from forms.catalog.runtime import catalog, draft_form
from forms.engine.fields import REGISTRY
from forms.engine.render import build_view, client_data, initial_value, step_view
from forms.engine.schema import Form, check_and_build_form, meta_validator
from forms.engine.text import tr
from forms.engine.wizard import Services
from forms.views.admin.common import bp, content_of
from forms.web.templating import current_language


@dataclass
class Refusal:
    """A refused save: the problems (already in the admin's words) and what was posted."""

    problems: list[str] = field(default_factory=list)
    posted: Any = None
    operation: str = ""
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class PreviewSubmission:
    """Stands in for a submission where the real field macro links to one (nothing links out of a preview)."""

    id: str = "pratinjau"


def render_builder(record, step_name: str, group_name: str = "", field_name: str = "",
                   refusal: Refusal | None = None, status: int = 200):
    """The builder page of one step (or one of its repeat groups)."""
    content = content_of(record)
    refusal = refusal or Refusal()
    step = next((s for s in content.get("steps") or () if s.get("name") == step_name), None)
    if step is None:
        abort(404)
    group = next((f for f in step["fields"] if f.get("name") == group_name), None) if group_name else None
    if group_name and (group is None or not REGISTRY.get(group.get("type")) or not REGISTRY[group["type"]].is_group):
        abort(404)
    fields = group.get("fields", []) if group else step["fields"]
    selected = next((f for f in fields if f.get("name") == field_name), None)
    page = render_template(
        "admin/builder.html", record=record, content=content, step=step, group=group, fields=fields,
        items=[field_item(f, step, group) for f in fields], selected=selected,
        settings=selected_settings(selected, step, group, refusal), refusal=refusal,
        step_values=step_values(step, refusal), add_values=refusal.posted if refusal.operation == "tambah_isian"
        else None, choices=condition_choices(content, step, group), tables=sorted(catalog().schemas.tables),
        field_types=sorted(REGISTRY), option_types=[n for n, k in REGISTRY.items() if "options" in k.settings],
        operators=conditions.OPERATORS, choice_labels=fieldsettings.CHOICE_LABELS, languages=texts.LANGUAGES, format_choices=fieldsettings.format_choices(),
        preview=preview_of(record, step_name, group_name), editable=record.state == "draft", shown=shown,
        step_titles=[(s.get("name"), shown(s.get("title"), s.get("name"))) for s in content.get("steps") or ()])
    return page, status


@bp.app_template_filter("logic_json")
def logic_json(condition: conditions.Condition) -> str:
    """A condition's JSON-logic as text: generated from the rows, or the JSON it is kept as."""
    if not condition.expressible:
        return condition.json if isinstance(condition.json, str) else json.dumps(condition.json, ensure_ascii=False)
    rule = conditions.rule_of(condition.mode, [row for row in condition.rows if row[0]])
    return "" if rule is None else json.dumps(rule, ensure_ascii=False)


def shown(text: Any, fallback: str = "") -> str:
    """A definition's text in the admin's language."""
    return tr(text, current_language()) if text else fallback


def field_item(raw: dict, step: dict, group: dict | None) -> dict:
    """One row of the field list."""
    kind = REGISTRY.get(raw.get("type"))
    required_if = None if group else conditions.find_required_if(step, raw.get("name", ""))[1]
    return {"name": raw.get("name", ""), "type": raw.get("type", ""),
            "label": shown(raw.get("label") or raw.get("text"), raw.get("name", "")),
            "required": bool(raw.get("required")), "conditional": "visible_if" in raw,
            "required_if": required_if is not None, "is_group": bool(kind and kind.is_group),
            "subfields": len(raw.get("fields") or ())}


def selected_settings(selected: dict | None, step: dict, group: dict | None, refusal: Refusal) -> list[dict]:
    """The chosen field's settings inputs: stored values, or what was typed when the save was refused."""
    if selected is None:
        return []
    posted = refusal.posted if refusal.operation == "ubah_isian" and refusal.posted \
        and refusal.posted.get("field") == selected.get("name") else None
    values = {**fieldsettings.values_of(selected, step),
              **(fieldsettings.posted_values(selected["type"], posted) if posted else {})}
    return [{"name": name, "setting": setting, "value": values[name], "problem": refusal.settings.get(name)}
            for name, setting in fieldsettings.settings_of(selected["type"])
            if not (group and name == "required_if")]


def step_values(step: dict, refusal: Refusal) -> dict:
    """The step's own settings: title and help by language, and its condition."""
    posted = refusal.posted if refusal.operation == "ubah_langkah" and refusal.posted else None
    if posted:
        return {"title": {lang: posted.get(f"s_title_{lang}", "") for lang in texts.LANGUAGES},
                "help": {lang: posted.get(f"s_help_{lang}", "") for lang in texts.LANGUAGES},
                "visible_if": fieldsettings.posted_condition("s_visible_if", posted)}
    return {"title": texts.by_language(step.get("title")), "help": texts.by_language(step.get("help")),
            "visible_if": conditions.condition_of(step.get("visible_if"))}


def condition_choices(content: dict, step: dict, group: dict | None) -> list[dict]:
    """Fields a condition can name: every stored top-level field (and the group's own sub-fields)."""
    raws = [f for s in content.get("steps") or () for f in s.get("fields") or ()]
    if group:
        raws = list(group.get("fields") or ()) + raws
    choices = []
    for raw in raws:
        kind = REGISTRY.get(raw.get("type"))
        if kind is None or not kind.stored or kind.is_group:
            continue
        options = [(str(o.get("value")), shown(o.get("label"), str(o.get("value")))) for o in raw.get("options") or ()]
        choices.append({"name": raw["name"], "label": shown(raw.get("label") or raw.get("text"), raw["name"]),
                        "options": options})
    return choices


def preview_of(record, step_name: str, group_name: str = "", content: Any = None) -> dict | None:
    """The step (or one row of a group) as an applicant sees it, by the real renderer; None while not valid."""
    form = draft_form(record.key, record.version) if content is None else built_form(record, content)
    step = form.step(step_name) if form else None
    if step is None:
        return None
    services = Services(tables=catalog().schemas.tables)
    group = next((f for f in step.fields if f.name == group_name), None)
    if group is not None:
        names = [(sub, f"{group.name}-0-{sub.name}") for sub in group.fields]
        views = [build_view(sub, name, initial_value(sub, name, {}, {}, None, services), {}, services, {},
                            current_language()) for sub, name in names]
    else:
        views = step_view(form, step, {}, {}, services, extra_rows=1, lang=current_language())
    return {"form": form, "step": step, "views": views, "submission": PreviewSubmission(),
            "client_data": client_data(step, {}, {}, services)}


def built_form(record, content: Any) -> Form | None:
    """A form from unsaved content, checked like start-up (None when it has problems)."""
    validator = meta_validator(Path(current_app.config["SCHEMAS_DIR"]) / "form.schema.json")
    return check_and_build_form(record.key, content, validator, catalog().schemas.tables, [])


def explained(problems: list[str], content: Any) -> list[str]:
    """Start-up check problems in the admin's words, each at its place."""
    return [places.explain(problem, content) for problem in problems]
