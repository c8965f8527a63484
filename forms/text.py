"""Texts in two languages and Indonesian number, money and date formatting."""
from __future__ import annotations

from typing import Any, Mapping

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def tr(text: Any, lang: str = "id") -> str:
    """A schema text in the wanted language; missing English falls back to Indonesian."""
    if text is None:
        return ""
    if isinstance(text, Mapping):
        return text.get(lang) or text.get("id") or ""
    return str(text)


def format_number(value: Any, decimals: int | None = 0) -> str:
    """12500.5 → '12.500,5' (Indonesian separators)."""
    if value is None:
        return ""
    decimals = decimals or 0
    text = f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_rupiah(value: Any) -> str:
    """1250000 → 'Rp1.250.000'."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp{format_number(abs(value))}"


def format_date_id(value: str | None, lang: str = "id") -> str:
    """'2026-11-25' → '25 November 2026'."""
    if not value:
        return ""
    year, month, day = value[:10].split("-")
    return f"{int(day)} {MONTHS.get(lang, MONTHS['id'])[int(month) - 1]} {year}"
