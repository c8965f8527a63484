"""Background work as officers and admins see it: how much is waiting, and every job that failed, with its error."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)

from forms.casework.workers import SILENT_AFTER, runners
from forms.engine.text import gettext
from forms.identity.accounts import require_role
from forms.store import (
    FAILED,
    QUEUED,
    RUNNING,
    count_jobs,
    failed_jobs,
    requeue_job,
    utcnow,
)

bp = Blueprint("jobs", __name__)


@bp.get("/petugas/pekerjaan")
@require_role("admin", "verifikator", "kepala")
def index():
    """Worker processes alive, jobs waiting, running and failed; each failed one with its error (admins may rerun it)."""
    response = make_response(render_template(
        "admin/jobs.html", counts={state: count_jobs(state) for state in (QUEUED, RUNNING, FAILED)},
        failed=failed_jobs(), workers=runners(utcnow()),
        silent_seconds=SILENT_AFTER.total_seconds(), admin_endpoints=lambda: current_app.view_functions))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/pekerjaan/<job_id>/ulang")
@require_role("admin")
def retry(job_id: str):
    """Queue a failed job again now, with a fresh round of attempts."""
    if requeue_job(job_id):
        current_app.extensions["loket.job_wake"].set()
        flash(gettext("Pekerjaan dijadwalkan ulang."), "success")
    else:
        flash(gettext("Pekerjaan itu tidak ada atau tidak dalam keadaan gagal."), "warning")
    return redirect(url_for("jobs.index"))
