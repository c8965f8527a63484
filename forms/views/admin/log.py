"""The admin log: every change made in the admin area, newest first."""
from __future__ import annotations

from flask import (
    render_template,
    request,
)

from forms.store import admin_log_entries
from forms.views.admin.common import bp


@bp.get("/log")
def log():
    """Every admin change: who, when, what, and the difference."""
    kind = request.args.get("jenis") or None
    return render_template("admin/log.html", entries=admin_log_entries(kind=kind), kind=kind)
