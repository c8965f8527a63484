"""The schema store's records: versions of definitions (drafts and published) and the admin log of changes to them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.store.errors import translate_errors
from forms.store.models import AdminLogEntry, SchemaVersion, utcnow


@translate_errors
def add_schema_version(values: Mapping[str, Any]) -> SchemaVersion:
    """Write one version record; Duplicate if that (kind, key, version) is already stored."""
    return SchemaVersion(**values).save()


@translate_errors
def schema_versions(kind: str, key: str) -> list[SchemaVersion]:
    """Every version of one definition, newest first."""
    return list(SchemaVersion.objects(kind=kind, key=key).order_by("-version"))


@translate_errors
def find_schema_version(kind: str, key: str, version: int) -> SchemaVersion | None:
    """One stored version, or None."""
    return SchemaVersion.objects(kind=kind, key=key, version=version).first()


@translate_errors
def published_schema_version(kind: str, key: str) -> SchemaVersion | None:
    """The newest published version of one definition, or None."""
    return SchemaVersion.objects(kind=kind, key=key, state="published").order_by("-version").first()


@translate_errors
def published_versions() -> list[SchemaVersion]:
    """Every published version of every definition (what a catalog is built from)."""
    return list(SchemaVersion.objects(state="published"))


@translate_errors
def version_summaries() -> list[SchemaVersion]:
    """Every version without its content (kind, key, number, state, publication time), oldest number first."""
    return list(SchemaVersion.objects().only("kind", "key", "version", "state", "published_at").order_by("version"))


@translate_errors
def version_fingerprints() -> list[SchemaVersion]:
    """Every version's identity, digest, origin and state, without its content (for seeding from files)."""
    return list(SchemaVersion.objects().only("kind", "key", "version", "sha256", "origin", "state"))


@translate_errors
def newest_version_number(kind: str, key: str) -> int:
    """The highest version number of a definition, drafts included (0 when it has none)."""
    newest = SchemaVersion.objects(kind=kind, key=key).order_by("-version").only("version").first()
    return newest.version if newest else 0


@translate_errors
def store_draft_content(record: SchemaVersion, content: str, sha256: str, revision: int | None = None) -> bool:
    """Replace a draft's content if it is still a draft (at that revision, when given); False if it is not."""
    query = {"kind": record.kind, "key": record.key, "version": record.version, "state": "draft"}
    if revision is not None:
        query["revision"] = revision
    return bool(SchemaVersion.objects(**query).update_one(set__content=content, set__sha256=sha256, inc__revision=1))


@translate_errors
def mark_published(record: SchemaVersion, actor: str, note: str) -> bool:
    """Mark a draft published if nobody changed or published it since it was read; False otherwise."""
    changed = SchemaVersion.objects(kind=record.kind, key=record.key, version=record.version, state="draft",
                                    revision=record.revision).update_one(
        set__state="published", set__published_by=actor, set__published_at=utcnow(), set__note=note)
    return bool(changed)


@translate_errors
def delete_draft(record: SchemaVersion) -> None:
    """Delete a version if it is a draft (a published version is never deleted)."""
    SchemaVersion.objects(id=record.id, state="draft").delete()


@translate_errors
def add_admin_log_entry(values: Mapping[str, Any]) -> AdminLogEntry:
    """Write one entry of the admin log."""
    return AdminLogEntry(**values).save()


@translate_errors
def admin_log_entries(limit: int = 200, kind: str | None = None, key: str | None = None) -> list[AdminLogEntry]:
    """The newest admin log entries, optionally of one definition."""
    query = AdminLogEntry.objects(**({"kind": kind} if kind else {}), **({"key": key} if key else {}))
    return list(query.order_by("-at").limit(limit))
