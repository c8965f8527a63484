"""Reads and writes of the audit trail; the hash chain itself is kept by forms.casework.audit."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import mongoengine as me

from forms.store.errors import translate_errors
from forms.store.models import AuditEntry


@translate_errors
def last_audit_entry() -> AuditEntry | None:
    """The entry at the end of the chain (only its sequence number and hash), or None for an empty trail."""
    return AuditEntry.objects.order_by("-seq").only("seq", "hash").first()


@translate_errors
def append_audit_entry(values: Mapping[str, Any]) -> AuditEntry | None:
    """Store one entry at its sequence number; None if another writer took that number first."""
    try:
        return AuditEntry(**values).save()
    except me.NotUniqueError:
        return None


def audit_chain(batch: int = 500) -> Iterator[AuditEntry]:
    """Every entry of the trail in sequence order, read in batches so a long trail is never held in memory."""
    after = None
    while True:
        entries = audit_entries_after(after, batch)
        yield from entries
        if len(entries) < batch:
            return
        after = entries[-1].seq


@translate_errors
def audit_entries_after(seq: int | None, limit: int) -> list[AuditEntry]:
    """Up to `limit` entries following sequence number `seq` (from the start when None), in order."""
    query = AuditEntry.objects(seq__gt=seq) if seq is not None else AuditEntry.objects
    return list(query.order_by("seq").limit(limit))


@translate_errors
def audit_trail_of(subject: str) -> list[AuditEntry]:
    """The entries about one subject, oldest first."""
    return list(AuditEntry.objects(subject=subject).order_by("seq"))
