"""Where an application stands: its documents with readable labels, and the public lookup by number + NIK."""
from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.casework.transitions import key_title
from forms.catalog.runtime import schemas, workflow_for, workflows
from forms.engine.schema import Form
from forms.engine.text import active_language, gettext, tr
from forms.store import (
    FAILED,
    QUEUED,
    RUNNING,
    SUBMITTING,
    IssuedDocument,
    Submission,
    document_by_number,
    documents_of,
    find_submission,
    holder_of,
    jobs_of,
    latest_submitted,
    owner_with_number,
    printed_numbers,
    submission_by_number,
)


@dataclass(frozen=True)
class Guidance:
    """What the applicant should do next in a document's state, and where ("dokumen": its page, "unduh": its PDF)."""

    text: str
    go_to: str | None
    go_label: str | None


@dataclass
class DocumentView:
    """An issued document as pages list it."""

    id: str
    kind: str
    number: str
    key: str
    title: str
    status: str
    status_label: str
    data: dict
    history: list
    guidance: Guidance | None = None
    shown: dict | None = None  # the copied values (risk, scale…) as their fields display them


@dataclass
class Preparation:
    """What is still being made for a submission: whether work is pending or failed, and which printouts are ready."""

    pending: bool
    failed: bool
    printed: set[str]

    @property
    def busy(self) -> bool:
        """Whether a page should look again soon."""
        return self.pending and not self.failed


def preparation_of(submission: Submission, documents: list[DocumentView], owner_number: str | None) -> Preparation:
    """Where the jobs of a submission stand, and which of its numbers can be downloaded."""
    states = {job.state for job in jobs_of(f"submission:{submission.id}")}
    numbers = [view.number for view in documents] + ([owner_number] if owner_number else [])
    return Preparation(pending=submission.status == SUBMITTING or bool(states & {QUEUED, RUNNING}),
                       failed=FAILED in states, printed=printed_numbers(numbers))


def issue_spec(form: Form) -> dict:
    """The form's issuing rules ({} for forms that issue nothing)."""
    return form.submit.get("issue", {}) if form else {}


def document_views(form: Form, submission: Submission, lang: str = "id") -> list[DocumentView]:
    """The submission's issued documents labelled by the form's issuing rules."""
    kinds = issue_spec(form).get("per_row", {}).get("kinds", {})
    views = []
    for document in documents_of(submission.id):
        kind = kinds.get(document.kind, {})
        views.append(DocumentView(
            id=str(document.id), kind=tr(kind.get("label"), lang) or document.kind, number=document.number, key=document.key,
            title=key_title(document), status=document.status,
            status_label=document_status_label(form, document, lang), data=dict(document.data or {}),
            history=list(document.history or []), guidance=guidance_of(document, lang),
            shown=shown_values(form, document.data or {}, lang)))
    return views


def guidance_of(document: IssuedDocument, lang: str = "id") -> Guidance | None:
    """The next step its workflow declares for the document's state (None where it declares none)."""
    workflow = workflow_for(document.kind, document.workflow_version)
    state = workflow.states.get(document.status) if workflow is not None else None
    if state is None or not state.guidance:
        return None
    go = state.guidance.get("go") or {}
    return Guidance(text=tr(state.guidance["applicant"], lang), go_to=go.get("to"),
                    go_label=tr(go["label"], lang) if go else None)


def named_fields(form: Form) -> dict:
    """Every field of the form by name, sub-fields of repeat groups included (a document copies a group's row)."""
    found = {}
    for field in form.fields.values():
        found.update({sub.name: sub for sub in field.fields or ()})
        found[field.name] = field
    return found


def shown_values(form: Form, data: Mapping[str, Any], lang: str = "id") -> dict[str, str]:
    """A document's copied values as the form's fields display them (labels, not codes); absent ones left out."""
    fields, tables = named_fields(form), schemas().tables
    return {name: fields[name].kind.display(fields[name], value, tables, lang) if name in fields else str(value)
            for name, value in data.items() if value not in (None, "")}


def document_status_label(form: Form, document: IssuedDocument, lang: str = "id") -> str:
    """A document's status in words: its workflow's label, else the form's issuing rules."""
    workflow = workflow_for(document.kind, document.workflow_version)
    if workflow is not None and document.status in workflow.states:
        return tr(workflow.states[document.status].label, lang)
    return status_label(form, document.status, lang)


def status_label(form: Form, status: str, lang: str = "id") -> str:
    """A status as people read it, from the form's issuing rules or its submit settings."""
    for kind in issue_spec(form).get("per_row", {}).get("kinds", {}).values():
        if kind.get("status") == status and kind.get("status_label"):
            return tr(kind["status_label"], lang)
    if status == form.submit.get("status") and form.submit.get("status_label"):
        return tr(form.submit["status_label"], lang)
    if status == SUBMITTING:
        return gettext("Sedang diproses")
    return gettext("Draf") if status == "draft" else status.replace("_", " ").capitalize()


def owner_number_of(form: Form, submission: Submission) -> tuple[str, str] | None:
    """(label, number) of the owner-level number issued with this submission, if any."""
    spec = issue_spec(form).get("owner_number")
    if not spec or not submission.derived.get(spec["name"]):
        return None
    return tr(spec["label"], active_language()), submission.derived[spec["name"]]


def find_for_tracking(number: str, nik: str) -> Submission | None:
    """The submission behind an application, document or owner number (the newest one for an owner number),
    only if the NIK is its owner's."""
    number = number.strip().upper()
    submission = submission_by_number(number)
    if submission is None:
        document = document_by_number(number)
        submission = find_submission(str(document.submission_id)) if document else None
    if submission is None:
        owner = next(filter(None, (owner_with_number(name, number) for name in owner_number_names())), None)
        submission = latest_submitted(owner) if owner else None
    if submission is None:
        return None
    account = holder_of(submission.owner, "nik")
    if account is None or not account.nik or not hmac.compare_digest(account.nik, nik.strip()):
        return None
    return submission


def owner_number_labels(lang: str = "id") -> str:
    """How people call the owner-level numbers the forms issue, joined ('' if none)."""
    labels = {tr(spec["label"], lang) for form in schemas().latest() if (spec := issue_spec(form).get("owner_number"))}
    return " / ".join(sorted(labels))


def owner_number_names() -> set[str]:
    """The names of the owner-level numbers the forms issue (e.g. one business number per person)."""
    return {spec["name"] for form in schemas().latest() if (spec := issue_spec(form).get("owner_number"))}


def label_of(form: Form, kind: str, status: str) -> str:
    """A status of a document kind in words."""
    workflow = workflows().get(kind)
    if workflow is not None and status in workflow.states:
        return tr(workflow.states[status].label, active_language())
    return status_label(form, status, active_language())


def public_history(submission: Submission, documents: list[DocumentView], form: Form) -> list[dict[str, Any]]:
    """Status changes only (no actors, no notes), oldest first, for the public page."""
    lang = active_language()
    entries = [{"at": entry["at"], "what": tr(form.title, lang), "to": status_label(form, entry["to"], lang)}
               for entry in submission.history]
    for document in documents:
        entries += [{"at": entry["at"], "what": f"{document.kind} {document.number}", "to": label_of(form, document.kind, entry["to"])}
                    for entry in document.history]
    return sorted(entries, key=lambda entry: entry["at"])
