"""Rows of repeat groups: seeded from another group, matched to the stored rows, counted from a post."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.engine.rules import evaluate, truthy
from forms.engine.schema import Field
from forms.engine.tables import TableSet
from forms.engine.wizard.context import MAX_ROWS, RawInput


def seed_rows(field: Field, data: Mapping[str, Any], tables: TableSet) -> list[dict]:
    """For a group with `rows_from`: one seed per row of the source group (filtered by `where`)."""
    source = field.rows_from
    rows = [row for row in data.get(source["group"]) or [] if isinstance(row, Mapping)]
    if source.get("where") is not None:
        rows = [row for row in rows if truthy(evaluate(source["where"], {**data, **row}, tables.lookup))]
    return [dict(row) for row in rows if row.get(source["key"]) not in (None, "")]


def matching_row(field: Field, rows: list, index: int, seed: Mapping[str, Any]) -> dict:
    """The stored row that corresponds to a posted one: by key for seeded groups, else by position."""
    if field.rows_from:
        key = field.rows_from["key"]
        return next((row for row in rows if row.get(key) == seed.get(key)), {})
    return rows[index] if index < len(rows) else {}


def row_count(raw: RawInput, key: str, field: Field) -> int:
    """How many rows the page posted (bounded, so a forged count costs nothing)."""
    try:
        count = int(raw.get(f"{key}-count") or 0)
    except ValueError:
        count = 0
    return max(0, min(count, field.max_items or MAX_ROWS, MAX_ROWS))


def all_empty(field: Field, raw: RawInput, prefix: str) -> bool:
    """Whether every input of a posted row is blank."""
    for sub in field.fields:
        if not sub.kind.input:
            continue
        if not sub.kind.is_empty(sub.kind.read(raw, prefix + sub.name)):
            return False
    return True

