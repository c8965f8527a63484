"""Printouts of issued documents: rendered and signed once per issue or re-issue (by a job), then served from the store.

What gets a printout is data: a document kind (an issued document's `kind`, or the name of an owner
number such as a business identification number) that `printouts/settings.json` gives a template.
Each rendering is a new `Printout` version with its own QR token; a re-issue supersedes the versions
before it, which stay downloadable and verifiably superseded. An owner number's printout lists every
document issued to its owner and is re-rendered whenever that owner is issued more.

Every version is made for a reason with a key (an issue, a re-issue after a status change), and the
key decides everything: its version number (a gapless series per subject), its QR token (derived
from the secret key), its file id. A job that dies after rendering, after signing or after storing
the file finds what it made when it runs again, so each reason gets exactly one version.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, has_request_context, request

from forms.casework.transitions import obligations, requirements
from forms.catalog.runtime import schemas
from forms.engine.text import gettext, tr
from forms.printing.pool import make_signed_pdf
from forms.printing.render import (
    PrintoutError,
    PrintSettings,
    local_date,
    local_day,
    png_data_uri,
    qr_png,
    render_html,
    render_pdf,
)
from forms.store import (
    IssuedDocument,
    OwnerNumber,
    Printout,
    Submission,
    add_printout,
    claim_number,
    documents_of,
    documents_of_owner,
    find_submission,
    keyed_file,
    latest_submitted,
    owner_numbers_of,
    printout_by_token_hash,
    printout_of,
    save_file,
    subject_by_ref,
    subject_ref,
    subject_status,
    utcnow,
)

log = logging.getLogger("loket.printouts")

Subject = IssuedDocument | OwnerNumber


def init_printouts(app: Flask) -> None:
    """Offer `reissue` to the workflow (the settings come from the schema store, see forms.catalog.runtime)."""
    app.extensions["loket.reissue"] = reissue


def print_settings() -> PrintSettings:
    """The current app's printout settings (the latest published version)."""
    return current_app.extensions["loket.printouts"]


def print_settings_for(version: int | None) -> PrintSettings:
    """Printout settings at a pinned version (older submissions keep theirs); the latest when not pinned."""
    from forms.catalog.runtime import print_settings_for as pinned
    return pinned(version)


def printed_subjects(submission: Submission) -> list[Subject]:
    """What an issue from a submission prints: its documents and its owner's numbers that have a template."""
    subjects: list[Subject] = [document for document in documents_of(submission.id)
                               if print_settings().document(document.kind)]
    return subjects + [number for number in owner_numbers_of(submission.owner) if print_settings().document(number.name)]


def printed_subject(submission: Submission, ref: str) -> Subject | None:
    """The one printed subject of an issue a ref names (read by its id), or None if the issue prints no such record:
    a document of this submission, or a number of its owner, with a template."""
    subject = subject_by_ref(ref)
    if isinstance(subject, IssuedDocument):
        ours = subject.submission_id == submission.id
    elif isinstance(subject, OwnerNumber):
        ours = subject.owner == submission.owner
    else:
        return None
    return subject if ours and print_settings().document(kind_of(subject)) else None


def issue_printouts(submission: Submission) -> list[Printout]:
    """Render the printouts of everything issued from a submission, and its owner's numbers (once per issue)."""
    return [render_version(subject, submission, f"issue:{submission.id}") for subject in printed_subjects(submission)]


def reissue(subject: Subject, key: str | None = None) -> Printout:
    """Render a new version of a document's printout (e.g. after verification); older versions are superseded.

    `key` names the reason (a status change); the same key gives the same version, made once.
    """
    submission = submission_for(subject)
    if submission is None:
        raise PrintoutError(gettext("Tidak ada permohonan untuk dokumen %(number)s.", number=subject.number))
    return render_version(subject, submission, key or f"reissue:{getattr(subject, 'version', 0)}:{utcnow().isoformat()}")


def submission_for(subject: Subject) -> Submission | None:
    """The submission whose answers fill a subject's printout: its own, or the owner's latest issued one."""
    if isinstance(subject, IssuedDocument):
        return find_submission(str(subject.submission_id))
    return latest_submitted(subject.owner)


def kind_of(subject: Subject) -> str:
    """The document kind of a subject (an owner number's kind is its name)."""
    return subject.kind if isinstance(subject, IssuedDocument) else subject.name


def status_of(subject: Subject, settings: PrintSettings) -> str:
    """A subject's current status (an owner number has the fixed status its printout settings give it)."""
    if isinstance(subject, IssuedDocument):
        return subject.status
    return settings.document(subject.name).get("status", "issued")


def render_version(subject: Subject, submission: Submission, key: str) -> Printout:
    """Render, sign and store the printout version of a subject for a reason `key`, then supersede older ones.

    Once per key: the version, token and file follow from it, so a re-run finds what an earlier run made.
    The settings are those of the submission's procedure version, so a re-issue prints as the original did.
    """
    ref = subject_ref(subject)
    version = claim_number(f"printout:{ref}", key)
    made = printout_of(ref, version)
    if made is not None:
        return made
    settings = print_settings_for((submission.procedure or {}).get("printouts"))
    token = printout_token(ref, version)
    context = document_context(settings, subject, submission,
                               verification_url(token, (submission.intent or {}).get("base_url")))
    stored = keyed_file(f"printout:{ref}:{version}") or store_pdf(settings, subject, context, ref, version)
    return add_printout({"subject": ref, "owner": subject.owner, "kind": kind_of(subject),
                         "number": subject.number, "version": version, "submission_id": submission.id,
                         "file_id": stored["id"], "sha256": stored["sha256"], "token_hash": token_hash(token),
                         "status": context["status"], "public": public_facts(context), "rendered_at": utcnow()})


def store_pdf(settings: PrintSettings, subject: Subject, context: Mapping[str, Any], ref: str, version: int) -> dict:
    """Make the signed PDF of a printout version and store it under the version's key."""
    template = context["template"]
    pdf = make_signed_pdf(render_html(settings, template, context), str(settings.folder / template),
                          settings.data["signature"])
    return save_file(pdf, f"{subject.number}-v{version}.pdf", "application/pdf", subject.owner,
                     key=f"printout:{ref}:{version}")


def printout_token(ref: str, version: int) -> str:
    """The QR token of a printout version: unguessable without the secret key, the same on every re-run."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"printout:{ref}:{version}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")


def document_context(settings: PrintSettings, subject: Subject, submission: Submission, url: str) -> dict:
    """Everything a document template may use; see printouts/README.md."""
    spec = settings.document(kind_of(subject))
    status = status_of(subject, settings)
    values = holder_values(submission)
    issued = subject.issued_at if isinstance(subject, IssuedDocument) else subject.created_at
    return {
        **base_context(settings, values), "template": spec["template"], "kind": kind_of(subject),
        "title": spec["title"], "number": subject.number, "status": status,
        "state": settings.state(settings.state_of(status)),
        "issued_at": local_date(settings, issued), "issued_on": str(local_day(settings, issued) or ""),
        "printed_at": local_date(settings, utcnow()),
        "key": getattr(subject, "key", "") or "", "key_title": key_title(settings, getattr(subject, "key", "")),
        "data": dict(getattr(subject, "data", None) or {}), "items": owner_items(settings, subject),
        "verify_url": url, "qr": png_data_uri(qr_png(url, settings.data["qr"])),
        **checked_facts(settings, subject),
    }


def checked_facts(settings: PrintSettings, subject: Subject) -> dict:
    """A document's requirements as verified (with their dates), its obligations with due dates, and when it was
    verified (empty for an owner number)."""
    if not isinstance(subject, IssuedDocument):
        return {"requirements": [], "obligations": [], "verified_at": None}
    state = subject.fulfilment or {}
    verified = [{"name": item["nama"], "at": local_date(settings, state[item["kode"]].get("at"))}
                for item in requirements(subject) if state.get(item["kode"], {}).get("verdict") == "diterima"]
    due = [{"name": item["nama"], "text": item.get("uraian", ""), "due": local_date(settings, item["due"])}
           for item in obligations(subject)]
    is_verified = settings.state(settings.state_of(status_of(subject, settings))).get("verified")
    return {"requirements": verified, "obligations": due,
            "verified_at": local_date(settings, subject.entered_at) if is_verified else None}


def base_context(settings: PrintSettings, values: Mapping[str, Any]) -> dict:
    """What every template gets: office texts, logo, the applicant's answers, and label lookups."""
    return {"office": settings.data["office"], "logo": settings.logo, "values": values,
            "holder": values.get(settings.data["holder_field"], ""), "key_label": settings.data["key"]["label"],
            "label": lambda name, value: label_of(settings, name, value)}


def holder_values(submission: Submission) -> dict:
    """A submission's answers as one flat mapping (field names are unique per form), its derived values,
    and its owner's numbers."""
    values: dict[str, Any] = {}
    for answers in (submission.answers or {}).values():
        values.update(answers)
    values.update(submission.derived or {})
    values.update({number.name: number.number for number in owner_numbers_of(submission.owner)})
    return values


def owner_items(settings: PrintSettings, subject: Subject) -> list[dict]:
    """For an owner number: every document issued to its owner (what the number's printout lists)."""
    if isinstance(subject, IssuedDocument):
        return []
    documents = documents_of_owner(subject.owner)
    return [{"kind": document.kind, "kind_title": (settings.document(document.kind) or {}).get("title", document.kind),
             "number": document.number, "key": document.key, "key_title": key_title(settings, document.key),
             "data": dict(document.data or {}), "state": settings.state(settings.state_of(document.status))}
            for document in documents]


def key_title(settings: PrintSettings, key: str | None) -> str:
    """The title of a document's key (e.g. a business code) from the table named in the settings."""
    table = settings.data["key"].get("table")
    return label_of(settings, table, key) if table and key else ""


def label_of(settings: PrintSettings, name: str, value: Any) -> str:
    """A code in words: from the printout settings' labels, else from the schema table of that name."""
    labels = settings.data.get("labels", {}).get(name)
    if labels is not None and str(value) in labels:
        return labels[str(value)]
    tables = schemas().tables
    return (tables[name].label(value) if name in tables else "") or ("" if value is None else str(value))


def public_facts(context: Mapping[str, Any]) -> dict:
    """What the public verification page may show of a printout: nothing beyond type, number, holder, keys, date."""
    keys = [[item["key"], item["key_title"]] for item in context["items"]] or \
        ([[context["key"], context["key_title"]]] if context["key"] else [])
    return {"title": context["title"], "number": context["number"], "holder": context["holder"], "keys": keys,
            "issued_at": context["issued_at"], "issued_on": context.get("issued_on", ""), "kind": context.get("kind")}


def verification_url(token: str, origin: str | None = None) -> str:
    """The public address a QR code points to: PUBLIC_URL, else the address the application was sent to
    (`origin`, kept with its intent: printouts are made by a job, outside any request), else the current request's."""
    base = current_app.config.get("PUBLIC_URL") or origin or (request.url_root if has_request_context() else "") or \
        f"http://{current_app.config['HOST']}:{current_app.config['PORT']}/"
    return f"{base.rstrip('/')}/verifikasi/{token}"


def token_hash(token: str) -> str:
    """Tokens are kept only as their SHA-256, so the store alone cannot forge a QR code's address."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Printout | None:
    """The printout version a QR token belongs to, or None."""
    if not token or len(token) > 64:
        return None
    return printout_by_token_hash(token_hash(token))


def public_state(printout: Printout) -> Mapping[str, Any]:
    """A printout's state now: superseded, else its document's current status (a revocation shows at once)."""
    settings = print_settings()
    if printout.superseded:
        return settings.state(settings.data["superseded_state"])
    status = subject_status(printout.subject) or printout.status
    return settings.state(settings.state_of(status))


def draft_pdf(submission: Submission, form) -> bytes:
    """A preview of what a draft would issue, watermarked DRAF: rendered on request, neither signed nor stored."""
    settings = print_settings()
    values = holder_values(submission)
    spec = form.submit.get("issue", {}).get("per_row", {})
    rows = [{"data": row, "key": row.get(spec["key"], ""), "key_title": key_title(settings, row.get(spec["key"])),
             "kind_title": (settings.document(row.get(spec["kind"])) or {}).get("title", "")}
            for row in values.get(spec["group"]) or [] if isinstance(row, dict)] if spec else []
    context = {**base_context(settings, values), "title": settings.data["draft"]["title"],
               "form_title": tr(form.title), "rows": rows, "printed_at": local_date(settings, utcnow())}
    return render_pdf(settings, settings.data["draft"]["template"], context)
