"""Named actions a form's submission can trigger (`submit.handler` in the schema).

The engine stays generic: a handler receives the form, the submission and the flat answers, and
returns fields to store with the submission. A handler that cannot complete raises SubmitError,
and the submission stays a draft.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from forms.casework.transitions import workflow_of
from forms.engine.schema import Form
from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.office.tickets import open_ticket
from forms.store import (
    Duplicate,
    IssuedDocument,
    Submission,
    SubmissionRecord,
    add_account,
    value_taken,
)

Handler = Callable[[Form, Submission | SubmissionRecord, Mapping[str, Any]], dict]

TAKEN_MESSAGES = {
    "username": N_("Nama pengguna sudah dipakai. Pilih nama pengguna lain."),
    "nik": N_("NIK ini sudah terdaftar. Satu NIK hanya untuk satu akun; gunakan Lupa Kata Sandi bila lupa."),
    "phone": N_("Nomor HP ini sudah terdaftar pada akun lain."),
}


class SubmitError(FormsError):
    """The submission's action could not be completed; nothing was changed."""

    status = 409
    title = N_("Isian belum dapat dikirim")


def init_casework(app: Flask) -> None:
    """Name the submit handlers a schema may use; building the catalog refuses a schema naming any other.

    These run in the submit request; handlers that issue (forms.casework.issuing) are added by
    forms.casework.jobs and only plan there, their work is a job.
    """
    app.extensions["loket.handlers"] = {"create_account": create_account, "open_ticket": open_ticket}
    app.extensions["loket.deferred"] = set()


def handler_for(form: Form) -> Handler | None:
    """The submit handler a form names (checked when the catalog was built), or None when it names none."""
    name = form.submit.get("handler")
    return current_app.extensions["loket.handlers"][name] if name else None


def is_deferred(form: Form) -> bool:
    """Whether the form's handler only plans in the request and leaves its work to a job."""
    return form.submit.get("handler") in current_app.extensions["loket.deferred"]


def create_account(form: Form, submission: Submission, answers: Mapping[str, Any]) -> dict:
    """Create an applicant account from the answers named in `submit.fields`; the password hash leaves the draft."""
    mapping = form.submit.get("fields", {})
    values = {key: answers.get(name) for key, name in mapping.items()}
    values["username"] = str(values.get("username") or "").lower()
    for key in ("username", "nik", "phone"):
        if values.get(key) and value_taken(f"account.{key}", values[key]):
            raise SubmitError(gettext(TAKEN_MESSAGES[key]))
    mapped = set(mapping.values())
    profile = {name: value for name, value in answers.items() if name not in mapped and isinstance(value, (str, int, float, bool))}
    try:
        add_account(username=values["username"], password_hash=values.pop("password"), name=values.get("name"),
                    email=values.get("email"), phone=values.get("phone"), nik=values.get("nik"), roles=["pemohon"],
                    profile=profile)
    except Duplicate as error:
        raise SubmitError(gettext("Data akun ini sudah terdaftar (NIK, nomor HP, atau nama pengguna).")) from error
    return {"answers": without(submission.answers, mapping.get("password"))}


def document_code(document: IssuedDocument) -> str | None:
    """The external status code of a new document's state, when its workflow declares one."""
    workflow = workflow_of(document)
    return workflow.pia_of(document.status) if workflow is not None and document.status in workflow.states else None


def without(answers: Mapping[str, Mapping[str, Any]], field: str | None) -> dict:
    """Answers with one field removed from whichever step holds it."""
    return {step: {name: value for name, value in values.items() if name != field} for step, values in answers.items()}
