"""Where issued numbers come from. Loket draws the owner number and patterns the document numbers by default; an
office connected to OSS sets NUMBERS_URL and takes them from that HTTP gateway instead.

The gateway is asked with a key that names the number (the owner's, or one document of one submission), so a
job that runs again after a crash asks the same question and gets the same answer: nothing is numbered twice.
Its protocol: POST JSON ``{"kind", "key", "owner", "document_key", "owner_numbers"}``, answer ``{"number": "…"}``.
A gateway that fails or answers nonsense raises NumbersUnavailable; the issuing job then retries with backoff.
"""
from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from flask import current_app

from forms.errors import FormsError
from forms.store import owner_number

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,39}$")  # printed and used in addresses: no slashes or spaces
MAX_ANSWER = 4096


class NumbersUnavailable(FormsError):
    """The numbers gateway did not give a usable number (the job that asked will try again)."""


def owner_number_of(name: str, owner: str, digits: int) -> str:
    """The owner's number (created once, then reused): drawn here, or given by the gateway."""
    if not current_app.config.get("NUMBERS_URL"):
        return owner_number(name, owner, digits)
    question = {"kind": name, "key": f"owner:{owner}:{name}", "owner": owner}
    return owner_number(name, owner, digits, draw=lambda: checked_owner_number(ask_gateway(question), digits))


def document_number_of(pattern: str, values: Mapping[str, Any], question: Mapping[str, Any]) -> str:
    """A document's number: the kind's pattern filled with year, sequence, key and the owner's numbers, or the
    gateway's answer to the question."""
    if not current_app.config.get("NUMBERS_URL"):
        return pattern.format(**values)
    return ask_gateway(question)


def checked_owner_number(number: str, digits: int) -> str:
    """A gateway's owner number, which must have the digits the form declares."""
    if not re.fullmatch(rf"[1-9]\d{{{digits - 1}}}", number):
        raise NumbersUnavailable(f"numbers gateway answered an owner number that is not {digits} digits: {number!r}")
    return number


def ask_gateway(question: Mapping[str, Any]) -> str:
    """POST the question to the gateway and read its number (NumbersUnavailable on any failure)."""
    config = current_app.config
    url = str(config["NUMBERS_URL"])
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise NumbersUnavailable("NUMBERS_URL must be an http(s) URL")
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(question["key"])}
    if config.get("NUMBERS_TOKEN"):
        headers["Authorization"] = f"Bearer {config['NUMBERS_TOKEN']}"
    request = urllib.request.Request(url, data=json.dumps(question).encode(), headers=headers, method="POST")
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=float(config["NUMBERS_TIMEOUT"])) as answer:
            body = answer.read(MAX_ANSWER)
    except (OSError, http.client.HTTPException) as error:  # HTTPError, URLError and timeouts are OSError
        raise NumbersUnavailable(f"numbers gateway failed: {type(error).__name__}") from error
    return number_of(body)


def number_of(body: bytes) -> str:
    """The number in a gateway's JSON answer, checked for a shape that can be printed and addressed."""
    try:
        number = json.loads(body).get("number")
    except (ValueError, AttributeError) as error:
        raise NumbersUnavailable("numbers gateway answered something other than a JSON object") from error
    if not isinstance(number, str) or not NUMBER.fullmatch(number):
        raise NumbersUnavailable(f"numbers gateway answered an unusable number: {number!r}")
    return number


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects, so the token is never sent to another host (a 3xx becomes an HTTPError)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow nothing."""
        return
