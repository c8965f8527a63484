"""The edges of the app: thin blueprints (public, applicant, officer, admin, API) and the operator's commands."""
from __future__ import annotations

from flask import Flask

from forms.views import admin
from forms.views.admin import jobs as admin_jobs
from forms.views.admin import webhooks as admin_webhooks
from forms.views.api import documents as api_documents
from forms.views.api import meta as api_meta
from forms.views.api import submissions as api_submissions
from forms.views.applicant import account, codesignin, fulfil, security, tokens, wizard
from forms.views.counter import desk
from forms.views.officer import cases
from forms.views.public import (
    home,
    info,
    printouts,
    reference,
    surveys,
    tickets,
    tracking,
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint."""
    for module in (home, wizard, reference, account, codesignin, security, tracking, fulfil, cases, printouts, tickets,
                   surveys, info, admin, tokens, api_meta, api_submissions, api_documents, admin_webhooks, admin_jobs, desk):
        app.register_blueprint(module.bp)
