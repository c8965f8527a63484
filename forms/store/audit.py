"""Reads and writes of the audit trail; the hash chain itself is kept by forms.casework.audit."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import mongoengine as me

from forms.store.errors import translate_errors
from forms.store.models import AuditEntry, AuditHead

HEAD = "audit"


@translate_errors
def audit_head() -> tuple[int, str] | None:
    """(sequence number, hash) where the chain ends, or None for an empty trail.

    Read from the head record; a trail written before the record existed is read once from its last entry.
    """
    head = AuditHead.objects(name=HEAD).first()
    if head is not None:
        return head.seq, head.hash
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    return (last.seq, last.hash) if last is not None else None


@translate_errors
def append_audit_entry(values: Mapping[str, Any]) -> AuditEntry | None:
    """Store one entry at its sequence number and move the head to it; None if that number was taken.

    When the number was taken (another writer, or a process that died between the entry and the
    head), the head is moved to the entry that holds it, so the next try starts after it.
    """
    try:
        entry = AuditEntry(**values).save()
    except me.NotUniqueError:
        taken = AuditEntry.objects(seq=values["seq"]).only("seq", "hash").first()
        if taken is not None:
            advance_head(taken.seq, taken.hash)
        return None
    advance_head(entry.seq, entry.hash)
    return entry


def advance_head(seq: int, digest: str) -> None:
    """Move the head forward to (seq, hash); never backwards."""
    moved = AuditHead.objects(name=HEAD, seq__lt=seq).update_one(set__seq=seq, set__hash=digest)
    if not moved:
        try:
            AuditHead(name=HEAD, seq=seq, hash=digest).save(force_insert=True)
        except me.NotUniqueError:
            pass  # the head exists and is already at or past seq


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
