"""Issued documents over the JSON API: read, requirement uploads, officer verdicts and claims, workflow
transitions, printout downloads, and the public verification of a printout.

Every change goes through forms.casework.transitions, as on the pages (one conditional update, audit trail,
notification); access is the pages': a document is seen by its owner and by officers, anyone else
gets 404. Printouts follow the download page's rules (owner or officer; an owner may first need to
send the satisfaction survey).
"""
from __future__ import annotations

import hmac
from datetime import UTC

from flask import abort, current_app, g, jsonify, request, send_file, url_for

from forms.casework import transitions as casework
from forms.casework import verdicts
from forms.engine.text import tr
from forms.errors import ConflictError
from forms.office.surveys import settings as survey_settings
from forms.office.surveys import survey_required
from forms.printing.issue import find_by_token, public_state
from forms.printing.signing import check_signature, office_signer, sha256_hex
from forms.store import (
    IssuedDocument,
    Printout,
    case_queue,
    documents_of_owner,
    find_document,
    find_officer,
    find_printout,
    open_file,
)
from forms.views.public.printouts import MAX_CHECK_BYTES
from forms.web.errorpages import json_error
from forms.web.jsonapi import (
    OFFICER_ROLES,
    api_blueprint,
    check_version,
    is_officer,
    iso,
    json_body,
    optional_text,
    require_token,
)
from forms.web.ratelimits import configured, limiter

bp = api_blueprint("api_documents", __name__)
PAGE_SIZE = 50


def document_or_404(document_id: str) -> IssuedDocument:
    """A document the caller may see (owner or officer); anything else is 'not found'."""
    document = find_document(document_id)
    if document is None or not casework.can_see(g.account, document):
        abort(json_error(404, "Dokumen tidak ditemukan."))
    return document


def requirement_or_404(document: IssuedDocument, code: str) -> None:
    """404 for a requirement code the document's checklist does not have."""
    if not any(item["kode"] == code for item in casework.requirements(document)):
        abort(json_error(404, "Persyaratan itu tidak ada pada dokumen ini."))


def summary_json(document: IssuedDocument) -> dict:
    """What lists show of a document."""
    workflow = casework.workflow_of(document)
    state = workflow.states.get(document.status)
    return {"id": str(document.id), "number": document.number, "kind": document.kind, "kind_title": tr(workflow.title),
            "key": document.key, "title": casework.key_title(document), "status": document.status,
            "status_label": tr(state.label) if state else document.status,
            "code": workflow.pia_of(document.status) if state else None, "turn": state.turn if state else None,
            "version": document.version, "issued_at": iso(document.issued_at), "updated_at": iso(document.updated_at)}


def document_json(document: IssuedDocument) -> dict:
    """A document with its checklist, the actions the caller may take, its service time and history."""
    officer = is_officer(g.account)
    fulfilment = document.fulfilment or {}
    sla = casework.sla_view(document)
    printout = find_printout(document.number)
    return {
        **summary_json(document), "submission_id": str(document.submission_id), "data": dict(document.data or {}),
        "assigned_name": document.assigned_name,
        "sla": {**sla, "due_at": iso(sla.get("due_at"))} if sla else None,
        "requirements": [requirement_json(document, item, fulfilment.get(item["kode"]))
                         for item in casework.requirements(document)],
        "actions": [{"name": action.name, "label": tr(action.label), "note_required": action.note_required}
                    for action in casework.allowed_actions(document, g.account)],
        "history": [{"at": iso(entry.get("at")), "action": entry.get("action"), "from": entry.get("from"),
                     "to": entry.get("to"), "note": entry.get("note") or "",
                     **({"actor": entry.get("actor")} if officer else {})} for entry in document.history or []],
        "printout": {"version": printout.version, "url": url_for("api_documents.printout", number=document.number)}
        if printout else None,
    }


def requirement_json(document: IssuedDocument, item: dict, entry: dict | None) -> dict:
    """One requirement of the checklist and what was uploaded for it."""
    upload = None
    if entry:
        upload = {"name": entry["file"]["name"], "size": entry["file"]["size"],
                  "content_type": entry["file"]["content_type"], "sha256": entry["file"]["sha256"],
                  "uploaded_at": iso(entry.get("uploaded_at")),
                  "url": url_for("api_documents.requirement_file", document_id=document.id, code=item["kode"])}
    return {"code": item["kode"], "name": item.get("nama"), "required": item.get("wajib", True),
            "accepts": item.get("berkas") or ["pdf", "jpg", "png"], "upload": upload,
            "verdict": entry.get("verdict") if entry else None, "reason": entry.get("reason", "") if entry else ""}


def answer(work) -> tuple:
    """Run a case change; its refusal becomes a JSON error with the refusal's status (nothing changed)."""
    try:
        document = work()
    except (casework.CaseError, ConflictError) as error:
        return json_error(error.status, str(error))
    return jsonify(document_json(document))


@bp.get("/documents")
@require_token()
def index():
    """An applicant's own documents; for officers every document, by status, words or 'assigned to me'."""
    if is_officer(g.account):
        mine = str(g.account.id) if request.args.get("mine") in ("1", "true") else None
        documents = case_queue(request.args.get("status", "")[:100], request.args.get("q", "").strip().lower()[:80],
                               mine, PAGE_SIZE)
    else:
        documents = documents_of_owner(casework.owner_of(g.account))
    return jsonify({"items": [summary_json(document) for document in documents]})


@bp.get("/documents/<document_id>")
@require_token()
def show(document_id: str):
    """One document."""
    return jsonify(document_json(document_or_404(document_id)))


@bp.post("/documents/<document_id>/transitions")
@require_token()
def transition(document_id: str):
    """Fire a workflow action (applicant: submit for verification; officers: verify, approve, reject…)."""
    document = document_or_404(document_id)
    body = json_body()
    action = body.get("action")
    if not isinstance(action, str) or not action:
        return json_error(422, "Isian tidak valid.", {"action": "Sebutkan nama tindakan (lihat 'actions' dokumen)."})
    check_version(body, document.version)
    note = optional_text(body, "note")
    return answer(lambda: casework.transition(document, action, g.account, note))


@bp.put("/documents/<document_id>/requirements/<code>")
@require_token()
def upload(document_id: str, code: str):
    """Upload (or replace) one requirement file, sent as multipart/form-data field `file`."""
    document = document_or_404(document_id)
    requirement_or_404(document, code)
    stored = request.files.get("file")
    if stored is None or not stored.filename:
        return json_error(422, "Berkas tidak ada.", {"file": "Kirim berkas sebagai multipart/form-data, bagian 'file'."})
    data = stored.read(current_app.config["UPLOAD_MAX_BYTES"] * 4)
    return answer(lambda: casework.upload(document, code, data, stored.filename, g.account))


@bp.get("/documents/<document_id>/requirements/<code>")
@require_token()
def requirement_file(document_id: str, code: str):
    """An uploaded requirement file, to its owner and officers."""
    document = document_or_404(document_id)
    entry = (document.fulfilment or {}).get(code)
    stored = open_file(entry["file"]["id"]) if entry else None
    if stored is None:
        return json_error(404, "Berkas persyaratan tidak ditemukan.")
    response = send_file(stored, mimetype=stored.metadata["content_type"], download_name=stored.filename,
                         as_attachment=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/documents/<document_id>/requirements/<code>/verdict")
@require_token(*OFFICER_ROLES)
def verdict(document_id: str, code: str):
    """An officer accepts or rejects one uploaded requirement (a rejection needs a reason)."""
    document = document_or_404(document_id)
    requirement_or_404(document, code)
    body = json_body()
    choice = body.get("verdict")
    if choice not in ("diterima", "ditolak"):
        return json_error(422, "Isian tidak valid.", {"verdict": "Pilih diterima atau ditolak."})
    reason = optional_text(body, "reason", 500)
    return answer(lambda: verdicts.judge(document, code, choice, reason, g.account))


@bp.post("/documents/<document_id>/claim")
@require_token(*OFFICER_ROLES)
def claim(document_id: str):
    """Take the case, or give it to another officer (`assignee`: an officer's account id)."""
    document = document_or_404(document_id)
    body = json_body()
    assignee = None
    if body.get("assignee") is not None:
        assignee = find_officer(body["assignee"], OFFICER_ROLES, active_only=True)
        if assignee is None:
            return json_error(422, "Petugas tidak ditemukan.", {"assignee": "Bukan akun petugas yang aktif."})
    return answer(lambda: casework.claim(document, g.account, assignee))


@bp.get("/printouts/<number>")
@require_token()
def printout(number: str):
    """The signed PDF of a document or owner number (the newest, or `?version=`), as the download page serves it."""
    version = request.args.get("version")
    if version is not None and not (version.isdecimal() and len(version) < 6):
        return json_error(422, "Parameter tidak valid.", {"version": "Nomor versi (bilangan)."})
    found = find_printout(number[:64], int(version) if version else None)
    if found is None or not may_open(found):
        return json_error(404, "Dokumen tidak ditemukan.")
    owner = casework.owner_of(g.account)
    if found.owner == owner and survey_required(owner):
        return json_error(403, "Sebelum mengunduh dokumen, isi Survei Kepuasan Masyarakat (SKM) terlebih dahulu.",
                          survey_form=survey_settings().form)
    stored = open_file(found.file_id)
    if stored is None:
        return json_error(404, "Berkas dokumen tidak ditemukan.")
    response = send_file(stored, mimetype="application/pdf", download_name=f"{found.number}-v{found.version}.pdf",
                         as_attachment=True, max_age=0, etag=found.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def may_open(found: Printout) -> bool:
    """Whether the caller may download a printout: its owner, or an officer."""
    return found.owner == casework.owner_of(g.account) or is_officer(g.account)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(configured("VERIFY_RATE_LIMIT"))
def verify(token: str):
    """Public: what a QR token proves (type, number, holder, state); POST a PDF (`file`) to check it byte for byte."""
    found = find_by_token(token)
    if found is None:
        return json_error(404, "Kode verifikasi tidak dikenal.")
    state = public_state(found)
    result = {"number": found.number, "version": found.version, "facts": dict(found.public or {}),
              "state": {"name": state.get("name"), "label": tr(state.get("label")),
                                                           "verified": bool(state.get("verified"))}, "sha256": found.sha256}
    if request.method == "POST":
        result["check"] = check_upload(found)
    return jsonify(result)


def check_upload(found: Printout) -> dict:
    """Compare an uploaded PDF with the issued version: same bytes, and a valid office signature."""
    stored = request.files.get("file")
    if stored is None or not stored.filename:
        abort(json_error(422, "Berkas tidak ada.", {"file": "Kirim PDF sebagai multipart/form-data, bagian 'file'."}))
    data = stored.read(MAX_CHECK_BYTES + 1)
    if len(data) > MAX_CHECK_BYTES:
        abort(json_error(413, "Berkas terlalu besar untuk diperiksa (paling besar 5 MB)."))
    signature = check_signature(office_signer(current_app), data)
    signed_at = signature.signed_at
    if signed_at is not None and signed_at.tzinfo is not None:
        signed_at = signed_at.astimezone(UTC).replace(tzinfo=None)
    return {"identical": hmac.compare_digest(sha256_hex(data), found.sha256), "signature_valid": signature.valid,
            "problem": signature.problem, "signed_at": iso(signed_at)}
