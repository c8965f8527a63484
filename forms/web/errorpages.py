"""Error pages: domain errors and HTTP errors as friendly pages in the visitor's language, JSON for the API."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from forms.engine.text import N_, gettext
from forms.errors import FormsError


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and common HTTP errors to friendly pages in the visitor's language."""

    @app.errorhandler(FormsError)
    def handle_forms_error(error: FormsError):
        if wants_json():
            return json_error(error.status, str(error))
        return render_template("error.html", title=gettext(error.title), message=str(error)), error.status

    for code, title, message in HTTP_PAGES:
        app.register_error_handler(code, make_http_handler(code, title, message))
    app.register_error_handler(HTTPException, handle_other_http_error)


def handle_other_http_error(error: HTTPException):
    """Any other HTTP error: JSON for the API, Werkzeug's own response elsewhere."""
    if wants_json() and error.code:
        return json_error(error.code, error.description or error.name)
    return error


HTTP_PAGES = (
    (400, N_("Permintaan tidak valid"), N_("Permintaan tidak dapat diproses. Muat ulang halaman lalu coba lagi.")),
    (403, N_("Akses ditolak"), N_("Anda tidak berhak membuka halaman ini.")),
    (404, N_("Halaman tidak ditemukan"), N_("Alamat yang Anda buka tidak ada atau bukan milik Anda.")),
    (405, N_("Metode tidak diizinkan"), N_("Halaman ini tidak menerima permintaan seperti itu.")),
    (413, N_("Kiriman terlalu besar"), N_("Ukuran kiriman melebihi batas yang diizinkan.")),
    (429, N_("Terlalu banyak percobaan"), N_("Tunggu sebentar, lalu coba lagi.")),
)


def make_http_handler(code: int, title: str, message: str):
    """An error handler that renders the shared error page for one HTTP status."""

    def handle(error):
        description = getattr(error, "description", "") if code == 400 else ""
        if code == 413:
            description = too_large_message(message)
        if wants_json():
            response = json_error(code, description or gettext(message))
            if getattr(error, "valid_methods", None):  # 405 says what is allowed
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return render_template("error.html", title=gettext(title), message=description or gettext(message)), code

    return handle


def wants_json() -> bool:
    """Requests to the JSON API get their errors as JSON, never as a page."""
    return request.path.startswith("/api/")


def json_error(status: int, message: str, fields: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """An API error: `{"error": message, "fields": {name: message}}` with its status code."""
    response = jsonify({"error": message, "fields": dict(fields or {}), **extra})
    response.status_code = status
    return response


def too_large_message(message: str) -> str:
    """The 413 text with this page's limit, when one was set for the request; nothing was saved."""
    from forms.web.bodylimits import shown_limit
    limit = g.get("body_limit")
    if not limit:
        return message
    return (f"{message} Batas untuk halaman ini {shown_limit(limit)}; tidak ada yang disimpan. "
            "Kecilkan atau pisahkan berkas, atau persingkat isian, lalu kirim lagi.")
