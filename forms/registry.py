"""The loaded schemas of the running app (validated once at start-up)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from forms.schema import SchemaSet, load_schemas


def init_schemas(app: Flask) -> None:
    """Load and validate schemas/; a broken schema stops start-up with every problem listed."""
    app.extensions["loket.schemas"] = load_schemas(Path(app.config["SCHEMAS_DIR"]))


def schemas() -> SchemaSet:
    """The schemas of the current app."""
    return current_app.extensions["loket.schemas"]
