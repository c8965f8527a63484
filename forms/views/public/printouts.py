"""Printouts on the web: public verification by QR token, downloads for their owners and officers, draft previews.

The verification page shows only what a printout's `public` facts hold (type, number, holder, keys,
date) and its state now; anyone may upload a PDF to learn whether it is byte-identical to that
version and correctly signed. Downloads answer 404 to anybody but the owner and officers, so a
number reveals nothing. Nothing is rendered when serving, except the unsigned draft preview.
"""
from __future__ import annotations

import hmac
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from forms.catalog.runtime import schemas
from forms.engine.text import gettext
from forms.identity.accounts import require_role
from forms.office.surveys import AFTER_SURVEY, survey_required
from forms.office.surveys import settings as survey_settings
from forms.printing.issue import (
    draft_pdf,
    find_by_token,
    print_settings,
    public_state,
)
from forms.printing.signing import check_signature, office_signer, sha256_hex
from forms.store import (
    DRAFT,
    Printout,
    find_printout,
    find_submission,
    open_file,
    printout_versions,
)
from forms.web.bodylimits import body_limit, uploads_limit
from forms.web.ratelimits import configured, limiter
from forms.web.security import current_owner
from forms.web.templating import current_language

bp = Blueprint("printouts", __name__)

OFFICER_ROLES = frozenset({"verifikator", "kepala", "admin"})
MAX_CHECK_BYTES = 5 * 1024 * 1024
TOKEN_IN_TEXT = re.compile(r"(?:.*/verifikasi/)?(?P<token>[A-Za-z0-9_-]{16,64})")


@bp.get("/verifikasi")
def verify_entry():
    """Where a code is pasted (or a scanned address): its verification page, or the form again with a reason."""
    entered = request.args.get("kode", "").strip()
    if not entered:
        return render_template("printouts/verify_entry.html", entered="", problem=None)
    match = TOKEN_IN_TEXT.fullmatch(entered.rstrip("/"))
    if match is None:
        problem = gettext("Kode tidak dikenali. Tempel alamat lengkap dari kode QR (…/verifikasi/…) atau kodenya saja.")
        return render_template("printouts/verify_entry.html", entered=entered, problem=problem), 422
    return redirect(url_for("printouts.verify", token=match.group("token")))


@bp.route("/verifikasi/<token>", methods=["GET", "POST"])
@body_limit(lambda token: uploads_limit(MAX_CHECK_BYTES))
@limiter.limit(configured("VERIFY_RATE_LIMIT"))
def verify(token: str):
    """What a QR code opens: the document's public facts and state, and a check of an uploaded copy."""
    printout = find_by_token(token)
    if printout is None:
        return render_template("printouts/verify.html", printout=None), 404
    check = upload_check(printout) if request.method == "POST" else None
    return render_template("printouts/verify.html", printout=printout, facts=printout.public,
                           title=public_title(printout.public, current_language()), state=public_state(printout), check=check,
                           key_label=print_settings().data["key"]["label"],
                           fingerprint=office_signer(current_app).fingerprint)


def public_title(facts: dict, lang: str) -> str:
    """The printout's kind in the page's language (the printed title when no other is set)."""
    spec = print_settings().document(facts.get("kind") or "") or {}
    return (spec.get("title_en") if lang == "en" else None) or facts["title"]


def upload_check(printout: Printout) -> dict:
    """Compare an uploaded PDF with the issued version: same bytes (SHA-256), and a valid office signature."""
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return {"problem": gettext("Pilih berkas PDF yang akan diperiksa.")}
    data = upload.read(MAX_CHECK_BYTES + 1)
    if len(data) > MAX_CHECK_BYTES:
        return {"problem": gettext("Berkas terlalu besar untuk diperiksa (paling besar 5 MB).")}
    signature = check_signature(office_signer(current_app), data)
    return {"identical": hmac.compare_digest(sha256_hex(data), printout.sha256), "signature": signature,
            "name": upload.filename}


@bp.get("/dokumen/<number>.pdf")
@require_role()
def download(number: str):
    """The newest printout of a document, from the store."""
    return send_printout(find_printout(number))


@bp.get("/dokumen/<number>/versi/<int:version>.pdf")
@require_role()
def download_version(number: str, version: int):
    """An older (possibly superseded) printout version, from the store."""
    return send_printout(find_printout(number, version))


@bp.get("/dokumen/<number>/versi")
@require_role()
def versions(number: str):
    """Every printout version of a document, with its state, for its owner and officers."""
    found = printout_versions(number)
    if not found or not may_open(found[0]):
        abort(404)
    return render_template("printouts/versions.html", number=number, versions=found,
                           states={item.version: public_state(item) for item in found})


def may_open(printout: Printout) -> bool:
    """Whether the signed-in person may download a printout: its owner, or an officer."""
    account = g.get("account")
    return printout.owner == current_owner() or bool(account and OFFICER_ROLES & set(account.roles))


def send_printout(printout: Printout | None):
    """Stream a stored printout; 404 when missing or not the caller's."""
    if printout is None or not may_open(printout):
        abort(404)
    if printout.owner == current_owner() and survey_required(printout.owner):
        flash(gettext("Sebelum mengunduh dokumen, isi Survei Kepuasan Masyarakat (SKM) terlebih dahulu. "
                      "Terima kasih."), "info")
        session[AFTER_SURVEY] = request.path  # the thank-you page links back here
        return redirect(url_for("wizard.start", form_id=survey_settings().form))
    stored = open_file(printout.file_id)
    if stored is None:
        abort(404)
    return send_file(stored, mimetype="application/pdf", download_name=f"{printout.number}-v{printout.version}.pdf",
                     as_attachment=False, max_age=0, etag=printout.sha256)


@bp.get("/isian/<submission_id>/draf.pdf")
@limiter.limit(configured("DRAFT_RATE_LIMIT"))
def draft(submission_id: str):
    """A watermarked preview of what the caller's draft would issue (rendered now, not signed, not stored)."""
    submission = find_submission(submission_id)
    if submission is None or submission.owner != current_owner() or submission.status != DRAFT:
        abort(404)
    form = schemas().get(submission.form_id, submission.form_version)
    if form is None or not form.submit.get("issue"):
        abort(404)
    return Response(draft_pdf(submission, form), mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="draf.pdf"', "Cache-Control": "no-store"})
