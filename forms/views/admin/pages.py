"""The version page and the publish page as the admin sees them, and saving a draft with its problems shown in place."""
from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.casework.tracking import status_label
from forms.catalog import adminlog, migration
from forms.catalog.items import (
    DOCUMENT,
    FORM,
    PRINTOUTS,
    TABLE,
    WORKFLOW,
    CatalogError,
    pretty,
)
from forms.catalog.lifecycle import check_draft, save_draft
from forms.catalog.runtime import catalog, draft_form
from forms.engine.fields import REGISTRY
from forms.engine.text import tr
from forms.store import published_schema_version, schema_versions, status_counts_of_kind
from forms.views.admin.common import KIND_LABELS, actor, content_of
from forms.views.admin.workflowpage import workflow_view
from forms.web.templating import current_language


def render_version(record, problems: list[str] | None = None, json_text: str | None = None, status: int = 200,
                   open_at: str | None = None):
    """The version page, with problems from a refused save shown at their place."""
    content = content_of(record)
    base = published_schema_version(record.kind, record.key)
    compare_to = base if base and base.version != record.version else previous_published(record)
    diff = adminlog.difference(content_of(compare_to), content) if compare_to else ""
    form_view = form_steps_view(content, problems or []) if record.kind == FORM else None
    flow = workflow_view(content, current_language()) if record.kind == WORKFLOW else None
    page = render_template(
        "admin/version.html", record=record, content=content, kind_label=KIND_LABELS[record.kind],
        json_text=json_text if json_text is not None else pretty(content),
        problems=problems or [], diff=diff, compare_to=compare_to, form_view=form_view, flow=flow,
        field_types=field_types(), open_at=open_at, editable=record.state == "draft",
        rows=record.kind == TABLE and isinstance(content.get("rows"), list),
        settings=record.kind == DOCUMENT and record.key == PRINTOUTS,
        standard=standard_view(content) if record.kind == DOCUMENT and record.key == STANDARD else None)
    return page, status


def previous_published(record):
    """The published version just before this one (for the changes a published version made)."""
    for other in schema_versions(record.kind, record.key):
        if other.version < record.version and other.state == "published":
            return other
    return None


def field_types() -> list[str]:
    """Field types an admin can add."""
    return sorted(REGISTRY)


def form_steps_view(content: dict, problems: list[str]) -> list[dict]:
    """The steps as the version page lists them, each with its problems."""
    steps = []
    for step in content.get("steps") or []:
        if not isinstance(step, dict):
            continue
        name = step.get("name", "")
        steps.append({"name": name, "title": shown(step.get("title")), "fields": len(step.get("fields") or ()),
                      "conditional": "visible_if" in step,
                      "problems": [p for p in problems if f"({name})" in p or f"step '{name}'" in p]})
    return steps


def shown(text) -> str:
    """The Indonesian text of a label as the editor shows it."""
    if isinstance(text, dict):
        return str(text.get("id") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


def save_checked(record, content) -> list[str]:
    """Save content into a draft if it passes every check; the problems otherwise (nothing saved)."""
    return save_draft(current_app._get_current_object(), record, content, actor(),
                      revision=request.form.get("revision", type=int))


def save(record, content, what: str, json_text: str | None = None, open_at: str | None = None):
    """Save checked content into a draft, or show the version page with the problems (nothing saved)."""
    try:
        problems = save_checked(record, content)
    except CatalogError as error:
        problems = error.problems
    if problems:
        flash("Perubahan tidak disimpan: " + problems[0] + (f" (dan {len(problems) - 1} masalah lain)"
                                                            if len(problems) > 1 else ""), "warning")
        return render_version(record, problems, json_text=json_text, status=422, open_at=open_at)
    flash(what, "success")
    target = url_for("admin.version", kind=record.kind, key=record.key, version=record.version)
    return redirect(target + (f"#{open_at}" if open_at else ""))


def render_publish(record, status: int = 200):
    """The publish page."""
    app = current_app._get_current_object()
    problems = check_draft(app, record.kind, record.key, record.version, content_of(record))
    base = published_schema_version(record.kind, record.key)
    diff = adminlog.difference(content_of(base), content_of(record)) if base else ""
    impact = documents = None
    if record.kind == FORM and not problems:
        new = draft_form(record.key, record.version)
        impact = migration.impact(record.key, catalog().schemas.get(record.key), new,
                                  catalog().schemas.forms.get(record.key, {}), current_language())
    if record.kind == WORKFLOW and not problems:
        documents = status_counts_of_kind(content_of(record).get("applies_to"))
    return render_template("admin/publish.html", record=record, problems=problems, diff=diff, base=base,
                           impact=impact, documents=documents, migratable=migration.MIGRATABLE,
                           kind_label=KIND_LABELS[record.kind], status_names=status_names(record, impact)), status


def status_names(record, impact) -> dict[str, str]:
    """The statuses the impact tables list, as people read them (a form's status labels, a workflow's state labels)."""
    lang = current_language()
    if record.kind == WORKFLOW:
        states = content_of(record).get("states") or {}
        return {name: tr(state.get("label") or name, lang) for name, state in states.items() if isinstance(state, dict)}
    form = catalog().schemas.get(record.key) if record.kind == FORM else None
    return {name: status_label(form, name, lang) for name in (impact.by_status if impact else {})} if form else {}

STANDARD = "standar-pelayanan"


def standard_view(content: dict) -> list[dict]:
    """The components as the editor shows them: title, text, and list items one per line."""
    view = []
    for component in content.get("components") or []:
        if not isinstance(component, dict):
            continue
        view.append({"key": component.get("key", ""), "no": component.get("no"), "title": shown(component.get("title")),
                     "text": shown(component.get("text")) if "text" in component else None,
                     "items": "\n".join(shown(item) for item in component["items"])
                     if isinstance(component.get("items"), list) else None})
    return view
