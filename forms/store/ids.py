"""Record ids that come from outside (a URL, a session, another record), read as database ids."""
from __future__ import annotations

from typing import Any

from bson import ObjectId


def parse_id(value: Any) -> ObjectId | None:
    """The ObjectId a value names, or None for a malformed or missing one."""
    return ObjectId(value) if ObjectId.is_valid(value) else None
