"""Jinja setup: filters for schema texts and Indonesian formats, shared page globals."""
from __future__ import annotations

import json

from flask import Flask, request
from markupsafe import Markup

from forms.text import format_date_id, format_rupiah, tr


def init_templating(app: Flask) -> None:
    """Register filters and globals; autoescape stays on for every template."""
    app.jinja_env.filters["tr"] = lambda text: tr(text, current_language())
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["tanggal"] = format_date_id
    app.jinja_env.filters["datetime"] = lambda value: value.strftime("%d-%m-%Y %H:%M") + " UTC" if value else ""
    app.jinja_env.filters["json_attr"] = to_json_attribute
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["lang"] = current_language
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def current_language() -> str:
    """The page language: Indonesian unless the visitor chose another offered one."""
    chosen = request.cookies.get("lang", "id") if request else "id"
    return chosen if chosen in ("id", "en") else "id"


def to_json_attribute(value) -> Markup:
    """A value as JSON, escaped for an HTML attribute (the browser unescapes it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup.escape(text)
