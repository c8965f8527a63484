"""Submissions over the JSON API: create, read, fill one step, submit — through the same engine as the pages.

A step is judged by forms.engine.wizard (validate_step, apply_step, navigate) and saved and submitted by
forms.casework.filling, exactly as the wizard pages do; only the input (JSON instead of a posted form) and
the output (JSON instead of a page) differ. Access is the pages': a submission is its owner's;
officers may read submitted ones (they see them on the case page).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request, url_for

from forms import store
from forms.casework.filling import Incomplete, fill_step, submit_draft
from forms.casework.handlers import SubmitError
from forms.casework.tracking import document_views, owner_number_of, status_label
from forms.catalog.runtime import catalog, schemas
from forms.engine.jsoninput import public_name, read_step_json
from forms.engine.schema import Form
from forms.engine.text import tr
from forms.engine.wizard import Services, flat_data, navigate
from forms.views.applicant.submission import services_for
from forms.web.errorpages import json_error
from forms.web.jsonapi import (
    api_blueprint,
    check_version,
    is_officer,
    iso,
    json_body,
    may_fill,
    require_token,
)

bp = api_blueprint("api_submissions", __name__)
MAX_LISTED = 200


def owner_key() -> str:
    """The owner key of the token's account (as the pages use for a signed-in person)."""
    return f"account:{g.account.id}"


def submission_or_404(submission_id: str, write: bool = False) -> tuple[store.Submission, Form]:
    """The caller's submission and its pinned form; officers may read submitted ones; anything else 404."""
    submission = store.find_submission(submission_id)
    if submission is not None and submission.preview:  # an admin's preview of an unpublished version: pages only
        submission = None
    mine = submission is not None and submission.owner == owner_key()
    readable = submission is not None and not write and submission.status != store.DRAFT and is_officer(g.account)
    form = schemas().get(submission.form_id, submission.form_version) if submission is not None else None
    if not (mine or readable) or form is None:
        abort(json_error(404, "Isian tidak ditemukan."))
    return submission, form


def submission_json(form: Form, submission: store.Submission, services: Services) -> dict:
    """A submission as the API shows it: answers without secrets, where it stands, what it issued."""
    navigation = navigate(form, submission.answers, submission.validated, submission.derived, services)
    draft = submission.status == store.DRAFT
    first_open = navigation.first_open() if draft else None
    owner_number = owner_number_of(form, submission)
    return {
        "id": str(submission.id), "form_id": submission.form_id, "form_version": submission.form_version,
        "status": submission.status, "status_label": status_label(form, submission.status),
        "number": submission.number, "version": submission.version,
        "created_at": iso(submission.created_at), "updated_at": iso(submission.updated_at),
        "submitted_at": iso(submission.submitted_at),
        "answers": without_secrets(form, submission.answers), "derived": dict(submission.derived or {}),
        "steps": [{"name": item["step"].name, "title": tr(item["step"].title), "state": item["state"]}
                  for item in navigation.progress(None)],
        "next_step": first_open.name if first_open is not None else None,
        "ready_to_submit": draft and first_open is None,
        "owner_number": {"label": owner_number[0], "number": owner_number[1]} if owner_number else None,
        "documents": [{"id": view.id, "number": view.number, "kind": view.kind, "key": view.key,
                       "status": view.status, "status_label": view.status_label}
                      for view in document_views(form, submission)],
        "history": [{"at": iso(entry.get("at")), "action": entry.get("action"), "from": entry.get("from"),
                     "to": entry.get("to"), "note": entry.get("note") or ""} for entry in submission.history or []],
    }


def without_secrets(form: Form, answers: dict) -> dict:
    """Answers minus password hashes (never shown, not even to their owner)."""
    secret = {name for name, field in form.fields.items() if field.kind.is_secret}
    return {step: {name: value for name, value in values.items() if name not in secret}
            for step, values in (answers or {}).items()}


@bp.get("/submissions")
@require_token()
def index():
    """The caller's own submissions, newest first, optionally of one form and/or in one status."""
    found = store.list_submissions(owner_key(), request.args.get("form_id", "")[:100],
                                   request.args.get("status", "")[:100], MAX_LISTED)
    items = []
    for submission in found:
        form = schemas().get(submission.form_id, submission.form_version)
        items.append({"id": str(submission.id), "form_id": submission.form_id, "status": submission.status,
                      "status_label": status_label(form, submission.status) if form else submission.status,
                      "number": submission.number, "version": submission.version,
                      "updated_at": iso(submission.updated_at)})
    return jsonify({"items": items})


@bp.post("/submissions")
@require_token()
def create():
    """Start a draft on the published version of a form."""
    body = json_body()
    form_id = body.get("form_id")
    form = schemas().get(form_id) if isinstance(form_id, str) else None
    if form is None or not may_fill(form, g.account):
        return json_error(422, "Formulir tidak dikenal atau tidak dapat Anda isi.", {"form_id": "Formulir tidak dikenal."})
    if any(field.kind.sends_code for field in form.fields.values()):
        return json_error(422, "Formulir ini memakai kode verifikasi yang dikirim ke pemohon; isi melalui halaman web.",
                          {"form_id": "Tidak tersedia lewat API."})
    submission = store.create_submission(form.id, form.version, owner_key(), procedure=catalog().procedure())
    response = jsonify(submission_json(form, submission, services_for(submission)))
    response.status_code = 201
    response.headers["Location"] = url_for("api_submissions.show", submission_id=submission.id)
    return response


@bp.get("/submissions/<submission_id>")
@require_token()
def show(submission_id: str):
    """One submission."""
    submission, form = submission_or_404(submission_id)
    return jsonify(submission_json(form, submission, services_for(submission)))


@bp.put("/submissions/<submission_id>/steps/<step_name>")
@require_token()
def fill(submission_id: str, step_name: str):
    """Validate and save one step (`draft: true` saves without the required checks, as 'save draft' does)."""
    submission, form = submission_or_404(submission_id, write=True)
    body = json_body()
    if submission.status != store.DRAFT:
        return json_error(409, "Isian ini sudah dikirim dan tidak dapat diubah.")
    step = form.step(step_name)
    if step is None:
        return json_error(404, "Langkah tidak ditemukan pada formulir ini.")
    check_version(body, submission.version)
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        return json_error(422, "Isian tidak valid.", {"draft": "Harus true atau false."})
    services = services_for(submission)
    navigation = navigate(form, submission.answers, submission.validated, submission.derived, services)
    if not navigation.can_open(step_name):
        first_open = navigation.first_open()
        return json_error(409, "Selesaikan langkah sebelumnya terlebih dahulu.",
                          next_step=first_open.name if first_open is not None else None)
    data = flat_data(submission.answers, submission.derived, services)
    raw, problems = read_step_json(step, body.get("values", {}), data, services.tables)
    if problems:
        return json_error(422, "Bentuk isian tidak sesuai.", problems)
    filled = fill_step(form, submission, step, raw, services, require=not draft)
    if filled.applied is None:
        return json_error(422, "Ada isian yang perlu diperbaiki.",
                          {public_name(name): message for name, message in filled.result.errors.items()})
    return jsonify({**submission_json(form, submission, services), "cleared": filled.applied.cleared})


@bp.post("/submissions/<submission_id>/submit")
@require_token()
def submit(submission_id: str):
    """Submit a complete draft: it gets its number and moves to the form's submitted status."""
    submission, form = submission_or_404(submission_id, write=True)
    body = json_body() if request.content_length else {}
    if submission.status != store.DRAFT:
        return json_error(409, "Isian ini sudah dikirim.")
    check_version(body, submission.version)
    services = services_for(submission)
    try:
        submitted = submit_draft(form, submission, services, request.host_url)
    except Incomplete as error:
        return json_error(422, str(error), next_step=error.step.name)
    except SubmitError as error:
        return json_error(error.status, str(error))
    return jsonify({**submission_json(form, submitted.submission, services), "warnings": submitted.warnings})
