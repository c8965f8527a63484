"""Operations on issued documents and owner numbers: conditional updates, lookups, counts per status."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId

from forms.engine.text import gettext
from forms.errors import ConflictError
from forms.store.models import IssuedDocument, OwnerNumber, utcnow


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

def documents_of(submission_id) -> list[IssuedDocument]:
    """Documents issued from a submission, in issue order."""
    return list(IssuedDocument.objects(submission_id=submission_id).order_by("issued_at", "number"))

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

def find_document(document_id: str) -> IssuedDocument | None:
    """An issued document by id, or None for an unknown or malformed id."""
    try:
        return IssuedDocument.objects(id=ObjectId(document_id)).first()
    except (InvalidId, TypeError):
        return None

def count_by_status(document: type[me.Document], statuses: list[str]) -> dict[str, int]:
    """How many documents of a collection are in each of these statuses (each an indexed count)."""
    collection = document._get_collection()
    return {status: collection.count_documents({"status": status}) for status in statuses}
