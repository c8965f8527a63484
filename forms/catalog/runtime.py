"""The catalog the running app serves: built (and checked) from published versions, installed, refreshed when another process publishes."""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from flask import Flask, current_app

from forms.catalog.items import (
    DOCUMENT,
    DOCUMENTS,
    FORM,
    GENERATION,
    PRINTOUTS,
    TABLE,
    WORKFLOW,
    Catalog,
    Item,
    digest,
    label,
    stored_item,
)
from forms.engine.calendar import Calendar, office_zone
from forms.engine.schema import (
    Form,
    SchemaSet,
    build_schemas,
    check_and_build_form,
    meta_validator,
)
from forms.engine.text import gettext
from forms.engine.workflow import Workflow, build_workflows, latest_workflows
from forms.errors import SchemaError
from forms.office.publicinfo import load_public_info
from forms.printing.render import PrintoutError, PrintSettings, load_print_settings
from forms.store import counter_value, find_schema_version, published_versions

BUILT: dict[tuple, Catalog] = {}  # the last few catalogs built in this process, by what went into them


def build(app: Flask, items: Iterable[Item]) -> Catalog:
    """Check and build a catalog from items (all form/workflow versions; the latest of the others wins).

    Raises SchemaError listing every problem, each prefixed by where its definition came from. The
    same definitions give the same (immutable) result, so a rebuild of unchanged content is reused.
    """
    items = list(items)
    key = (app.config["SCHEMAS_DIR"], app.config["PRINTOUTS_DIR"],
           digest(current_app.extensions.get("loket.messages", {})), tuple(sorted(handlers_of(app))),
           tuple(sorted((i.kind, i.key, i.version, i.where, i.sha256) for i in items)))
    if key in BUILT:
        return dataclasses.replace(BUILT[key], generation=0, checked_at=time.monotonic())
    built = build_uncached(app, items)
    if len(BUILT) >= 8:
        BUILT.pop(next(iter(BUILT)))
    BUILT[key] = built
    return dataclasses.replace(built)


def build_uncached(app: Flask, items: list[Item]) -> Catalog:
    """The checks and building behind `build`."""
    latest: dict[tuple[str, str], Item] = {}
    for item in items:
        current = latest.get((item.kind, item.key))
        if current is None or item.version >= current.version:
            latest[(item.kind, item.key)] = item
    root = Path(app.config["SCHEMAS_DIR"])
    problems: list[str] = []
    schema_set = attempt(problems, build_schemas, root,
                         [(i.where, i.content) for i in latest.values() if i.kind == TABLE],
                         [(i.where, i.content) for i in items if i.kind == FORM])
    workflows = attempt(problems, build_workflows, root,
                        [(i.where, i.content) for i in items if i.kind == WORKFLOW]) or {}
    printouts = {}
    folder = Path(app.config["PRINTOUTS_DIR"])
    zone = office_zone(app.config["OFFICE_TIMEZONE"])  # checked by init_schemas before the catalog is built
    for item in items:
        if item.kind == DOCUMENT and item.key == PRINTOUTS:
            try:
                printouts[item.version] = load_print_settings(folder, zone, item.content, where=item.where)
            except PrintoutError as error:
                problems.extend(str(error).splitlines())
    public = None
    if schema_set is not None:
        given = {DOCUMENTS[key][2]: item.content for (kind, key), item in latest.items()
                 if kind == DOCUMENT and DOCUMENTS.get(key, (None, None, None))[2]}
        public = attempt(problems, load_public_info, root, schema_set,
                         current_app.extensions.get("loket.messages", {}), given)
    if schema_set is not None:
        problems += name_problems(app, items, schema_set, workflows, printouts)
    if schema_set is not None and workflows:
        problems += issue_problems(schema_set, workflows)
    if not printouts and not problems:
        problems.append(f"no printout settings ('{PRINTOUTS}')")
    if problems:
        raise SchemaError(problems)
    return Catalog(schemas=schema_set, workflows=workflows, printouts=printouts, public=public,
                   versions={key: item.version for key, item in latest.items()})


def attempt(problems: list[str], builder, *args):
    """Run one builder, collecting its SchemaError problems instead of stopping."""
    try:
        return builder(*args)
    except SchemaError as error:
        problems.extend(error.problems)
        return None


def issue_problems(schema_set: SchemaSet, workflows: Mapping[str, Mapping[int, Workflow]]) -> list[str]:
    """Forms that issue documents must start them in a state their kind's latest workflow declares."""
    problems = []
    latest = latest_workflows(workflows)
    for form in schema_set.latest():
        kinds = ((form.submit.get("issue") or {}).get("per_row") or {}).get("kinds") or {}
        for code, spec in kinds.items():
            workflow = latest.get(code)
            if workflow is not None and spec.get("status") not in workflow.states:
                problems.append(f"form '{form.id}' versi {form.version}: submit.issue.per_row.kinds.{code}.status "
                                f"'{spec.get('status')}' is not a state of workflow '{workflow.id}'")
    return problems


def handlers_of(app: Flask) -> Mapping[str, object]:
    """The submit handlers the factory named (forms.casework.handlers.init_casework)."""
    return app.extensions.get("loket.handlers", {})


def name_problems(app: Flask, items: list[Item], schema_set: SchemaSet,
                  workflows: Mapping[str, Mapping[int, Workflow]], printouts: Mapping[int, PrintSettings]) -> list[str]:
    """Handlers, workflows and tables that forms, workflows and printout settings name, but nothing provides."""
    where = {(item.kind, item.key, item.version): item.where for item in items}
    tables = schema_set.tables
    problems = []
    for form in (form for versions in schema_set.forms.values() for form in versions.values()):
        problems += [f"{where_of(where, FORM, form.id, form.version)}: {problem}"
                     for problem in form_name_problems(form, handlers_of(app), workflows)]
    for flow in (flow for versions in workflows.values() for flow in versions.values()):
        named = {"key_table": flow.key_table, "requirements.table": (flow.requirements or {}).get("table")}
        problems += [f"{where_of(where, WORKFLOW, flow.id, flow.version)}: {key} names unknown table '{table}'"
                     for key, table in named.items() if table and table not in tables]
    for version, settings in printouts.items():
        table = settings.data["key"].get("table")
        if table and table not in tables:
            problems.append(f"{where_of(where, DOCUMENT, PRINTOUTS, version)}: key.table names unknown table '{table}'")
    return problems


def where_of(where: Mapping[tuple[str, str, int], str], kind: str, key: str, version: int) -> str:
    """How problems name a definition: the file it came from, or its stored version."""
    return where.get((kind, key, version)) or label(kind, key, version)


def form_name_problems(form: Form, handlers: Mapping[str, object],
                       workflows: Mapping[str, Mapping[int, Workflow]]) -> list[str]:
    """A form's submit handler and the document kinds it issues, each looked up in what the app provides."""
    problems = []
    handler = form.submit.get("handler")
    if handler and handler not in handlers:
        problems.append(f"submit.handler names unknown handler '{handler}' (known: {', '.join(sorted(handlers))})")
    kinds = ((form.submit.get("issue") or {}).get("per_row") or {}).get("kinds") or {}
    for code in kinds:
        if code not in workflows:
            problems.append(f"submit.issue.per_row.kinds.{code} names no workflow (known: "
                            f"{', '.join(sorted(workflows)) or 'none'})")
    return problems


def install(app: Flask, catalog: Catalog) -> None:
    """Make a catalog the one the app serves (one assignment per part; readers see old or new)."""
    app.extensions["loket.catalog"] = catalog
    app.extensions["loket.schemas"] = catalog.schemas
    app.extensions["loket.workflows"] = latest_workflows(catalog.workflows)
    app.extensions["loket.workflow_versions"] = catalog.workflows
    app.extensions["loket.printouts"] = catalog.printouts[max(catalog.printouts)]
    app.extensions["loket.public"] = catalog.public


def catalog() -> Catalog:
    """The current app's catalog."""
    return current_app.extensions["loket.catalog"]


def reload(app: Flask) -> Catalog:
    """Rebuild from the published versions in the store and serve the result."""
    generation = counter_value(GENERATION)
    built = build(app, [stored_item(record) for record in published_versions()])
    built.generation = generation
    install(app, built)
    return built


def refresh_if_stale() -> None:
    """Before a request: every few seconds, rebuild if another process published since."""
    app = current_app._get_current_object()
    current = app.extensions["loket.catalog"]
    every = app.config.get("CATALOG_REFRESH_SECONDS", 2)
    if time.monotonic() - current.checked_at < every:
        return
    current.checked_at = time.monotonic()
    if counter_value(GENERATION) != current.generation:
        reload(app)


def draft_form(key: str, version: int) -> Form | None:
    """A form as a version defines it, drafts included (for previews); None if missing or not valid now."""
    record = find_schema_version(FORM, key, version)
    if record is None:
        return None
    if record.state == "published":
        return catalog().schemas.get(key, version)
    validator = meta_validator(Path(current_app.config["SCHEMAS_DIR"]) / "form.schema.json")
    return check_and_build_form(label(FORM, key, version), json.loads(record.content), validator,
                                catalog().schemas.tables, [])


def workflow_for(kind: str, version: int | None = None) -> Workflow | None:
    """The workflow governing a document kind, at the version the document follows (default: latest)."""
    versions = current_app.extensions["loket.workflow_versions"].get(kind)
    if not versions:
        return None
    return (versions.get(version) if version else None) or versions[max(versions)]


def print_settings_for(version: int | None = None) -> PrintSettings:
    """Printout settings at a pinned version (default: latest)."""
    versions = catalog().printouts
    return (versions.get(version) if version else None) or versions[max(versions)]


def office_clock() -> Calendar:
    """The office's clock and working-day calendar of the current app."""
    return current_app.extensions["loket.calendar"]


def workflows() -> dict[str, Workflow]:
    """The latest workflows of the current app, by the document kind they govern."""
    return current_app.extensions["loket.workflows"]


def key_heading(lang: str = "id") -> str:
    """What heads a column of documents' keys: the short title of the table the workflows key documents by."""
    tables = schemas().tables
    named = sorted({flow.key_table for flow in workflows().values() if flow.key_table in tables})
    return " / ".join(tables[name].heading(lang) for name in named) or gettext("Kode")


def schemas() -> SchemaSet:
    """The schemas of the current app."""
    return current_app.extensions["loket.schemas"]
