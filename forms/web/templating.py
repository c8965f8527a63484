"""Jinja setup: filters for schema texts and Indonesian formats, shared page globals."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from flask import Flask, g, has_request_context, request, url_for
from jinja2 import pass_context
from markupsafe import Markup

from forms.catalog.runtime import key_heading, office_clock
from forms.engine.text import format_date_id, format_rupiah, in_language, tr


def init_templating(app: Flask) -> None:
    """Register filters and globals; autoescape stays on for every template."""
    app.jinja_env.filters["tr"] = translate
    app.context_processor(lambda: {"lang_code": current_language()})
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["tanggal"] = format_date_id
    app.jinja_env.filters["datetime"] = office_time
    app.jinja_env.filters["office_date"] = office_date
    app.jinja_env.filters["json_attr"] = to_json_attribute
    app.jinja_env.filters["in_language"] = lambda item, key: in_language(item, key, current_language())
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["static_url"] = static_urls(app)
    app.jinja_env.globals["link"] = fixed_links()
    app.jinja_env.globals["lang"] = current_language
    app.jinja_env.globals["key_heading"] = key_heading
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def office_time(value: datetime | None) -> str:
    """A stored (UTC) time as the office's wall-clock time with its zone: '06-12-2026 10:00 WIB'."""
    if not value:
        return ""
    return office_clock().local(value).strftime("%d-%m-%Y %H:%M %Z")


def office_date(value: datetime | None) -> date | None:
    """The office's date of a stored (UTC) time, for day arithmetic in templates."""
    return office_clock().local(value).date() if value else None


def static_urls(app: Flask):
    """static_url(name): /static/name?v=<mtime>, computed once per file (cache-busting, no url_for per page)."""
    cache: dict[str, str] = {}
    folder = Path(app.static_folder)

    def static_url(name: str) -> str:
        if name not in cache:
            cache[name] = f"{app.static_url_path}/{name}?v={int((folder / name).stat().st_mtime)}"
        return cache[name]

    return static_url


def fixed_links():
    """link(endpoint): the address of a page that takes no arguments (header and footer menus), built once.

    Such an address depends only on where the app is mounted (the script root), so it is kept per
    script root instead of being built by url_for on every page (~8 µs each, a dozen per page).
    """
    cache: dict[tuple[str, str], str] = {}

    def link(endpoint: str) -> str:
        key = (request.script_root, endpoint)
        address = cache.get(key)
        if address is None:
            address = cache[key] = url_for(endpoint)
        return address

    return link


@pass_context
def translate(context, text) -> str:
    """The `tr` filter: a schema text in the page's language (looked up once per render)."""
    return tr(text, context.get("lang_code", "id"))


def current_language() -> str:
    """The page language: Indonesian unless the visitor chose another offered one."""
    if not has_request_context():
        return "id"
    if "lang" not in g:
        chosen = request.cookies.get("lang", "id")
        g.lang = chosen if chosen in ("id", "en") else "id"
    return g.lang


def to_json_attribute(value) -> Markup:
    """A value as JSON, escaped for an HTML attribute (the browser unescapes it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup.escape(text)
