"""Typed columns of reference tables: each inline table may declare its columns, and every row is checked
against them at start-up and on publish (a wrong value in a risk column turns applicants away)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forms.engine.text import gettext

COLUMN_TYPES = ("text", "enum", "integer", "number", "boolean", "list")


def table_problems(raw: Mapping[str, Any], root: Path, where: str) -> list[str]:
    """Problems of a structurally valid table: a missing CSV source, or rows that break the declared columns."""
    if "source" in raw and not (root / raw["source"]).is_file():
        return [f"{where}: source file '{raw['source']}' not found"]
    columns = raw.get("columns") or {}
    problems = [f"{where}: column '{name}': pattern is not a valid regular expression"
                for name, spec in columns.items() if not pattern_compiles(spec.get("pattern"))]
    if problems or not columns:
        return problems
    for number, row in enumerate(raw.get("rows") or (), start=1):
        for column, message in row_problems(columns, row).items():
            problems.append(f"{where}: row {number} ({row_key(raw, row)}): column '{column}': {message}")
    return problems or band_problems(raw, where)


def band_problems(raw: Mapping[str, Any], where: str) -> list[str]:
    """Rows of one key whose bands overlap (a number would pick two rows), or a band upside down."""
    if "band" not in raw:
        return []
    low, high = raw["band"]["min"], raw["band"]["max"]
    bands: dict[str, list[tuple[float, float]]] = {}
    problems = []
    for number, row in enumerate(raw.get("rows") or (), start=1):
        start, end = row.get(low), row.get(high)
        start = float("-inf") if start in (None, "") else start
        end = float("inf") if end in (None, "") else end
        if start > end:
            problems.append(f"{where}: row {number} ({row_key(raw, row)}): column '{high}': "
                            + gettext("Batas atas lebih kecil dari batas bawah."))
        elif any(start <= other_end and other_start <= end for other_start, other_end in bands.get(row_key(raw, row), ())):
            problems.append(f"{where}: row {number} ({row_key(raw, row)}): column '{low}': "
                            + gettext("Rentang ini bertumpuk dengan baris lain berkunci sama."))
        bands.setdefault(row_key(raw, row), []).append((start, end))
    return problems


def pattern_compiles(pattern: Any) -> bool:
    """Whether a declared pattern is a usable regular expression (or absent)."""
    if pattern is None:
        return True
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def row_key(raw: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """A row's key as messages show it."""
    keys = [raw["key"]] if isinstance(raw["key"], str) else raw["key"]
    return "|".join(str(row.get(name, "")) for name in keys)


def row_problems(columns: Mapping[str, Mapping[str, Any]], row: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a row, by column (empty when it fits the declaration)."""
    problems = {name: gettext("Kolom ini tidak dideklarasikan untuk tabel ini.") for name in row if name not in columns}
    for name, spec in columns.items():
        message = cell_problem(spec, row.get(name))
        if message:
            problems[name] = message
    return problems


def cell_problem(spec: Mapping[str, Any], value: Any) -> str | None:
    """Why one cell does not fit its column, or None."""
    if value in (None, "", []):
        return gettext("Wajib diisi.") if spec.get("required") else None
    kind = spec.get("type", "text")
    if kind == "enum" and value not in spec.get("values", ()):
        return gettext("Nilai '%(value)s' tidak diizinkan; pilih salah satu: %(allowed)s.", value=value,
                       allowed=", ".join(str(v) for v in spec.get("values", ())))
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return gettext("Harus bilangan bulat.")
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return gettext("Harus angka.")
    if kind == "boolean" and not isinstance(value, bool):
        return gettext("Harus ya atau tidak.")
    if kind == "list" and not isinstance(value, list):
        return gettext("Harus daftar (JSON, mis. []).")
    if kind in ("text", "enum") and not isinstance(value, str):
        return gettext("Harus teks.")
    if spec.get("pattern") and isinstance(value, str) and not re.fullmatch(spec["pattern"], value):
        return spec.get("pattern_message") or gettext("Bentuknya tidak sesuai pola %(pattern)s.",
                                                      pattern=spec["pattern"])
    return None
