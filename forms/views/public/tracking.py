"""Public tracking: 'where is application X', answered by number + NIK, rate-limited, revealing little."""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from forms.casework.tracking import (
    document_views,
    find_for_tracking,
    owner_number_labels,
    public_history,
    status_label,
)
from forms.catalog.runtime import schemas
from forms.engine.text import gettext
from forms.web.bodylimits import body_limit
from forms.web.ratelimits import configured, limiter
from forms.web.templating import current_language

bp = Blueprint("tracking", __name__)

NUMBER = re.compile(r"[A-Za-z0-9-]{4,40}")


@bp.route("/lacak", methods=["GET", "POST"])
@body_limit("SMALL_BODY_MAX_BYTES")
@limiter.limit(configured("TRACK_RATE_LIMIT"), methods=["POST"])
def track():
    """Ask for a number and the applicant's NIK; show statuses and dates only."""
    if request.method == "GET":
        return page(number=request.args.get("nomor", "")[:40])
    number, nik = request.form.get("nomor", "").strip(), request.form.get("nik", "").strip()
    if not NUMBER.fullmatch(number) or not re.fullmatch(r"\d{16}", nik):
        return page(number=number, problem=gettext("Isi nomor permohonan atau nomor dokumen, dan NIK 16 digit.")), 422
    submission = find_for_tracking(number, nik)
    if submission is None:
        return page(number=number, problem=gettext("Tidak ada permohonan dengan nomor dan NIK tersebut.")), 404
    form = schemas().get(submission.form_id, submission.form_version)
    documents = document_views(form, submission, current_language())
    return page(number=number, found=submission, form=form, documents=documents,
                status=status_label(form, submission.status), history=public_history(submission, documents, form))


def page(**values):
    """The tracking page, naming the owner-level numbers it also finds."""
    return render_template("tracking.html", owner_labels=owner_number_labels(current_language()), **values)
