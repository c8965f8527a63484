"""The receipt of a counter filing (bukti pendaftaran): a one-page PDF made by a job, never in a request.

The counter asks for a receipt once the application has its number; the request records what to print
under a key (the submission and how many requirement files it holds then) and queues a job. The job
renders `printouts/<receipt.template>` with the texts of the printout settings (`receipt`), stores the
PDF in the file store under the same key and points the submission at it. Run again after a crash, it
finds the file it stored: one receipt per key, however often the job runs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms import store
from forms.casework.queue import queue_job
from forms.casework.transitions import key_title, requirements
from forms.catalog.runtime import office_clock
from forms.printing.issue import print_settings
from forms.printing.render import PrintSettings, png_data_uri, qr_png, render_pdf

RECEIPT_JOB = "receipt"


def receipt_key(submission: store.Submission) -> str:
    """The key of the receipt a submission would get now: a new upload makes a new receipt."""
    received = sum(len(document.fulfilment or {}) for document in store.documents_of(submission.id))
    return f"{RECEIPT_JOB}:{submission.id}:{received}"


def ask_for_receipt(submission: store.Submission, base_url: str) -> str:
    """Record the receipt wanted (its key and the address it links to) and queue its job; the key."""
    key = receipt_key(submission)
    current = (submission.counter or {}).get("receipt") or {}
    if current.get("key") != key:
        store.set_receipt(submission, {"key": key, "base_url": base_url, "file": None})
    queue_job(RECEIPT_JOB, f"submission:{submission.id}", key)
    return key


def run_receipt(job: store.Job) -> None:
    """The receipt job: render and store the receipt of the key it was queued under (once per key)."""
    submission = store.find_submission(job.subject.partition(":")[2])
    if submission is None or not submission.counter or not submission.number:
        return
    wanted = (submission.counter.get("receipt") or {})
    stored = store.keyed_file(job.key)
    if stored is None:
        settings = print_settings()  # the office's current texts: a receipt is about today, not a licence
        pdf = render_pdf(settings, settings.data["receipt"]["template"],
                         receipt_context(settings, submission, wanted.get("base_url") or "/"))
        stored = store.save_file(pdf, f"bukti-{submission.number}.pdf", "application/pdf", submission.owner,
                                 key=job.key)
    if wanted.get("key") == job.key:
        store.set_receipt(submission, {**wanted, "file": stored})


def receipt_context(settings: PrintSettings, submission: store.Submission, base_url: str) -> dict:
    """What the receipt shows: office, number and time, applicant, business codes, files received, next steps."""
    counter = submission.counter
    applicant = store.find_account_by_id(counter["applicant_id"])
    tracking = f"{base_url.rstrip('/')}/lacak?nomor={submission.number}"
    when = office_clock().local(submission.submitted_at or counter["at"])
    return {"office": settings.data["office"], "logo": settings.logo, "texts": settings.data["receipt"],
            "key_label": settings.data["key"]["label"], "number": submission.number,
            "filed_at": f"{when:%d-%m-%Y %H:%M} {when.tzname()}", "officer": counter["officer_name"],
            "applicant": applicant_view(applicant), "rows": [row_of(document) for document in
                                                            store.documents_of(submission.id)],
            "tracking_url": tracking, "qr": png_data_uri(qr_png(tracking, settings.data["qr"]))}


def applicant_view(account: store.Account | None) -> dict:
    """The applicant as the receipt names them."""
    if account is None:
        return {"name": "", "nik": "", "contact": ""}
    return {"name": account.name, "nik": account.nik or "", "contact": account.phone or account.email or ""}


def row_of(document: store.IssuedDocument) -> dict[str, Any]:
    """One business code of the application: its document and the requirement files received or still due."""
    received = document.fulfilment or {}
    items = [{"name": item["nama"], "required": item.get("wajib", True), "file": file_name(received.get(item["kode"]))}
             for item in requirements(document)]
    return {"key": document.key, "title": key_title(document), "number": document.number, "requirements": items}


def file_name(entry: Mapping[str, Any] | None) -> str | None:
    """The name of a received requirement file, or None while it is missing."""
    return entry["file"]["name"] if entry else None
