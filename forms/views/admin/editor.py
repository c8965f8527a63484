"""The structured form editor: a new form, steps and fields edited in the builder, the live preview beside it,
and the preview in the real wizard."""
from __future__ import annotations

import re

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog import adminlog, formedit, texts
from forms.catalog.items import FORM, CatalogError
from forms.catalog.lifecycle import check_draft, start_draft
from forms.catalog.runtime import catalog, draft_form
from forms.engine.fields import REGISTRY
from forms.engine.text import gettext
from forms.store import create_submission, published_schema_version
from forms.views.admin.builderpage import Refusal, explained, preview_of, render_builder
from forms.views.admin.common import (
    actor,
    bp,
    content_of,
    draft_or_refuse,
    record_or_404,
)
from forms.views.admin.pages import render_version, save_checked


@bp.post("/formulir-baru")
def new_form():
    """A new form from scratch: a draft with one empty step, named by the admin."""
    key = request.form.get("key", "").strip()
    title = {lang: request.form.get(f"title_{lang}", "") for lang in texts.LANGUAGES}
    problem = new_form_problem(key, title)
    if problem:
        flash(gettext("Formulir tidak dibuat: %(problem)s", problem=problem), "warning")
        return redirect(url_for("admin.index"))
    content = {"id": key, "version": 1, "title": texts.merged(None, title), "access": "account",
               "steps": [{"name": "langkah_1", "title": texts.merged(None, {"id": "Langkah 1", "en": "Step 1"}),
                          "fields": []}]}
    problems = check_draft(current_app._get_current_object(), FORM, key, 1, content)
    if problems:
        flash(gettext("Formulir tidak dibuat: %(problem)s", problem=explained(problems, content)[0]), "warning")
        return redirect(url_for("admin.index"))
    record = start_draft(FORM, key, 0, actor(), content=content, note="formulir baru")
    adminlog.record(actor(), "buat_formulir", FORM, key, record.version, after=content)
    flash(gettext("Formulir '%(key)s' dibuat sebagai draf. Tambahkan langkah dan isian.", key=key), "success")
    return redirect(url_for("admin.builder", key=key, version=record.version, step_name="langkah_1"))


def new_form_problem(key: str, title: dict) -> str | None:
    """Why a new form cannot be made with this key and title, or None."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{1,62}", key):
        return gettext("kunci '%(key)s' tidak sah: pakai huruf kecil, angka dan tanda hubung, diawali huruf.",
                       key=key)
    if key in catalog().schemas.forms or published_schema_version(FORM, key) is not None:
        return gettext("kunci '%(key)s' sudah dipakai formulir lain.", key=key)
    if not title["id"].strip():
        return gettext("judul bahasa Indonesia wajib diisi.")
    return None


@bp.get("/form/<key>/<int:version>/susun/<step_name>")
def builder(key: str, version: int, step_name: str):
    """The builder of one step (or, with ?grup=, of a repeat group's sub-fields), preview beside it."""
    record = record_or_404(FORM, key, version)
    return render_builder(record, step_name, request.args.get("grup", ""), request.args.get("isian", ""))


@bp.post("/form/<key>/<int:version>/ubah")
def edit_form(key: str, version: int):
    """One structured edit of a form draft (add, remove, move, change a step or field)."""
    record = draft_or_refuse(FORM, key, version)
    operation = request.form.get("op", "")
    try:
        content = formedit.apply_edit(content_of(record), operation, request.form)
    except formedit.EditError as error:
        problem = f"{error.where}: {error}" if error.where else str(error)
        return refused(record, operation, [problem], error.problems)
    try:
        problems = save_checked(record, content)
    except CatalogError as error:
        problems = error.problems
    if problems:
        return refused(record, operation, explained(problems, content))
    flash(gettext("Perubahan disimpan ke draf."), "success")
    return redirect(back_to(record, operation))


def refused(record, operation: str, problems: list[str], settings: dict | None = None):
    """The page the edit came from, with the problems at their place and what was typed kept."""
    flash(gettext("Perubahan tidak disimpan: %(problem)s", problem=problems[0]), "warning")
    if not request.form.get("step") or request.form.get("view") != "susun":
        return render_version(record, problems, status=422)
    refusal = Refusal(problems, request.form, operation, settings or {})
    return render_builder(record, request.form["step"], request.form.get("group", ""),
                          request.form.get("field", ""), refusal, status=422)


def back_to(record, operation: str) -> str:
    """Where the admin continues after a saved edit: the builder they came from, or the version page."""
    values = request.form
    if values.get("view") != "susun" or operation in ("hapus_langkah",):
        return url_for("admin.version", kind=FORM, key=record.key, version=record.version) + "#langkah"
    field = values.get("name") if operation == "tambah_isian" else values.get("field", "")
    group = values.get("group") or None
    if operation == "hapus_isian":
        field = ""
    elif operation == "tambah_isian" and not group and REGISTRY.get(values.get("type", "")) \
            and REGISTRY[values["type"]].is_group:
        group, field = field, ""
    return url_for("admin.builder", key=record.key, version=record.version, step_name=values.get("step"),
                   grup=group, isian=field or None) + ("#isian-terpilih" if field else "")


@bp.post("/form/<key>/<int:version>/pratinjau-langsung")
def live_preview(key: str, version: int):
    """The step as it would look with the settings being typed (nothing is saved)."""
    record = draft_or_refuse(FORM, key, version)
    try:
        content = formedit.apply_edit(content_of(record), request.form.get("op", ""), request.form)
    except formedit.EditError as error:
        return render_template("admin/_preview.html", preview=None, problem=str(error)), 200
    preview = preview_of(record, request.form.get("step", ""), request.form.get("group", ""), content=content)
    return render_template("admin/_preview.html", preview=preview, problem=None), 200


@bp.post("/form/<key>/<int:version>/pratinjau")
def preview(key: str, version: int):
    """Open the version in the applicant's wizard, with answers kept apart from real submissions."""
    record = record_or_404(FORM, key, version)
    if draft_form(key, version) is None:
        flash(gettext("Draf ini belum valid; perbaiki masalahnya dulu untuk melihat pratinjau."), "warning")
        return redirect(url_for("admin.version", kind=FORM, key=key, version=version))
    owner = f"account:{g.account.id}"
    submission = create_submission(key, record.version, owner, procedure=catalog().procedure(), preview=True)
    return redirect(url_for("wizard.resume", submission_id=submission.id))
