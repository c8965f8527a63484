"""The front-office desk: today's walk-in filings, finding or registering an applicant, serving them, receipts."""
from __future__ import annotations

import re

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

from forms import store
from forms.casework import audit
from forms.casework.provenance import COUNTER_ROLE
from forms.casework.receipts import ask_for_receipt, receipt_key
from forms.casework.transitions import requirements
from forms.catalog.runtime import office_clock, schemas
from forms.engine.text import gettext
from forms.identity.accounts import require_role
from forms.printing.render import mask_digits
from forms.views.counter import acting, records
from forms.views.counter.acting import servable, start_serving, stop_serving
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter

bp = Blueprint("counter", __name__, url_prefix="/loket")
acting.install(bp)
records.install(bp)
NIK = re.compile(r"\d{16}")


@bp.get("/")
@require_role(COUNTER_ROLE)
def queue():
    """Today's walk-in filings (office clock): who handled them, which still miss documents."""
    clock = office_clock()
    today = clock.today()
    filings = store.counter_filings(clock.day_start(today), clock.day_start(today.fromordinal(today.toordinal() + 1)))
    return render_template("counter/queue.html", rows=[filing_row(s) for s in filings], today=today,
                           serving=serving_now())


def serving_now() -> store.Account | None:
    """The applicant this officer is serving, if any."""
    return g.get("counter_applicant")


def filing_row(submission: store.Submission) -> dict:
    """A filing as the queue shows it: number or draft, applicant, officer, requirement files still missing."""
    documents = store.documents_of(submission.id)
    missing = [item["nama"] for document in documents for item in requirements(document)
               if item.get("wajib", True) and item["kode"] not in (document.fulfilment or {})]
    form = schemas().get(submission.form_id, submission.form_version)
    return {"submission": submission, "form": form, "counter": submission.counter, "documents": documents,
            "missing": missing}


@bp.post("/cari")
@require_role(COUNTER_ROLE)
@limiter.limit(configured("TRACK_RATE_LIMIT"))
def find():
    """Find an applicant's account by NIK (posted, so that the number stays out of addresses, logs and history);
    a clear message when the number is malformed or unknown."""
    nik = request.form.get("nik", "").strip()
    if not NIK.fullmatch(nik):
        flash(gettext("NIK harus 16 digit angka."), "warning")
        return redirect(url_for("counter.queue"))
    account = store.find_account_by_nik(nik)
    record_lookup(nik, account if servable(account) else None)
    if account is None or not servable(account):
        flash(gettext("Belum ada akun pemohon dengan NIK itu. Daftarkan pemohon lebih dulu."), "info")
        return redirect(url_for("counter.queue"))
    return redirect(url_for("counter.applicant", account_id=account.id))


def record_lookup(nik: str, account: store.Account | None) -> None:
    """Audit who looked up whom by NIK (the applicant's account, or the masked number when none was found)."""
    subject = f"account:{account.id}" if account is not None else f"nik:{mask_digits(nik)}"
    audit.append(f"{g.account.username} ({COUNTER_ROLE})", subject, "pencarian pemohon dengan NIK di loket", None, None)


@bp.get("/pemohon/<account_id>")
@require_role(COUNTER_ROLE)
def applicant(account_id: str):
    """An applicant's account at the counter: their filings, the forms to start, receipts."""
    account = applicant_or_404(account_id)
    owner = f"account:{account.id}"
    return render_template("counter/applicant.html", account=account, serving=serving_now(),
                           submissions=store.list_submissions(owner, limit=50),
                           titles={form.id: form.title for form in schemas().latest()},
                           forms=[form for form in schemas().latest() if form.menu and form.access == "account"])


def applicant_or_404(account_id: str) -> store.Account:
    """An active applicant's account; anything else (officers, admins, unknown ids) is 'not found'."""
    account = store.find_active_account(account_id)
    if not servable(account):
        abort(404)
    return account


@bp.post("/pemohon/<account_id>/layani")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(COUNTER_ROLE)
def serve(account_id: str):
    """Begin serving an applicant: their filing pages now open as them, with this officer on record."""
    account = applicant_or_404(account_id)
    start_serving(account)
    flash(gettext("Anda sekarang melayani %(name)s. Isian dan unggahan tercatat atas nama Anda sebagai petugas.",
                  name=account.name), "success")
    return redirect(url_for("counter.applicant", account_id=account.id))


@bp.post("/selesai")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(COUNTER_ROLE)
def finish():
    """Stop serving the applicant."""
    stop_serving()
    flash(gettext("Pelayanan selesai."), "info")
    return redirect(url_for("counter.queue"))


@bp.post("/daftar")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(COUNTER_ROLE)
def register():
    """Register a new applicant with the public registration wizard (the code goes to their own phone or e-mail)."""
    stop_serving()
    return redirect(url_for("wizard.start", form_id="pendaftaran"))


@bp.post("/isian/<submission_id>/bukti")
@body_limit("SMALL_BODY_MAX_BYTES")
@require_role(COUNTER_ROLE)
def receipt(submission_id: str):
    """Ask for the receipt of a counter filing; a job renders it, the page shows it when ready."""
    submission = counter_submission_or_404(submission_id)
    if not submission.number:
        flash(gettext("Bukti pendaftaran dapat dicetak setelah permohonan dikirim dan bernomor."), "warning")
    else:
        ask_for_receipt(submission, request.host_url)
        flash(gettext("Bukti pendaftaran sedang disiapkan. Muat ulang halaman ini sebentar lagi."), "info")
    return redirect(url_for("counter.applicant", account_id=submission.counter["applicant_id"]))


def counter_submission_or_404(submission_id: str) -> store.Submission:
    """A submission filed at the counter; any other is 'not found' to the front office."""
    submission = store.find_submission(submission_id)
    if submission is None or not submission.counter:
        abort(404)
    return submission


@bp.get("/isian/<submission_id>/bukti.pdf")
@require_role(COUNTER_ROLE)
def receipt_pdf(submission_id: str):
    """The latest rendered receipt of a counter filing (404 until its job has made it)."""
    submission = counter_submission_or_404(submission_id)
    stored_receipt = (submission.counter.get("receipt") or {}).get("file")
    stored = store.open_file(stored_receipt["id"]) if stored_receipt else None
    if stored is None:
        abort(404)
    response = send_file(stored, mimetype="application/pdf", download_name=stored.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def receipt_state(submission: store.Submission) -> str:
    """'none', 'pending' or 'ready': where the receipt of a counter filing stands (for the counter's pages)."""
    wanted = (submission.counter or {}).get("receipt") or {}
    if not wanted:
        return "none"
    if wanted.get("file") and wanted.get("key") == receipt_key(submission):
        return "ready"
    return "pending" if wanted.get("key") == receipt_key(submission) else "stale"
