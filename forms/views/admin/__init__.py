"""The admin area: schema versions, the form editor, table rows, settings, officer accounts, the admin log, webhooks."""
# Every page module attaches its routes to the one `admin` blueprint of `common`; webhooks have their own.
from forms.views.admin import accounts, editor, log, settings, tables, versions  # noqa: F401  (routes attach to bp)
from forms.views.admin.common import bp  # noqa: F401
