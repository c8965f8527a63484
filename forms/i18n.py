"""Interface languages: Bahasa Indonesia by default, English on request, through Flask-Babel.

Schema texts carry both languages themselves (the `tr` filter). Interface strings written in
templates as `_("…")` are gettext messages: Indonesian is the source text, English comes from
forms/translations/en/LC_MESSAGES/messages.po (compiled to messages.mo; see README). The language is
the one `current_language()` reads from the `lang` cookie, so Babel and schema texts always agree.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import Babel

from forms.templating import current_language

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def init_i18n(app: Flask) -> None:
    """Attach Flask-Babel with the cookie's language; `_()` becomes available in templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, default_locale=app.config["DEFAULT_LANGUAGE"], locale_selector=current_language)
