"""Request safety: CSRF on every form, who owns what, protective response headers and cookie flags.

Behind a reverse proxy (PROXY_FIX = number of proxies in front, 0 = none) Werkzeug's ProxyFix makes the
client's address, scheme and host those the proxy reports, so per-address rate limits count clients,
not the proxy, and HSTS and Secure cookies follow the scheme the visitor used.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from forms.engine.text import gettext


class ForeignOrigin(CSRFError):
    """A state-changing request whose Origin (or Referer) is another site."""


class SameOriginCSRF(CSRFProtect):
    """Flask-WTF's token check, preceded by a same-origin check of the Origin or Referer header.

    Views exempt from CSRF (the bearer-token API, which reads no cookie) are exempt from this too.
    """

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            refuse_foreign_origin()
        super().protect(apply_exemptions)


csrf = SameOriginCSRF()

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
PERMISSIONS = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
               "payment=(), usb=()")


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


class SessionInterface(ReusedSignerSessions):
    """The signed session cookie, marked Secure when configured so or when this request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session, response: Response) -> None:
        """Save as Flask does, except on a refused post from another site: a cross-site POST arrives without
        the Lax cookie, and the refusal page's fresh session must not replace the visitor's sign-in."""
        if not g.get("foreign_origin"):
            super().save_session(app, session, response)


def init_security(app: Flask) -> None:
    """Trusted proxies, CSRF protection for every POST, friendly CSRF errors, cookie flags and security headers."""
    trust_proxies(app)
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.after_request(add_security_headers)
    app.after_request(forbid_caching)


def trust_proxies(app: Flask) -> None:
    """Read the client's address, scheme, host and port from PROXY_FIX proxies in front (none by default)."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def refuse_foreign_origin() -> None:
    """Raise ForeignOrigin when the browser says the request came from a page of another site.

    Origin is read first, Referer when it is absent; a request with neither (old browsers, privacy
    settings) is left to the CSRF token. A TLS request is never accepted from a plain-HTTP page.
    """
    claimed = request.headers.get("Origin") or request.referrer
    if claimed is None:
        return
    parts = urlsplit(claimed.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ForeignOrigin("Origin is not a web address.")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin not in trusted_origins() and not (parts.netloc.lower() == request.host.lower()
                                                and (parts.scheme == "https" or not request.is_secure)):
        raise ForeignOrigin("Origin does not match the host.")


def trusted_origins() -> set[str]:
    """Other origins whose pages may post here: PUBLIC_URL's and TRUSTED_ORIGINS (for a proxy that changes the host)."""
    found = {origin.rstrip("/").lower() for origin in current_app.config.get("TRUSTED_ORIGINS") or ()}
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    if public.scheme and public.netloc:
        found.add(f"{public.scheme}://{public.netloc}".lower())
    return found


def handle_csrf_error(error: CSRFError):
    """A missing or stale CSRF token, or a post from another site: explain, change nothing."""
    if isinstance(error, ForeignOrigin):
        g.foreign_origin = True
        message = gettext("Permintaan ini dikirim dari halaman situs lain, jadi tidak diproses dan tidak ada yang "
                          "disimpan. Buka halaman ini langsung dari alamat Loket lalu kirim lagi.")
        return render_template("error.html", title=gettext("Formulir tidak dapat dikirim"), message=message), 403
    message = gettext("Token keamanan formulir tidak ada atau sudah kedaluwarsa, jadi data tidak disimpan. "
                      "Muat ulang halaman lalu kirim lagi.")
    return render_template("error.html", title=gettext("Formulir tidak dapat dikirim"), message=message), 400


def add_security_headers(response: Response) -> Response:
    """Headers that every response carries; HSTS only on a response that went out over TLS."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS)
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts = hsts_value()
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def forbid_caching(response: Response) -> Response:
    """after_request: nothing dynamic is kept by browsers or proxies (pages, PDFs, uploads and API answers
    carry personal data); static files and answers a view marked `public` (reference tables) keep theirs."""
    if request.endpoint == "static" or response.cache_control.public or response.cache_control.no_store:
        return response
    response.headers["Cache-Control"] = "no-store"
    return response


def hsts_value() -> str | None:
    """The Strict-Transport-Security value for this request: only over TLS and when HSTS_SECONDS > 0."""
    seconds = int(current_app.config.get("HSTS_SECONDS") or 0)
    if not request.is_secure or seconds <= 0:
        return None
    return f"max-age={seconds}" + ("; includeSubDomains" if current_app.config.get("HSTS_INCLUDE_SUBDOMAINS") else "")


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
