"""Named counters, gapless number series, and uniqueness checks of values people type (username, NIK, phone)."""
from __future__ import annotations

from typing import Any

import mongoengine as me

from forms.store.errors import StoreError, translate_errors
from forms.store.models import UNIQUE_TARGETS, Counter, NumberClaim


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


@translate_errors
def claim_number(series: str, subject: str) -> int:
    """The subject's number in a gapless series: taken once (the next free value) and the same on every re-run.

    A value is only ever taken bound to its subject, so no value is skipped and none is given twice:
    a crash after the claim leaves the number with its subject, and the counter is moved past it.
    """
    for _attempt in range(100):
        existing = NumberClaim.objects(series=series, subject=subject).first()
        if existing is not None:
            return existing.value
        value = counter_value(series) + 1
        try:
            NumberClaim(series=series, value=value, subject=subject).save(force_insert=True)
        except me.NotUniqueError:
            advance_counter(series, value)  # taken by another subject (or by this one, meanwhile): look again
            continue
        advance_counter(series, value)
        return value
    raise StoreError(f"number series {series} is too busy")


def advance_counter(series: str, value: int) -> None:
    """Move a series' counter forward to `value`; never backwards."""
    try:
        Counter.objects(name=series, value__lt=value).update_one(set__value=value, upsert=True)
    except me.NotUniqueError:
        pass  # the counter exists and is already at or past value
