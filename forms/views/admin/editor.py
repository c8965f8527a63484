"""The structured form editor: steps and fields edited in place, and the preview in the real wizard."""
from __future__ import annotations

from flask import (
    flash,
    g,
    redirect,
    request,
    url_for,
)

from forms.catalog import formedit
from forms.catalog.items import FORM
from forms.catalog.runtime import catalog, draft_form
from forms.store import (
    create_submission,
)
from forms.views.admin.common import bp, content_of, draft_or_refuse, record_or_404
from forms.views.admin.pages import render_version, save


@bp.post("/form/<key>/<int:version>/ubah")
def edit_form(key: str, version: int):
    """One structured edit of a form draft (add, remove, move, change a step or field)."""
    record = draft_or_refuse(FORM, key, version)
    operation = request.form.get("op", "")
    values = {name: request.form.get(name, "") for name in request.form if name not in ("csrf_token", "op")}
    anchor = anchor_of(values)
    try:
        content = formedit.apply_edit(content_of(record), operation, values)
    except formedit.EditError as error:
        problem = f"{error.where}: {error}" if error.where else str(error)
        flash("Perubahan tidak disimpan: " + str(error), "warning")
        return render_version(record, [problem], status=422, open_at=anchor)
    return save(record, content, "Perubahan disimpan ke draf.", open_at=anchor)


def anchor_of(values: dict) -> str | None:
    """The page anchor of the step or field an edit is about."""
    if values.get("field") and values.get("step"):
        return f"isian-{values['step']}-{values['field']}"
    return f"langkah-{values['step']}" if values.get("step") else None


@bp.post("/form/<key>/<int:version>/pratinjau")
def preview(key: str, version: int):
    """Open the version in the applicant's wizard, with answers kept apart from real submissions."""
    record = record_or_404(FORM, key, version)
    if draft_form(key, version) is None:
        flash("Draf ini belum valid; perbaiki masalahnya dulu untuk melihat pratinjau.", "warning")
        return redirect(url_for("admin.version", kind=FORM, key=key, version=version))
    owner = f"account:{g.account.id}"
    submission = create_submission(key, record.version, owner, procedure=catalog().procedure(), preview=True)
    return redirect(url_for("wizard.resume", submission_id=submission.id))
