"""Reads and writes of the audit trail; the hash chain itself is kept by forms.casework.audit."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import mongoengine as me

from forms.store.models import AuditEntry


def last_audit_entry() -> AuditEntry | None:
    """The entry at the end of the chain (only its sequence number and hash), or None for an empty trail."""
    return AuditEntry.objects.order_by("-seq").only("seq", "hash").first()

def append_audit_entry(values: Mapping[str, Any]) -> AuditEntry | None:
    """Store one entry at its sequence number; None if another writer took that number first."""
    try:
        return AuditEntry(**values).save()
    except me.NotUniqueError:
        return None

def audit_chain() -> Iterator[AuditEntry]:
    """Every entry of the trail, in sequence order."""
    return iter(AuditEntry.objects.order_by("seq"))

def audit_trail_of(subject: str) -> list[AuditEntry]:
    """The entries about one subject, oldest first."""
    return list(AuditEntry.objects(subject=subject).order_by("seq"))
