"""The admin area: schema versions, the form editor, table rows, settings, officer accounts, the admin log, webhooks."""
# Every page module attaches its routes to the one `admin` blueprint of `common`; webhooks have their own.
from forms.views.admin import (  # noqa: F401  (routes attach to bp)
    accounts,
    editor,
    log,
    settings,
    tables,
    versions,
    workflows,
)
from forms.views.admin.common import bp  # noqa: F401
