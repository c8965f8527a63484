"""Versions of a definition: drafts started, checked and saved, published, rolled back, discarded, exported and imported."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask

from forms.catalog import adminlog
from forms.catalog.items import (
    DOCUMENT,
    DOCUMENTS,
    FORM,
    GENERATION,
    KINDS,
    PRINTOUTS,
    TABLE,
    WORKFLOW,
    Catalog,
    CatalogError,
    Item,
    canonical,
    digest,
    label,
    store_version,
    stored_item,
)
from forms.catalog.runtime import build, reload
from forms.errors import SchemaError
from forms.store import (
    Duplicate,
    SchemaVersion,
    delete_draft,
    find_schema_version,
    mark_published,
    newest_version_number,
    next_sequence,
    pin_printout_settings,
    pin_workflow_version,
    published_schema_version,
    published_versions,
    store_draft_content,
    version_summaries,
)


def entries() -> list[dict[str, Any]]:
    """Every (kind, key) in the store with its newest published version and open drafts."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for record in version_summaries():
        entry = found.setdefault((record.kind, record.key), {"kind": record.kind, "key": record.key,
                                                              "published": None, "drafts": []})
        if record.state == "published":
            entry["published"] = record
        else:
            entry["drafts"].append(record.version)
    return sorted(found.values(), key=lambda e: (KINDS.index(e["kind"]), e["key"]))


def next_version(kind: str, key: str) -> int:
    """The number a new version of this definition gets."""
    return newest_version_number(kind, key) + 1


def numbered(kind: str, content: Any, version: int) -> Any:
    """Content with its own version number set, for kinds that carry one."""
    if kind in (FORM, WORKFLOW) and isinstance(content, dict):
        return {**content, "version": version}
    return content


def start_draft(kind: str, key: str, from_version: int, actor: str, content: Any = None,
                origin: str = "admin", note: str = "") -> SchemaVersion:
    """A new draft copied from a version (or with the given content, e.g. an import)."""
    source = find_schema_version(kind, key, from_version) if content is None else None
    if content is None and source is None:
        raise CatalogError(f"{label(kind, key, from_version)} tidak ditemukan.")
    for _attempt in range(5):
        version = next_version(kind, key)
        body = numbered(kind, json.loads(source.content) if source else content, version)
        try:
            return store_version(Item(kind, key, version, body, label(kind, key, version), origin), "draft",
                                 actor=actor, note=note, based_on=from_version)
        except Duplicate:  # a parallel draft took the number: take the next
            continue
    raise CatalogError("Versi baru tidak dapat dibuat saat ini; coba lagi.")


def check_draft(app: Flask, kind: str, key: str, version: int, content: Any) -> list[str]:
    """Problems the content would cause if published, from the same checks as start-up."""
    item = Item(kind, key, version, content, label(kind, key, version), "admin")
    problems = shape_problems(item)
    if problems:
        return problems
    published = [stored_item(record) for record in published_versions()]
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
    if not store_draft_content(record, canonical(content), digest(content), revision):
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
    previous = published_schema_version(record.kind, record.key)
    if not mark_published(record, actor, note or record.note):
        raise CatalogError("Draf ini sudah diubah atau diterbitkan oleh orang lain. Muat ulang lalu periksa lagi.")
    next_sequence(GENERATION)
    adminlog.record(actor, "terbitkan", record.kind, record.key, record.version,
                    before=json.loads(previous.content) if previous else None, after=content, note=note)
    catalog = reload(app)
    pin_older(record.kind, previous, content)
    return catalog


def pin_older(kind: str, previous: SchemaVersion | None, content: Any) -> None:
    """Work begun before a new workflow or printout version stays on the version it began on."""
    if previous is None:
        return
    if kind == WORKFLOW:
        pin_workflow_version(content.get("applies_to"), previous.version)
    elif kind == DOCUMENT and previous.key == PRINTOUTS:
        pin_printout_settings(previous.version)


def rollback(app: Flask, kind: str, key: str, version: int, actor: str) -> SchemaVersion:
    """Publish an earlier version's content again, as a new version."""
    source = find_schema_version(kind, key, version)
    if source is None or source.state != "published":
        raise CatalogError(f"{label(kind, key, version)} bukan versi terbit.")
    draft = start_draft(kind, key, version, actor, origin="rollback", note=f"kembali ke versi {version}")
    publish(app, draft, actor, note=f"kembali ke versi {version}")
    return find_schema_version(kind, key, draft.version)


def discard_draft(record: SchemaVersion, actor: str) -> None:
    """Delete a draft (published versions stay forever)."""
    if record.state != "draft":
        raise CatalogError("Hanya draf yang dapat dihapus.")
    delete_draft(record)
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
