"""Printout records: each rendered version of a document's printout, how it names what it prints, and lookups."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mongoengine as me

from forms.store.documents import document_status
from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import IssuedDocument, OwnerNumber, Printout

PRINTED_KINDS: tuple[type[me.Document], ...] = (IssuedDocument, OwnerNumber)  # what a printout can name


@translate_errors
def subject_ref(subject: me.Document) -> str:
    """'<collection>:<id>', how a printout names the record it prints."""
    return f"{subject._get_collection_name()}:{subject.id}"


@translate_errors
def subject_by_ref(ref: str) -> IssuedDocument | OwnerNumber | None:
    """The record a printout ref ('<collection>:<id>') names, read by its id; None for anything else."""
    collection, _, subject_id = ref.partition(":")
    wanted = parse_id(subject_id)
    kind = next((kind for kind in PRINTED_KINDS if kind._get_collection_name() == collection), None)
    return kind.objects(id=wanted).first() if kind is not None and wanted is not None else None


@translate_errors
def subject_status(ref: str) -> str | None:
    """The current status of the issued document a printout names; None for another subject or a missing one."""
    collection, _, subject_id = ref.partition(":")
    if collection != IssuedDocument._get_collection_name():
        return None
    return document_status(subject_id)


@translate_errors
def add_printout(values: Mapping[str, Any]) -> Printout:
    """Store a new printout version (once: the one already stored for (subject, version) is kept), then mark
    the subject's older versions superseded at its render time."""
    try:
        printout = Printout(**values).save(force_insert=True)
    except me.NotUniqueError:
        printout = Printout.objects.get(subject=values["subject"], version=values["version"])
    Printout.objects(subject=printout.subject, version__lt=printout.version, superseded=False).update(
        set__superseded=True, set__superseded_at=printout.rendered_at)
    return printout


@translate_errors
def printed_numbers(numbers: list[str]) -> set[str]:
    """Which of these document numbers have a printout stored."""
    return set(Printout.objects(number__in=list(numbers)).distinct("number")) if numbers else set()


@translate_errors
def printout_of(subject: str, version: int) -> Printout | None:
    """One printout version of a subject ('<collection>:<id>'), or None."""
    return Printout.objects(subject=subject, version=version).first()


@translate_errors
def printout_by_token_hash(token_hash: str) -> Printout | None:
    """The printout version whose QR token has this SHA-256, or None."""
    return Printout.objects(token_hash=token_hash).first()


@translate_errors
def find_printout(number: str, version: int | None = None) -> Printout | None:
    """A document's printout: the given version, or the newest; None if there is none."""
    query = Printout.objects(number=number)
    if version is not None:
        return query.filter(version=version).first()
    return query.order_by("-version").first()


@translate_errors
def printout_versions(number: str) -> list[Printout]:
    """Every printout version of a document, newest first."""
    return list(Printout.objects(number=number).order_by("-version"))
