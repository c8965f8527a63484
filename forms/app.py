"""The application factory: a table of contents of the app's parts."""
from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from functools import lru_cache
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask

from forms.casework.handlers import init_casework
from forms.casework.jobs import init_jobs
from forms.casework.workers import expect_runner
from forms.catalog.seeding import init_schemas
from forms.config import load_config
from forms.identity.accounts import init_accounts
from forms.outreach.messages import init_messages
from forms.outreach.webhooks import init_webhooks
from forms.printing.issue import init_printouts
from forms.store import init_store
from forms.views import register_blueprints
from forms.views.cli import init_cli
from forms.web.bodylimits import init_body_limits
from forms.web.errorpages import register_error_handlers
from forms.web.i18n import init_i18n
from forms.web.ratelimits import init_limits
from forms.web.security import init_security
from forms.web.templating import init_templating


class Loket(Flask):
    """Flask, except that whether a hook or view is a coroutine function is found out once per function.

    Flask asks it again for every before/after/teardown hook and the view on every request
    (`inspect.iscoroutinefunction`, ~20 times a request); the answer never changes for a function.
    """

    def ensure_sync(self, func: Callable) -> Callable:
        """The function itself when it is synchronous, else Flask's synchronous wrapper of it."""
        try:
            coroutine = is_coroutine_function(func)
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            coroutine = iscoroutinefunction(func)
        return self.async_to_sync(func) if coroutine else func


@lru_cache(maxsize=4096)
def is_coroutine_function(func: Callable) -> bool:
    """inspect.iscoroutinefunction, remembered per function (hooks and views live as long as the app)."""
    return iscoroutinefunction(func)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a Loket app; tests pass a mapping that overrides the configuration."""
    app = Loket(__name__, instance_relative_config=True)
    load_config(app, test_config)
    init_body_limits(app)
    init_security(app)
    init_store(app)
    init_limits(app)
    init_accounts(app)
    init_cli(app)
    init_messages(app)
    init_casework(app)
    init_jobs(app)
    init_schemas(app)
    init_printouts(app)
    init_webhooks(app)
    init_templating(app)
    init_i18n(app)
    register_blueprints(app)
    register_error_handlers(app)
    expect_runner(app)
    return app


def freeze_startup_objects() -> None:
    """Keep what start-up built (schemas, tables, templates, the loaded store) out of the collector's scans.

    Those objects live as long as the server process, yet every full garbage collection walked all
    of them again: ~140,000 objects, one such pass took ~0.1 s in the middle of a request. Call it
    once, after create_app, in a long-running server; it also makes young collections rarer.
    """
    gc.collect()
    gc.freeze()
    # A request allocates thousands of short-lived containers: with the default threshold (700) the
    # collector ran several times per request, ~16 % of a wizard step's CPU (measured with the
    # collector off). Rarer young collections cost little memory and keep cycles reclaimed.
    gc.set_threshold(50_000, 50, 100)
