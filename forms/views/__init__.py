"""Blueprints, one per file."""
from __future__ import annotations

from flask import Flask

from forms.views import (account, admin, api, api_documents, api_submissions, fulfil, info, officer, printouts,
                         public, reference, security_settings, surveys, tickets, tokens, tracking, webhooks, wizard)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint."""
    app.register_blueprint(public.bp)
    app.register_blueprint(wizard.bp)
    app.register_blueprint(reference.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(security_settings.bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(fulfil.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(printouts.bp)
    app.register_blueprint(tickets.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(info.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_submissions.bp)
    app.register_blueprint(api_documents.bp)
    app.register_blueprint(webhooks.bp)
