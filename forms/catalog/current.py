"""The loaded schemas of the running app (validated at start-up, rebuilt when an admin publishes)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from forms.catalog.versions import init_catalog
from forms.engine.schema import SchemaSet
from forms.errors import SchemaError
from forms.engine.calendar import Calendar, load_calendar, office_zone
from forms.engine.workflow import Workflow


def init_schemas(app: Flask) -> None:
    """Seed and load the schema store (forms, tables, workflows, settings) and the holiday calendar.

    A broken definition stops start-up with every problem listed.
    """
    try:
        zone = office_zone(app.config["OFFICE_TIMEZONE"])
    except ValueError as error:
        raise SchemaError([str(error)]) from error
    init_catalog(app)
    app.extensions["loket.calendar"] = load_calendar(Path(app.config["SCHEMAS_DIR"]) / "hari-libur.json", zone)


def office_clock() -> Calendar:
    """The office's clock and working-day calendar of the current app."""
    return current_app.extensions["loket.calendar"]


def workflows() -> dict[str, Workflow]:
    """The latest workflows of the current app, by the document kind they govern."""
    return current_app.extensions["loket.workflows"]


def schemas() -> SchemaSet:
    """The schemas of the current app."""
    return current_app.extensions["loket.schemas"]
