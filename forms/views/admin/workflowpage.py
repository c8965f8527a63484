"""What the workflow editor shows: states and actions as tables of settings (choices from the workflow
meta-schema), and the diagram drawn on the server."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from forms.catalog import fieldsettings, workflowedit
from forms.engine.text import tr
from forms.views.admin.diagram import diagram


def schema_path() -> str:
    """Where the workflow meta-schema is."""
    return str(Path(current_app.config["SCHEMAS_DIR"]) / "workflow.schema.json")


def workflow_view(content: Any, lang: str) -> dict | None:
    """States and actions with their settings inputs, and the diagram (None when the JSON is not a workflow)."""
    if not isinstance(content, dict) or not isinstance(content.get("states"), dict) \
            or not isinstance(content.get("actions"), dict):
        return None
    choices = workflowedit.schema_choices(schema_path())
    state_settings = workflowedit.state_settings(choices, content)
    action_settings = workflowedit.action_settings(choices, content)
    return {"states": [item(name, raw, state_settings, lang) for name, raw in content["states"].items()],
            "actions": [item(name, raw, action_settings, lang) for name, raw in content["actions"].items()],
            "new_action": [{"name": n, "setting": s, "value": fieldsettings.stored_value(s, None)}
                           for n, s in action_settings.items()],
            "diagram": diagram(content, lang)}


def item(name: str, raw: Any, settings: dict, lang: str) -> dict:
    """One state or action: its name, label and settings inputs."""
    raw = raw if isinstance(raw, dict) else {}
    return {"name": name, "label": tr(raw.get("label"), lang) or name, "raw": raw,
            "settings": [{"name": n, "setting": s, "value": fieldsettings.stored_value(s, raw.get(n))}
                         for n, s in settings.items()]}
