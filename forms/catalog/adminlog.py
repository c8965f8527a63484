"""The admin log: every change made in the admin area, with a readable difference, also sealed in the audit chain."""
from __future__ import annotations

import difflib
import json
from typing import Any

from forms.casework import audit
from forms.store import AdminLogEntry, add_admin_log_entry, utcnow

MAX_DIFF = 200_000


def record(actor: str, action: str, kind: str, key: str, version: int | None = None, before: Any = None,
           after: Any = None, note: str = "") -> AdminLogEntry:
    """Log one admin change; the hash chain gets a line naming it, so a deleted log entry is noticed."""
    now = utcnow()
    entry = add_admin_log_entry({"at": now, "actor": actor, "action": action, "kind": kind, "key": key,
                                 "version": version, "diff": difference(before, after)[:MAX_DIFF], "note": note})
    audit.append(actor, f"admin:{kind}:{key}", action, None, None, note=f"log {entry.id} versi {version or '-'}",
                 at=now)
    return entry


def difference(before: Any, after: Any) -> str:
    """A unified diff of two JSON values (pretty-printed), empty when nothing is compared."""
    if before is None and after is None:
        return ""
    old = pretty(before).splitlines() if before is not None else []
    new = pretty(after).splitlines() if after is not None else []
    return "\n".join(difflib.unified_diff(old, new, "sebelum", "sesudah", lineterm="", n=2))


def pretty(value: Any) -> str:
    """JSON as people read it."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)

