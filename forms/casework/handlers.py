"""Named actions a form's submission can trigger (`submit.handler` in the schema).

The engine stays generic: a handler receives the form, the submission and the flat answers, and
returns fields to store with the submission. A handler that cannot complete raises SubmitError,
and the submission stays a draft.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from forms.casework import audit
from forms.casework.events import StatusChange, announce
from forms.casework.transitions import set_search_text, workflow_of
from forms.catalog.runtime import office_clock
from forms.engine.schema import Form
from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.office.tickets import open_ticket
from forms.printing.issue import issue_printouts
from forms.store import (
    Duplicate,
    IssuedDocument,
    Submission,
    add_account,
    add_document,
    next_sequence,
    owner_number,
    utcnow,
    value_taken,
)

Handler = Callable[[Form, Submission, Mapping[str, Any]], dict]

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
    """Name the submit handlers a schema may use; building the catalog refuses a schema naming any other."""
    app.extensions["loket.handlers"] = {"create_account": create_account, "issue_documents": issue_documents,
                                        "open_ticket": open_ticket}


def handler_for(form: Form) -> Handler | None:
    """The submit handler a form names (checked when the catalog was built), or None when it names none."""
    name = form.submit.get("handler")
    return current_app.extensions["loket.handlers"][name] if name else None


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


def issue_documents(form: Form, submission: Submission, answers: Mapping[str, Any]) -> dict:
    """Issue the owner's number (once per owner) and one document per row, kind and status from `submit.issue`."""
    spec = form.submit["issue"]
    issued = {}
    if "owner_number" in spec:
        numbering = spec["owner_number"]
        issued[numbering["name"]] = owner_number(numbering["name"], submission.owner, numbering["digits"])
    rows = spec.get("per_row")
    if rows:
        plan = [(row, rows["kinds"].get(row.get(rows["kind"]))) for row in answers.get(rows["group"]) or []]
        missing = [row.get(rows["key"]) for row, kind in plan if kind is None]
        if missing:
            raise SubmitError(gettext("Tidak ada dokumen yang dapat diterbitkan untuk %(keys)s.",
                                      keys=", ".join(map(str, missing))))
        now = utcnow()
        year = office_clock().local(now).year  # the office's year: 00:30 WIB on 1 January is the new year
        for row, kind in plan:
            code = row[rows["kind"]]
            number = kind["pattern"].format(year=year, seq=next_sequence(f"{form.id}:{code}:{year}"),
                                            key=row.get(rows["key"], ""))
            document = add_document({
                "submission_id": submission.id, "owner": submission.owner, "kind": code, "number": number,
                "workflow_version": (submission.procedure or {}).get("workflows", {}).get(code),
                "key": str(row.get(rows["key"], "")), "status": kind["status"], "issued_at": now, "updated_at": now,
                "data": {name: row.get(name) for name in rows.get("copy", ()) if row.get(name) is not None},
                "history": [{"at": now, "actor": submission.owner, "action": "terbit", "from": None,
                             "to": kind["status"], "note": ""}], "entered_at": now})
            audit.append(submission.owner, number, "terbit", None, kind["status"], at=now)
            set_search_text(document)
            announce(StatusChange("document", str(document.id), number, code, None, kind["status"], "terbit", now,
                                  document_code(document)))
    issue_printouts(submission)
    return {"derived": {**submission.derived, **issued}} if issued else {}
