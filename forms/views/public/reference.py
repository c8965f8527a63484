"""Search endpoint of the reference tables behind lookup fields and cascading choices."""
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
