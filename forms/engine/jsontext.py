"""JSON from outside (API bodies, admin edits and imports), read with a size and a nesting limit.

Python's parser recurses once per nested `[` or `{`: a few kilobytes of brackets raise RecursionError,
which no caller expected (a 500). Every JSON the app reads from a request goes through `parse_json`,
which answers too large (413), not JSON (400) or nested too deep (400) with a message, and nothing else.
"""
from __future__ import annotations

import json
from typing import Any

from forms.engine.text import gettext
from forms.errors import FormsError

MAX_DEPTH = 32  # the deepest definition Loket ships nests 9 levels (a rule inside a field inside a step)


class JsonRefused(FormsError):
    """A JSON text that is not read: malformed or nested too deep (400)."""

    status = 400


class JsonTooLarge(JsonRefused):
    """A JSON text larger than the limit of where it was sent (413)."""

    status = 413


def parse_json(text: str | bytes, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The value of a JSON text; JsonTooLarge or JsonRefused (with a message saying why) otherwise."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > max_bytes:
        raise JsonTooLarge(gettext("JSON lebih dari %(size)s bita; tidak dibaca.", size=max_bytes))
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep(max_depth) from None
    except UnicodeDecodeError:
        raise JsonRefused(gettext("JSON harus berupa teks UTF-8.")) from None
    except json.JSONDecodeError as error:
        raise JsonRefused(gettext("JSON tidak sah pada baris %(line)s, kolom %(column)s: %(problem)s",
                                  line=error.lineno, column=error.colno, problem=error.msg)) from None
    if depth_of(value, max_depth) > max_depth:
        raise too_deep(max_depth)
    return value


def too_deep(max_depth: int) -> JsonRefused:
    """The refusal of a text nested deeper than allowed."""
    return JsonRefused(gettext("JSON bersarang lebih dari %(depth)s tingkat; tidak dibaca.", depth=max_depth))


def depth_of(value: Any, stop_after: int) -> int:
    """How deeply lists and objects nest in a value (a scalar is 0), counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > stop_after:
            return deepest
        pending.extend((child, level + 1) for child in children)
    return deepest
