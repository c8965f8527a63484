"""How large a request body each page accepts, set before anything reads the body.

Sign-in and code pages take a few short fields, a wizard step takes text, pages with uploads take
their files: each view declares its limit with `@body_limit(...)` (bytes, a setting name, or a
function of the view's arguments); views without one get FORM_BODY_MAX_BYTES. The limit is set on
the request before CSRF protection parses the form, so an oversize body is refused unread with the
413 page, which names the limit.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request

Limit = int | str | Callable[..., int]


def body_limit(limit: Limit) -> Callable:
    """View decorator: the largest body (in bytes) this view accepts; a str names a setting."""

    def mark(view: Callable) -> Callable:
        view.body_limit = limit
        return view

    return mark


def init_body_limits(app: Flask) -> None:
    """Set each request's body limit first thing (before CSRF protection reads the form)."""
    app.before_request_funcs.setdefault(None, []).insert(0, apply_body_limit)


def apply_body_limit() -> None:
    """before_request: the view's limit, or the general form limit, capped by MAX_CONTENT_LENGTH."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = limit_for(request.endpoint, request.view_args or {})
    ceiling = current_app.config.get("MAX_CONTENT_LENGTH")
    limit = min(limit, ceiling) if ceiling else limit
    request.max_content_length = limit
    g.body_limit = limit


def limit_for(endpoint: str | None, arguments: dict[str, Any]) -> int:
    """The body limit of an endpoint for these view arguments."""
    view = current_app.view_functions.get(endpoint or "")
    declared: Limit = getattr(view, "body_limit", "FORM_BODY_MAX_BYTES")
    if callable(declared):
        return int(declared(**arguments))
    if isinstance(declared, str):
        return int(current_app.config[declared])
    return int(declared)


def uploads_limit(*sizes: int | None) -> int:
    """Room for uploads of these size limits (None: UPLOAD_MAX_BYTES), plus the form's own fields.

    Twice each file's limit, so a slightly oversize file still reaches its field and gets a message
    beside it; anything larger gets the 413 page.
    """
    default = current_app.config["UPLOAD_MAX_BYTES"]
    return current_app.config["FORM_BODY_MAX_BYTES"] + sum(2 * (size or default) for size in sizes)


def shown_limit(size: int) -> str:
    """A limit as people read it (KB below 1 MB, else MB with one decimal)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"
