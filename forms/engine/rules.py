"""The small, safe expression language of conditions and derived values (JSON-logic style).

A rule is JSON: a literal, or an object with one operator key, e.g.
``{"and": [{"==": [{"var": "jenis"}, "T"]}, {">": [{"var": "modal"}, 1000000]}]}``.
Nothing is ever passed to `eval`; unknown operators are refused when schemas load.
"""
from __future__ import annotations

import itertools
import math
import operator as op
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

MISSING = object()

# A resolver answers {"lookup": [table, key, column]} or {"lookup": [table, key, column, number]} (the number picks
# the row whose band holds it); the engine passes one bound to its tables.
Lookup = Callable[..., Any]

OPERATORS: dict[str, Callable[..., Any]] = {}
SCOPED = {"map", "filter", "some", "all", "none"}


def operator(*names: str):
    """Register a function as the implementation of one or more operators."""

    def register(function):
        for name in names:
            OPERATORS[name] = function
        return function

    return register


def evaluate(rule: Any, data: Mapping[str, Any], lookup: Lookup | None = None) -> Any:
    """Evaluate a rule against data (answers, derived values, account…)."""
    if isinstance(rule, list):
        return [evaluate(item, data, lookup) for item in rule]
    if not isinstance(rule, dict) or len(rule) != 1:
        return rule
    (name, args), = rule.items()
    if name == "var":
        return resolve_var(args, data)
    if name in SCOPED:
        return apply_scoped(name, args, data, lookup)
    if name == "if":
        return apply_if(args, data, lookup)
    if name in ("and", "or"):
        return apply_logic(name, args, data, lookup)
    if name == "lookup":
        return lookup(*(evaluate(arg, data, lookup) for arg in args)) if lookup else None
    values = [evaluate(arg, data, lookup) for arg in as_list(args)]
    return OPERATORS[name](*values)


def as_list(args: Any) -> list:
    """Operator arguments are a list; a single argument may be written bare."""
    return args if isinstance(args, list) else [args]


def resolve_var(args: Any, data: Mapping[str, Any]) -> Any:
    """{"var": "a.b"} or {"var": ["a.b", default]}: a dotted path into data."""
    path, default = (args[0], args[1] if len(args) > 1 else None) if isinstance(args, list) else (args, None)
    if path in ("", None):
        return data
    value: Any = data
    for part in str(path).split("."):
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            value = MISSING
        if value is MISSING:
            return default
    return default if value is None else value


def apply_if(args: list, data: Mapping[str, Any], lookup: Lookup | None) -> Any:
    """{"if": [cond1, then1, cond2, then2, ..., else]} evaluated lazily."""
    for index in range(0, len(args) - 1, 2):
        if truthy(evaluate(args[index], data, lookup)):
            return evaluate(args[index + 1], data, lookup)
    return evaluate(args[-1], data, lookup) if len(args) % 2 else None


def apply_logic(name: str, args: list, data: Mapping[str, Any], lookup: Lookup | None) -> Any:
    """Short-circuit and/or that return the deciding value, as JSON-logic does."""
    value: Any = name == "and"
    for arg in as_list(args):
        value = evaluate(arg, data, lookup)
        if truthy(value) != (name == "and"):
            return value
    return value


def apply_scoped(name: str, args: list, data: Mapping[str, Any], lookup: Lookup | None) -> Any:
    """map/filter/some/all/none: the inner rule sees each item as its data."""
    items = evaluate(args[0], data, lookup) or []
    inner = args[1]
    results = [evaluate(inner, item if isinstance(item, Mapping) else {"": item}, lookup) for item in items]
    if name == "map":
        return results
    if name == "filter":
        return [item for item, keep in zip(items, results) if truthy(keep)]
    if name == "some":
        return any(truthy(r) for r in results)
    if name == "all":
        return bool(items) and all(truthy(r) for r in results)
    return not any(truthy(r) for r in results)


def truthy(value: Any) -> bool:
    """JSON-logic truth: empty strings, lists, zero and null are false."""
    if isinstance(value, (list, tuple, dict, str)):
        return len(value) > 0
    return bool(value)


MAX_NUMBER_TEXT = 40


def number(value: Any) -> Any:
    """A numeric view of a value; null and empty become 0 so sums of optional fields work."""
    if value in (None, "") or isinstance(value, bool):
        return 0 if not value else 1
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
        return 0  # no real amount is this long; converting it would be slow or infinite
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            result = float(value)
        except (TypeError, ValueError):
            return 0
        return result if math.isfinite(result) else 0


def compare(function: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    """A comparison that is false, not an error, when the operands cannot be ordered."""

    def compared(*values: Any) -> bool:
        if any(value is None for value in values):
            return False
        pairs = itertools.pairwise(values)
        try:
            return all(function(left, right) for left, right in pairs)
        except TypeError:
            return False

    return compared


operator("==")(lambda a, b: a == b)
operator("!=")(lambda a, b: a != b)
operator("<")(compare(op.lt))
operator("<=")(compare(op.le))
operator(">")(compare(op.gt))
operator(">=")(compare(op.ge))
operator("!", "not")(lambda a: not truthy(a))
operator("!!")(truthy)
operator("in")(lambda a, b: a in b if isinstance(b, (list, str)) else False)
operator("+")(lambda *values: sum(number(v) for v in values))
operator("*")(lambda *values: product(number(v) for v in values))
operator("-")(lambda a, b=MISSING: -number(a) if b is MISSING else number(a) - number(b))
operator("/")(lambda a, b: number(a) / number(b) if number(b) else None)
operator("min")(lambda *values: min((number(v) for v in values), default=None))
operator("max")(lambda *values: max((number(v) for v in values), default=None))
operator("sum")(lambda items: sum(number(v) for v in (items or [])))
operator("count")(lambda items: len(items or []))
operator("round")(lambda value, digits=0: round(number(value), int(digits)))
operator("cat")(lambda *values: "".join("" if v is None else str(v) for v in values))
# "phrase": joined only when every part has a value ("RT " + rt → "" without rt); "join": the parts that have one
operator("phrase")(lambda *values: "" if any(v in (None, "") for v in values) else "".join(str(v) for v in values))
operator("join")(lambda separator, *values: str(separator).join(str(v) for v in values if v not in (None, "")))
operator("missing")(lambda *values: [v for v in values if v in (None, "", [])])
operator("empty")(lambda value: not truthy(value))
operator("distinct")(lambda items: list(dict.fromkeys(item for item in (items or []) if item is not None)))
operator("substr")(lambda text, start, length=None: str(text or "")[int(start):None if length is None else int(start) + int(length)])


def product(values: Iterable[Any]) -> Any:
    """The product of numbers (1 for none)."""
    result: Any = 1
    for value in values:
        result *= value
    return result


def check_rule(rule: Any, known_vars: set[str], where: str) -> list[str]:
    """Every problem in a rule: unknown operators and variables that name nothing."""
    problems: list[str] = []
    walk_rule(rule, known_vars, where, problems, scoped=False)
    return problems


def walk_rule(rule: Any, known: set[str], where: str, problems: list[str], scoped: bool) -> None:
    """Recursive part of check_rule; inside map/filter variables name item keys and are not checked."""
    if isinstance(rule, list):
        for item in rule:
            walk_rule(item, known, where, problems, scoped)
        return
    if not isinstance(rule, dict):
        return
    if len(rule) != 1:
        problems.append(f"{where}: a rule object must have exactly one operator, found {sorted(rule)}")
        return
    (name, args), = rule.items()
    if name == "var":
        path = args[0] if isinstance(args, list) else args
        if not scoped and path and not var_is_known(str(path), known):
            problems.append(f"{where}: condition names unknown field '{path}'")
        return
    if name not in OPERATORS and name not in SCOPED | {"var", "if", "and", "or", "lookup"}:
        problems.append(f"{where}: unknown operator '{name}'")
        return
    if name in SCOPED:
        arguments = as_list(args)
        walk_rule(arguments[0], known, where, problems, scoped)
        for inner in arguments[1:]:
            walk_rule(inner, known, where, problems, scoped=True)
        return
    walk_rule(args, known, where, problems, scoped)


def var_is_known(path: str, known: set[str]) -> bool:
    """A variable is known if it or one of its dotted prefixes is (e.g. 'account.nik' under 'account')."""
    parts = path.split(".")
    return any(".".join(parts[:length]) in known for length in range(1, len(parts) + 1))


def referenced_vars(rule: Any) -> set[str]:
    """The first path component of every variable a rule reads (outside map/filter scopes)."""
    found: set[str] = set()
    if isinstance(rule, list):
        for item in rule:
            found |= referenced_vars(item)
    elif isinstance(rule, dict) and len(rule) == 1:
        (name, args), = rule.items()
        if name == "var":
            path = args[0] if isinstance(args, list) else args
            if path:
                found.add(str(path).split(".")[0])
        elif name in SCOPED:
            found |= referenced_vars(as_list(args)[0])
        else:
            found |= referenced_vars(args)
    return found
