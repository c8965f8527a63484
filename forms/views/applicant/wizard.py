"""The generic wizard: any form in schemas/forms becomes steps, review, submit and a status page."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from forms import store
from forms.casework.filling import Incomplete, fill_step, submit_draft
from forms.casework.handlers import SubmitError
from forms.casework.tracking import (
    document_views,
    owner_number_of,
    preparation_of,
    public_history,
    status_label,
)
from forms.catalog.runtime import catalog, draft_form, schemas
from forms.engine.render import (
    client_data,
    derived_items,
    error_list,
    review_sections,
    step_view,
)
from forms.engine.schema import Form
from forms.engine.text import gettext, tr
from forms.engine.wizard import MAX_ROWS, Services, flat_data, navigate
from forms.errors import ConflictError
from forms.office.surveys import AFTER_SURVEY
from forms.office.surveys import settings as survey_settings
from forms.views.applicant.account import safe_next
from forms.views.applicant.requestinput import RequestInput, WithoutRow
from forms.views.applicant.submission import (
    get_submission_or_404,
    load_form,
    services_for,
)
from forms.views.applicant.verification import send_codes
from forms.web.bodylimits import body_limit, uploads_limit
from forms.web.security import current_owner
from forms.web.templating import current_language

bp = Blueprint("wizard", __name__)


@bp.get("/formulir/<form_id>")
def start(form_id: str):
    """The form's front page: what it asks, and the visitor's unfinished drafts."""
    form = load_form(form_id)
    owner = current_owner()
    drafts = [s for s in store.list_submissions(owner, form_id) if s.status == store.DRAFT] if owner else []
    return render_template("start.html", form=form, drafts=drafts)


@bp.post("/formulir/<form_id>")
@body_limit("SMALL_BODY_MAX_BYTES")
def create(form_id: str):
    """Begin a new submission on the latest version of the form."""
    form = load_form(form_id)
    submission = store.create_submission(form.id, form.version, current_owner(create=True),
                                         procedure=catalog().procedure())
    return redirect(url_for("wizard.resume", submission_id=submission.id))


@bp.get("/isian/<submission_id>")
def resume(submission_id: str):
    """Go to where the applicant left off: the first open step, the review, or the status page."""
    submission, form = get_submission_or_404(submission_id)
    if submission.status != store.DRAFT:
        return redirect(url_for("wizard.status", submission_id=submission_id))
    services = services_for(submission)
    step = navigation_of(form, submission, services).first_open()
    if step is None:
        return redirect(url_for("wizard.review", submission_id=submission_id))
    return redirect(url_for("wizard.step", submission_id=submission_id, step_name=step.name))


@bp.route("/isian/<submission_id>/langkah/<step_name>", methods=["GET", "POST"])
@body_limit(lambda submission_id, step_name: step_body_limit(submission_id, step_name))
def step(submission_id: str, step_name: str):
    """Show a step, or validate and save it."""
    submission, form = get_submission_or_404(submission_id)
    if submission.status != store.DRAFT:
        return redirect(url_for("wizard.status", submission_id=submission_id))
    step = form.step(step_name)
    if step is None:
        abort(404)
    services = services_for(submission)
    navigation = navigation_of(form, submission, services)
    if not navigation.can_open(step_name):
        flash(gettext("Selesaikan langkah sebelumnya terlebih dahulu."), "warning")
        return redirect(url_for("wizard.resume", submission_id=submission_id))
    if request.method == "GET":
        send_codes(form, submission, step, services)
        return render_step(form, submission, step, services, navigation, add_row=request.args.get("tambah"))
    return save_step(form, submission, step, services, navigation)


def step_body_limit(submission_id: str, step_name: str) -> int:
    """A step's body limit: its text, plus room for each of its uploads (rows of a group count each)."""
    key = store.submission_form_key(submission_id)
    form = None
    if key is not None:
        form_id, version, preview = key
        form = draft_form(form_id, version) if preview else schemas().get(form_id, version)
    step = form.step(step_name) if form else None
    return uploads_limit(*[size for field in (step.fields if step else ()) for size in upload_sizes(field)])


def upload_sizes(field) -> list[int | None]:
    """The size limit of each upload a field can post (a repeat group's file per possible row)."""
    if field.kind.is_upload:
        return [field.max_bytes]
    if field.kind.is_group:
        rows = min(field.max_items or MAX_ROWS, MAX_ROWS)
        return [size for sub in field.fields for size in upload_sizes(sub)] * rows
    return []


def navigation_of(form: Form, submission: store.SubmissionRecord, services: Services):
    """The applicant's position in this submission."""
    return navigate(form, submission.answers, submission.validated, submission.derived, services)


def save_step(form: Form, submission: store.SubmissionRecord, step, services: Services, navigation):
    """Validate the posted step; on success store it and move on, else show the errors."""
    if request.form.get("_version") != str(submission.version):
        raise ConflictError(gettext("Formulir ini sudah diubah di tab atau perangkat lain. Muat ulang untuk melihat "
                                    "data terbaru, lalu ulangi perubahan Anda."))
    action = request.form.get("_action", "next")
    if action.startswith("kirim-ulang:"):
        send_codes(form, submission, step, services, again=action.split(":", 1)[1])
        return redirect(url_for("wizard.step", submission_id=submission.id, step_name=step.name))
    raw = RequestInput(request.form, request.files)
    if action.startswith("hapus:"):
        _verb, group, index = (action.split(":") + ["", ""])[:3]
        raw = WithoutRow(raw, group, int(index)) if index.isdigit() else raw
    filled = fill_step(form, submission, step, raw, services, require=action == "next")
    if filled.applied is None:
        return render_step(form, submission, step, services, navigation, raw=raw, errors=filled.result.errors,
                           parsed=filled.result.values), 422
    if filled.applied.cleared:
        flash(gettext("Jawaban yang tidak berlaku lagi dihapus: %(fields)s.",
                      fields=", ".join(labels_of(form, filled.applied.cleared))), "info")
    return redirect(after_save(form, submission, step, action, services))


def labels_of(form: Form, names: list[str]) -> list[str]:
    """Labels of fields by name, for messages."""
    fields = form.fields
    return [tr(fields[name].label, current_language()) if name in fields else name for name in names]


def after_save(form: Form, submission: store.SubmissionRecord, step, action: str, services: Services) -> str:
    """Where to go after a successful save."""
    if action.startswith("tambah:"):
        return url_for("wizard.step", submission_id=submission.id, step_name=step.name,
                       tambah=action.split(":", 1)[1]) + "#" + action.split(":", 1)[1]
    if action != "next":
        if action == "save":
            flash(gettext("Draf tersimpan. Anda dapat melanjutkan kapan saja dari halaman depan."), "success")
        return url_for("wizard.step", submission_id=submission.id, step_name=step.name)
    _before, after = navigation_of(form, submission, services).neighbours(step.name)
    if after is None:
        return url_for("wizard.review", submission_id=submission.id)
    return url_for("wizard.step", submission_id=submission.id, step_name=after.name)


def render_step(form: Form, submission: store.SubmissionRecord, step, services: Services, navigation, raw=None,
                errors=None, add_row: str | None = None, parsed=None):
    """The step page."""
    lang = current_language()
    views = step_view(form, step, submission.answers, submission.derived, services, raw=raw, errors=errors,
                      lang=lang, parsed=parsed)
    if add_row:
        views = [grow(view, form, step, submission, services, lang) if view.name == add_row else view
                 for view in views]
    before, _after = navigation.neighbours(step.name)
    return render_template(
        "step.html", form=form, submission=submission, step=step, views=views,
        errors=error_list(views, errors or {}, lang),
        progress=navigation.progress(step.name), before=before,
        client_data=client_data(step, submission.answers, submission.derived, services))


def grow(view, form: Form, step, submission: store.SubmissionRecord, services: Services, lang: str):
    """The same repeat-group view with one more blank row."""
    from forms.engine.render import repeat_rows
    data = flat_data(submission.answers, submission.derived, services)
    stored = submission.answers.get(step.name, {}).get(view.name) or []
    view.rows, view.row_titles = repeat_rows(view.field, stored, data, services, None, {}, 1 if stored else 0, lang)
    return view


@bp.get("/isian/<submission_id>/periksa")
def review(submission_id: str):
    """Every answer, with an edit link per step, before submitting."""
    submission, form = get_submission_or_404(submission_id)
    if submission.status != store.DRAFT:
        return redirect(url_for("wizard.status", submission_id=submission_id))
    services = services_for(submission)
    navigation = navigation_of(form, submission, services)
    return render_template(
        "review.html", form=form, submission=submission, missing=navigation.first_open(),
        sections=review_sections(form, submission.answers, submission.derived, services, current_language()),
        derived=derived_items(form, submission.derived, services, current_language()),
        progress=navigation.progress(None))


@bp.post("/isian/<submission_id>/kirim")
@body_limit("SMALL_BODY_MAX_BYTES")
def submit(submission_id: str):
    """Submit a complete draft: assign its number and move it to the form's submitted status."""
    submission, form = get_submission_or_404(submission_id)
    if request.form.get("_version") != str(submission.version):
        raise ConflictError(gettext("Formulir ini sudah diubah di tab atau perangkat lain. Periksa lagi sebelum "
                                    "mengirim."))
    if submission.preview:
        flash(gettext("Ini pratinjau versi yang belum terbit: jawaban tidak dikirim dan tidak diproses."), "info")
        return redirect(url_for("wizard.review", submission_id=submission_id))
    try:
        submitted = submit_draft(form, submission, services_for(submission), request.host_url, current_language())
    except Incomplete as error:
        flash(str(error), "warning")
        return redirect(url_for("wizard.step", submission_id=submission_id, step_name=error.step.name))
    except SubmitError as error:
        flash(str(error), "warning")
        return redirect(url_for("wizard.review", submission_id=submission_id))
    for warning in submitted.warnings:
        flash(warning, "warning")
    return redirect(url_for("wizard.status", submission_id=submission_id))


@bp.get("/isian/<submission_id>/status")
def status(submission_id: str):
    """The submission's number, status, documents (or that they are being prepared), history and answers."""
    submission, form = get_submission_or_404(submission_id)
    services = services_for(submission)
    documents = document_views(form, submission, current_language())
    owner_number = owner_number_of(form, submission)
    return render_template(
        "status.html", form=form, submission=submission, documents=documents, owner_number=owner_number,
        preparation=preparation_of(submission, documents, owner_number[1] if owner_number else None),
        status_label=status_label(form, submission.status), history=public_history(submission, documents, form),
        return_to=safe_next(session.get(AFTER_SURVEY)) if form.id == survey_settings().form else None,
        sections=review_sections(form, submission.answers, submission.derived, services, current_language()),
        derived=derived_items(form, submission.derived, services, current_language()))


@bp.get("/isian/<submission_id>/berkas/<file_id>")
def download(submission_id: str, file_id: str):
    """An uploaded file, only to the submission's owner and only if the submission refers to it."""
    submission, _form = get_submission_or_404(submission_id)
    if file_id not in store.referenced_files(submission.answers):
        abort(404)
    stored = store.open_file(file_id)
    if stored is None:
        abort(404)
    return send_file(stored, mimetype=stored.metadata["content_type"], download_name=stored.filename, as_attachment=False,
                     max_age=0)
