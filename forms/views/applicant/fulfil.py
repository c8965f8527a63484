"""Pemenuhan Persyaratan: the applicant's documents, requirement uploads, and their own workflow actions."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from forms.casework import transitions as casework
from forms.casework.tracking import guidance_of
from forms.engine.text import gettext, tr
from forms.identity.accounts import require_role
from forms.store import IssuedDocument, documents_of_owner, find_document, open_file
from forms.web.bodylimits import body_limit, uploads_limit
from forms.web.templating import current_language

bp = Blueprint("fulfil", __name__)


def own_document_or_404(document_id: str) -> IssuedDocument:
    """A document the signed-in person may see (its owner, or an officer); anything else is 'not found'."""
    document = find_document(document_id)
    if document is None or not casework.can_see(g.account, document):
        abort(404)
    return document


@bp.get("/pemenuhan")
@require_role()
def index():
    """The applicant's documents, those waiting for them first."""
    rows = [row_of(document) for document in documents_of_owner(casework.owner_of(g.account))]
    rows.sort(key=lambda row: (row["turn"] != "pemohon", row["document"].issued_at))
    return render_template("fulfil/index.html", rows=rows)


def row_of(document: IssuedDocument) -> dict:
    """What list pages show of a document."""
    workflow = casework.workflow_of(document)
    state = workflow.states[document.status]
    return {"document": document, "label": tr(state.label, current_language()), "turn": state.turn,
            "title": casework.key_title(document),
            "sla": casework.sla_view(document), "kind": tr(workflow.title, current_language()),
            "guidance": guidance_of(document, current_language())}


@bp.get("/dokumen/<document_id>")
@require_role()
def show(document_id: str):
    """A document's checklist, uploads, verdicts, status, service time and history."""
    document = own_document_or_404(document_id)
    if casework.is_officer(g.account) and document.owner != casework.owner_of(g.account):
        return redirect(url_for("officer.case", document_id=document_id))
    return render_template("fulfil/document.html", **page_of(document))


def page_of(document: IssuedDocument) -> dict:
    """Template values shared by the applicant's and the officer's page of a document."""
    workflow = casework.workflow_of(document)
    return {"row": row_of(document), "document": document, "workflow": workflow,
            "items": casework.requirements(document), "fulfilment": document.fulfilment or {},
            "actions": casework.allowed_actions(document, g.account),
            "states": {name: tr(state.label, current_language()) for name, state in workflow.states.items()}}


@bp.post("/dokumen/<document_id>/unggah/<code>")
@body_limit(lambda document_id, code: uploads_limit(requirement_max_bytes(document_id)))
@require_role()
def upload(document_id: str, code: str):
    """Upload (or replace) one requirement file."""
    document = own_document_or_404(document_id)
    stored = request.files.get("berkas")
    if stored is None or not stored.filename:
        flash(gettext("Pilih berkas yang akan diunggah."), "warning")
        return redirect(url_for("fulfil.show", document_id=document_id))
    try:
        casework.upload(document, code, stored.read(casework_limit() + 1), stored.filename, g.account)
    except casework.CaseError as error:
        flash(str(error), "warning")
        return redirect(url_for("fulfil.show", document_id=document_id))
    flash(gettext("Berkas tersimpan."), "success")
    return redirect(url_for("fulfil.show", document_id=document_id))


def requirement_max_bytes(document_id: str) -> int | None:
    """The upload limit the document's workflow sets for its requirements (None: the general one)."""
    document = find_document(document_id)
    return (casework.workflow_of(document).requirements or {}).get("max_bytes") if document is not None else None


def casework_limit() -> int:
    """How much of an upload to read: a little more than any limit, so an oversize file is recognised."""
    from flask import current_app
    return current_app.config["UPLOAD_MAX_BYTES"] * 4


@bp.post("/dokumen/<document_id>/aksi/<action>")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role()
def act(document_id: str, action: str):
    """Fire one of the applicant's workflow actions (e.g. submit for verification)."""
    document = own_document_or_404(document_id)
    try:
        casework.transition(document, action, g.account, request.form.get("catatan", ""))
    except casework.CaseError as error:
        flash(str(error), "warning")
        return redirect(url_for("fulfil.show", document_id=document_id))
    flash(gettext("Berhasil. Status dokumen diperbarui."), "success")
    return redirect(url_for("fulfil.show", document_id=document_id))


@bp.get("/dokumen/<document_id>/berkas/<code>")
@require_role()
def download(document_id: str, code: str):
    """A requirement file, to its owner and officers only; shown inline (officers view it in the case page)."""
    document = own_document_or_404(document_id)
    entry = (document.fulfilment or {}).get(code)
    stored = open_file(entry["file"]["id"]) if entry else None
    if stored is None:
        abort(404)
    response = send_file(stored, mimetype=stored.metadata["content_type"], download_name=stored.filename,
                         as_attachment=False, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
