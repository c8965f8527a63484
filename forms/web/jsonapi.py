"""Plumbing of the JSON API under /api: bearer-token sign-in, CSRF exemption, one rate limit, JSON bodies.

API requests are signed in by `Authorization: Bearer <token>` only; the browser's session cookie is
never read here, so a page's cookie cannot make an API call for its user (which is why the API is
CSRF-exempt). Errors are JSON `{"error": …, "fields": {name: message}}` (forms.errors renders the
engine's errors that way for paths under /api/). All API blueprints share one rate limit per token
(or per client address without one).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, g, request
from flask_limiter.util import get_remote_address

from forms.engine.jsontext import JsonRefused, parse_json
from forms.identity.apitokens import account_for_api_token, bearer_token
from forms.web.errorpages import json_error
from forms.web.ratelimits import configured, limiter
from forms.web.security import csrf

OFFICER_ROLES = ("verifikator", "kepala", "admin")


def api_blueprint(name: str, import_name: str, url_prefix: str = "/api/v1") -> Blueprint:
    """A blueprint of the API: token sign-in, no CSRF (no cookies), the shared rate limit."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    csrf.exempt(bp)
    bp.before_request(sign_in_by_token)
    limiter.shared_limit(configured("API_RATE_LIMIT"), scope="api", key_func=rate_key)(bp)
    return bp


def rate_key() -> str:
    """Who a request counts against: its token (by hash), else its client address."""
    token = bearer_token(request.headers.get("Authorization"))
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "")


def sign_in_by_token():
    """before_request: g.account from the bearer token alone; a presented but unknown token is refused."""
    g.account = None
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        return None
    g.account = account_for_api_token(token)
    if g.account is None:
        return unauthorised("Token tidak dikenal, sudah dicabut, atau akunnya tidak aktif.")
    return None


def unauthorised(message: str = "Kirim token API pada kepala Authorization: Bearer <token>."):
    """401 with the challenge a client expects."""
    response = json_error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="loket"'
    return response


def require_token(*roles: str) -> Callable:
    """View decorator: a token is needed (401 without), and one of `roles` when given (403 otherwise)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            account = g.get("account")
            if account is None:
                return unauthorised()
            if roles and not set(roles) & set(account.roles):
                return json_error(403, "Token ini tidak berhak atas tindakan ini.")
            return view(*args, **kwargs)

        return guarded

    return decorate


def json_body() -> Mapping[str, Any]:
    """The request's JSON object, read within the size and nesting limits; 400 or 413 with a message otherwise."""
    not_object = "Badan permintaan harus berupa objek JSON (Content-Type: application/json)."
    if not request.is_json:
        abort(json_error(400, not_object))
    try:
        body = parse_json(request.get_data(cache=True), current_app.config["JSON_MAX_BYTES"],
                          current_app.config["JSON_MAX_DEPTH"])
    except JsonRefused as refused:
        abort(json_error(refused.status, str(refused)))
    if not isinstance(body, Mapping):
        abort(json_error(400, not_object))
    return body


def optional_int(body: Mapping[str, Any], name: str) -> int | None:
    """An optional integer member of a JSON body; 422 when it is something else."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        abort(json_error(422, "Isian tidak valid.", {name: "Harus berupa bilangan bulat."}))
    return value


def optional_text(body: Mapping[str, Any], name: str, limit: int = 1000) -> str:
    """An optional string member of a JSON body ('' when absent); 422 when it is something else."""
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        abort(json_error(422, "Isian tidak valid.", {name: "Harus berupa teks."}))
    if len(value) > limit:
        abort(json_error(422, "Isian tidak valid.", {name: f"Paling banyak {limit} karakter."}))
    return value


def check_version(body: Mapping[str, Any], current: int) -> None:
    """When the client says which version it read, refuse (409) a write over a newer one."""
    expected = optional_int(body, "version")
    if expected is not None and expected != current:
        abort(json_error(409, "Data ini sudah diubah sejak Anda membacanya. Baca lagi, lalu ulangi perubahan Anda.",
                         current_version=current))


def iso(moment: datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with its zone."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def is_officer(account) -> bool:
    """Whether an account works the back office."""
    return account is not None and bool(set(OFFICER_ROLES) & set(account.roles))


def may_fill(form, account) -> bool:
    """Whether an account (or nobody) may fill a form: public forms anyone, account forms a fitting role; demo forms
    only in demo mode."""
    if form.demo and not current_app.config["DEMO_MODE"]:
        return False
    if form.access != "account":
        return True
    return account is not None and (not form.roles or bool(set(form.roles) & set(account.roles)))
