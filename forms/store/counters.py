"""Named counters and uniqueness checks of values people type (username, NIK, phone)."""
from __future__ import annotations

from typing import Any

from forms.store.models import UNIQUE_TARGETS, Counter


def value_taken(target: str, value: Any) -> bool:
    """Whether a value that must be unique (e.g. 'account.nik') is already in use."""
    document, field = UNIQUE_TARGETS[target]
    if field == "username":
        value = str(value).lower()
    return document.objects(**{field: value}).only("id").first() is not None


def next_sequence(name: str) -> int:
    """The next value of a named counter, atomically."""
    counter = Counter.objects(name=name).modify(upsert=True, new=True, inc__value=1)
    return counter.value


def counter_value(name: str) -> int:
    """A named counter's current value (0 if it was never incremented)."""
    counter = Counter.objects(name=name).first()
    return counter.value if counter else 0
