"""Workflows as data: states, actions, roles, SLA, status codes; what may happen next (no Flask, no database).

One file per issued-document kind in schemas/workflows/, checked at start-up against
schemas/workflow.schema.json and for meaning (every action leads between declared states, a deemed
approval names a system action). A second approval level is a switch in the file: actions marked
`when: second_level` exist only when it is on, `single_level` ones only when it is off.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms.engine.schema import meta_validator, read_json, relative
from forms.errors import SchemaError


@dataclass(frozen=True)
class State:
    name: str
    label: Any
    pia: str
    turn: str = "petugas"
    sla_days: int | None = None
    pause_sla: bool = False
    final: bool = False
    deemed_approval: str | None = None
    reissue: bool = False
    public_status: str = "dalam_proses"
    pia_from: Mapping[str, str] | None = None  # the code when entered from a given state (42: resubmitted after 41)
    guidance: Mapping[str, Any] | None = None  # what to do next: applicant / officer text, "go" link


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    when: str | None = None
    requires: str | None = None
    note_required: bool = False
    notify: str | None = None
    pia: str | None = None
    style: str = "normal"


@dataclass(frozen=True, eq=False)
class Workflow:
    id: str
    version: int
    title: Any
    applies_to: str
    initial: str
    second_level: bool
    states: Mapping[str, State]
    actions: Mapping[str, Action]
    requirements: Mapping[str, Any] | None
    source: Mapping[str, Any]
    key_table: str | None = None  # the table that titles a document's key (e.g. a business code)
    deadline_from: str | None = None  # the document's data field holding one deadline (working days) for all levels

    def enabled(self, action: Action) -> bool:
        """Whether an action exists under this file's approval-level setting."""
        if action.when == "second_level":
            return self.second_level
        if action.when == "single_level":
            return not self.second_level
        return True

    def available(self, status: str, roles: Iterable[str]) -> list[Action]:
        """Actions that someone with these roles may fire from a status."""
        roles = set(roles)
        return [action for action in self.actions.values()
                if status in action.sources and self.enabled(action) and roles & set(action.roles)]

    def pia_of(self, status: str, action: Action | None = None, source: str | None = None) -> str:
        """The OSS status code of a state (an action may carry its own, e.g. 57 for a deemed approval; a state
        entered from a given state may have another, e.g. 42 after a correction)."""
        entered = (self.states[status].pia_from or {}).get(source) if source else None
        return (action.pia if action and action.pia else None) or entered or self.states[status].pia


def load_workflows(root: Path) -> dict[str, Workflow]:
    """Every workflow file, by the document kind it applies to; SchemaError lists all problems."""
    problems: list[str] = []
    items = []
    for path in sorted((root / "workflows").glob("*.json")):
        raw = read_json(path, root, problems)
        if raw is not None:
            items.append((relative(path, root), raw))
    try:
        versions = build_workflows(root, items)
    except SchemaError as error:
        raise SchemaError(problems + list(error.problems)) from None
    if problems:
        raise SchemaError(problems)
    return latest_workflows(versions)


def build_workflows(root: Path, items: Iterable[tuple[str, Any]]) -> dict[str, dict[int, Workflow]]:
    """Workflows given as (where, definition), every version, by the document kind they govern.

    One workflow id governs a kind; its versions are kept so a document stays on the version it began on.
    """
    items = list(items)
    if not items:
        return {}
    validator = meta_validator(root / "workflow.schema.json")
    problems: list[str] = []
    workflows: dict[str, dict[int, Workflow]] = {}
    for where, raw in items:
        found = [f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}".replace(": : ", ": ")
                 for error in validator.iter_errors(raw)]
        found = found or [f"{where}: {problem}" for problem in check_workflow(raw)]
        if not found:
            others = workflows.get(raw["applies_to"], {})
            if any(other.id != raw["id"] for other in others.values()):
                found.append(f"{where}: a second workflow for '{raw['applies_to']}'")
            elif raw["version"] in others:
                found.append(f"{where}: a second definition of workflow '{raw['id']}' version {raw['version']}")
        problems += found
        if not found:
            workflows.setdefault(raw["applies_to"], {})[raw["version"]] = build_workflow(raw)
    if problems:
        raise SchemaError(problems)
    return workflows


def latest_workflows(versions: Mapping[str, Mapping[int, Workflow]]) -> dict[str, Workflow]:
    """The newest version of each kind's workflow."""
    return {kind: by_version[max(by_version)] for kind, by_version in versions.items()}


def check_workflow(raw: Mapping[str, Any]) -> list[str]:
    """Problems of meaning: undeclared states, deemed approvals that no system action performs."""
    states, actions = raw["states"], raw["actions"]
    problems = [] if raw["initial"] in states else [f"initial state '{raw['initial']}' is not declared"]
    for name, action in actions.items():
        for state in action["from"]:
            if state not in states:
                problems.append(f"action '{name}': from undeclared state '{state}'")
        if action["to"] not in states:
            problems.append(f"action '{name}': transition to undeclared state '{action['to']}'")
    for name, state in states.items():
        deemed = state.get("deemed_approval")
        if deemed and (deemed not in actions or "sistem" not in actions[deemed]["roles"]):
            problems.append(f"state '{name}': deemed_approval '{deemed}' is not a system action")
        elif deemed and name not in actions[deemed]["from"]:
            problems.append(f"state '{name}': deemed_approval '{deemed}' does not start from this state")
    return problems


def build_workflow(raw: Mapping[str, Any]) -> Workflow:
    """A Workflow from a valid definition."""
    states = {name: State(name=name, **values) for name, values in raw["states"].items()}
    actions = {name: Action(name=name, label=values["label"], sources=tuple(values["from"]), target=values["to"],
                            roles=tuple(values["roles"]), **{key: values[key] for key in
                                                             ("when", "requires", "note_required", "notify", "pia", "style")
                                                             if key in values})
               for name, values in raw["actions"].items()}
    return Workflow(id=raw["id"], version=raw["version"], title=raw["title"], applies_to=raw["applies_to"],
                    initial=raw["initial"], second_level=raw.get("second_level", False), states=states,
                    actions=actions, requirements=raw.get("requirements"), source=raw, key_table=raw.get("key_table"),
                    deadline_from=(raw.get("deadline") or {}).get("days_from"))
