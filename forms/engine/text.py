"""Texts in two languages and Indonesian number, money and date formatting.

Interface messages written in Python (`gettext("…")`, Indonesian source text) are translated by the
catalogue that forms.web.i18n binds for the current request (`bind_language`). Outside a request nothing
is bound and the Indonesian source is returned, so engine modules stay free of Flask.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from contextvars import ContextVar, Token
from typing import Any, NamedTuple

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


# Characters nobody types on purpose: C0 controls other than tab and line breaks, DEL, the bidirectional
# overrides, embeddings and isolates that can make a text read differently from what it holds (U+202A-E,
# U+2066-9), and lone surrogates (not storable as UTF-8).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SURROGATES = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why a typed text is refused (hidden control, text-direction or broken characters), or None if fine."""
    if CONTROL_CHARS.search(value):
        return "Isian memuat karakter kontrol tersembunyi (mis. NUL) yang tidak diizinkan; ketik ulang teksnya."
    if BIDI_CONTROLS.search(value):
        return ("Isian memuat karakter pembalik arah teks (mis. U+202E) yang dapat menyamarkan isi; "
                "hapus karakter itu atau ketik ulang teksnya.")
    if SURROGATES.search(value):
        return "Isian memuat karakter yang rusak; ketik ulang teksnya."
    return None


def clean_text(value: Any) -> str:
    """A typed text in one Unicode form (NFC: 'e' + combining accent is stored as 'é'), trimmed."""
    return unicodedata.normalize("NFC", str(value)).strip()


class Language(NamedTuple):
    """The interface language bound to a request: its code and its gettext functions."""

    code: str
    gettext: Any
    ngettext: Any


SOURCE = Language("id", lambda message: message,
                  lambda singular, plural, num: singular if num == 1 else plural)
BOUND: ContextVar[Language] = ContextVar("loket_language", default=SOURCE)


def bind_language(language: Language) -> Token:
    """Make `language` the current one until `unbind_language(token)`."""
    return BOUND.set(language)


def unbind_language(token: Token) -> None:
    """Return to the language bound before."""
    BOUND.reset(token)


def active_language() -> str:
    """Code of the bound interface language ('id' outside a request)."""
    return BOUND.get().code


def gettext(message: str, **values: Any) -> str:
    """An interface message in the bound language; `%(name)s` placeholders are filled from `values`."""
    text = BOUND.get().gettext(message)
    return text % values if values else text


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; `gettext` translates it where it is shown."""
    return message


def tr(text: Any, lang: str = "id") -> str:
    """A schema text in the wanted language; missing English falls back to Indonesian."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Mapping):
        return text.get(lang) or text.get("id") or ""
    return str(text)


def in_language(item: Mapping[str, Any], key: str, lang: str = "id") -> str:
    """A data item's text in the wanted language: `<key>_<lang>` when the data gives one (e.g. `nama_en` beside
    `nama`), else `<key>` (the Indonesian the data is written in)."""
    return (item.get(f"{key}_{lang}") if lang != "id" else None) or item.get(key) or ""


def format_number(value: Any, decimals: int | None = 0) -> str:
    """12500.5 → '12.500,5' (Indonesian separators)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    decimals = decimals or 0
    text = f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_measure(value: Any, decimals: int | None = 1) -> str:
    """A count or measure without needless decimals: 5.0 → '5', 3000.0 → '3.000', 4.25 → '4,25'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    rounded = round(float(value), decimals or 0)
    return format_number(rounded, 0 if rounded == int(rounded) else decimals)


def format_rupiah(value: Any) -> str:
    """1250000 → 'Rp1.250.000'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp{format_number(abs(value))}"


def format_date_id(value: str | None, lang: str = "id") -> str:
    """'2026-11-25' → '25 November 2026'."""
    if not value:
        return ""
    year, month, day = value[:10].split("-")
    return f"{int(day)} {MONTHS.get(lang, MONTHS['id'])[int(month) - 1]} {year}"
