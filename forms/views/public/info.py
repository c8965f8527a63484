"""Public information pages drawn from data: the office's service standard."""
from __future__ import annotations

from flask import Blueprint, render_template

from forms.office.publicinfo import public_info

bp = Blueprint("info", __name__)


@bp.get("/standar-pelayanan")
def standard():
    """The service standard's components (schemas/standar-pelayanan.json), as the office established them."""
    return render_template("info/standard.html", standard=public_info().standard, office=public_info().office)
