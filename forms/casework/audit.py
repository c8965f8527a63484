"""The audit trail: every transition and verdict appended with actor, time, from → to and note, chained by hash.

Each entry's hash covers its own content and the previous entry's hash, so changing, removing or
reordering any past entry breaks every hash after it; `verify_chain` finds the first break.
Sequence numbers are unique, so two writers can never both append entry N.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from forms.store import (
    AuditEntry,
    append_audit_entry,
    audit_chain,
    audit_head,
    utcnow,
)

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "subject", "action", "from_status", "to_status", "note", "prev_hash")


def entry_hash(values: dict) -> str:
    """SHA-256 over the canonical JSON of an entry's content and the previous hash."""
    content = {key: values[key].isoformat() if isinstance(values[key], datetime) else values[key] for key in FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def append(actor: str, subject: str, action: str, from_status: str | None, to_status: str | None,
           note: str = "", at: datetime | None = None) -> AuditEntry:
    """Append one entry at the end of the chain (retried if another writer took the same place)."""
    for _attempt in range(50):
        seq, previous = audit_head() or (0, GENESIS)
        values = {"seq": seq + 1, "at": at or utcnow(), "actor": actor, "subject": subject,
                  "action": action, "from_status": from_status or "", "to_status": to_status or "", "note": note or "",
                  "prev_hash": previous}
        entry = append_audit_entry({**values, "hash": entry_hash(values)})
        if entry is not None:
            return entry
    raise RuntimeError("audit trail is too busy to append")


def verify_chain() -> list[str]:
    """Every break in the chain, as sentences; empty when the trail is intact."""
    problems, previous, expected_seq = [], GENESIS, 1
    for entry in audit_chain():
        values = {key: getattr(entry, key) for key in FIELDS}
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (found {entry.seq})")
        if entry.prev_hash != previous:
            problems.append(f"entry {entry.seq}: does not follow the entry before it")
        if entry_hash(values) != entry.hash:
            problems.append(f"entry {entry.seq}: content was changed after it was written")
        previous, expected_seq = entry.hash, entry.seq + 1
    return problems

