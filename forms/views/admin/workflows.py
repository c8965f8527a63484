"""The workflow editor: states and actions edited as tables, checked like start-up before anything is saved."""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from forms.catalog import workflowedit
from forms.catalog.items import WORKFLOW, CatalogError
from forms.engine.text import gettext
from forms.views.admin.builderpage import explained
from forms.views.admin.common import bp, content_of, draft_or_refuse
from forms.views.admin.pages import render_version, save_checked
from forms.views.admin.workflowpage import schema_path


@bp.post("/workflow/<key>/<int:version>/ubah")
def edit_workflow(key: str, version: int):
    """One edit of a workflow draft: a state or an action added, changed or removed."""
    record = draft_or_refuse(WORKFLOW, key, version)
    content = content_of(record)
    try:
        changed = workflowedit.apply_edit(content, request.form.get("op", ""), request.form, schema_path())
    except workflowedit.EditError as error:
        problems = [f"{error.where}: {error}" if error.where else str(error)]
    else:
        try:
            problems = explained(save_checked(record, changed), changed)
        except CatalogError as error:
            problems = error.problems
    if problems:
        flash(gettext("Perubahan tidak disimpan: %(problem)s", problem=problems[0]), "warning")
        return render_version(record, problems, status=422)
    flash(gettext("Perubahan disimpan ke draf."), "success")
    anchor = request.form.get("state") or request.form.get("action") or request.form.get("name") or ""
    return redirect(url_for("admin.version", kind=WORKFLOW, key=key, version=version) + f"#wf-{anchor}")
