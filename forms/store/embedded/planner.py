"""Which index answers a query, and which key ranges of it hold every document the query can match.

A plan only narrows: it names ranges that contain a superset of the matching documents, and the
query matcher (mongomock's, the judge of what pymongo would return) then decides on each candidate.
So every condition the planner does not understand is simply left to the matcher, never guessed.

Understood, on top-level fields and dotted paths of an AND: equality (scalars, ObjectIds, dates,
subdocuments), `$eq`, `$in`, `$gt`/`$gte`/`$lt`/`$lte` and anchored regular expressions ('^abc').
An index is used when its leading fields carry equalities (or `$in`), optionally followed by a
range; it also serves a sort on the fields after that prefix (scanned forwards or backwards).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.store.embedded.keys import STRING, TOP, bracket_end, encode, prefix_pattern

RANGE_OPERATORS = {"$gt", "$gte", "$lt", "$lte"}
MAX_RANGES = 256  # $in lists whose product of values exceeds this are left to a scan


@dataclass
class Condition:
    """What a query asks of one field: a set of exact values, and/or a range."""

    values: list[bytes] | None = None  # encoded equalities ($eq, $in, plain)
    low: bytes | None = None
    high: bytes | None = None
    nullable: bool = False  # null (or a missing field) can match


@dataclass
class Plan:
    """Ranges of one index that hold every candidate, in key order; `reverse` scans them backwards."""

    index: str
    ranges: list[tuple[bytes, bytes]]
    sorted_by_index: bool = False
    reverse: bool = False
    exact_prefix: bytes | None = None  # the query is exactly "these leading fields equal this": countable
    fields: list[str] = field(default_factory=list)


def conditions_of(query: Mapping) -> dict[str, Condition]:
    """The conditions of a query's AND that an index can use, by field path."""
    found: dict[str, Condition] = {}
    for name, value in query.items():
        if name == "$and" and isinstance(value, list):
            for part in value:
                if isinstance(part, Mapping):
                    for path, condition in conditions_of(part).items():
                        found.setdefault(path, condition)
        elif isinstance(name, str) and not name.startswith("$"):
            condition = condition_of(value)
            if condition is not None:
                found.setdefault(name, condition)
    return found


def condition_of(value: Any) -> Condition | None:
    """One field's condition, or None when an index cannot narrow it."""
    if isinstance(value, re.Pattern):
        return prefix_condition(value)
    if isinstance(value, Mapping) and value and all(isinstance(k, str) and k.startswith("$") for k in value):
        return operator_condition(value)
    if isinstance(value, list):
        return None  # an array matches as a whole or as an element: leave it to the matcher
    return Condition(values=[encode(value)], nullable=value is None)


def operator_condition(operators: Mapping[str, Any]) -> Condition | None:
    """$eq, $in, ranges and $regex; None when none of the operators can use an index."""
    if "$eq" in operators and not isinstance(operators["$eq"], (list, re.Pattern)):
        return Condition(values=[encode(operators["$eq"])], nullable=operators["$eq"] is None)
    if "$in" in operators:
        items = operators["$in"]
        if isinstance(items, (list, tuple)) and items and not any(isinstance(v, (list, re.Pattern, Mapping))
                                                                   for v in items):
            return Condition(values=sorted({encode(v) for v in items}), nullable=any(v is None for v in items))
        return None
    if "$regex" in operators and not operators.get("$options"):
        return prefix_condition(operators["$regex"])
    return range_condition(operators)


def range_condition(operators: Mapping[str, Any]) -> Condition | None:
    """Bounds from $gt/$gte/$lt/$lte, kept inside the type bracket of the bound (as MongoDB compares)."""
    bounds = {op: value for op, value in operators.items() if op in RANGE_OPERATORS}
    if not bounds or any(isinstance(v, (list, Mapping, re.Pattern)) or v is None for v in bounds.values()):
        return None
    low = high = None
    for op, value in bounds.items():
        part = encode(value)
        if op in ("$gt", "$gte"):
            low = max(low, part) if low else part
            high = high or bracket_end(part)
        else:
            high = min(high, part + TOP) if high else part + TOP
            low = low or part[:1]
    return Condition(low=low, high=high)


def prefix_condition(pattern: Any) -> Condition | None:
    """An anchored regular expression as the range of strings starting with its literal prefix."""
    literal = prefix_pattern(pattern)
    if literal is None:
        return None
    start = STRING + literal.encode("utf-8").replace(b"\x00", b"\x00\xff")
    return Condition(low=start, high=start + TOP)


def plan(query: Mapping, indexes: Mapping[str, Mapping], sort: Sequence[tuple[str, int]] | None = None) -> Plan | None:
    """The best index for a query (and sort), or None when no index helps (a scan)."""
    wanted = conditions_of(query)
    best, best_score = None, None
    for name, spec in indexes.items():
        candidate = plan_with(name, spec, wanted, sort, query)
        if candidate is None:
            continue
        score = candidate_score(candidate, spec, wanted)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


def candidate_score(candidate: Plan, spec: Mapping, wanted: Mapping[str, Condition]) -> tuple:
    """More constrained leading fields first, then a range, then serving the sort, then uniqueness."""
    used = sum(1 for f in candidate.fields if f in wanted)
    return (used, candidate.sorted_by_index, bool(spec.get("unique")), -len(candidate.ranges))


def plan_with(name: str, spec: Mapping, wanted: Mapping[str, Condition], sort: Sequence[tuple[str, int]] | None,
              query: Mapping) -> Plan | None:
    """A plan over one index, or None when the index narrows nothing and serves no sort."""
    fields = [path for path, _direction in spec["key"]]
    if spec.get("partialFilterExpression") is not None:
        return None
    prefixes: list[bytes] = [b""]
    used = 0
    for path in fields:
        condition = wanted.get(path)
        if condition is None or condition.values is None:
            break
        if condition.nullable and spec.get("sparse"):
            return None  # a sparse index does not hold the documents that lack the field
        prefixes = [p + v for p, v in itertools.product(prefixes, condition.values)]
        if len(prefixes) > MAX_RANGES:
            return None
        used += 1
    ranges = [(p, p + TOP) for p in prefixes]
    ranged = used < len(fields) and wanted.get(fields[used]) is not None and wanted[fields[used]].low is not None
    if ranged:
        condition = wanted[fields[used]]
        ranges = [(p + condition.low, p + condition.high) for p in prefixes]
    serves_sort, reverse = sort_served(fields[used:], sort, len(prefixes))
    if used == 0 and not ranged and not serves_sort:
        return None
    if spec.get("sparse") and used == 0 and not ranged:
        return None  # an unconstrained scan of a sparse index misses the documents it skipped
    exact = prefixes[0] if (len(prefixes) == 1 and not ranged and used and is_only(query, fields[:used])) else None
    return Plan(name, ranges, serves_sort, reverse, exact, fields[:used + (1 if ranged else 0)])


def sort_served(rest: Sequence[str], sort: Sequence[tuple[str, int]] | None, prefixes: int) -> tuple[bool, bool]:
    """Whether the index order after the equality prefix is the sort's order (one direction throughout)."""
    if not sort or prefixes != 1 or len(sort) > len(rest):
        return False, False
    directions = {direction for _path, direction in sort}
    if len(directions) != 1 or any(path != rest[i] for i, (path, _d) in enumerate(sort)):
        return False, False
    return True, directions == {-1}


def is_only(query: Mapping, paths: Sequence[str]) -> bool:
    """Whether the query is nothing but plain equalities on these paths (so an index count answers it)."""
    if set(query) != set(paths):
        return False
    return all(not isinstance(v, (Mapping, list, re.Pattern)) or (isinstance(v, Mapping) and set(v) == {"$eq"})
               for v in query.values())
