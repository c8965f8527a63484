"""The JSON API's entry points: its OpenAPI document, who the token is, form definitions, reference lookups."""
from __future__ import annotations

from flask import g, jsonify, request

from forms.catalog.runtime import schemas
from forms.engine.schema import Form
from forms.web.errorpages import json_error
from forms.web.jsonapi import api_blueprint, may_fill, require_token
from forms.web.openapi import openapi_document

bp = api_blueprint("api", __name__, url_prefix="/api")
MAX_LIMIT = 50


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of /api/v1."""
    return jsonify(openapi_document())


@bp.get("/v1/me")
@require_token()
def me():
    """The account the token acts for."""
    account = g.account
    return jsonify({"id": str(account.id), "username": account.username, "name": account.name,
                    "roles": list(account.roles)})


def form_summary(form: Form) -> dict:
    """What a list of forms shows of one."""
    return {"id": form.id, "version": form.version, "title": form.title, "description": form.description,
            "access": form.access}


@bp.get("/v1/forms")
def forms():
    """The published (latest) version of every form the caller may fill."""
    return jsonify({"items": [form_summary(form) for form in schemas().latest() if may_fill(form, g.account)]})


@bp.get("/v1/forms/<form_id>")
def form(form_id: str):
    """A form's published definition: steps and fields as written in its schema file, and its derived values."""
    found = schemas().get(form_id)
    if found is None or not may_fill(found, g.account):
        return json_error(404, "Formulir tidak ditemukan.")
    source = found.source
    return jsonify({**form_summary(found), "roles": list(found.roles), "steps": source.get("steps", []),
                    "derived": [item.name for item in found.derived]})


@bp.get("/v1/reference")
def tables():
    """The reference tables that can be searched."""
    return jsonify({"items": [{"id": table_id} for table_id in sorted(schemas().tables)]})


@bp.get("/v1/reference/<table_id>")
def search(table_id: str):
    """Rows whose key or words match `q`, optionally only those whose `column` equals `parent` (cascades)."""
    table = schemas().tables.get(table_id)
    if table is None:
        return json_error(404, "Tabel referensi tidak ditemukan.")
    limit = request.args.get("limit", "20")
    if not (limit.isdecimal() and len(limit) < 4 and 1 <= int(limit) <= MAX_LIMIT):
        return json_error(422, "Parameter tidak valid.", {"limit": f"Bilangan 1\u2013{MAX_LIMIT}."})
    limit = int(limit)
    query = request.args.get("q", "")[:100]
    column, parent = request.args.get("column"), request.args.get("parent")
    if (column is None) != (parent is None):
        return json_error(422, "Parameter tidak valid.", {"column": "Kirim column dan parent bersama-sama."})
    rows = table.search(query, column, parent, limit) if column is not None else table.search(query, limit=limit)
    return public(jsonify({"items": rows}))


@bp.get("/v1/reference/<table_id>/<path:key>")
def row(table_id: str, key: str):
    """One row of a reference table by its key."""
    table = schemas().tables.get(table_id)
    found = table.row(key) if table is not None else None
    if found is None:
        return json_error(404, "Baris referensi tidak ditemukan.")
    return public(jsonify({"key": key, "label": table.label(key), "row": found}))


def public(response):
    """Reference data is the same for everyone: caches may keep it for a few minutes."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
