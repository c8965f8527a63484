"""Rate limits per client address on the pages that guess secrets: login, CAPTCHA images, password reset.

Counters live in the process's memory by default (RATELIMIT_STORAGE_URI may point at a shared store
when several server processes run). Limit strings come from the configuration, so tests can set low
ones. A breach raises the HTTP 429 that the error handlers render as the usual error page.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)

DEFAULT_LIMITS = {
    "LOGIN_RATE_LIMIT": "10/minute",
    "CAPTCHA_RATE_LIMIT": "30/minute",
    "RESET_RATE_LIMIT": "5/minute",
}


def init_limits(app: Flask) -> None:
    """Attach the limiter with in-memory counters unless configured otherwise."""
    for key, value in DEFAULT_LIMITS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_ENABLED", True)  # the limiter object is shared; never inherit a test's off
    limiter.init_app(app)


def configured(key: str) -> Callable[[], str]:
    """A limit read from the app's configuration at request time."""
    return lambda: current_app.config[key]
