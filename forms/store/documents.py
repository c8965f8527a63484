"""Operations on issued documents and owner numbers: issuing, conditional updates, lookups, queues, counts per status."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import mongoengine as me

from forms.engine.text import gettext
from forms.errors import ConflictError
from forms.store.counters import counter_value, next_sequence
from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import IssuedDocument, OwnerNumber, utcnow

SEARCH_WORDS_FILLED = "search-words-filled"  # a counter: 1 once documents of earlier versions got their words
WORD_PARTS = re.compile(r"[^\W_]+")  # runs of letters and digits inside a word
MAX_SEARCH_WORDS = 8


@translate_errors
def owner_number(name: str, owner: str, digits: int, draw: Callable[[], str] | None = None) -> str:
    """The owner's number of that name, created once (random, unique, no leading zero — or given by `draw`, e.g. an
    outside gateway) and then reused."""
    existing = OwnerNumber.objects(name=name, owner=owner).first()
    if existing is not None:
        return existing.number
    for _attempt in range(1 if draw else 20):  # a given number is the same on every try: once is enough
        number = draw() if draw else str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))
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
                    push_history: Mapping[str, Any] | None = None,
                    push_internal: Mapping[str, Any] | None = None) -> IssuedDocument:
    """One conditional update of an issued document on (id, version[, status]); ConflictError if someone was first.

    `push_history` appends a line to the history the owner sees; `push_internal` an officers-only note."""
    query = {"_id": document.id, "version": document.version}
    if expected_status is not None:
        query["status"] = expected_status
    update: dict[str, Any] = {"$set": {**changes, "updated_at": utcnow()}, "$inc": {"version": 1}}
    pushed = {"history": push_history, "internal_notes": push_internal}
    if any(entry is not None for entry in pushed.values()):
        update["$push"] = {name: dict(entry) for name, entry in pushed.items() if entry is not None}
    result = IssuedDocument._get_collection().update_one(query, update)
    if not result.modified_count:
        raise ConflictError(gettext("Data dokumen ini baru saja diubah oleh orang lain (atau status sudah berganti). "
                            "Muat ulang halaman untuk melihat keadaan terbaru; tidak ada yang diubah."))
    document.reload()
    return document


@translate_errors
def claim_document(document: IssuedDocument, holder_id: str, holder_name: str, expected_holder: str | None) -> bool:
    """Make `holder_id` the case's officer only if the officer holding it is still `expected_holder` (None: nobody),
    in one conditional update; whether it was (the document is read again either way)."""
    query = {"_id": document.id, "assigned_to": expected_holder or None}
    update = {"$set": {"assigned_to": holder_id, "assigned_name": holder_name, "updated_at": utcnow()},
              "$inc": {"version": 1}}
    won = bool(IssuedDocument._get_collection().update_one(query, update).modified_count)
    document.reload()
    return won


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
def owner_with_number(name: str, number: str) -> str | None:
    """Who was given the owner number `number` of that name (None if nobody)."""
    found = OwnerNumber.objects(name=name, number=number).first()
    return found.owner if found is not None else None


@translate_errors
def owner_numbers_of(owner: str) -> list[OwnerNumber]:
    """Every owner number given to an owner."""
    return list(OwnerNumber.objects(owner=owner))


@translate_errors
def add_document(values: Mapping[str, Any]) -> tuple[IssuedDocument, bool]:
    """Store a newly issued document once per (submission, kind, key): (the document as stored, whether it is new)."""
    try:
        IssuedDocument(**values).save(force_insert=True)
        created = True
    except me.NotUniqueError:
        created = False
    return IssuedDocument.objects.get(submission_id=values["submission_id"], kind=values["kind"],
                                      key=values["key"]), created


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
    if words.split():
        query = query.filter(__raw__=words_query(words))
    if assigned_to:
        query = query.filter(assigned_to=assigned_to)
    query = query.order_by("entered_at")
    if fields:
        query = query.only(*fields)
    return list(query.limit(limit))


@translate_errors
def next_case(document: IssuedDocument) -> IssuedDocument | None:
    """The case after this one in its state's queue (longest in the state first), or None at the end."""
    later = {"status": document.status, "$or": [{"entered_at": {"$gt": document.entered_at}},
                                               {"entered_at": document.entered_at, "_id": {"$gt": document.id}}]}
    return IssuedDocument.objects(__raw__=later).order_by("entered_at", "id").only("id", "number").first()


@translate_errors
def documents_issued_since(moment: datetime) -> list[IssuedDocument]:
    """Documents issued at or after a moment (whose obligations may come due), by the issue-time index."""
    return list(IssuedDocument.objects(issued_at__gte=moment).order_by("issued_at"))


@translate_errors
def documents_issued_between(start: datetime, end: datetime) -> int:
    """How many documents were issued in [start, end): the services a period's survey samples."""
    return IssuedDocument.objects(issued_at__gte=start, issued_at__lt=end).count()


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
    IssuedDocument.objects(id=document.id).update_one(set__search=words, set__search_words=search_tokens(words))


@translate_errors
def fill_search_words() -> int:
    """Give documents stored before search words were kept their words (once per store); how many were filled."""
    if counter_value(SEARCH_WORDS_FILLED):
        return 0
    filled = 0
    unfilled = {"$or": [{"search_words": {"$exists": False}}, {"search_words": []}], "search": {"$ne": ""}}
    for document in IssuedDocument.objects(__raw__=unfilled).only("id", "search"):
        IssuedDocument.objects(id=document.id).update_one(set__search_words=search_tokens(document.search))
        filled += 1
    next_sequence(SEARCH_WORDS_FILLED)
    return filled


def search_tokens(text: str) -> list[str]:
    """Each word of a text in lower case, and the letter and digit runs inside it ("ss-2026-01" → ss-2026-01, ss, 2026, 01)."""
    tokens: dict[str, None] = {}
    for word in text.lower().split():
        tokens[word] = None
        tokens.update(dict.fromkeys(WORD_PARTS.findall(word)))
    return list(tokens)


def words_query(words: str) -> dict:
    """Documents with a search word beginning with each typed word (the first one answered by the index)."""
    patterns = [re.compile("^" + re.escape(word)) for word in search_tokens(words) if word.strip()][:MAX_SEARCH_WORDS]
    query: dict = {"search_words": patterns[0]}
    if len(patterns) > 1:
        query["$and"] = [{"search_words": pattern} for pattern in patterns[1:]]
    return query


@translate_errors
def pin_workflow_version(kind: str, version: int) -> None:
    """Documents of a kind that follow no particular workflow version follow this one from now on."""
    IssuedDocument.objects(kind=kind, workflow_version=None).update(set__workflow_version=version)
