"""Who entered what: the applicant, a front-office officer on the applicant's behalf, or the server's prefill.

At the counter a front-office officer works in the applicant's own wizard and requirement pages
(forms.views.counter.acting keeps the officer in g.counter_officer while those pages run as the
applicant). Every answer and upload saved then names the officer; the submission remembers the
counter filing (for the queue, the receipt and the audit line "diajukan oleh petugas … atas nama …"),
and the officer who filed it may not verify or approve it (separation of duties).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, has_request_context

from forms import store
from forms.casework import audit
from forms.catalog.runtime import office_clock
from forms.engine.schema import Step

APPLICANT, OFFICER, PREFILL = "pemohon", "petugas", "prefill"
COUNTER_ROLE = "loket"


def counter_officer() -> store.Account | None:
    """The front-office officer working on the applicant's behalf in this request, or None."""
    return g.get("counter_officer") if has_request_context() else None


def entry_source() -> dict:
    """Who enters what this request saves, as stored beside each answer and upload."""
    officer = counter_officer()
    if officer is not None:
        return {"by": OFFICER, "name": officer.name, "username": officer.username, "at": store.utcnow()}
    account = g.get("account") if has_request_context() else None
    return {"by": APPLICANT, "name": account.name if account is not None else "", "at": store.utcnow()}


def step_provenance(step: Step, stored: Mapping[str, Any], values: Mapping[str, Any],
                    provenance: Mapping[str, Any]) -> dict:
    """The submission's provenance after a step is saved: each changed answer is credited to whoever entered it
    (a value the server fills, not the person, is a prefill); unchanged answers keep their earlier credit."""
    source = entry_source()
    kinds = {field.name: field.kind for field in step.fields}
    credited = dict(provenance.get(step.name) or {})
    for name, value in values.items():
        if name in credited and stored.get(name) == value:
            continue
        server_filled = name in kinds and not kinds[name].input
        credited[name] = {**source, "by": PREFILL, "name": ""} if server_filled else source
    return {**provenance, step.name: credited}


def note_counter_filing(submission: store.Submission | store.SubmissionRecord) -> None:
    """On the first save made at the counter, remember the filing: officer, applicant, time."""
    officer = counter_officer()
    if officer is None or submission.counter:
        return
    applicant = g.account
    store.mark_counter_filing(submission, {
        "officer_id": str(officer.id), "officer_name": officer.name, "officer_username": officer.username,
        "applicant_id": str(applicant.id), "applicant_name": applicant.name, "at": office_clock().now()})


def filing_line(counter: Mapping[str, Any]) -> str:
    """The audit trail's words for a counter filing (Indonesian, as the whole trail)."""
    return f"diajukan oleh petugas {counter['officer_name']} atas nama {counter['applicant_name']}"


def record_counter_submit(submission: store.Submission | store.SubmissionRecord, number: str, status: str) -> None:
    """The audit lines of a submit made at the counter: on the application's number and on each document issued
    from it, so every case's trail says who filed it (once each, by event key; a job that runs again finds them)."""
    counter = submission.counter or {}
    if not counter:
        return
    actor, line = f"{counter['officer_username']} ({COUNTER_ROLE})", filing_line(counter)
    audit.append(actor, number, line, None, status, event=f"counter:{submission.id}")
    for document in store.documents_of(submission.id):
        audit.append(actor, document.number, line, None, document.status, event=f"counter:{document.id}")


def filed_by(document: store.IssuedDocument) -> str | None:
    """The id of the front-office officer who filed the application a document was issued from, or None."""
    return store.counter_filing_of(document.submission_id).get("officer_id")


def is_filer(account: store.Account | None, document: store.IssuedDocument) -> bool:
    """Whether this account filed the document's application, or uploaded one of its files, at the counter
    (so may not judge it)."""
    if account is None:
        return False
    return filed_by(document) == str(account.id) or account.username in counter_uploaders(document)


def counter_uploaders(document: store.IssuedDocument) -> set[str]:
    """The usernames of the front-office officers who uploaded any of a document's requirement files."""
    sources = [entry.get("entered_by") or {} for entry in (document.fulfilment or {}).values()]
    return {source.get("username") for source in sources if source.get("by") == OFFICER}
