"""The admin blueprint, its guard, and the lookups every admin page shares."""
from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    url_for,
)

from forms.catalog.items import DOCUMENT, FORM, KINDS, TABLE, WORKFLOW
from forms.engine.text import tr
from forms.identity.accounts import (
    require_role,
)
from forms.store import find_schema_version
from forms.web.templating import current_language

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
    return


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
    record = find_schema_version(kind, key, version)
    if record is None:
        abort(404)
    return record


def content_of(record) -> dict:
    """A version's definition."""
    return json.loads(record.content)


def title_of(record) -> str:
    """A human title for a version's definition."""
    content = content_of(record)
    title = content.get("title") if isinstance(content, dict) else None
    return tr(title, current_language()) if title else record.key


def draft_or_refuse(kind: str, key: str, version: int):
    """A draft for editing; a published version cannot change."""
    record = record_or_404(kind, key, version)
    if record.state != "draft":
        flash("Versi terbit tidak dapat diubah. Buat draf baru darinya.", "warning")
        abort(redirect(url_for("admin.version", kind=kind, key=key, version=version)))
    return record
