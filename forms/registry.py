"""The loaded schemas of the running app (validated once at start-up)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from forms.schema import SchemaSet, load_schemas
from forms.workdays import load_calendar
from forms.workflow import Workflow, load_workflows


def init_schemas(app: Flask) -> None:
    """Load and validate schemas/ (forms, tables, workflows, holidays); a broken one stops start-up."""
    root = Path(app.config["SCHEMAS_DIR"])
    app.extensions["loket.schemas"] = load_schemas(root)
    app.extensions["loket.workflows"] = load_workflows(root)
    app.extensions["loket.calendar"] = load_calendar(root / "hari-libur.json")


def workflows() -> dict[str, Workflow]:
    """The workflows of the current app, by the document kind they govern."""
    return current_app.extensions["loket.workflows"]


def schemas() -> SchemaSet:
    """The schemas of the current app."""
    return current_app.extensions["loket.schemas"]
