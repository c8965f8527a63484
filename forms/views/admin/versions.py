"""Versions of forms, workflows, tables and settings: list, new draft, JSON edits, publish with impact, roll back, export and import."""
from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from forms.catalog import adminlog, lifecycle, migration
from forms.catalog.items import FORM, KINDS, CatalogError
from forms.catalog.lifecycle import (
    discard_draft,
    entries,
    export_document,
    import_document,
    start_draft,
)
from forms.catalog.runtime import catalog
from forms.engine.jsontext import JsonRefused, parse_json
from forms.store import published_schema_version, schema_versions
from forms.views.admin.common import (
    KIND_LABELS,
    MAX_IMPORT,
    actor,
    bp,
    draft_or_refuse,
    record_or_404,
    title_of,
)
from forms.views.admin.pages import render_publish, render_version, save
from forms.web.bodylimits import body_limit, uploads_limit


@bp.get("/")
def index():
    """Everything in the schema store, with where each stands."""
    groups = {kind: [] for kind in KINDS}
    for entry in entries():
        groups[entry["kind"]].append(entry)
    return render_template("admin/index.html", groups=groups, kind_labels=KIND_LABELS)


@bp.get("/<kind>/<key>")
def versions(kind: str, key: str):
    """The versions of one definition, newest first."""
    found = schema_versions(kind, key) if kind in KINDS else []
    if not found:
        abort(404)
    latest = published_schema_version(kind, key)
    return render_template("admin/versions.html", kind=kind, key=key, versions=found, latest=latest,
                           kind_label=KIND_LABELS[kind], title=title_of(found[0]))


@bp.post("/<kind>/<key>/draf")
def new_draft(kind: str, key: str):
    """A new draft, copied from a chosen version."""
    source = record_or_404(kind, key, request.form.get("from", type=int) or 0)
    record = start_draft(kind, key, source.version, actor())
    adminlog.record(actor(), "buat_draf", kind, key, record.version, note=f"dari versi {source.version}")
    flash(f"Draf versi {record.version} dibuat dari versi {source.version}.", "success")
    return redirect(url_for("admin.version", kind=kind, key=key, version=record.version))


@bp.get("/<kind>/<key>/<int:version>")
def version(kind: str, key: str, version: int):
    """A version: the editors when it is a draft, read-only with its changes when published."""
    record = record_or_404(kind, key, version)
    return render_version(record)


@bp.post("/<kind>/<key>/<int:version>/json")
def save_json(kind: str, key: str, version: int):
    """The JSON editor: the whole definition as text."""
    record = draft_or_refuse(kind, key, version)
    text = request.form.get("content", "")
    try:
        content = parse_json(text, current_app.config["JSON_MAX_BYTES"])
    except JsonRefused as error:
        problem = str(error)
        flash("Perubahan tidak disimpan: " + problem, "warning")
        return render_version(record, [problem], json_text=text, status=422, open_at="json")
    return save(record, content, "Draf disimpan.", json_text=text, open_at="json")


@bp.post("/<kind>/<key>/<int:version>/hapus")
def discard(kind: str, key: str, version: int):
    """Delete a draft."""
    record = record_or_404(kind, key, version)
    discard_draft(record, actor())
    flash(f"Draf versi {version} dihapus.", "success")
    return redirect(url_for("admin.versions", kind=kind, key=key))


@bp.get("/<kind>/<key>/<int:version>/terbitkan")
def publish_preview(kind: str, key: str, version: int):
    """Before publishing: the problems (if any), the changes, and what happens to submissions in flight."""
    record = draft_or_refuse(kind, key, version)
    return render_publish(record)


@bp.post("/<kind>/<key>/<int:version>/terbitkan")
def publish(kind: str, key: str, version: int):
    """Publish a draft; for a form, move the drafts of the statuses the admin chose onto it."""
    record = draft_or_refuse(kind, key, version)
    if request.form.get("revision", type=int) != record.revision:
        flash("Draf berubah sejak halaman ini dibuka. Periksa lagi dampaknya sebelum menerbitkan.", "warning")
        return render_publish(record, status=409)
    app = current_app._get_current_object()
    note = request.form.get("note", "").strip()[:500]
    try:
        lifecycle.publish(app, record, actor(), note=note)
    except CatalogError as error:
        flash("Tidak diterbitkan: " + error.problems[0], "warning")
        return render_publish(record, status=422)
    message = f"Versi {version} diterbitkan."
    if kind == FORM:
        chosen = [status for status in migration.MIGRATABLE if request.form.get(f"status_{status}") == "pindah"]
        versions_now = catalog().schemas.forms.get(key, {})
        counts = migration.migrate_drafts(key, versions_now, versions_now[version], actor(), chosen)
        if chosen:
            adminlog.record(actor(), "pindah_versi", kind, key, version,
                            note=f"{counts['moved']} draf dipindah, {counts['skipped']} tetap")
            message += f" {counts['moved']} draf dipindah ke versi ini."
    flash(message, "success")
    return redirect(url_for("admin.versions", kind=kind, key=key))


@bp.post("/<kind>/<key>/<int:version>/kembalikan")
def rollback(kind: str, key: str, version: int):
    """Publish an earlier version again, as a new version."""
    record_or_404(kind, key, version)
    made = lifecycle.rollback(current_app._get_current_object(), kind, key, version, actor())
    flash(f"Isi versi {version} diterbitkan lagi sebagai versi {made.version}.", "success")
    return redirect(url_for("admin.versions", kind=kind, key=key))


@bp.get("/<kind>/<key>/<int:version>/ekspor")
def export(kind: str, key: str, version: int):
    """A version as a JSON file."""
    record = record_or_404(kind, key, version)
    body = json.dumps(export_document(record), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{kind}-{key}-v{version}.json"'})


@bp.post("/impor")
@body_limit(lambda: uploads_limit(MAX_IMPORT))
def import_version():
    """An exported file becomes a new draft after the same checks as any edit."""
    upload = request.files.get("berkas")
    data = upload.read(MAX_IMPORT + 1) if upload else b""
    if not data or len(data) > MAX_IMPORT:
        flash("Pilih berkas ekspor Loket (.json, paling besar 2 MB).", "warning")
        return redirect(url_for("admin.index"))
    try:
        parsed = parse_json(data, MAX_IMPORT)
    except JsonRefused as error:
        flash(f"Berkas ini bukan JSON yang sah: {error}", "warning")
        return redirect(url_for("admin.index"))
    record, problems = import_document(current_app._get_current_object(), parsed, actor())
    if problems:
        return render_template("admin/import_refused.html", problems=problems), 422
    flash(f"Diimpor sebagai draf versi {record.version}. Periksa lalu terbitkan.", "success")
    return redirect(url_for("admin.version", kind=record.kind, key=record.key, version=record.version))
