"""Interface languages: Bahasa Indonesia by default, English on request, through Flask-Babel.

Schema texts carry both languages themselves (the `tr` filter). Interface strings written in
templates as `_("…")` and in Python as `gettext("…")` (forms.engine.text) are gettext messages: Indonesian is
the source text, English comes from forms/translations/en/LC_MESSAGES/messages.po (compiled to
messages.mo; see README). The language is the one `current_language()` reads from the `lang` cookie,
so Babel and schema texts always agree.

Flask-Babel loads each language's catalogue once; every request binds the catalogue of its
language for the rest of the request (forms.engine.text.bind_language). The template functions `_`,
`gettext` and `ngettext` read that binding directly: Flask-Babel's own template callables resolve
the context, the domain and the locale again on every call (~10 µs each, ~30 times a page), and
resolving the locale parses it and looks for its data on disk.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from forms.engine.text import BOUND, Language, bind_language, unbind_language
from forms.web.templating import current_language

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def init_i18n(app: Flask) -> None:
    """Attach Flask-Babel with the cookie's language; bind it per request; `_()` in templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, default_locale=app.config["DEFAULT_LANGUAGE"], locale_selector=current_language)
    app.extensions["loket.languages"] = {}
    # First of all before-request functions, so that pages refused by an earlier one (a CSRF
    # failure, a rate limit) are in the visitor's language too.
    app.before_request_funcs.setdefault(None, []).insert(0, bind_request_language)
    app.teardown_request(unbind_request_language)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)


def bind_request_language() -> None:
    """Bind the request's language and its catalogue until the request ends."""
    g.language_token = bind_language(language_of(current_language()))


def language_of(code: str) -> Language:
    """The Language for a code, its catalogue loaded through Flask-Babel the first time."""
    languages = current_app.extensions["loket.languages"]
    language = languages.get(code)
    if language is None:
        translations = get_translations()  # the catalogue of the current request's locale, i.e. of `code`
        language = languages[code] = Language(code, translations.ugettext, translations.ungettext)
    return language


def unbind_request_language(_error: BaseException | None = None) -> None:
    """Undo the binding of this request (the thread may serve another one next)."""
    token = g.pop("language_token", None)
    if token is not None:
        unbind_language(token)


@pass_eval_context
def template_gettext(eval_ctx, message: str, **values) -> str:
    """`_("…")` in templates, as Jinja's new-style gettext: escaped placeholders, `%%` for a percent sign."""
    text = BOUND.get().gettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % values if values or "%" in text else text


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, **values) -> str:
    """`ngettext(…)` in templates, as Jinja's new-style ngettext (`num` is a placeholder too)."""
    text = BOUND.get().ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    values.setdefault("num", num)
    return text % values
