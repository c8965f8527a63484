"""Endpoints of the reference tables behind lookup fields, cascading choices and values computed on the page."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from forms.catalog.runtime import schemas

bp = Blueprint("reference", __name__, url_prefix="/referensi")


@bp.get("/<table_id>")
def search(table_id: str):
    """Up to 20 rows matching ?q= (words or code prefix), optionally under ?kolom=&induk= ."""
    table = schemas().tables.get(table_id)
    if table is None:
        abort(404)
    query = request.args.get("q", "")[:100]
    column, parent = request.args.get("kolom"), request.args.get("induk")
    cascading = bool(column) and parent is not None
    limit = min(request.args.get("batas", 20, type=int) or 20, 1000 if cascading else 50)
    rows = table.search(query, column, parent, limit) if cascading else table.search(query, limit=limit)
    response = jsonify(rows)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/<table_id>/nilai")
def value(table_id: str):
    """One column of one row (?kunci=&kolom=, and &pita= the number that picks a row by its band, e.g. rooms):
    what a page's rule looks up while the applicant types."""
    if table_id not in schemas().tables:
        abort(404)
    key, column = request.args.get("kunci", "")[:200], request.args.get("kolom", "")[:100]
    band = band_value(request.args.get("pita", "")[:20])
    response = jsonify({"value": schemas().tables.lookup(table_id, key, column, band) if key and column else None})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def band_value(text: str) -> float | int | None:
    """The band number of a lookup (digits, optionally with a decimal point), or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number
