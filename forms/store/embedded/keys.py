"""Index keys as bytes that sort the way MongoDB compares values, so SQLite's B-tree can answer ranges.

Each value becomes a type bracket byte (null < numbers < strings < objects < arrays < binary <
ObjectId < booleans < dates, as MongoDB orders types) followed by a self-delimiting body, so the
concatenation of a compound key's parts sorts like the tuple of its values. Numbers of every kind
share one bracket and compare by value (as float64: two integers above 2**53 may share a key, which
only widens a candidate set; the query matcher still decides). Strings compare by their UTF-8 bytes,
as MongoDB does without a collation.

A document's entries for an index follow MongoDB's rules: a missing field is null; a field holding
an array has one entry per element (multikey; an empty array gets the 'undefined' bracket); a
sparse index skips a document that has none of the indexed fields.
"""
from __future__ import annotations

import itertools
import math
import re
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import bson
from bson import ObjectId
from bson.binary import Binary

UNDEFINED, NULL, NUMBER, STRING, OBJECT, ARRAY, BINARY, OBJECT_ID, BOOLEAN, DATE, OTHER = (
    b"\x01", b"\x02", b"\x03", b"\x04", b"\x05", b"\x06", b"\x07", b"\x08", b"\x09", b"\x0a", b"\x0e")
TOP = b"\xff"  # above every encoded value: `prefix + TOP` bounds all keys starting with prefix
EPOCH = datetime(1970, 1, 1)
MISSING = object()
MAX_ENTRIES = 1000  # multikey entries of one document in one index (parallel arrays multiply)


def encode(value: Any) -> bytes:
    """One value as an order-preserving, self-delimiting key part."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN + (b"\x01" if value else b"\x00")
    if isinstance(value, (int, float)):
        return NUMBER + encode_number(float(value))
    if isinstance(value, str):
        return STRING + escape(value.encode("utf-8"))
    if isinstance(value, datetime):
        return DATE + struct.pack(">Q", milliseconds(value) + (1 << 63))
    if isinstance(value, ObjectId):
        return OBJECT_ID + value.binary
    if isinstance(value, (bytes, Binary)):
        return BINARY + escape(bytes(value))
    if isinstance(value, Mapping):
        return OBJECT + escape(bson.encode(dict(value)))
    if isinstance(value, (list, tuple)):
        return ARRAY + escape(b"".join(encode(item) for item in value))
    return OTHER + escape(repr(value).encode("utf-8"))


def encode_number(number: float) -> bytes:
    """A float as 8 bytes whose unsigned order is numeric order (NaN sorts first, as in MongoDB)."""
    if math.isnan(number):
        return b"\x00" * 8
    bits = struct.unpack(">Q", struct.pack(">d", number + 0.0))[0]
    return struct.pack(">Q", bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63))


def milliseconds(moment: datetime) -> int:
    """Milliseconds since the epoch (a naive time is UTC, as the store keeps times)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def escape(raw: bytes) -> bytes:
    """Variable-length bytes made self-delimiting without changing their order: 00 → 00 FF, end → 00 00."""
    return raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"


def bracket_end(part: bytes) -> bytes:
    """The bound just above every value of the same type bracket as `part`."""
    return part[:1] + TOP


def values_at(document: Mapping, path: str) -> list[Any]:
    """Every value a dotted path reaches (arrays expanded, as a multikey index sees them); [MISSING] if none."""
    found: list[Any] = []
    collect(document, path.split("."), found)
    return found or [MISSING]


def collect(value: Any, parts: Sequence[str], found: list[Any]) -> None:
    """Walk one path step at a time, through arrays of subdocuments too."""
    if not parts:
        if isinstance(value, list):
            found.extend(value if value else [UNDEFINED_VALUE])
        else:
            found.append(value)
        return
    if isinstance(value, Mapping):
        if parts[0] in value:
            collect(value[parts[0]], parts[1:], found)
    elif isinstance(value, list):
        if parts[0].isdigit() and int(parts[0]) < len(value):
            collect(value[int(parts[0])], parts[1:], found)
        for item in value:
            if isinstance(item, Mapping):
                collect(item, parts, found)


class _Undefined:
    """The value an empty array contributes to an index (MongoDB's 'undefined')."""


UNDEFINED_VALUE = _Undefined()


def encode_entry(value: Any) -> bytes:
    """An index entry part; a missing field is null."""
    if value is MISSING:
        return NULL
    if value is UNDEFINED_VALUE:
        return UNDEFINED
    return encode(value)


def entries(document: Mapping, fields: Sequence[str], sparse: bool = False) -> set[bytes]:
    """The index keys one document contributes to an index over `fields`."""
    per_field = [values_at(document, field) for field in fields]
    if sparse and all(values == [MISSING] for values in per_field):
        return set()
    keys = set()
    for combination in itertools.islice(itertools.product(*per_field), MAX_ENTRIES):
        keys.add(b"".join(encode_entry(value) for value in combination))
    return keys


def prefix_pattern(pattern: Any) -> str | None:
    """The literal prefix of an anchored regular expression ('^abc…'), or None when it has none."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    if not isinstance(text, str) or not text.startswith("^") or flags & re.IGNORECASE:
        return None
    literal = re.match(r"[^.^$*+?{}\[\]\\|()]*", text[1:]).group(0)
    if literal and text[1 + len(literal):][:1] in ("*", "?", "{"):
        literal = literal[:-1]  # the last character is optional or repeated: not part of every match
    return literal or None


def prefixes(entries: set[bytes], fields: int) -> set[bytes]:
    """Every leading-fields prefix of a document's entries (each counted once per document)."""
    found = set()
    for entry in entries:
        for length in range(1, fields + 1):
            found.add(cut(entry, length))
    return found


def cut(entry: bytes, parts: int) -> bytes:
    """The first `parts` encoded values of an entry."""
    position = 0
    for _ in range(parts):
        position = part_end(entry, position)
    return entry[:position]


def part_end(entry: bytes, start: int) -> int:
    """Where the encoded value starting at `start` ends (fixed width, or an escaped run ending 00 00)."""
    bracket = entry[start:start + 1]
    fixed = {NULL: 0, UNDEFINED: 0, NUMBER: 8, DATE: 8,
             OBJECT_ID: 12, BOOLEAN: 1}
    if bracket in fixed:
        return start + 1 + fixed[bracket]
    position = start + 1
    while True:
        position = entry.index(b"\x00", position)
        if entry[position + 1:position + 2] == b"\x00":
            return position + 2
        position += 2


def prefix_counts(per_document: Mapping[bytes, set[bytes]], fields: int) -> dict[bytes, int]:
    """How many documents have each prefix, from each document's entries."""
    counts: dict[bytes, int] = {}
    for entries in per_document.values():
        for prefix in prefixes(entries, fields):
            counts[prefix] = counts.get(prefix, 0) + 1
    return counts
