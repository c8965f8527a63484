"""Operations on issued documents and owner numbers: issuing, conditional updates, lookups, queues, counts per status."""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import mongoengine as me

from forms.engine.text import gettext
from forms.errors import ConflictError
from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import IssuedDocument, OwnerNumber, utcnow


@translate_errors
def owner_number(name: str, owner: str, digits: int) -> str:
    """The owner's number of that name, created once (random, unique, no leading zero) and then reused."""
    existing = OwnerNumber.objects(name=name, owner=owner).first()
    if existing is not None:
        return existing.number
    for _attempt in range(20):
        number = str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))
        try:
            OwnerNumber(name=name, owner=owner, number=number).save()
            return number
        except me.NotUniqueError:
            existing = OwnerNumber.objects(name=name, owner=owner).first()
            if existing is not None:  # a parallel request created it first
                return existing.number
    raise RuntimeError(f"could not draw a unique {name} number")


@translate_errors
def documents_of(submission_id) -> list[IssuedDocument]:
    """Documents issued from a submission, in issue order."""
    return list(IssuedDocument.objects(submission_id=submission_id).order_by("issued_at", "number"))


@translate_errors
def update_document(document: IssuedDocument, changes: Mapping[str, Any], expected_status: str | None = None,
                    push_history: Mapping[str, Any] | None = None) -> IssuedDocument:
    """One conditional update of an issued document on (id, version[, status]); ConflictError if someone was first."""
    query = {"_id": document.id, "version": document.version}
    if expected_status is not None:
        query["status"] = expected_status
    update: dict[str, Any] = {"$set": {**changes, "updated_at": utcnow()}, "$inc": {"version": 1}}
    if push_history is not None:
        update["$push"] = {"history": dict(push_history)}
    result = IssuedDocument._get_collection().update_one(query, update)
    if not result.modified_count:
        raise ConflictError(gettext("Data dokumen ini baru saja diubah oleh orang lain (atau status sudah berganti). "
                            "Muat ulang halaman untuk melihat keadaan terbaru; tidak ada yang diubah."))
    document.reload()
    return document


@translate_errors
def find_document(document_id: str) -> IssuedDocument | None:
    """An issued document by id, or None for an unknown or malformed id."""
    wanted = parse_id(document_id)
    return IssuedDocument.objects(id=wanted).first() if wanted is not None else None


@translate_errors
def count_by_status(document: type[me.Document], statuses: list[str]) -> dict[str, int]:
    """How many documents of a collection are in each of these statuses (each an indexed count)."""
    collection = document._get_collection()
    return {status: collection.count_documents({"status": status}) for status in statuses}


@translate_errors
def owner_numbers_of(owner: str) -> list[OwnerNumber]:
    """Every owner number given to an owner."""
    return list(OwnerNumber.objects(owner=owner))


@translate_errors
def add_document(values: Mapping[str, Any]) -> IssuedDocument:
    """Store a newly issued document and return it as stored; Duplicate if its number is taken."""
    IssuedDocument(**values).save()
    return IssuedDocument.objects.get(number=values["number"])


@translate_errors
def document_by_number(number: str) -> IssuedDocument | None:
    """An issued document by its number, or None."""
    return IssuedDocument.objects(number=number).first()


@translate_errors
def document_status(document_id: str) -> str | None:
    """An issued document's current status, or None for an unknown or malformed id."""
    wanted = parse_id(document_id)
    document = IssuedDocument.objects(id=wanted).only("status").first() if wanted is not None else None
    return document.status if document is not None else None


@translate_errors
def documents_of_owner(owner: str) -> list[IssuedDocument]:
    """An owner's documents in issue order (documents issued together by their numbers)."""
    return list(IssuedDocument.objects(owner=owner).order_by("issued_at", "number"))


@translate_errors
def case_queue(status: str | None = None, words: str = "", assigned_to: str | None = None, limit: int = 50,
               fields: Iterable[str] = ()) -> list[IssuedDocument]:
    """Cases longest in their state first, optionally in one status, containing search words, or assigned to one officer."""
    query = IssuedDocument.objects(status=status) if status else IssuedDocument.objects
    if words:
        query = query.filter(search__contains=words)
    if assigned_to:
        query = query.filter(assigned_to=assigned_to)
    query = query.order_by("entered_at")
    if fields:
        query = query.only(*fields)
    return list(query.limit(limit))


@translate_errors
def documents_in_state(kind: str, status: str, due_before: datetime) -> list[IssuedDocument]:
    """Documents of a kind in a status whose service time ran out before a moment."""
    return list(IssuedDocument.objects(kind=kind, status=status, sla__due_at__lt=due_before))


@translate_errors
def status_counts_of_kind(kind: str) -> dict[str, int]:
    """How many documents of one kind are in each status."""
    counts: dict[str, int] = {}
    for document in IssuedDocument.objects(kind=kind).only("status"):
        counts[document.status] = counts.get(document.status, 0) + 1
    return counts


@translate_errors
def set_search_words(document: IssuedDocument, words: str) -> None:
    """Store the words an officer may find a document by."""
    IssuedDocument.objects(id=document.id).update_one(set__search=words)


@translate_errors
def pin_workflow_version(kind: str, version: int) -> None:
    """Documents of a kind that follow no particular workflow version follow this one from now on."""
    IssuedDocument.objects(kind=kind, workflow_version=None).update(set__workflow_version=version)
