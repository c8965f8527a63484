"""Reference tables: named lists of rows (inline or from CSV) behind choices, lookups and rules.

Large tables (84,000 villages, 1,789 business codes) are read on first use and searched in memory;
a lookup field queries them through an endpoint instead of rendering them into the page.
"""
from __future__ import annotations

import csv
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.engine.text import tr


@dataclass
class Table:
    """One reference table; rows are loaded lazily and indexed by key."""

    id: str
    key: str | tuple[str, ...]
    label_column: str
    title: Any = None
    short_title: Any = None  # how a column of this table's keys is headed, e.g. "KBLI"
    search_columns: tuple[str, ...] = ()
    where: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None
    inline_rows: tuple[Mapping[str, Any], ...] = ()
    band: tuple[str, str] | None = None  # (min, max) columns of rows that share a key and split a number range
    _rows: dict[str, dict] | None = None
    _under: dict[str, list[dict]] | None = None
    _haystack: list[tuple[str, str, dict]] | None = None
    _by_column: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rows(self) -> dict[str, dict]:
        """Rows by key, read once."""
        if self._rows is None:
            with self._lock:
                if self._rows is None:
                    self._rows = self.read_rows()
        return self._rows

    def read_rows(self) -> dict[str, dict]:
        """Read inline rows or the CSV source, keeping only rows that satisfy `where`."""
        source = self.inline_rows if self.source is None else read_csv(self.source)
        rows = {}
        for row in source:
            if all(str(row.get(column)) == value for column, value in self.where.items()):
                rows[self.key_of(row)] = {name: value for name, value in row.items()}
        return rows

    def key_of(self, row: Mapping[str, Any]) -> str:
        """A row's key: one column, or several joined by '|' (e.g. '10710|mikro'), then its band's lower bound."""
        key = str(row[self.key]) if isinstance(self.key, str) else "|".join(str(row.get(c, "")) for c in self.key)
        if self.band and row.get(self.band[0]) not in (None, ""):
            key += f"|{row[self.band[0]]}"
        return key

    def rows_under(self, key: Any) -> list[dict]:
        """Rows whose key is `key` or starts with it ('55110' names every row of 55110, each scale and band)."""
        if self._under is None:
            under: dict[str, list[dict]] = {}
            for full, row in self.rows.items():
                parts = full.split("|")
                for length in range(1, len(parts) + 1):
                    under.setdefault("|".join(parts[:length]), []).append(row)
            self._under = under
        return self._under.get(str(key), [])

    def in_band(self, row: Mapping[str, Any], value: Any) -> bool:
        """Whether a number falls in a row's band (a row without a band holds every number)."""
        if not self.band:
            return True
        low, high = (row.get(column) for column in self.band)
        if low in (None, "") and high in (None, ""):
            return True
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        return (low in (None, "") or value >= low) and (high in (None, "") or value <= high)

    def heading(self, lang: str = "id") -> str:
        """The words that head a column of this table's keys: its short title, else its title."""
        return tr(self.short_title or self.title, lang) or self.id

    def has(self, key: Any) -> bool:
        """Whether a key is in the table."""
        return str(key) in self.rows

    def row(self, key: Any) -> dict | None:
        """The row of a key, or None."""
        return self.rows.get(str(key))

    def label(self, key: Any) -> str:
        """The display label of a key ('' if unknown)."""
        row = self.rows.get(str(key))
        return str(row.get(self.label_column, "")) if row else ""

    def choices(self, column: str | None = None, value: Any = None) -> list[tuple[str, str]]:
        """(key, label) pairs, optionally only rows whose column equals value."""
        keys = self.rows if column is None else self.keys_where(column, value)
        return [(key, str(self.rows[key].get(self.label_column, ""))) for key in keys]

    def keys_where(self, column: str, value: Any) -> list[str]:
        """Keys of rows whose column equals value, through an index built on first use."""
        index = self._by_column.get(column)
        if index is None:
            index = {}
            for key, row in self.rows.items():
                index.setdefault(str(row.get(column)), []).append(key)
            self._by_column[column] = index
        return index.get(str(value), [])

    def search(self, query: str, column: str | None = None, value: Any = None, limit: int = 20) -> list[dict]:
        """Rows whose key or words contain every query word; key prefix matches first."""
        words = query.lower().split()
        hits: list[tuple[int, str, dict]] = []
        allowed = set(self.keys_where(column, value)) if column is not None else None
        for key, text, row in self.haystack():
            if allowed is not None and key not in allowed:
                continue
            if all(word in text for word in words):
                rank = 0 if query and key.startswith(query.strip()) else 1
                hits.append((rank, key, row))
        hits.sort(key=lambda hit: (hit[0], hit[1]))
        return [{"key": key, "label": str(row.get(self.label_column, ""))} for _r, key, row in hits[:limit]]

    def haystack(self) -> list[tuple[str, str, dict]]:
        """(key, lower-case searchable text, row) for every row, built once."""
        if self._haystack is None:
            columns = self.search_columns or ((self.key,) if isinstance(self.key, str) else self.key) + (self.label_column,)
            self._haystack = [(key, " ".join(str(row.get(c, "")) for c in columns).lower(), row)
                              for key, row in self.rows.items()]
        return self._haystack


def read_csv(path: Path) -> Iterator[dict]:
    """Rows of a UTF-8 CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


class TableSet(Mapping):
    """The named tables of one schema folder."""

    def __init__(self, tables: Mapping[str, Table]):
        self._tables = dict(tables)

    def __getitem__(self, name: str) -> Table:
        return self._tables[name]

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def lookup(self, name: str, key: Any, column: str, band: Any = None) -> Any:
        """The value of a column in the row of key (None when any part is missing): for rules.

        A shorter key, or a band value, names several rows: their value when they all agree, else None
        (the rows of one code agree on the parameter they are graded by; a number picks the row of its band).
        """
        table = self._tables.get(name)
        if table is None or key is None:
            return None
        row = table.row(key)
        if row is not None and band is None:
            return row.get(column)
        rows = [found for found in table.rows_under(key) if band is None or table.in_band(found, band)]
        values = {repr(found.get(column)) for found in rows}
        return rows[0].get(column) if len(values) == 1 else None


def build_table(definition: Mapping[str, Any], root: Path) -> Table:
    """A Table from a validated definition; CSV paths are relative to the schemas folder."""
    return Table(
        id=definition["id"],
        key=definition["key"] if isinstance(definition["key"], str) else tuple(definition["key"]),
        label_column=definition["label"],
        title=definition.get("title"),
        short_title=definition.get("short_title"),
        search_columns=tuple(definition.get("search", ())),
        where=dict(definition.get("where", {})),
        source=root / definition["source"] if "source" in definition else None,
        inline_rows=tuple(definition.get("rows", ())),
        band=(definition["band"]["min"], definition["band"]["max"]) if "band" in definition else None,
    )
