"""What the schema store keeps: kinds of definitions, version items, their canonical text and digest, and the version record written for each."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Any

from forms.engine.schema import (
    SchemaSet,
)
from forms.engine.workflow import Workflow
from forms.errors import FormsError
from forms.office.publicinfo import PublicInfo
from forms.printing.render import PrintSettings
from forms.store import SchemaVersion, add_schema_version, utcnow

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

    @cached_property
    def sha256(self) -> str:
        """The content's digest, computed once per item (file items are read once per process)."""
        return digest(self.content)

    def renumbered(self, version: int) -> Item:
        """The same definition under another version number, its digest carried over."""
        item = dataclasses.replace(self, version=version)
        item.__dict__["sha256"] = self.sha256  # where cached_property keeps it
        return item


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


def stored_item(record: SchemaVersion) -> Item:
    """A stored version as a catalog item."""
    return Item(record.kind, record.key, record.version, json.loads(record.content),
                label(record.kind, record.key, record.version), record.origin)


def store_version(item: Item, state: str, actor: str, note: str = "", based_on: int | None = None) -> SchemaVersion:
    """Write one version record (Duplicate if its number is taken)."""
    now = utcnow()
    values = {"kind": item.kind, "key": item.key, "version": item.version, "state": state,
              "content": canonical(item.content), "sha256": item.sha256, "origin": item.origin,
              "based_on": based_on, "note": note, "created_by": actor, "created_at": now}
    if state == "published":
        values.update(published_by=actor, published_at=now)
    return add_schema_version(values)
