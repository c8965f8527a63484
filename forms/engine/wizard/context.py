"""What every wizard decision reads: the request's input, the outside services, and the flat data rules see."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any, Protocol

from forms.engine.rules import evaluate, truthy
from forms.engine.schema import Field, Form, Step
from forms.engine.tables import TableSet

MAX_ROWS = 200


class RawInput(Protocol):
    """What the wizard reads from a request: form values and uploaded files."""

    def get(self, name: str) -> Any: ...

    def getlist(self, name: str) -> list: ...

    def file(self, name: str) -> Any: ...


@dataclass
class Services:
    """What validation needs from outside: tables, the account, file storage, today's date."""

    tables: TableSet
    account: Mapping[str, Any] = dc_field(default_factory=dict)
    save_file: Callable[..., dict] | None = None
    upload_max_bytes: int = 2 * 1024 * 1024
    today: date | None = None
    verify_code: Callable[[Field, str, str], None] | None = None
    taken: Callable[[str, Any], bool] | None = None


def flat_data(answers: Mapping[str, Mapping[str, Any]], derived: Mapping[str, Any], services: Services) -> dict:
    """The mapping conditions and derived values are evaluated against."""
    data: dict[str, Any] = {}
    for step_answers in answers.values():
        data.update(step_answers)
    data["derived"] = dict(derived)
    data["account"] = dict(services.account)
    data["today"] = (services.today or date.today()).isoformat()
    return data


def is_visible(rule: Any, data: Mapping[str, Any], tables: TableSet) -> bool:
    """A missing condition means visible."""
    return rule is None or truthy(evaluate(rule, data, tables.lookup))


def visible_steps(form: Form, data: Mapping[str, Any], tables: TableSet) -> list[Step]:
    """The steps that apply to these answers, in order."""
    return [step for step in form.steps if is_visible(step.visible_if, data, tables)]


def visible_fields(step: Step, data: Mapping[str, Any], tables: TableSet) -> list[Field]:
    """The fields of a step that apply to these answers."""
    return [f for f in step.fields if is_visible(f.visible_if, data, tables)]

