"""One reference-table row as the row editor reads it: each cell typed by its declared column (text, a choice
of the declared values, a whole number, a number, yes/no, a JSON list) and checked cell by cell, so a bad row
is refused with the column named and nothing is stored."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from forms.engine.columns import cell_problem
from forms.engine.jsontext import JsonRefused, parse_json
from forms.engine.text import gettext


def columns_of(content: Mapping[str, Any]) -> dict[str, dict]:
    """The declared columns, or columns guessed from the rows (text, or JSON for lists and objects)."""
    declared = content.get("columns")
    if isinstance(declared, Mapping) and declared:
        return {name: dict(spec) for name, spec in declared.items()}
    guessed: dict[str, dict] = {}
    for row in content.get("rows") or ():
        for name, value in row.items() if isinstance(row, Mapping) else ():
            guessed.setdefault(name, {"type": "list" if isinstance(value, list) else
                                      "object" if isinstance(value, dict) else "text", "guessed": True})
    return guessed


def cell_text(value: Any) -> str:
    """A stored cell as its input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def read_row(columns: Mapping[str, Mapping[str, Any]], posted: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    """The posted cells as a typed row, and the problems by column (empty when the row is fine)."""
    row, problems = {}, {}
    for name, spec in columns.items():
        text = (posted.get(f"kolom_{name}") or "").strip()
        try:
            value = typed_cell(spec, text)
        except ValueError as error:
            problems[name] = str(error)
            continue
        problem = None if spec.get("guessed") else cell_problem(spec, value)
        if problem:
            problems[name] = problem
        elif value not in (None, ""):
            row[name] = value
    return row, problems


MAX_CELL_JSON = 64 * 1024  # a list or object typed into one table cell


def typed_cell(spec: Mapping[str, Any], text: str) -> Any:
    """One cell's text as its column's type (ValueError with the admin's words when it cannot be)."""
    kind = spec.get("type", "text")
    if text == "":
        return None
    if kind in ("list", "object"):
        try:
            return parse_json(text, MAX_CELL_JSON)
        except JsonRefused as error:
            raise ValueError(gettext("JSON tidak sah: %(problem)s", problem=str(error))) from error
    if kind == "integer":
        if not text.lstrip("-").isdigit():
            raise ValueError(gettext("Harus bilangan bulat."))
        return int(text)
    if kind == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError as error:
            raise ValueError(gettext("Harus angka.")) from error
    if kind == "boolean":
        if text.lower() not in ("ya", "tidak", "true", "false"):
            raise ValueError(gettext("Pilih ya atau tidak."))
        return text.lower() in ("ya", "true")
    return text
