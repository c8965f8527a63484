"""Issuing as an intent plus a job: the submit request records what to issue, a job issues it, exactly once.

The request validates the draft and plans the issue (`plan_issue`: the number series, the owner
number, one document per row with its kind, key and status); the plan is written as the
submission's *intent* in the same conditional update that claims it, and a job keyed by the
submission is queued. The job (`run_submit`) does the rest in steps, each in its own unit of work
and each idempotent by a unique key, so a crash at any line is finished by the next run and nothing
is issued twice:

- numbers: gapless series claimed per subject (store.claim_number), the owner number once per owner;
- documents: unique per (submission, kind, key); their audit line keyed by the document's issue;
- the submission's status change: conditional on its status, announced under one key (webhooks once);
- printouts, by a second job queued last: one version per (subject, issue) with a key-derived token and file
  (forms.printing.issue).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from flask import current_app, has_request_context, request

from forms.casework import audit
from forms.casework.events import StatusChange, announce
from forms.casework.filling import notify_submitted
from forms.casework.handlers import SubmitError, document_code
from forms.casework.notices import tell_issued
from forms.casework.numbering import document_number_of, owner_number_of
from forms.casework.provenance import record_counter_submit
from forms.casework.queue import PRINT_JOB, SUBMIT_JOB, queue_job
from forms.casework.transitions import set_search_text
from forms.catalog.runtime import office_clock, schemas
from forms.engine.schema import Form
from forms.engine.text import gettext, tr
from forms.errors import ConflictError
from forms.printing.issue import printed_subject, printed_subjects, render_version
from forms.store import (
    SUBMITTING,
    Job,
    Submission,
    SubmissionRecord,
    add_document,
    change_status,
    claim_number,
    documents_of,
    find_submission,
    subject_ref,
    unit_of_work,
    utcnow,
)

__all__ = ["PRINT_JOB", "SUBMIT_JOB", "plan_issue", "run_print", "run_submit"]


def plan_issue(form: Form, submission: Submission | SubmissionRecord, answers: Mapping[str, Any]) -> dict:
    """What a submit will issue, checked now (SubmitError while the draft is still a draft): the intent."""
    now = utcnow()
    year = office_clock().local(now).year  # the office's year: 00:30 WIB on 1 January is the new year
    spec = form.submit.get("issue") or {}
    return {"job": f"{SUBMIT_JOB}:{submission.id}", "at": now, "year": year, "series": f"{form.id}:{year}",
            "base_url": request.host_url if has_request_context() else "",
            "status": form.submit.get("status", "submitted"), "owner_number": spec.get("owner_number"),
            "documents": planned_documents(form, spec.get("per_row"), answers, year)}


def planned_documents(form: Form, rows: Mapping[str, Any] | None, answers: Mapping[str, Any], year: int) -> list[dict]:
    """One planned document per row of the issuing group; SubmitError for a row without a kind or a repeated one."""
    if not rows:
        return []
    plan = [(row, rows["kinds"].get(row.get(rows["kind"]))) for row in answers.get(rows["group"]) or []]
    missing = [row.get(rows["key"]) for row, kind in plan if kind is None]
    if missing:
        raise SubmitError(gettext("Tidak ada dokumen yang dapat diterbitkan untuk %(keys)s.",
                                  keys=", ".join(map(str, missing))))
    repeated = [key for key, count in Counter(str(row.get(rows["key"], "")) for row, _kind in plan).items() if count > 1]
    if repeated:
        raise SubmitError(gettext("Setiap %(keys)s hanya boleh diajukan sekali dalam satu permohonan.",
                                  keys=", ".join(repeated)))
    return [{"kind": row[rows["kind"]], "key": str(row.get(rows["key"], "")), "pattern": kind["pattern"],
             "series": f"{form.id}:{row[rows['kind']]}:{year}", "status": kind["status"],
             "data": {name: row.get(name) for name in rows.get("copy", ()) if row.get(name) is not None}}
            for row, kind in plan]


def run_submit(job: Job) -> None:
    """The submit job: every step of the intent, each committed on its own and safe to run again."""
    submission = find_submission(job.subject.partition(":")[2])
    if submission is None or not submission.intent:
        return
    app = current_app._get_current_object()
    form = schemas().get(submission.form_id, submission.form_version)
    intent = submission.intent
    with unit_of_work(app):
        number = form.number_pattern.format(form=form.id.upper(), year=intent["year"],
                                            seq=claim_number(intent["series"], f"submission:{submission.id}"))
    with unit_of_work(app):
        derived = issue_owner_number(submission, intent.get("owner_number"))
    for planned in intent["documents"]:
        with unit_of_work(app):
            issue_document(submission, planned, intent, derived)
    with unit_of_work(app):
        changed = finish_submit(submission, number, derived, intent)
        record_counter_submit(submission, number, intent["status"])
    if changed:  # this run made the change: its confirmation and notice of issue, if the form sends them (at most once)
        notify_submitted(form, flat_answers(submission), number, intent.get("base_url") or "/", intent.get("lang", "id"))
        announce_issue(form, submission, number, intent.get("base_url") or "/")
    with unit_of_work(app):  # one job per printout, so that the PDF processes make an application's PDFs side by side
        for subject in printed_subjects(submission):
            queue_job(PRINT_JOB, job.subject, f"{PRINT_JOB}:{submission.id}:{subject_ref(subject)}")


def announce_issue(form: Form, submission: Submission, number: str, base_url: str) -> None:
    """Tell the applicant the documents an application issued, if the form's issuing rules name a message."""
    spec = form.submit.get("issue") or {}
    notify = spec.get("notify")
    if not notify:
        return
    kinds = (spec.get("per_row") or {}).get("kinds", {})
    documents = [(document, tr(kinds.get(document.kind, {}).get("label"), "id") or document.kind)
                 for document in documents_of(submission.id)]
    tell_issued(submission.owner, number, documents, notify["message"], base_url.rstrip("/") + notify["url"])


def run_print(job: Job) -> None:
    """A printout job of an issue: one version of the printed subject its key names ('print:<submission>:<ref>'),
    or of every printed subject for a key without one (as queued before one job per printout). A job of its
    own, so that the PDFs of one application never hold up the numbers and documents of the next."""
    submission = find_submission(job.subject.partition(":")[2])
    if submission is None:
        return
    app = current_app._get_current_object()
    ref = job.key.split(":", 2)[2] if job.key.count(":") >= 2 else None
    subjects = printed_subjects(submission) if ref is None else [printed_subject(submission, ref)]
    for subject in subjects:
        if subject is not None:
            with unit_of_work(app):
                render_version(subject, submission, f"issue:{submission.id}")


def issue_owner_number(submission: Submission, spec: Mapping[str, Any] | None) -> dict:
    """The owner's number (created once per owner, then reused), as the derived values to store."""
    if not spec:
        return {}
    return {spec["name"]: owner_number_of(spec["name"], submission.owner, spec["digits"])}


def issue_document(submission: Submission, planned: Mapping[str, Any], intent: Mapping[str, Any],
                   owner_numbers: Mapping[str, Any]) -> None:
    """Issue one planned document (once per submission, kind and key) with its audit line and event; its number
    from the kind's pattern (which may name the owner's numbers) or from the numbers gateway."""
    at = intent["at"]
    name = f"document:{submission.id}:{planned['kind']}:{planned['key']}"
    seq = claim_number(planned["series"], name)
    number = document_number_of(planned["pattern"], {**owner_numbers, "year": intent["year"], "seq": seq,
                                                     "key": planned["key"]},
                                {"kind": planned["kind"], "key": name, "owner": submission.owner,
                                 "document_key": planned["key"], "owner_numbers": dict(owner_numbers)})
    document, _created = add_document({
        "submission_id": submission.id, "owner": submission.owner, "kind": planned["kind"],
        "number": number,
        "workflow_version": (submission.procedure or {}).get("workflows", {}).get(planned["kind"]),
        "key": planned["key"], "status": planned["status"], "issued_at": at, "updated_at": at, "entered_at": at,
        "data": dict(planned["data"]),
        "history": [{"at": at, "actor": submission.owner, "action": "terbit", "from": None, "to": planned["status"],
                     "note": ""}]})
    audit.append(submission.owner, document.number, "terbit", None, planned["status"], at=at,
                 event=f"issue:{document.id}")
    set_search_text(document)
    announce(StatusChange("document", str(document.id), document.number, document.kind, None, planned["status"],
                          "terbit", at, document_code(document), key=f"issue:{document.id}"))


def flat_answers(submission: Submission) -> dict:
    """A submission's answers and derived values as one mapping (field names are unique per form)."""
    return {name: value for values in (*submission.answers.values(), submission.derived) for name, value in values.items()}


def finish_submit(submission: Submission, number: str, derived: Mapping[str, Any], intent: Mapping[str, Any]) -> bool:
    """Move the submission to its submitted status with its number (once); announce it under one key.

    True when this call made the change.
    """
    key = f"submit:{submission.id}"
    if submission.status == SUBMITTING:
        try:
            change_status(submission, SUBMITTING, intent["status"], submission.owner, "submit", key=key,
                          extra={"number": number, "submitted_at": intent["at"],
                                 **({"derived": {**submission.derived, **derived}} if derived else {})})
            return True
        except ConflictError:
            submission.reload()  # a parallel run was first: it changed the status and announced it
            if submission.status == SUBMITTING:
                raise
    announce(StatusChange("submission", str(submission.id), submission.number, submission.form_id, SUBMITTING,
                          submission.status, "submit", intent["at"], key=key))
    return False
