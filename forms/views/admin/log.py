"""The admin log: every change made in the admin area, newest first."""
from __future__ import annotations

from flask import (
    render_template,
    request,
)

from forms.catalog import adminlog
from forms.views.admin.common import bp


@bp.get("/log")
def log():
    """Every admin change: who, when, what, and the difference."""
    kind = request.args.get("jenis") or None
    return render_template("admin/log.html", entries=adminlog.entries(kind=kind), kind=kind)
