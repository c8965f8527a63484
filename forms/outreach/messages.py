"""Message texts from schemas/messages.json, filled and delivered over the configured channels."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from forms.engine.text import tr
from forms.errors import SchemaError
from forms.outreach.notify import Message, send

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def init_messages(app: Flask) -> None:
    """Load the message texts; every message needs a subject and a body."""
    path = Path(app.config["SCHEMAS_DIR"]) / "messages.json"
    texts = json.loads(path.read_text(encoding="utf-8"))
    problems = [f"schemas/messages.json: '{name}' needs 'subject' and 'body'"
                for name, text in texts.items() if not name.startswith("$") and not {"subject", "body"} <= set(text)]
    if problems:
        raise SchemaError(problems)
    app.extensions["loket.messages"] = texts


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Replace {name} placeholders that have a value; no format-string attribute access."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), template)


def compose(name: str, channel: str, to: str, lang: str = "id", **values: Any) -> Message:
    """A ready Message from a named text."""
    text = current_app.extensions["loket.messages"][name]
    values.setdefault("situs", current_app.config["SITE_NAME"])
    return Message(channel=channel, to=to, subject=fill(tr(text["subject"], lang), values),
                   body=fill(tr(text["body"], lang), values))


def deliver(name: str, channel: str, to: str, lang: str = "id", **values: Any) -> str:
    """Compose and send a named message; unconfigured channels write to the outbox folder."""
    message = compose(name, channel, to, lang, **values)
    return send(current_app.config, message, Path(current_app.config["OUTBOX_DIR"]))
