"""Start-up: the files of schemas/ and printouts/ seed the store, the published versions are built into the catalog, and the office calendar is loaded."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from forms.catalog.items import (
    DOCUMENT,
    DOCUMENTS,
    FORM,
    GENERATION,
    TABLE,
    WORKFLOW,
    Catalog,
    Item,
    label,
    log,
    store_version,
    stored_item,
)
from forms.catalog.runtime import attempt, build, install, refresh_if_stale
from forms.engine.calendar import load_calendar, office_zone
from forms.engine.schema import (
    relative,
)
from forms.errors import SchemaError
from forms.store import (
    Duplicate,
    SchemaVersion,
    counter_value,
    published_versions,
    version_fingerprints,
)

SEED_ATTEMPTS = 5  # readings of the store at start-up while other processes publish the same files
READ: dict[tuple, tuple[list[Item], list[str]]] = {}  # the last few readings of the files, by their bytes: parsed and digested once


def init_catalog(app: Flask) -> None:
    """Seed the store from the files, build the catalog from what is published, refresh when others publish."""
    with app.app_context():
        catalog = seed_and_build(app)
    install(app, catalog)
    app.before_request(refresh_if_stale)


def file_items(app: Flask, problems: list[str]) -> list[Item]:
    """Every definition in schemas/ and printouts/ that the store keeps, parsed again only when a file changed."""
    key = files_fingerprint(app)
    if key not in READ:
        found: list[str] = []
        if len(READ) >= 8:
            READ.pop(next(iter(READ)))
        READ[key] = (parse_file_items(app, found), found)
    items, found = READ[key]
    problems.extend(found)
    return list(items)


def files_fingerprint(app: Flask) -> tuple:
    """The definition files' paths and a hash of their bytes: what a reading of them depends on."""
    root = Path(app.config["SCHEMAS_DIR"])
    paths = [path for folder in ("tables", "forms", "workflows") for path in sorted((root / folder).glob("*.json"))]
    paths += [Path(app.config[folder_key]) / name for folder_key, name, _public in DOCUMENTS.values()]
    return tuple((str(path), bytes_hash(path)) for path in paths)


def bytes_hash(path: Path) -> bytes | None:
    """A hash of a file's bytes; None if it cannot be read (parsing then reports why)."""
    try:
        return hashlib.blake2b(path.read_bytes()).digest()
    except OSError:
        return None


def parse_file_items(app: Flask, problems: list[str]) -> list[Item]:
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
    for _attempt in range(SEED_ATTEMPTS):
        problems: list[str] = []
        files = file_items(app, problems)
        records = {(r.kind, r.key, r.version): r for r in version_fingerprints()}
        stored = [stored_item(record) for record in published_versions()]  # read after: it holds every published record named above
        published = {(item.kind, item.key, item.version) for item in stored}
        fresh = [item for item in new_from_files(files, records) if (item.kind, item.key, item.version) not in published]
        catalog = attempt(problems, build, app, stored + fresh)
        if problems:
            raise SchemaError(problems)
        if store_fresh(fresh):
            catalog.generation = counter_value(GENERATION)
            return catalog
    raise SchemaError([f"the schema store kept changing while {SEED_ATTEMPTS} start-ups in a row read it; start again"])


def store_fresh(fresh: list[Item]) -> bool:
    """Publish the files' new definitions; False when another process stored some of those versions first.

    Several workers (or hosts) start at once on one database: each reads the store, finds the same new
    files and publishes them. The unique (kind, key, version) lets exactly one win each record; a loser
    goes on with the rest, then reads the store again and builds its catalog from what was published.
    """
    mine = True
    for item in fresh:
        try:
            store_version(item, "published", actor="sistem", note=f"dari berkas {item.where}")
        except Duplicate:
            log.info("%s was published by another process starting at the same time", item.where)
            mine = False
    return mine


def new_from_files(files: list[Item], records: Mapping[tuple[str, str, int], SchemaVersion]) -> list[Item]:
    """The file definitions that the store does not hold yet, numbered."""
    fresh = []
    for item in files:
        sha = item.sha256
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
        fresh.append(item.renumbered(newest + 1))
    return fresh


def init_schemas(app: Flask) -> None:
    """Seed and load the schema store (forms, tables, workflows, settings) and the holiday calendar.

    A broken definition stops start-up with every problem listed.
    """
    try:
        zone = office_zone(app.config["OFFICE_TIMEZONE"])
    except ValueError as error:
        raise SchemaError([str(error)]) from error
    init_catalog(app)
    app.extensions["loket.calendar"] = load_calendar(Path(app.config["SCHEMAS_DIR"]) / "hari-libur.json", zone)
