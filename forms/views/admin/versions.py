"""The admin area: the schema store's versions (edit, preview, diff, publish with impact, roll back,
export, import), reference-table rows, printout settings, officer accounts and the admin log."""
from __future__ import annotations

import base64
import json

from bson import ObjectId
from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for)

from forms.catalog import adminlog

from forms.catalog import versions as store_catalog

from forms.catalog import formedit

from forms.catalog import migration
from forms.identity.accounts import ROLES, create_account, generate_password, normalise_username, require_role
from forms.web.bodylimits import body_limit, uploads_limit
from forms.catalog.versions import (DOCUMENT, DOCUMENTS, FORM, KINDS, TABLE, WORKFLOW, CatalogError, catalog, draft_form,
                           export_document, find_version, published_version, versions_of)
from forms.errors import FormsError
from forms.store import Account, IssuedDocument, LoginSession, Submission, create_submission
from forms.web.templating import current_language
from forms.engine.text import tr

bp = Blueprint("admin", __name__, url_prefix="/admin")
KIND_LABELS = {FORM: "Formulir", WORKFLOW: "Alur kerja", TABLE: "Tabel referensi", DOCUMENT: "Dokumen pengaturan"}
OFFICER_ROLES = ("verifikator", "kepala", "admin")
ROWS_PER_PAGE = 50
MAX_IMPORT = 2 * 1024 * 1024
MAX_LOGO = 512 * 1024


@bp.before_request
@require_role("admin")
def admins_only():
    """Every page of the area is for admins; others are sent to log in or refused."""
    return None


@bp.context_processor
def admin_extras() -> dict:
    """Endpoints present in this app (the nav links optional parts only when they exist)."""
    return {"admin_endpoints": lambda: current_app.view_functions}


def actor() -> str:
    """Who is acting, as the log names them."""
    return g.account.username


def record_or_404(kind: str, key: str, version: int):
    """A stored version, or 404."""
    if kind not in KINDS:
        abort(404)
    record = find_version(kind, key, version)
    if record is None:
        abort(404)
    return record


def content_of(record) -> dict:
    """A version's definition."""
    return json.loads(record.content)


@bp.get("/")
def index():
    """Everything in the schema store, with where each stands."""
    groups = {kind: [] for kind in KINDS}
    for entry in store_catalog.entries():
        groups[entry["kind"]].append(entry)
    return render_template("admin/index.html", groups=groups, kind_labels=KIND_LABELS)


@bp.get("/<kind>/<key>")
def versions(kind: str, key: str):
    """The versions of one definition, newest first."""
    found = versions_of(kind, key) if kind in KINDS else []
    if not found:
        abort(404)
    latest = published_version(kind, key)
    return render_template("admin/versions.html", kind=kind, key=key, versions=found, latest=latest,
                           kind_label=KIND_LABELS[kind], title=title_of(found[0]))


def title_of(record) -> str:
    """A human title for a version's definition."""
    content = content_of(record)
    title = content.get("title") if isinstance(content, dict) else None
    return tr(title, current_language()) if title else record.key


@bp.post("/<kind>/<key>/draf")
def new_draft(kind: str, key: str):
    """A new draft, copied from a chosen version."""
    source = record_or_404(kind, key, request.form.get("from", type=int) or 0)
    record = store_catalog.start_draft(kind, key, source.version, actor())
    adminlog.record(actor(), "buat_draf", kind, key, record.version, note=f"dari versi {source.version}")
    flash(f"Draf versi {record.version} dibuat dari versi {source.version}.", "success")
    return redirect(url_for("admin.version", kind=kind, key=key, version=record.version))


@bp.get("/<kind>/<key>/<int:version>")
def version(kind: str, key: str, version: int):
    """A version: the editors when it is a draft, read-only with its changes when published."""
    record = record_or_404(kind, key, version)
    return render_version(record)


def render_version(record, problems: list[str] | None = None, json_text: str | None = None, status: int = 200,
                   open_at: str | None = None):
    """The version page, with problems from a refused save shown at their place."""
    content = content_of(record)
    base = published_version(record.kind, record.key)
    compare_to = base if base and base.version != record.version else previous_published(record)
    diff = adminlog.difference(content_of(compare_to), content) if compare_to else ""
    form_view = form_editor_view(content, problems or []) if record.kind == FORM else None
    page = render_template(
        "admin/version.html", record=record, content=content, kind_label=KIND_LABELS[record.kind],
        json_text=json_text if json_text is not None else store_catalog.pretty(content),
        problems=problems or [], diff=diff, compare_to=compare_to, form_view=form_view,
        field_types=field_types(), open_at=open_at, editable=record.state == "draft",
        rows=record.kind == TABLE and isinstance(content.get("rows"), list),
        settings=record.kind == DOCUMENT and record.key == store_catalog.PRINTOUTS,
        standard=standard_view(content) if record.kind == DOCUMENT and record.key == STANDARD else None)
    return page, status


def previous_published(record):
    """The published version just before this one (for the changes a published version made)."""
    for other in versions_of(record.kind, record.key):
        if other.version < record.version and other.state == "published":
            return other
    return None


def field_types() -> list[str]:
    """Field types an admin can add."""
    from forms.engine.fields import REGISTRY
    return sorted(REGISTRY)


def form_editor_view(content: dict, problems: list[str]) -> list[dict]:
    """Steps and fields as the structured editor shows them, each with its own problems."""
    steps = []
    for step in content.get("steps") or []:
        if not isinstance(step, dict):
            continue
        name = step.get("name", "")
        fields = [{"raw": field, "name": field.get("name", ""), "type": field.get("type", ""),
                   "label": shown(field.get("label") or field.get("text")), "help": shown(field.get("help")),
                   "required": bool(field.get("required")),
                   "options": formedit.options_text(field["options"]) if isinstance(field.get("options"), list) else "",
                   "has_options": "options" in field or field.get("type") in ("select", "radio", "checkboxes"),
                   "visible_if": json.dumps(field["visible_if"], ensure_ascii=False) if "visible_if" in field else "",
                   "problems": formedit.problems_at(problems, name, field.get("name", ""))}
                  for field in step.get("fields") or [] if isinstance(field, dict)]
        steps.append({"name": name, "title": shown(step.get("title")), "help": shown(step.get("help")),
                      "visible_if": json.dumps(step["visible_if"], ensure_ascii=False) if "visible_if" in step else "",
                      "fields": fields, "problems": formedit.problems_at(problems, name)})
    return steps


def shown(text) -> str:
    """The Indonesian text of a label as the editor shows it."""
    if isinstance(text, dict):
        return str(text.get("id") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


def draft_or_refuse(kind: str, key: str, version: int):
    """A draft for editing; a published version cannot change."""
    record = record_or_404(kind, key, version)
    if record.state != "draft":
        flash("Versi terbit tidak dapat diubah. Buat draf baru darinya.", "warning")
        abort(redirect(url_for("admin.version", kind=kind, key=key, version=version)))
    return record


def save(record, content, what: str, json_text: str | None = None, open_at: str | None = None):
    """Save checked content into a draft, or show the version page with the problems (nothing saved)."""
    try:
        problems = store_catalog.save_draft(current_app._get_current_object(), record, content, actor(),
                                            revision=request.form.get("revision", type=int))
    except CatalogError as error:
        problems = error.problems
    if problems:
        flash("Perubahan tidak disimpan: " + problems[0] + (f" (dan {len(problems) - 1} masalah lain)"
                                                            if len(problems) > 1 else ""), "warning")
        return render_version(record, problems, json_text=json_text, status=422, open_at=open_at)
    flash(what, "success")
    target = url_for("admin.version", kind=record.kind, key=record.key, version=record.version)
    return redirect(target + (f"#{open_at}" if open_at else ""))


@bp.post("/<kind>/<key>/<int:version>/json")
def save_json(kind: str, key: str, version: int):
    """The JSON editor: the whole definition as text."""
    record = draft_or_refuse(kind, key, version)
    text = request.form.get("content", "")
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        problem = f"JSON tidak sah pada baris {error.lineno}, kolom {error.colno}: {error.msg}"
        flash("Perubahan tidak disimpan: " + problem, "warning")
        return render_version(record, [problem], json_text=text, status=422, open_at="json")
    return save(record, content, "Draf disimpan.", json_text=text, open_at="json")


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


@bp.post("/<kind>/<key>/<int:version>/hapus")
def discard(kind: str, key: str, version: int):
    """Delete a draft."""
    record = record_or_404(kind, key, version)
    store_catalog.discard_draft(record, actor())
    flash(f"Draf versi {version} dihapus.", "success")
    return redirect(url_for("admin.versions", kind=kind, key=key))


@bp.get("/<kind>/<key>/<int:version>/terbitkan")
def publish_preview(kind: str, key: str, version: int):
    """Before publishing: the problems (if any), the changes, and what happens to submissions in flight."""
    record = draft_or_refuse(kind, key, version)
    return render_publish(record)


def render_publish(record, status: int = 200):
    """The publish page."""
    app = current_app._get_current_object()
    problems = store_catalog.check_draft(app, record.kind, record.key, record.version, content_of(record))
    base = published_version(record.kind, record.key)
    diff = adminlog.difference(content_of(base), content_of(record)) if base else ""
    impact = documents = None
    if record.kind == FORM and not problems:
        new = draft_form(record.key, record.version)
        impact = migration.impact(record.key, catalog().schemas.get(record.key), new,
                                  catalog().schemas.forms.get(record.key, {}), current_language())
    if record.kind == WORKFLOW and not problems:
        applies_to = content_of(record).get("applies_to")
        documents = {}
        for document in IssuedDocument.objects(kind=applies_to).only("status"):
            documents[document.status] = documents.get(document.status, 0) + 1
    return render_template("admin/publish.html", record=record, problems=problems, diff=diff, base=base,
                           impact=impact, documents=documents, migratable=migration.MIGRATABLE,
                           kind_label=KIND_LABELS[record.kind]), status


@bp.post("/<kind>/<key>/<int:version>/terbitkan")
def publish(kind: str, key: str, version: int):
    """Publish a draft; for a form, move the drafts of the statuses the admin chose onto it."""
    record = draft_or_refuse(kind, key, version)
    if request.form.get("revision", type=int) != record.revision:
        flash("Draf berubah sejak halaman ini dibuka. Periksa lagi dampaknya sebelum menerbitkan.", "warning")
        return render_publish(record, status=409)
    app = current_app._get_current_object()
    previous = published_version(kind, key)
    note = request.form.get("note", "").strip()[:500]
    try:
        store_catalog.publish(app, record, actor(), note=note)
    except CatalogError as error:
        flash("Tidak diterbitkan: " + error.problems[0], "warning")
        return render_publish(record, status=422)
    pin_older(kind, previous, content_of(record))
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


def pin_older(kind: str, previous, content: dict) -> None:
    """Work begun before a new workflow or printout version stays on the version it began on."""
    if previous is None:
        return
    if kind == WORKFLOW:
        IssuedDocument.objects(kind=content.get("applies_to"), workflow_version=None).update(
            set__workflow_version=previous.version)
    elif kind == DOCUMENT and previous.key == store_catalog.PRINTOUTS:
        Submission.objects(procedure__printouts=None).update(set__procedure__printouts=previous.version)


@bp.post("/<kind>/<key>/<int:version>/kembalikan")
def rollback(kind: str, key: str, version: int):
    """Publish an earlier version again, as a new version."""
    record_or_404(kind, key, version)
    made = store_catalog.rollback(current_app._get_current_object(), kind, key, version, actor())
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
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        flash("Berkas ini bukan JSON yang sah.", "warning")
        return redirect(url_for("admin.index"))
    record, problems = store_catalog.import_document(current_app._get_current_object(), parsed, actor())
    if problems:
        return render_template("admin/import_refused.html", problems=problems), 422
    flash(f"Diimpor sebagai draf versi {record.version}. Periksa lalu terbitkan.", "success")
    return redirect(url_for("admin.version", kind=record.kind, key=record.key, version=record.version))


# --- reference table rows ----------------------------------------------------------------------


@bp.get("/table/<key>/<int:version>/baris")
def table_rows(key: str, version: int):
    """Search a table's rows; a draft's rows can be edited and added to."""
    record = record_or_404(TABLE, key, version)
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        flash("Tabel ini dibaca dari berkas CSV; baris tidak disunting di sini.", "info")
        return redirect(url_for("admin.version", kind=TABLE, key=key, version=version))
    words = request.args.get("q", "").strip().lower()[:80]
    found = [(index, row) for index, row in enumerate(rows)
             if not words or words in " ".join(str(value) for value in row.values()).lower()]
    page = max(1, request.args.get("hal", 1, type=int))
    shown_rows = found[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    return render_template("admin/rows.html", record=record, content=content, columns=columns_of(rows),
                           rows=[(index, row, editable_values(row)) for index, row in shown_rows], words=words,
                           page=page, pages=max(1, -(-len(found) // ROWS_PER_PAGE)), total=len(found),
                           editable=record.state == "draft", edit=request.args.get("ubah", type=int))


def columns_of(rows: list) -> list[str]:
    """Every column named by any row, in first-seen order."""
    columns: list[str] = []
    for row in rows:
        for name in row if isinstance(row, dict) else ():
            if name not in columns:
                columns.append(name)
    return columns


def editable_values(row: dict) -> dict[str, str]:
    """A row's cells as text inputs show them (lists and objects as JSON)."""
    return {name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for name, value in row.items()}


@bp.post("/table/<key>/<int:version>/baris")
def save_row(key: str, version: int):
    """Change one row (by position) or add a new one; the table is checked as a whole before saving."""
    record = draft_or_refuse(TABLE, key, version)
    content = content_of(record)
    rows = content.get("rows")
    if not isinstance(rows, list):
        abort(404)
    columns = columns_of(rows)
    values = {}
    for name in columns:
        text = request.form.get(f"kolom_{name}", "")
        sample = next((row.get(name) for row in rows if isinstance(row, dict) and name in row), "")
        if isinstance(sample, (list, dict)):
            try:
                values[name] = json.loads(text or ("[]" if isinstance(sample, list) else "{}"))
            except json.JSONDecodeError as error:
                flash(f"Kolom '{name}': JSON tidak sah ({error.msg}). Tidak ada yang disimpan.", "warning")
                return redirect(url_for("admin.table_rows", key=key, version=version))
        elif text.strip():
            values[name] = text.strip()
    index = request.form.get("index", type=int)
    if index is None:
        rows.append(values)
    elif 0 <= index < len(rows):
        if request.form.get("hapus"):
            del rows[index]
        else:
            rows[index] = values
    else:
        abort(404)
    keys = content["key"] if isinstance(content["key"], list) else [content["key"]]
    seen = set()
    for row in rows:
        identity = tuple(str(row.get(name, "")) for name in keys)
        if identity in seen:
            flash(f"Baris dengan kunci {' / '.join(identity)} sudah ada. Tidak ada yang disimpan.", "warning")
            return redirect(url_for("admin.table_rows", key=key, version=version))
        seen.add(identity)
    content["rows"] = rows
    try:
        problems = store_catalog.save_draft(current_app._get_current_object(), record, content, actor())
    except CatalogError as error:
        problems = error.problems
    if problems:
        flash("Tidak disimpan: " + problems[0], "warning")
    else:
        flash("Baris disimpan ke draf.", "success")
    return redirect(url_for("admin.table_rows", key=key, version=version, q=request.form.get("q", "")))


# --- printout settings (office name, signer, logo) ---------------------------------------------


@bp.post("/document/cetakan/<int:version>/kantor")
@body_limit(lambda version: uploads_limit(MAX_LOGO))
def save_office(version: int):
    """The office texts, signer and logo used by printouts, from a plain form."""
    record = draft_or_refuse(DOCUMENT, store_catalog.PRINTOUTS, version)
    content = content_of(record)
    office = content.setdefault("office", {})
    for name in ("government", "agency", "address", "contact", "place", "footer"):
        if name in request.form:
            office[name] = request.form[name].strip()
    signer = office.setdefault("signer", {})
    for name in ("name", "position", "rank", "nip"):
        if name in request.form:
            signer[name] = request.form[name].strip()
    logo = request.files.get("logo")
    if logo and logo.filename:
        data = logo.read(MAX_LOGO + 1)
        if len(data) > MAX_LOGO or not data.startswith(b"\x89PNG\r\n\x1a\n"):
            flash("Logo harus berkas PNG paling besar 512 KB. Tidak ada yang disimpan.", "warning")
            return redirect(url_for("admin.version", kind=DOCUMENT, key=store_catalog.PRINTOUTS, version=version))
        office["logo"] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return save(record, content, "Pengaturan kantor disimpan ke draf.", open_at="kantor")


# --- the service standard (14 components) -----------------------------------------------------

STANDARD = "standar-pelayanan"


def standard_view(content: dict) -> list[dict]:
    """The components as the editor shows them: title, text, and list items one per line."""
    view = []
    for component in content.get("components") or []:
        if not isinstance(component, dict):
            continue
        view.append({"key": component.get("key", ""), "no": component.get("no"), "title": shown(component.get("title")),
                     "text": shown(component.get("text")) if "text" in component else None,
                     "items": "\n".join(shown(item) for item in component["items"])
                     if isinstance(component.get("items"), list) else None})
    return view


def edited_items(old: list, text: str) -> list:
    """Items from one-per-line text; an unchanged line keeps its translations."""
    by_text = {shown(item): item for item in old}
    return [by_text.get(line.strip(), line.strip()) for line in text.splitlines() if line.strip()]


@bp.post("/document/standar-pelayanan/<int:version>/komponen")
def save_standard(version: int):
    """The service standard's components edited as plain text, checked like every other save."""
    record = draft_or_refuse(DOCUMENT, STANDARD, version)
    content = content_of(record)
    key = request.form.get("component", "")
    component = next((c for c in content.get("components") or [] if isinstance(c, dict) and c.get("key") == key), None)
    if component is None:
        abort(404)
    if request.form.get("title", "").strip():
        formedit.set_text(component, "title", request.form["title"])
    if "text" in component and "text" in request.form:
        formedit.set_text(component, "text", request.form["text"])
    if isinstance(component.get("items"), list) and "items" in request.form:
        component["items"] = edited_items(component["items"], request.form["items"])
    return save(record, content, f"Komponen {component.get('no')} disimpan ke draf.", open_at=f"komponen-{key}")


# --- officer accounts --------------------------------------------------------------------------


@bp.get("/akun")
def accounts():
    """Officer and admin accounts (applicants register themselves)."""
    words = request.args.get("q", "").strip().lower()[:60]
    query = Account.objects(roles__in=list(OFFICER_ROLES))
    found = [a for a in query.order_by("username")
             if not words or words in f"{a.username} {a.name} {a.email or ''}".lower()]
    return render_template("admin/accounts.html", accounts=found, roles=OFFICER_ROLES, words=words,
                           created=None)


@bp.post("/akun")
def create_officer():
    """A new officer account with a one-time password shown once to the admin."""
    role = request.form.get("role", "")
    if role not in OFFICER_ROLES:
        flash("Pilih peran petugas.", "warning")
        return redirect(url_for("admin.accounts"))
    username = normalise_username(request.form.get("username", ""))
    password = generate_password()
    try:
        account = create_account(username, password, request.form.get("name", "").strip(), (role,),
                                 email=request.form.get("email", "").strip() or None)
    except FormsError as error:
        flash(str(error), "warning")
        return redirect(url_for("admin.accounts"))
    adminlog.record(actor(), "buat_akun", "account", account.username, note=f"peran {role}")
    found = list(Account.objects(roles__in=list(OFFICER_ROLES)).order_by("username"))
    return render_template("admin/accounts.html", accounts=found, roles=OFFICER_ROLES, words="",
                           created={"username": account.username, "password": password})


@bp.post("/akun/<account_id>")
def update_officer(account_id: str):
    """Change an officer's role, or disable / enable the account (disabling ends its sessions)."""
    account = Account.objects(id=ObjectId(account_id)).first() if ObjectId.is_valid(account_id) else None
    if account is None or not set(account.roles) & set(OFFICER_ROLES):
        abort(404)
    if account.id == g.account.id:
        flash("Anda tidak dapat mengubah peran atau menonaktifkan akun Anda sendiri.", "warning")
        return redirect(url_for("admin.accounts"))
    role = request.form.get("role")
    if role is not None:
        if role not in OFFICER_ROLES:
            flash("Peran tidak dikenal.", "warning")
            return redirect(url_for("admin.accounts"))
        Account.objects(id=account.id).update_one(set__roles=[role])
        adminlog.record(actor(), "ubah_peran", "account", account.username, note=f"{','.join(account.roles)} → {role}")
    if request.form.get("active") in ("0", "1"):
        active = request.form["active"] == "1"
        Account.objects(id=account.id).update_one(set__active=active)
        if not active:
            LoginSession.objects(account_id=account.id).delete()
        adminlog.record(actor(), "aktifkan" if active else "nonaktifkan", "account", account.username)
    flash(f"Akun {account.username} diperbarui.", "success")
    return redirect(url_for("admin.accounts"))


@bp.get("/log")
def log():
    """Every admin change: who, when, what, and the difference."""
    kind = request.args.get("jenis") or None
    return render_template("admin/log.html", entries=adminlog.entries(kind=kind), kind=kind)
