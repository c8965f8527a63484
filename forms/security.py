"""Request safety: CSRF on every form, who owns what, and protective response headers."""
from __future__ import annotations

import secrets

from flask import Flask, Response, g, render_template, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from forms.text import gettext

csrf = CSRFProtect()

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_security(app: Flask) -> None:
    """CSRF protection for every POST, friendly CSRF errors, and security headers."""
    app.session_interface = ReusedSignerSessions()
    csrf.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.after_request(add_security_headers)


class ReusedSignerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per set of keys.

    Flask builds it on every request; building it serialises a probe value and derives nothing
    that changes between requests with the same keys.
    """

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = getattr(self, "_signer", None)
        if cached is None or cached[0] != keys:
            cached = self._signer = (keys, super().get_signing_serializer(app))
        return cached[1]


def handle_csrf_error(error: CSRFError):
    """A missing or stale CSRF token: explain, change nothing."""
    message = gettext("Token keamanan formulir tidak ada atau sudah kedaluwarsa, jadi data tidak disimpan. "
                      "Muat ulang halaman lalu kirim lagi.")
    return render_template("error.html", title=gettext("Formulir tidak dapat dikirim"), message=message), 400


def add_security_headers(response: Response) -> Response:
    """Headers that every page carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def current_owner(create: bool = False) -> str | None:
    """Who owns the submissions of this browser: the signed-in account, else an anonymous session key.

    The account comes from g.account (checked against the server-side login session on every
    request), never from the cookie alone, so a replayed cookie of a signed-out browser owns nothing.
    """
    account = g.get("account")
    if account is not None:
        return f"account:{account.id}"
    if "anon" not in session and create:
        session["anon"] = secrets.token_urlsafe(18)
    return f"anon:{session['anon']}" if "anon" in session else None
