"""The schema store: forms, workflows, tables and settings documents as versioned records in the database.

Files in schemas/ and printouts/ seed the store: a definition the store has not seen becomes a
published version at start-up. After that the store is the source of truth; admins edit drafts,
publish them (a published version never changes) and roll back by publishing an old one as new.

The running app holds a `Catalog`: every published form and workflow version (a submission stays on
the procedure version it began on: form + workflow + printout settings), and the latest table and
settings documents. A draft is checked by building the same catalog with the draft in it, so an
edit is held to exactly the checks of start-up. Other processes notice a publish through a counter
and rebuild.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any, Iterable, Mapping

from flask import Flask, current_app
from mongoengine import NotUniqueError

from forms.catalog import adminlog
from forms.errors import FormsError, SchemaError
from forms.printing.render import PrintoutError, PrintSettings, load_print_settings
from forms.office.publicinfo import PublicInfo, load_public_info
from forms.engine.schema import Form, SchemaSet, build_schemas, check_and_build_form, meta_validator, relative
from forms.store import SchemaVersion, counter_value, next_sequence, utcnow
from forms.engine.calendar import office_zone
from forms.engine.workflow import Workflow, build_workflows, latest_workflows

log = logging.getLogger("loket.catalog")

GENERATION = "catalog:generation"
FORM, WORKFLOW, TABLE, DOCUMENT = "form", "workflow", "table", "document"
KINDS = (FORM, WORKFLOW, TABLE, DOCUMENT)
# Settings documents: key → (config key of the folder, file name, key in the public-info loader or None).
DOCUMENTS = {
    "cetakan": ("PRINTOUTS_DIR", "settings.json", None),
    "kantor": ("SCHEMAS_DIR", "office.json", "office"),
    "standar-pelayanan": ("SCHEMAS_DIR", "standar-pelayanan.json", "standard"),
}
PRINTOUTS = "cetakan"


class CatalogError(FormsError):
    """An edit of the schema store was refused; `problems` says where and why."""

    status = 422
    title = "Perubahan tidak dapat disimpan"

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Item:
    """One definition going into a catalog: what it is, where it came from (for messages), its content."""

    kind: str
    key: str
    version: int
    content: Any
    where: str
    origin: str = "file"


@dataclass
class Catalog:
    """What the running app serves, built from published versions."""

    schemas: SchemaSet
    workflows: dict[str, dict[int, Workflow]]
    printouts: dict[int, PrintSettings]
    public: PublicInfo
    versions: dict[tuple[str, str], int]  # latest published version of every (kind, key)
    generation: int = 0
    checked_at: float = dc_field(default_factory=time.monotonic)

    def procedure(self) -> dict[str, Any]:
        """The versions a submission begun now is pinned to, beside its form version."""
        return {"workflows": {kind: max(versions) for kind, versions in self.workflows.items()},
                "printouts": max(self.printouts)}


def canonical(content: Any) -> str:
    """A definition as stored: compact JSON text, key order kept (pretty-printed only where people read it)."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def pretty(content: Any) -> str:
    """A definition as people read and edit it."""
    return json.dumps(content, ensure_ascii=False, indent=2)


def digest(content: Any) -> str:
    """A content hash that ignores formatting."""
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest()


def label(kind: str, key: str, version: int) -> str:
    """How a stored version is named in messages."""
    return f"{kind} '{key}' versi {version}"


# --- start-up ----------------------------------------------------------------------------------


def init_catalog(app: Flask) -> None:
    """Seed the store from the files, build the catalog from what is published, refresh when others publish."""
    with app.app_context():
        catalog = seed_and_build(app)
    install(app, catalog)
    app.before_request(refresh_if_stale)


def file_items(app: Flask, problems: list[str]) -> list[Item]:
    """Every definition in schemas/ and printouts/ that the store keeps, read from disk."""
    root = Path(app.config["SCHEMAS_DIR"])
    items = []
    for kind, folder in ((TABLE, "tables"), (FORM, "forms"), (WORKFLOW, "workflows")):
        for path in sorted((root / folder).glob("*.json")):
            content = read_file(path, root, problems)
            if not isinstance(content, dict):
                continue
            key = content.get("id") if isinstance(content.get("id"), str) else path.stem
            if kind == FORM and key != path.stem.split("@")[0]:
                problems.append(f"{relative(path, root)}: id '{key}' does not match the file name")
            version = content.get("version") if kind in (FORM, WORKFLOW) else None
            items.append(Item(kind, key, version if isinstance(version, int) else 0, content, relative(path, root)))
    for key, (folder_key, name, _public) in DOCUMENTS.items():
        folder = Path(app.config[folder_key])
        content = read_file(folder / name, folder, problems)
        if content is not None:
            items.append(Item(DOCUMENT, key, 0, content, relative(folder / name, folder)))
    return items


def read_file(path: Path, root: Path, problems: list[str]) -> Any:
    """A JSON file's content, or None with the problem recorded."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"{relative(path, root)}: {error.strerror}")
    except json.JSONDecodeError as error:
        problems.append(f"{relative(path, root)}: invalid JSON at line {error.lineno}: {error.msg}")
    return None


def seed_and_build(app: Flask) -> Catalog:
    """Published versions plus the files' new definitions, checked together; the new ones are then stored.

    A form or workflow file whose version the store already holds with other content is not applied
    (published versions are immutable): the file needs a new version number, and start-up says so.
    Tables and settings carry no version: a changed file becomes the next version, unless an admin
    has published that key since the file was last read (the admin's edit wins; start-up says so).
    """
    problems: list[str] = []
    files = file_items(app, problems)
    stored = [stored_item(record) for record in SchemaVersion.objects(state="published")]
    records = {(r.kind, r.key, r.version): r for r in SchemaVersion.objects().only(
        "kind", "key", "version", "sha256", "origin", "state")}
    fresh = new_from_files(files, records)
    catalog = attempt(problems, build, app, stored + fresh)
    if problems:
        raise SchemaError(problems)
    for item in fresh:
        store_version(item, "published", actor="sistem", note=f"dari berkas {item.where}")
    catalog.generation = counter_value(GENERATION)
    return catalog


def new_from_files(files: list[Item], records: Mapping[tuple[str, str, int], SchemaVersion]) -> list[Item]:
    """The file definitions that the store does not hold yet, numbered."""
    fresh = []
    for item in files:
        sha = digest(item.content)
        mine = [r for (kind, key, _v), r in records.items() if kind == item.kind and key == item.key]
        if item.kind in (FORM, WORKFLOW):
            same = records.get((item.kind, item.key, item.version))
            if same is None:
                fresh.append(item)
            elif same.sha256 != sha:
                log.warning("%s: %s already exists in the schema store with other content; give the file a new "
                            "version number to publish it", item.where, label(item.kind, item.key, item.version))
            continue
        from_files = [r for r in mine if r.origin == "file"]
        if any(r.sha256 == sha for r in from_files):
            continue
        newest = max((r.version for r in mine), default=0)
        last_file = max((r.version for r in from_files), default=0)
        if newest > last_file and any(r.state == "published" for r in mine if r.version > last_file):
            log.warning("%s changed, but %s was edited in the admin area since; the file is not applied",
                        item.where, label(item.kind, item.key, newest))
            continue
        fresh.append(Item(item.kind, item.key, newest + 1, item.content, item.where))
    return fresh


def stored_item(record: SchemaVersion) -> Item:
    """A stored version as a catalog item."""
    return Item(record.kind, record.key, record.version, json.loads(record.content),
                label(record.kind, record.key, record.version), record.origin)


def store_version(item: Item, state: str, actor: str, note: str = "", based_on: int | None = None) -> SchemaVersion:
    """Write one version record."""
    now = utcnow()
    record = SchemaVersion(kind=item.kind, key=item.key, version=item.version, state=state,
                           content=canonical(item.content), sha256=digest(item.content), origin=item.origin,
                           based_on=based_on, note=note, created_by=actor, created_at=now)
    if state == "published":
        record.published_by, record.published_at = actor, now
    return record.save()


# --- building ----------------------------------------------------------------------------------


BUILT: dict[tuple, Catalog] = {}  # the last few catalogs built in this process, by what went into them


def build(app: Flask, items: Iterable[Item]) -> Catalog:
    """Check and build a catalog from items (all form/workflow versions; the latest of the others wins).

    Raises SchemaError listing every problem, each prefixed by where its definition came from. The
    same definitions give the same (immutable) result, so a rebuild of unchanged content is reused.
    """
    items = list(items)
    key = (app.config["SCHEMAS_DIR"], app.config["PRINTOUTS_DIR"],
           digest(current_app.extensions.get("loket.messages", {})),
           tuple(sorted((i.kind, i.key, i.version, i.where, digest(i.content)) for i in items)))
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
    built = build(app, [stored_item(record) for record in SchemaVersion.objects(state="published")])
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


# --- versions ----------------------------------------------------------------------------------


def versions_of(kind: str, key: str) -> list[SchemaVersion]:
    """Every version of one definition, newest first."""
    return list(SchemaVersion.objects(kind=kind, key=key).order_by("-version"))


def find_version(kind: str, key: str, version: int) -> SchemaVersion | None:
    """One stored version."""
    return SchemaVersion.objects(kind=kind, key=key, version=version).first()


def published_version(kind: str, key: str) -> SchemaVersion | None:
    """The newest published version."""
    return SchemaVersion.objects(kind=kind, key=key, state="published").order_by("-version").first()


def entries() -> list[dict[str, Any]]:
    """Every (kind, key) in the store with its newest published version and open drafts."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for record in SchemaVersion.objects().only("kind", "key", "version", "state", "published_at").order_by("version"):
        entry = found.setdefault((record.kind, record.key), {"kind": record.kind, "key": record.key,
                                                              "published": None, "drafts": []})
        if record.state == "published":
            entry["published"] = record
        else:
            entry["drafts"].append(record.version)
    return sorted(found.values(), key=lambda e: (KINDS.index(e["kind"]), e["key"]))


def next_version(kind: str, key: str) -> int:
    """The number a new version of this definition gets."""
    newest = SchemaVersion.objects(kind=kind, key=key).order_by("-version").only("version").first()
    return (newest.version if newest else 0) + 1


def numbered(kind: str, content: Any, version: int) -> Any:
    """Content with its own version number set, for kinds that carry one."""
    if kind in (FORM, WORKFLOW) and isinstance(content, dict):
        return {**content, "version": version}
    return content


def start_draft(kind: str, key: str, from_version: int, actor: str, content: Any = None,
                origin: str = "admin", note: str = "") -> SchemaVersion:
    """A new draft copied from a version (or with the given content, e.g. an import)."""
    source = find_version(kind, key, from_version) if content is None else None
    if content is None and source is None:
        raise CatalogError(f"{label(kind, key, from_version)} tidak ditemukan.")
    for _attempt in range(5):
        version = next_version(kind, key)
        body = numbered(kind, json.loads(source.content) if source else content, version)
        try:
            return store_version(Item(kind, key, version, body, label(kind, key, version), origin), "draft",
                                 actor=actor, note=note, based_on=from_version)
        except NotUniqueError:  # a parallel draft took the number: take the next
            continue
    raise CatalogError("Versi baru tidak dapat dibuat saat ini; coba lagi.")


def check_draft(app: Flask, kind: str, key: str, version: int, content: Any) -> list[str]:
    """Problems the content would cause if published, from the same checks as start-up."""
    item = Item(kind, key, version, content, label(kind, key, version), "admin")
    problems = shape_problems(item)
    if problems:
        return problems
    published = [stored_item(record) for record in SchemaVersion.objects(state="published")]
    candidates = [i for i in published if (i.kind, i.key, i.version) != (kind, key, version)] + [item]
    try:
        build(app, candidates)
    except SchemaError as error:
        return list(error.problems)
    return []


def shape_problems(item: Item) -> list[str]:
    """What must hold before the full checks make sense: an object that keeps its id and number."""
    if not isinstance(item.content, dict):
        return [f"{item.where}: the definition must be a JSON object"]
    problems = []
    if item.kind in (FORM, WORKFLOW, TABLE) and item.content.get("id") != item.key:
        problems.append(f"{item.where}: 'id' must stay '{item.key}'")
    if item.kind in (FORM, WORKFLOW) and item.content.get("version") != item.version:
        problems.append(f"{item.where}: 'version' must be {item.version}")
    return problems


def save_draft(app: Flask, record: SchemaVersion, content: Any, actor: str, revision: int | None = None) -> list[str]:
    """Store new content in a draft if it passes every check; otherwise change nothing and say why."""
    if record.state != "draft":
        raise CatalogError(f"{label(record.kind, record.key, record.version)} sudah diterbitkan dan tidak dapat "
                           "diubah. Buat draf baru darinya.")
    problems = check_draft(app, record.kind, record.key, record.version, content)
    if problems:
        return problems
    query = {"kind": record.kind, "key": record.key, "version": record.version, "state": "draft"}
    if revision is not None:
        query["revision"] = revision
    changed = SchemaVersion.objects(**query).update_one(set__content=canonical(content), set__sha256=digest(content),
                                                      inc__revision=1)
    if not changed:
        raise CatalogError("Draf ini sudah diubah di tab lain atau sudah diterbitkan. Muat ulang lalu ulangi.")
    adminlog.record(actor, "ubah_draf", record.kind, record.key, record.version, before=json.loads(record.content),
                    after=content)
    return []


def publish(app: Flask, record: SchemaVersion, actor: str, note: str = "") -> Catalog:
    """Publish a draft: check it again, mark it published, rebuild; others see it on their next refresh."""
    content = json.loads(record.content)
    problems = check_draft(app, record.kind, record.key, record.version, content)
    if problems:
        raise CatalogError(problems)
    previous = published_version(record.kind, record.key)
    changed = SchemaVersion.objects(kind=record.kind, key=record.key, version=record.version, state="draft",
                                    revision=record.revision).update_one(
        set__state="published", set__published_by=actor, set__published_at=utcnow(), set__note=note or record.note)
    if not changed:
        raise CatalogError("Draf ini sudah diubah atau diterbitkan oleh orang lain. Muat ulang lalu periksa lagi.")
    next_sequence(GENERATION)
    adminlog.record(actor, "terbitkan", record.kind, record.key, record.version,
                    before=json.loads(previous.content) if previous else None, after=content, note=note)
    return reload(app)


def rollback(app: Flask, kind: str, key: str, version: int, actor: str) -> SchemaVersion:
    """Publish an earlier version's content again, as a new version."""
    source = find_version(kind, key, version)
    if source is None or source.state != "published":
        raise CatalogError(f"{label(kind, key, version)} bukan versi terbit.")
    draft = start_draft(kind, key, version, actor, origin="rollback", note=f"kembali ke versi {version}")
    publish(app, draft, actor, note=f"kembali ke versi {version}")
    return find_version(kind, key, draft.version)


def discard_draft(record: SchemaVersion, actor: str) -> None:
    """Delete a draft (published versions stay forever)."""
    if record.state != "draft":
        raise CatalogError("Hanya draf yang dapat dihapus.")
    SchemaVersion.objects(id=record.id, state="draft").delete()
    adminlog.record(actor, "hapus_draf", record.kind, record.key, record.version)


def export_document(record: SchemaVersion) -> dict[str, Any]:
    """A version as a portable file: what it is plus its content."""
    return {"loket_export": 1, "kind": record.kind, "key": record.key, "version": record.version,
            "state": record.state, "sha256": record.sha256, "content": json.loads(record.content)}


def import_document(app: Flask, data: Any, actor: str) -> tuple[SchemaVersion | None, list[str]]:
    """An exported file becomes a new draft (checked; nothing is stored when it has problems)."""
    if not isinstance(data, dict) or data.get("loket_export") != 1 or data.get("kind") not in KINDS \
            or not isinstance(data.get("key"), str) or "content" not in data:
        return None, ["Berkas ini bukan ekspor Loket (perlu kunci loket_export, kind, key, content)."]
    kind, key = data["kind"], data["key"]
    if kind == DOCUMENT and key not in DOCUMENTS:
        return None, [f"Dokumen pengaturan '{key}' tidak dikenal."]
    version = next_version(kind, key)
    content = numbered(kind, data["content"], version)
    problems = check_draft(app, kind, key, version, content)
    if problems:
        return None, problems
    record = start_draft(kind, key, version - 1, actor, content=content, origin="import",
                         note=f"impor dari {label(kind, key, data.get('version', '?'))}")
    adminlog.record(actor, "impor", kind, key, record.version, after=content)
    return record, []


def draft_form(key: str, version: int) -> Form | None:
    """A form as a version defines it, drafts included (for previews); None if missing or not valid now."""
    record = find_version(FORM, key, version)
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
