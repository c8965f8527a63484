"""The office's public-service data: contact channels, the service standard, ticket and survey settings.

These live in schemas/ (office.json, standar-pelayanan.json, tickets.json, survey.json, portal.json) so an admin
changes them without a deploy. They are read once at start-up, checked for structure against
schemas/public.schema.json and for meaning against the loaded forms (a setting that names a field
the form lacks), every problem reported at once, and normalised into frozen dataclasses.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app

from forms.engine.schema import SchemaSet, located, meta_validator, read_json
from forms.errors import SchemaError

FILES = {"office": "office.json", "standard": "standar-pelayanan.json", "tickets": "tickets.json",
         "survey": "survey.json", "portal": "portal.json"}


@dataclass(frozen=True)
class TicketStatus:
    name: str
    label: Any


@dataclass(frozen=True)
class TicketSettings:
    """Which form is a ticket, its statuses and moves, and where the reporter's contact is."""

    form: str
    statuses: tuple[TicketStatus, ...]
    transitions: Mapping[str, tuple[str, ...]]
    channel_field: str
    addresses: Mapping[str, str]
    name_field: str | None
    category_field: str
    text_field: str
    reference_field: str | None
    reply_message: str
    code_length: int = 8

    def label(self, status: str) -> Any:
        """The label of a status (its name if unknown)."""
        return next((s.label for s in self.statuses if s.name == status), status)


@dataclass(frozen=True)
class Element:
    field: str
    code: str
    name: Any


@dataclass(frozen=True)
class Grade:
    grade: str
    lower: Decimal
    label: Any
    fill: str = "#5b6776"


@dataclass(frozen=True)
class SurveySettings:
    """Which form is the survey, its scored elements, the conversion factor and the grade bands."""

    form: str
    elements: tuple[Element, ...]
    grades: tuple[Grade, ...]  # highest lower bound first
    conversion: int = 25
    profile: tuple[str, ...] = ()
    profile_min_group: int = 5  # fewer respondents than this in a period or a group: not shown (they could be recognised)
    comment: str | None = None
    trend_periods: int = 6


@dataclass(frozen=True)
class PublicInfo:
    office: Mapping[str, Any]
    standard: Mapping[str, Any]
    tickets: TicketSettings
    survey: SurveySettings
    portal: Mapping[str, Any]  # the office's home page: what, for whom, the steps, the doors


def public_info() -> PublicInfo:
    """The public-service data of the current app."""
    return current_app.extensions["loket.public"]


def load_public_info(root: Path, schema_set: SchemaSet, messages: Mapping[str, Any],
                     given: Mapping[str, Any] | None = None) -> PublicInfo:
    """Read the five files; raise SchemaError listing every problem of structure or meaning.

    `given` supplies some of them by key (office, standard…), e.g. versions from the schema store.
    """
    problems: list[str] = []
    given = given or {}
    raw = {key: given[key] if key in given else read_json(root / name, root, problems) for key, name in FILES.items()}
    if problems:
        raise SchemaError(problems)
    validator = meta_validator(root / "public.schema.json")
    for error in validator.iter_errors(raw):
        key = error.absolute_path[0] if error.absolute_path else None
        where = f"schemas/{FILES[key]}" if key in FILES else "schemas/public.schema.json"
        problems.append(f"{where}: {located(error, raw)}")
    if problems:
        raise SchemaError(problems)
    problems += [f"schemas/tickets.json: {p}" for p in check_tickets(raw["tickets"], schema_set, messages)]
    problems += [f"schemas/survey.json: {p}" for p in check_survey(raw["survey"], schema_set)]
    if problems:
        raise SchemaError(problems)
    return PublicInfo(office=raw["office"], standard=raw["standard"], tickets=build_tickets(raw["tickets"]),
                      survey=build_survey(raw["survey"]), portal=raw["portal"])


def check_tickets(raw: Mapping[str, Any], schema_set: SchemaSet, messages: Mapping[str, Any]) -> list[str]:
    """Problems of meaning: unknown form, fields, statuses or message."""
    form = schema_set.get(raw["form"])
    if form is None:
        return [f"form '{raw['form']}' not found in schemas/forms"]
    fields = form.fields
    contact, summary = raw["contact"], raw["summary"]
    named = [contact["channel"], *contact["addresses"].values(), contact.get("name"), *summary.values()]
    problems = [f"field '{name}' not in form '{form.id}'" for name in named if name and name not in fields]
    statuses = [status["name"] for status in raw["statuses"]]
    for source, targets in raw["transitions"].items():
        problems += [f"transitions: unknown status '{name}'" for name in (source, *targets) if name not in statuses]
    if form.submit.get("status") not in statuses:
        problems.append(f"the form's submit status '{form.submit.get('status')}' is not one of the statuses")
    if form.submit.get("handler") != "open_ticket":
        problems.append(f"form '{form.id}' needs submit.handler 'open_ticket' to give an access code")
    if raw["reply_message"] not in messages:
        problems.append(f"message '{raw['reply_message']}' not in schemas/messages.json")
    return problems


def check_survey(raw: Mapping[str, Any], schema_set: SchemaSet) -> list[str]:
    """Problems of meaning: unknown form or fields, elements that are not 1..n choices, unordered grades."""
    form = schema_set.get(raw["form"])
    if form is None:
        return [f"form '{raw['form']}' not found in schemas/forms"]
    fields = form.fields
    problems = []
    for element in raw["elements"]:
        field = fields.get(element["field"])
        if field is None or not field.kind.has_options or field.kind.multi:
            problems.append(f"element '{element['code']}': '{element['field']}' is not a radio or select field of '{form.id}'")
        elif not all(option.value.isdigit() for option in field.options) or not field.options:
            problems.append(f"element '{element['code']}': options of '{field.name}' must be numbers")
    for name in [*raw.get("profile", ()), raw.get("comment")]:
        if name and name not in fields:
            problems.append(f"field '{name}' not in form '{form.id}'")
    bounds = [Decimal(grade["from"]) for grade in raw["grades"]]
    if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
        problems.append("grades must be listed from the highest 'from' down, each bound once")
    return problems


def build_tickets(raw: Mapping[str, Any]) -> TicketSettings:
    """TicketSettings from a checked tickets.json."""
    contact, summary = raw["contact"], raw["summary"]
    return TicketSettings(
        form=raw["form"], statuses=tuple(TicketStatus(s["name"], s["label"]) for s in raw["statuses"]),
        transitions={name: tuple(targets) for name, targets in raw["transitions"].items()},
        channel_field=contact["channel"], addresses=dict(contact["addresses"]), name_field=contact.get("name"),
        category_field=summary["category"], text_field=summary["text"], reference_field=summary.get("reference"),
        reply_message=raw["reply_message"], code_length=raw.get("code_length", 8))


def build_survey(raw: Mapping[str, Any]) -> SurveySettings:
    """SurveySettings from a checked survey.json."""
    return SurveySettings(
        form=raw["form"], conversion=raw["conversion"],
        elements=tuple(Element(e["field"], e["code"], e["name"]) for e in raw["elements"]),
        grades=tuple(Grade(g["grade"], Decimal(g["from"]), g["label"], g.get("fill", Grade.fill)) for g in raw["grades"]),
        profile=tuple(raw.get("profile", ())), profile_min_group=raw.get("profile_min_group", 5),
        comment=raw.get("comment"), trend_periods=raw.get("trend_periods", 6))
