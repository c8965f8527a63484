"""Deliver short notifications (verification codes, status updates) to applicants.

Loket reaches applicants by e-mail or WhatsApp. This module is the one place
that knows how to hand a ready-made text to a mail server (smtplib) or to an
Indonesian WhatsApp HTTP gateway (Fonnte, Wablas, Woowa, ...). It knows
nothing about licences: callers pass the finished text in a `Message`.

When a channel is not configured (fresh machine, demo) the message is written
to an outbox directory instead, so nothing is silently lost and an operator can
read the code from disk. A configured channel that fails raises DeliveryError.
WhatsApp gateways receive `Message.body` only; the subject is used for e-mail.
"""
from __future__ import annotations

import http.client
import json
import logging
import os
import re
import secrets
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

log = logging.getLogger("loket.notify")

CHANNEL_KEYS = {"email": "SMTP_HOST", "whatsapp": "WHATSAPP_URL"}
DEFAULT_FROM = "Loket <noreply@localhost>"


@dataclass(frozen=True)
class Message:
    """One notification: channel "email" or "whatsapp", recipient, subject, body."""

    channel: str
    to: str
    subject: str
    body: str
    html: str | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNEL_KEYS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {sorted(CHANNEL_KEYS)}")


class DeliveryError(Exception):
    """A configured channel could not deliver the message."""


def _get_setting(config: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """Return config[key], treating a missing, None or empty value as `default`."""
    value = config.get(key)
    return default if value is None or value == "" else value


def _get_number(config: Mapping[str, Any], key: str, default: float) -> float:
    """Return a numeric setting, raising DeliveryError if it is not a number."""
    try:
        return float(_get_setting(config, key, default))
    except (TypeError, ValueError) as exc:
        raise DeliveryError(f"{key} must be a number, got {config.get(key)!r}") from exc


def configured_channels(config: Mapping[str, Any]) -> set[str]:
    """Return the channels that really deliver (the others fall back to the outbox)."""
    return {channel for channel, key in CHANNEL_KEYS.items() if _get_setting(config, key)}


def send(config: Mapping[str, Any], message: Message, outbox_dir: Path) -> str:
    """Deliver `message` and return a short note such as "smtp:host:port"."""
    if message.channel not in configured_channels(config):
        return "outbox:" + str(write_outbox(config, message, Path(outbox_dir)))
    if message.channel == "email":
        return send_smtp(config, message)
    return send_whatsapp(config, message)


def build_email(config: Mapping[str, Any], message: Message) -> EmailMessage:
    """Build a complete UTF-8 RFC 5322 message with Date and Message-ID headers."""
    sender = _get_setting(config, "MAIL_FROM", DEFAULT_FROM)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(message.body, charset="utf-8")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    return email


def send_smtp(config: Mapping[str, Any], message: Message) -> str:
    """Send an e-mail through the configured SMTP server."""
    host = str(_get_setting(config, "SMTP_HOST"))
    port = int(_get_number(config, "SMTP_PORT", 25))
    timeout = _get_number(config, "SMTP_TIMEOUT", 10)
    security = str(_get_setting(config, "SMTP_SECURITY", "none")).lower()
    if security not in ("none", "starttls", "ssl"):
        raise DeliveryError(f"SMTP_SECURITY must be none, starttls or ssl, got {security!r}")
    user = _get_setting(config, "SMTP_USER")
    email = build_email(config, message)
    try:
        if security == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if user:
                client.login(str(user), str(_get_setting(config, "SMTP_PASSWORD", "")))
            client.send_message(email)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP delivery via {host}:{port} failed: {type(exc).__name__}: {exc}") from exc
    return f"smtp:{host}:{port}"


def format_number(number: str, style: str) -> str:
    """Rewrite "+628…"/"08…" as the gateway expects: "62" (628…), "+62" (+628…) or "0" (08…)."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if len(digits) < 6:
        raise DeliveryError(f"not a phone number: {number!r}")
    if style == "62":
        return digits
    if style == "+62":
        return "+" + digits
    if style == "0":
        if not digits.startswith("62"):
            raise DeliveryError(f"number {number!r} is not Indonesian; cannot write it as 0…")
        return "0" + digits[2:]
    raise DeliveryError(f"WHATSAPP_NUMBER_FORMAT must be 62, +62 or 0, got {style!r}")


def build_whatsapp_request(config: Mapping[str, Any], message: Message) -> urllib.request.Request:
    """Build the gateway POST request (form or JSON body, token header)."""
    url = str(_get_setting(config, "WHATSAPP_URL"))
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("WHATSAPP_URL must be an http(s) URL")
    try:
        extra = json.loads(_get_setting(config, "WHATSAPP_EXTRA", "{}"))
    except (TypeError, ValueError) as exc:
        raise DeliveryError(f"WHATSAPP_EXTRA is not valid JSON: {exc}") from exc
    if not isinstance(extra, dict):
        raise DeliveryError("WHATSAPP_EXTRA must be a JSON object")
    target = format_number(message.to, str(_get_setting(config, "WHATSAPP_NUMBER_FORMAT", "62")))
    fields = {**extra,
              _get_setting(config, "WHATSAPP_TARGET_FIELD", "target"): target,
              _get_setting(config, "WHATSAPP_MESSAGE_FIELD", "message"): message.body}
    body_format = str(_get_setting(config, "WHATSAPP_FORMAT", "form")).lower()
    if body_format == "json":
        data, content_type = json.dumps(fields).encode(), "application/json"
    elif body_format == "form":
        data, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    else:
        raise DeliveryError(f"WHATSAPP_FORMAT must be form or json, got {body_format!r}")
    headers = {"Content-Type": content_type}
    token = str(_get_setting(config, "WHATSAPP_TOKEN", ""))
    if token:
        header = str(_get_setting(config, "WHATSAPP_AUTH_HEADER", "Authorization"))
        headers[header] = f"{_get_setting(config, 'WHATSAPP_AUTH_SCHEME', '')} {token}".strip()
    return urllib.request.Request(url, data=data, headers=headers, method="POST")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects so the token header is never forwarded to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Return None, so urllib raises HTTPError for every 3xx answer."""
        return


def _post(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    """POST without following redirects; return the HTTP status and a body excerpt."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(200)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(200)
    except (OSError, http.client.HTTPException) as exc:  # URLError and timeouts are OSError
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"WhatsApp gateway unreachable: {type(exc).__name__}: {reason}") from exc


def send_whatsapp(config: Mapping[str, Any], message: Message) -> str:
    """Post a WhatsApp message to the configured HTTP gateway."""
    request = build_whatsapp_request(config, message)
    status, excerpt = _post(request, _get_number(config, "WHATSAPP_TIMEOUT", 10))
    if not 200 <= status < 300:
        text = excerpt.decode("utf-8", "replace").strip()
        token = str(_get_setting(config, "WHATSAPP_TOKEN", ""))
        if token:
            text = text.replace(token, "***")
        raise DeliveryError(f"WhatsApp gateway answered HTTP {status}: {text[:200]!r}")
    return f"whatsapp:{status}"


def _make_outbox_name(suffix: str) -> str:
    """Return a sortable unique file name: UTC timestamp plus a short random part."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{secrets.token_hex(4)}{suffix}"


def _render_outbox(config: Mapping[str, Any], message: Message) -> tuple[bytes, str]:
    """Return the file content and suffix for an undelivered message."""
    if message.channel == "email":
        return build_email(config, message).as_bytes(), ".eml"
    return f"To: {message.to}\n\n{message.body}\n".encode(), ".txt"


def write_outbox(config: Mapping[str, Any], message: Message, outbox_dir: Path) -> Path:
    """Write the message to `outbox_dir` (mode 0600) and log where it went."""
    data, suffix = _render_outbox(config, message)
    path = outbox_dir / _make_outbox_name(suffix)
    try:
        outbox_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise DeliveryError(f"cannot write outbox file {path}: {exc}") from exc
    label = "e-mail" if message.channel == "email" else "WhatsApp"
    log.warning("Tidak ada kanal %s; pesan disimpan di %s", label, path)
    return path
