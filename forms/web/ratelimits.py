"""Rate limits per client address on the pages that guess secrets: login, CAPTCHA images, password reset.

Counters follow the store: with MONGODB_URI they live in that MongoDB (database `<MONGODB_DB>_limits`),
shared by every worker and host; on the embedded store (one process) in memory. RATELIMIT_STORAGE_URI
overrides both (redis://, memcached://…). Limit strings come from the configuration, so tests can set low
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
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        follow_the_store(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_ENABLED", True)  # the limiter object is shared; never inherit a test's off
    limiter.init_app(app)


def follow_the_store(app: Flask) -> None:
    """Keep limits where the data is: MongoDB for several workers, memory for the one embedded process."""
    if app.config["STORE"] == "mongodb":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["MONGODB_URI"]
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"database_name": f"{app.config['MONGODB_DB']}_limits"}
    else:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"


def configured(key: str) -> Callable[[], str]:
    """A limit read from the app's configuration at request time."""
    return lambda: current_app.config[key]
