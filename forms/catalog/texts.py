"""Texts in every language side by side: a definition's text (a string, or texts by language) split into one
input per language and merged back, so nothing typed in one language is dropped when another is edited."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.engine.text import gettext

LANGUAGES = ("id", "en")


def by_language(text: Any) -> dict[str, str]:
    """A stored text as one string per language (a plain string is the Indonesian text)."""
    if isinstance(text, Mapping):
        return {lang: str(text.get(lang) or "") for lang in LANGUAGES}
    return {"id": "" if text is None else str(text), **{lang: "" for lang in LANGUAGES[1:]}}


def merged(current: Any, typed: Mapping[str, str]) -> Any:
    """The stored text after an edit: a plain string while only Indonesian is given, else texts by language."""
    typed = {lang: (typed.get(lang) or "").strip() for lang in LANGUAGES}
    if not typed["id"]:
        if any(typed.values()):
            raise ValueError(gettext("teks bahasa Indonesia wajib diisi bila bahasa lain diisi."))
        return None
    others = {lang: text for lang, text in typed.items() if lang != "id" and text}
    if others or isinstance(current, Mapping):
        return {"id": typed["id"], **others}
    return typed["id"]


def options_from_rows(rows: list[Mapping[str, str]], current: Any) -> list[dict[str, Any]]:
    """Options from the builder's rows; each keeps its help and the type of its value from the option it was."""
    old = {str(option.get("value")): option for option in current or () if isinstance(option, Mapping)}
    options, seen = [], set()
    for number, row in enumerate(rows, start=1):
        value = row["value"]
        if not value:
            raise ValueError(gettext("pilihan ke-%(n)s belum punya nilai.", n=number))
        if value in seen:
            raise ValueError(gettext("nilai pilihan '%(value)s' dipakai dua kali.", value=value))
        seen.add(value)
        before = old.get(row.get("old") or value, {})
        kept = before.get("value") if str(before.get("value")) == value else value
        label = merged(before.get("label"), row) or value
        options.append({**before, "value": kept, "label": label})
    return options
