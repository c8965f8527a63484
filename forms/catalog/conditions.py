"""The condition builder: rows of field · operator · value joined by all/any, turned into the JSON-logic the
engine runs, and read back from it; a rule the rows cannot express is kept (and edited) as JSON.

A required-if is stored as a check of the field's step: "the condition does not hold, or the field is filled".
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.engine.text import N_

# Operator code → (label, JSON-logic builder); the label is translated where shown.
OPERATORS: dict[str, str] = {
    "==": N_("sama dengan"), "!=": N_("tidak sama dengan"), ">": N_("lebih dari"), ">=": N_("paling sedikit"),
    "<": N_("kurang dari"), "<=": N_("paling banyak"), "in": N_("memuat pilihan"), "filled": N_("terisi"),
    "empty": N_("kosong"),
}
COMPARISONS = ("==", "!=", ">", ">=", "<", "<=")
ORDERING = (">", ">=", "<", "<=")
UNARY = {"filled": "!!", "empty": "!"}
JOINS = {"all": "and", "any": "or"}
REQUIRED_MESSAGE = {"id": "Wajib diisi.", "en": "Required."}


@dataclass
class Condition:
    """A condition as the builder shows it: rows and their join, or JSON it cannot express."""

    mode: str = "all"
    rows: tuple[tuple[str, str, str], ...] = ()
    json: Any = None  # the rule itself when the rows cannot express it

    @property
    def expressible(self) -> bool:
        return self.json is None


def rule_of(mode: str, rows: list[tuple[str, str, str]]) -> Any:
    """JSON-logic for builder rows (None when there are none)."""
    parts = [row_rule(*row) for row in rows]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {JOINS.get(mode, "and"): parts}


def row_rule(field: str, operator: str, value: str) -> Any:
    """One row as JSON-logic."""
    var = {"var": field}
    if operator in UNARY:
        return {UNARY[operator]: var}
    if operator == "in":
        return {"in": [value, var]}
    return {operator: [var, typed(value) if operator in ORDERING else value]}


def typed(value: str) -> Any:
    """A compared value: a number when it reads as one (for more/less than), else the text."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def condition_of(rule: Any) -> Condition:
    """The builder's view of a stored rule; rows when it can express it, else the JSON kept as it is."""
    if rule is None:
        return Condition()
    if isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("and", "or") \
            and isinstance(next(iter(rule.values())), list):
        (join, parts), = rule.items()
        mode = "all" if join == "and" else "any"
    else:
        mode, parts = "all", [rule]
    rows = [read_row(part) for part in parts]
    if not parts or any(row is None for row in rows):
        return Condition(json=rule)
    return Condition(mode=mode, rows=tuple(rows))


def read_row(part: Any) -> tuple[str, str, str] | None:
    """One builder row from a JSON-logic part, or None when it is not one."""
    if not isinstance(part, dict) or len(part) != 1:
        return None
    (name, args), = part.items()
    for code, op in UNARY.items():
        if name == op and is_var(args):
            return (args["var"], code, "")
    if not isinstance(args, list) or len(args) != 2:
        return None
    if name == "in" and is_var(args[1]) and isinstance(args[0], (str, int, float)):
        return (args[1]["var"], "in", str(args[0]))
    if name in COMPARISONS and is_var(args[0]) and isinstance(args[1], (str, int, float)) \
            and not isinstance(args[1], bool):
        return (args[0]["var"], name, str(args[1]))
    return None


def is_var(value: Any) -> bool:
    """Whether a value is a plain {"var": "name"}."""
    return isinstance(value, dict) and list(value) == ["var"] and isinstance(value["var"], str) and value["var"]


def required_if_check(field: str, rule: Any) -> dict:
    """The step check that makes a field required when a condition holds."""
    return {"rule": {"or": [{"!": rule}, {"!!": {"var": field}}]}, "message": dict(REQUIRED_MESSAGE), "field": field}


def required_if_of(check: Mapping[str, Any], field: str) -> Any:
    """The condition of a required-if check of this field, or None when the check is something else."""
    rule = check.get("rule")
    if check.get("field") != field or not isinstance(rule, dict) or list(rule) != ["or"]:
        return None
    parts = rule["or"]
    if not isinstance(parts, list) or len(parts) != 2 or parts[1] != {"!!": {"var": field}}:
        return None
    negated = parts[0]
    return negated["!"] if isinstance(negated, dict) and list(negated) == ["!"] else None


def find_required_if(step: Mapping[str, Any], field: str) -> tuple[int, Any]:
    """(index, condition) of the field's required-if check in its step, or (-1, None)."""
    for index, check in enumerate(step.get("checks") or ()):
        condition = required_if_of(check, field)
        if condition is not None:
            return index, condition
    return -1, None


def set_required_if(step: dict, field: str, rule: Any) -> None:
    """Set, replace or remove (rule None) the field's required-if check."""
    checks = list(step.get("checks") or ())
    index, _old = find_required_if(step, field)
    if index >= 0:
        del checks[index]
    if rule is not None:
        checks.insert(index if index >= 0 else len(checks), required_if_check(field, rule))
    if checks:
        step["checks"] = checks
    else:
        step.pop("checks", None)
