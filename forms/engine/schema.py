"""Load and validate schemas/ into frozen dataclasses; every problem is reported at once.

Structure is checked against the JSON meta-schemas in schemas/ (jsonschema); meaning (unique names, known types
and tables, conditions naming existing fields) here. Normalised once: later code reads `field.required`, not dicts.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import jsonschema

from forms.engine.columns import table_problems
from forms.engine.fields import REGISTRY
from forms.engine.rules import check_rule
from forms.engine.tables import TableSet, build_table
from forms.errors import SchemaError

CONTEXT_ROOTS = frozenset({"account", "derived", "submission", "today"})


@dataclass(frozen=True)
class Option:
    value: str
    label: Any
    help: Any = None


@dataclass(frozen=True)
class Filter:
    column: str
    field: str


@dataclass(frozen=True, eq=False)
class Field:
    name: str
    type: str
    label: Any = None
    help: Any = None
    placeholder: Any = None
    text: Any = None
    required: bool = False
    visible_if: Any = None
    default: Any = None
    value: Any = None
    format: str | None = None
    options: tuple[Option, ...] = ()
    table: str | None = None
    filter: Filter | None = None
    min: float | None = None
    max: float | None = None
    decimals: int = 0
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Any = None
    min_date: str | None = None
    max_date: str | None = None
    accept: tuple[str, ...] = ()
    max_bytes: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    item_label: Any = None
    fields: tuple[Field, ...] = ()
    width: str = "full"
    unique: Mapping[str, Any] | None = None
    confirm: bool = False
    target: Any = None
    channel: Any = None
    purpose: str | None = None
    transform: str | None = None
    rows_from: Mapping[str, Any] | None = None
    options_from: Mapping[str, Any] | None = None
    steps: tuple[str, ...] = ()

    @property
    def kind(self):
        """The registered FieldType of this field."""
        return REGISTRY[self.type]


@dataclass(frozen=True)
class Check:
    rule: Any
    message: Any
    field: str | None = None
    detail: Any = None  # a rule whose text (or list of texts) names what failed, after the message


@dataclass(frozen=True, eq=False)
class Step:
    name: str
    title: Any
    fields: tuple[Field, ...]
    help: Any = None
    visible_if: Any = None
    checks: tuple[Check, ...] = ()
    next_label: Any = None


@dataclass(frozen=True, eq=False)
class Derived:
    name: str
    expr: Any
    label: Any = None
    format: str | None = None


@dataclass(frozen=True, eq=False)
class Form:
    id: str
    version: int
    title: Any
    steps: tuple[Step, ...]
    source: Mapping[str, Any]
    description: Any = None
    access: str = "public"
    roles: tuple[str, ...] = ()
    menu: bool = True
    demo: bool = False  # an example of the engine: offered only when the instance runs in demo mode
    number_pattern: str = "{form}-{year}-{seq:06d}"
    submit: Mapping[str, Any] = dc_field(default_factory=dict)
    derived: tuple[Derived, ...] = ()

    def step(self, name: str) -> Step | None:
        """The step of that name, or None."""
        return next((step for step in self.steps if step.name == name), None)

    @property
    def fields(self) -> dict[str, Field]:
        """Every top-level field of the form by name."""
        return {f.name: f for step in self.steps for f in step.fields}


@dataclass
class SchemaSet:
    """All forms (every version) and reference tables of a schemas folder."""

    forms: dict[str, dict[int, Form]]
    tables: TableSet

    def get(self, form_id: str, version: int | None = None) -> Form | None:
        """A form by id, the given version or the latest."""
        versions = self.forms.get(form_id)
        if not versions:
            return None
        return versions.get(version) if version is not None else versions[max(versions)]

    def latest(self) -> list[Form]:
        """The latest version of every form, by id."""
        return [versions[max(versions)] for _id, versions in sorted(self.forms.items())]


def load_schemas(root: Path) -> SchemaSet:
    """Read schemas/forms and schemas/tables; raise SchemaError listing every problem."""
    problems: list[str] = []
    tables = read_items(root, "tables", problems)
    forms = [(where, raw) for where, raw in read_items(root, "forms", problems)]
    for where, raw in forms:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"] != Path(where).stem.split("@")[0]:
            problems.append(f"{where}: id '{raw['id']}' does not match the file name")
    try:
        built = build_schemas(root, tables, forms)
    except SchemaError as error:
        raise SchemaError(problems + list(error.problems)) from None
    if problems:
        raise SchemaError(problems)
    return built


def read_items(root: Path, folder: str, problems: list[str]) -> list[tuple[str, Any]]:
    """(where, parsed JSON) for every file of a schemas sub-folder; parse errors recorded."""
    items = []
    for path in sorted((root / folder).glob("*.json")):
        raw = read_json(path, root, problems)
        if raw is not None:
            items.append((relative(path, root), raw))
    return items


def build_schemas(root: Path, table_items: Iterable[tuple[str, Any]],
                  form_items: Iterable[tuple[str, Any]]) -> SchemaSet:
    """Check and build tables and forms given as (where, definition); SchemaError lists every problem.

    `where` names the definition in messages: a file path, or a version in the schema store.
    """
    problems: list[str] = []
    tables = TableSet(check_tables(root, table_items, problems))
    forms: dict[str, dict[int, Form]] = {}
    validator = meta_validator(root / "form.schema.json")
    for where, raw in form_items:
        form = check_and_build_form(where, raw, validator, tables, problems)
        if form is not None:
            if form.version in forms.get(form.id, {}):
                problems.append(f"{where}: a second definition of form '{form.id}' version {form.version}")
            forms.setdefault(form.id, {})[form.version] = form
    if problems:
        raise SchemaError(problems)
    return SchemaSet(forms=forms, tables=tables)


def meta_validator(path: Path) -> jsonschema.protocols.Validator:
    """A validator for one of our meta-schemas (itself checked first); compiled once per file version."""
    stat = path.stat()
    return compiled_validator(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def compiled_validator(path: str, _mtime: int, _size: int) -> jsonschema.protocols.Validator:
    """Checking a meta-schema against JSON Schema's own costs ~0.5 s; done again only when the file changes."""
    meta = json.loads(Path(path).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(meta)
    cls.check_schema(meta)
    return cls(meta)


def read_json(path: Path, root: Path, problems: list[str]) -> Any:
    """A JSON file's content, or None with the parse error recorded."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        problems.append(f"{relative(path, root)}: invalid JSON at line {error.lineno}: {error.msg}")
    return None


def relative(path: Path, root: Path) -> str:
    """A path as shown in messages: schemas/forms/x.json."""
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


def check_tables(root: Path, items: Iterable[tuple[str, Any]], problems: list[str]) -> dict[str, Any]:
    """Reference tables from (where, definition) pairs; CSV sources are read relative to `root`."""
    validator = meta_validator(root / "table.schema.json")
    tables = {}
    for where, raw in items:
        errors = [f"{where}: {located(e, raw)}" for e in validator.iter_errors(raw)]
        errors = errors or table_problems(raw, root, where)
        problems.extend(errors)
        if not errors:
            tables[raw["id"]] = build_table(raw, root)
    return tables


def check_and_build_form(where: str, raw: Any, validator, tables: TableSet, problems: list[str]) -> Form | None:
    """One form definition: structure, then meaning; None if it has problems (recorded)."""
    found = [f"{where}: {located(e, raw)}" for e in sorted(validator.iter_errors(raw), key=error_order)]
    if not found:
        found = [f"{where}: {problem}" for problem in check_form(raw, tables)]
    problems.extend(found)
    return None if found else build_form(raw)


def error_order(error: jsonschema.ValidationError) -> list[str]:
    """Sort key so problems read in document order."""
    return [str(part) for part in error.absolute_path]


def located(error: jsonschema.ValidationError, raw: Mapping[str, Any]) -> str:
    """A jsonschema error prefixed by step and field names instead of list indexes."""
    return "".join(f"{label}: " for label in name_path(raw, error.absolute_path)) + error.message


def name_path(raw: Any, path: Iterable[Any]) -> list[str]:
    """['steps', 2, 'fields', 0, 'type'] → ["step 'lokasi'", "field 'luas'", "'type'"]."""
    labels, node, parent_key = [], raw, None
    for part in path:
        node = node[part] if isinstance(node, (dict, list)) else None
        if isinstance(part, int) and parent_key in ("steps", "fields", "derived"):
            kind = {"steps": "step", "fields": "field", "derived": "derived"}[parent_key]
            name = node.get("name", f"#{part + 1}") if isinstance(node, dict) else f"#{part + 1}"
            labels.append(f"{kind} '{name}'")
        elif not isinstance(part, int) and part not in ("steps", "fields", "derived"):
            labels.append(f"'{part}'")
        parent_key = part
    return labels


def check_form(raw: Mapping[str, Any], tables: TableSet) -> list[str]:
    """Problems of meaning in a structurally valid form."""
    problems: list[str] = []
    steps = raw["steps"]
    for name in duplicates(step["name"] for step in steps):
        problems.append(f"duplicate step name '{name}'")
    top_fields = [f for step in steps for f in step["fields"]]
    for name in duplicates(f["name"] for f in top_fields):
        problems.append(f"duplicate field name '{name}'")
    derived = [d["name"] for d in raw.get("derived", [])]
    known = {f["name"] for f in top_fields} | set(derived) | CONTEXT_ROOTS
    row_names = frozenset(sub["name"] for f in top_fields for sub in f.get("fields", ()))
    for step in steps:
        where = f"step '{step['name']}'"
        problems += check_rule(step.get("visible_if"), known, where)
        for field in step["fields"]:
            problems += check_field(field, f"{where}: field '{field['name']}'", known, tables, row_names=row_names)
        own = {field["name"] for field in step["fields"]}
        for number, check in enumerate(step.get("checks", ()), start=1):
            problems += check_rule([check["rule"], check.get("detail")], known, f"{where}: check #{number}")
            if check.get("field") and check["field"] not in own:
                problems.append(f"{where}: check #{number} points at '{check['field']}', not a field of this step")
    step_names = {step["name"] for step in steps}
    for step in steps:
        for field in step["fields"]:
            for name in field.get("steps", ()):
                if name not in step_names:
                    problems.append(f"step '{step['name']}': field '{field['name']}': summary names unknown step '{name}'")
    for item in raw.get("derived", []):
        problems += check_rule(item["expr"], known, f"derived '{item['name']}'")
    submit = raw.get("submit", {})
    for key, name in {**submit.get("fields", {}), **({"notify.to": submit["notify"]["to"]} if "notify" in submit else {})}.items():
        if name not in known:
            problems.append(f"submit: '{key}' names unknown field '{name}'")
    return problems


def check_field(field: Mapping[str, Any], where: str, known: set[str], tables: TableSet,
                nested: bool = False, row_names: frozenset[str] = frozenset()) -> list[str]:
    """Problems of one field definition (and its sub-fields)."""
    kind = REGISTRY.get(field["type"])
    if kind is None:
        return [f"{where}: unknown type '{field['type']}' (known: {', '.join(sorted(REGISTRY))})"]
    built = build_field(field)
    problems = [f"{where}: {problem}" for problem in kind.check(built, tables)]
    for key in ("visible_if", "default", "value", "target", "channel"):
        problems += check_rule(field.get(key), known, f"{where}: {key}")
    if built.filter and built.filter.field not in known:
        problems.append(f"{where}: filter names unknown field '{built.filter.field}'")
    for key in ("rows_from", "options_from"):
        source = field.get(key)
        if source and source["group"] not in known:
            problems.append(f"{where}: {key} names unknown group '{source['group']}'")
        if source:
            columns = known | row_names
            problems += check_rule(source.get("where"), columns, f"{where}: {key}.where")
            problems += check_rule(source.get("label"), columns, f"{where}: {key}.label")
    if kind.is_group:
        if nested:
            problems.append(f"{where}: a repeat group cannot contain another repeat group")
        subs = field.get("fields", [])
        for name in duplicates(sub["name"] for sub in subs):
            problems.append(f"{where}: duplicate field name '{name}'")
        row_known = known | {s["name"] for s in subs} | (row_names if field.get("rows_from") else set())
        for sub in subs:
            problems += check_field(sub, f"{where}: field '{sub['name']}'", row_known, tables, nested=True,
                                    row_names=row_names)
    return problems


def duplicates(names: Iterable[str]) -> list[str]:
    """Names that occur more than once, in first-seen order."""
    seen, repeated = set(), []
    for name in names:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated


def build_form(raw: Mapping[str, Any]) -> Form:
    """A Form from a valid definition."""
    return Form(
        id=raw["id"], version=raw["version"], title=raw["title"], source=raw,
        description=raw.get("description"), access=raw.get("access", "public"),
        roles=tuple(raw.get("roles", ())), menu=raw.get("menu", True), demo=raw.get("demo", False),
        number_pattern=raw.get("number_pattern", Form.number_pattern),
        submit=raw.get("submit", {}),
        derived=tuple(Derived(d["name"], d["expr"], d.get("label"), d.get("format")) for d in raw.get("derived", [])),
        steps=tuple(build_step(step) for step in raw["steps"]),
    )


def build_step(raw: Mapping[str, Any]) -> Step:
    """A Step from a valid definition."""
    return Step(name=raw["name"], title=raw["title"], help=raw.get("help"), visible_if=raw.get("visible_if"),
                fields=tuple(build_field(field) for field in raw["fields"]), next_label=raw.get("next_label"),
                checks=tuple(Check(c["rule"], c["message"], c.get("field"), c.get("detail")) for c in raw.get("checks", ())))


FIELD_KEYS = {name for name in Field.__dataclass_fields__} - {"options", "filter", "fields", "accept", "steps"}


def build_field(raw: Mapping[str, Any]) -> Field:
    """A Field from a valid definition, defaults filled in."""
    values = {key: raw[key] for key in FIELD_KEYS if key in raw}
    return Field(
        **values,
        options=tuple(Option(str(o["value"]), o["label"], o.get("help")) for o in raw.get("options", ())),
        filter=Filter(**raw["filter"]) if "filter" in raw else None,
        fields=tuple(build_field(sub) for sub in raw.get("fields", ())),
        accept=tuple(raw.get("accept", ())),
        steps=tuple(raw.get("steps", ())),
    )
