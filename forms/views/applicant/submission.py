"""What a wizard request starts from: the form, the caller's own submission (404 for anybody else's), the services bound to it."""
from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for

from forms import store
from forms.catalog.runtime import draft_form, office_clock, schemas
from forms.engine.schema import Form
from forms.engine.text import gettext
from forms.engine.wizard import Services
from forms.views.applicant.verification import verify
from forms.web.security import current_owner


def load_form(form_id: str, version: int | None = None) -> Form:
    """A form definition or 404; forms that need an account are refused to anonymous visitors."""
    form = schemas().get(form_id, version)
    if form is None or (form.demo and not current_app.config["DEMO_MODE"]):
        abort(404)
    if form.access == "account":
        account = g.get("account")
        if account is None:
            abort(redirect(url_for("account.login", next=request.full_path.rstrip("?"))))
        if form.roles and not set(form.roles) & set(account.roles):
            abort(403)
    return form


def get_submission_or_404(submission_id: str) -> tuple[store.SubmissionRecord, Form]:
    """The caller's own submission and its pinned form version; anybody else's is 'not found'."""
    submission = store.read_submission(submission_id)
    if submission is None or submission.owner != current_owner():
        abort(404)
    if submission.preview:
        return submission, preview_form(submission)
    return submission, load_form(submission.form_id, submission.form_version)


def preview_form(submission: store.SubmissionRecord) -> Form:
    """The unpublished version an admin previews, as it stands now; only admins may open previews."""
    account = g.get("account")
    if account is None or "admin" not in account.roles:
        abort(404)
    form = draft_form(submission.form_id, submission.form_version)
    if form is None:
        abort(409, description=gettext("Draf ini sedang tidak valid; perbaiki masalahnya di penyunting untuk melihat "
                                       "pratinjau."))
    return form


def services_for(submission: store.SubmissionRecord) -> Services:
    """What validation needs, bound to this submission's owner."""
    owner = submission.owner
    return Services(
        tables=schemas().tables,
        account=account_context(),
        save_file=lambda data, name, mime: store.save_file(data, name, mime, owner),
        upload_max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
        today=office_clock().today(),
        verify_code=lambda field, code, _note: verify(field, str(submission.id), code),
        taken=store.value_taken,
    )


def account_context() -> dict:
    """The signed-in account as rules see it (`account.nik`, `account.profile.desa`…); empty when anonymous."""
    account = g.get("account")
    if account is None:
        return {}
    return {"id": str(account.id), "username": account.username, "name": account.name, "nik": account.nik,
            "phone": account.phone, "email": account.email, "roles": list(account.roles),
            "profile": dict(account.profile or {})}
