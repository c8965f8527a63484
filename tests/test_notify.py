"""Tests for forms.outreach.notify against a real local SMTP server and a fake WhatsApp gateway."""
from __future__ import annotations

import email
import email.policy
import json
import logging
import stat
import urllib.parse
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from forms.outreach.notify import (
    DeliveryError,
    Message,
    configured_channels,
    format_number,
    send,
)
from tests.fakes import LOOPBACK, Gateway, free_port, start_smtp

SUBJECT = "Kode verifikasi Anda"
BODY = ("Selamat pagi, Bapak/Ibu.\nKode verifikasi Anda: 482913.\n"
        "Jangan berikan kode ini kepada siapa pun — terima kasih.")
TOKEN = "s3cr3t-t0ken-XYZ"
NUMBER = "+628123456789"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep loopback requests away from any proxy configured in the environment."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


# --- SMTP -------------------------------------------------------------------------------


USERS = {b"loket": b"benar-sekali"}


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and USERS.get(auth_data.login) == auth_data.password
    return AuthResult(success=ok, handled=False)  # handled=False: server answers 535


AUTH_WITHOUT_TLS = "ignore:Requiring AUTH while not requiring TLS:UserWarning"


@pytest.fixture
def smtp_auth_server():
    controller, handler = start_smtp(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    yield controller, handler
    controller.stop()


def smtp_config(controller: Controller, **extra) -> dict:
    return {"SMTP_HOST": LOOPBACK, "SMTP_PORT": controller.port, "SMTP_TIMEOUT": 5, **extra}


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def plain_text(message: email.message.EmailMessage) -> str:
    """Return the text/plain body with the SMTP wire CRLFs and final newline removed."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n")


def test_smtp_delivers_utf8_message(smtp_server, tmp_path: Path) -> None:
    controller, handler = smtp_server
    config = smtp_config(controller, MAIL_FROM="Kantor Kecamatan <loket@kecamatan.example>")
    note = send(config, Message("email", "warga@example.org", SUBJECT, BODY), tmp_path)
    assert note == f"smtp:{LOOPBACK}:{controller.port}"
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["warga@example.org"]
    assert envelope.mail_from == "loket@kecamatan.example"
    received = parse(envelope.content)
    assert received["To"] == "warga@example.org"
    assert received["Subject"] == SUBJECT
    assert received["Message-ID"].endswith("@kecamatan.example>")
    assert received["Date"]
    assert plain_text(received) == BODY


def test_smtp_sends_html_alternative(smtp_server, tmp_path: Path) -> None:
    controller, handler = smtp_server
    html = "<p>Kode verifikasi Anda: <b>482913</b> — terima kasih</p>"
    send(smtp_config(controller), Message("email", "warga@example.org", SUBJECT, BODY, html=html), tmp_path)
    received = parse(handler.envelopes[0].content)
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("html",)).get_content().strip() == html
    assert plain_text(received) == BODY
    assert received["From"] == "Loket <noreply@localhost>"


@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
def test_smtp_login_accepted(smtp_auth_server, tmp_path: Path) -> None:
    controller, handler = smtp_auth_server
    config = smtp_config(controller, SMTP_USER="loket", SMTP_PASSWORD="benar-sekali")
    send(config, Message("email", "warga@example.org", SUBJECT, BODY), tmp_path)
    assert len(handler.envelopes) == 1


@pytest.mark.filterwarnings(AUTH_WITHOUT_TLS)
@pytest.mark.parametrize("credentials", [{"SMTP_USER": "loket", "SMTP_PASSWORD": "salah-total"}, {}],
                         ids=["wrong-password", "no-login"])
def test_smtp_login_refused(smtp_auth_server, credentials: dict, tmp_path: Path) -> None:
    controller, handler = smtp_auth_server
    config = smtp_config(controller, **credentials)
    with pytest.raises(DeliveryError) as info:
        send(config, Message("email", "w@example.org", SUBJECT, BODY), tmp_path)
    assert "salah-total" not in str(info.value)
    assert handler.envelopes == []


@pytest.mark.parametrize("security", ["starttls", "ssl", "bogus"])
def test_smtp_security_mismatch_is_delivery_error(smtp_server, security: str, tmp_path: Path) -> None:
    controller, handler = smtp_server
    config = smtp_config(controller, SMTP_SECURITY=security)
    with pytest.raises(DeliveryError):
        send(config, Message("email", "w@example.org", SUBJECT, BODY), tmp_path)
    assert handler.envelopes == []


def test_smtp_unreachable_is_delivery_error(tmp_path: Path) -> None:
    config = {"SMTP_HOST": LOOPBACK, "SMTP_PORT": free_port(), "SMTP_TIMEOUT": 2}
    with pytest.raises(DeliveryError, match="SMTP"):
        send(config, Message("email", "w@example.org", SUBJECT, BODY), tmp_path)


# --- WhatsApp gateway -------------------------------------------------------------------


def wa_config(gateway: Gateway, **extra) -> dict:
    return {"WHATSAPP_URL": gateway.url, "WHATSAPP_TOKEN": TOKEN, "WHATSAPP_TIMEOUT": 5, **extra}


def wa_message(to: str = NUMBER) -> Message:
    return Message("whatsapp", to, SUBJECT, BODY)


def test_whatsapp_form_defaults(gateway: Gateway, tmp_path: Path) -> None:
    note = send(wa_config(gateway, WHATSAPP_EXTRA='{"countryCode": "62"}'), wa_message(), tmp_path)
    assert note == "whatsapp:200"
    [request] = gateway.requests
    assert (request["method"], request["path"]) == ("POST", "/api/send")
    assert request["headers"]["Authorization"] == TOKEN
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    fields = urllib.parse.parse_qs(request["body"].decode(), strict_parsing=True)
    assert fields == {"target": ["628123456789"], "message": [BODY], "countryCode": ["62"]}
    assert not (tmp_path / "outbox").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("header, scheme, expected", [
    ("Authorization", "Bearer", f"Bearer {TOKEN}"),
    ("X-Api-Key", "", TOKEN),
])
def test_whatsapp_json_with_custom_fields(gateway: Gateway, header: str, scheme: str, expected: str,
                                          tmp_path: Path) -> None:
    config = wa_config(gateway, WHATSAPP_FORMAT="json", WHATSAPP_AUTH_HEADER=header,
                       WHATSAPP_AUTH_SCHEME=scheme, WHATSAPP_TARGET_FIELD="phone", WHATSAPP_MESSAGE_FIELD="text")
    assert send(config, wa_message(), tmp_path) == "whatsapp:200"
    [request] = gateway.requests
    assert request["headers"][header] == expected
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"phone": "628123456789", "text": BODY}


@pytest.mark.parametrize("number", [NUMBER, "08123456789", "+62 812-3456-789"])
@pytest.mark.parametrize("style, expected", [("62", "628123456789"), ("+62", "+628123456789"),
                                             ("0", "08123456789")])
def test_whatsapp_number_formats(gateway: Gateway, number: str, style: str, expected: str,
                                 tmp_path: Path) -> None:
    send(wa_config(gateway, WHATSAPP_NUMBER_FORMAT=style), wa_message(number), tmp_path)
    fields = urllib.parse.parse_qs(gateway.requests[0]["body"].decode())
    assert fields["target"] == [expected]


@pytest.mark.parametrize("number, style", [("+31201234567", "0"), ("12", "62"), (NUMBER, "00")])
def test_format_number_rejects(number: str, style: str) -> None:
    with pytest.raises(DeliveryError):
        format_number(number, style)


@pytest.mark.parametrize("status", [500, 401, 404, 302])
def test_whatsapp_error_status(gateway: Gateway, status: int, caplog: pytest.LogCaptureFixture,
                               tmp_path: Path) -> None:
    gateway.status = status
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as info:
        send(wa_config(gateway), wa_message(), tmp_path)
    assert str(status) in str(info.value)
    assert "rejected" in str(info.value)  # a body excerpt is included ...
    assert TOKEN not in str(info.value)  # ... but never the token
    assert TOKEN not in caplog.text
    assert len(gateway.requests) == 1  # redirects are not followed


def test_whatsapp_unreachable(tmp_path: Path) -> None:
    config = {"WHATSAPP_URL": f"http://{LOOPBACK}:{free_port()}/send", "WHATSAPP_TOKEN": TOKEN}
    with pytest.raises(DeliveryError, match="unreachable") as info:
        send(config, wa_message(), tmp_path)
    assert TOKEN not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_whatsapp_timeout(gateway: Gateway, tmp_path: Path) -> None:
    gateway.delay = 0.6
    with pytest.raises(DeliveryError, match="unreachable"):
        send(wa_config(gateway, WHATSAPP_TIMEOUT=0.2), wa_message(), tmp_path)


@pytest.mark.parametrize("extra", [{"WHATSAPP_FORMAT": "xml"}, {"WHATSAPP_EXTRA": "[1]"},
                                   {"WHATSAPP_EXTRA": "{oops"}, {"WHATSAPP_URL": "file:///etc/passwd"}])
def test_whatsapp_bad_config(gateway: Gateway, extra: dict, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError):
        send(wa_config(gateway, **extra), wa_message(), tmp_path)
    assert gateway.requests == []


# --- channels and outbox ----------------------------------------------------------------


@pytest.mark.parametrize("config, expected", [
    ({}, set()),
    ({"SMTP_HOST": "", "WHATSAPP_URL": None}, set()),
    ({"SMTP_HOST": "mail.example"}, {"email"}),
    ({"WHATSAPP_URL": "https://api.fonnte.example/send"}, {"whatsapp"}),
    ({"SMTP_HOST": "mail.example", "WHATSAPP_URL": "https://gw.example"}, {"email", "whatsapp"}),
])
def test_configured_channels(config: dict, expected: set) -> None:
    assert configured_channels(config) == expected


def test_unknown_channel_rejected() -> None:
    with pytest.raises(ValueError):
        Message("sms", NUMBER, SUBJECT, BODY)


def outbox_file(note: str, outbox: Path, suffix: str) -> Path:
    assert note.startswith("outbox:")
    path = Path(note.removeprefix("outbox:"))
    assert path.parent == outbox and path.suffix == suffix and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path


def assert_warned(caplog: pytest.LogCaptureFixture, label: str, path: Path) -> None:
    [record] = [r for r in caplog.records if r.name == "loket.notify"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Tidak ada kanal {label}; pesan disimpan di {path}"
    assert "482913" not in caplog.text  # the verification code stays out of the log


def test_outbox_email(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="loket.notify")
    outbox = tmp_path / "outbox"
    note = send({"WHATSAPP_URL": "http://127.0.0.1:9/unused"},
                Message("email", "warga@example.org", SUBJECT, BODY), outbox)
    path = outbox_file(note, outbox, ".eml")
    saved = parse(path.read_bytes())
    assert saved["To"] == "warga@example.org" and saved["Subject"] == SUBJECT
    assert saved["Message-ID"] and saved["Date"] and saved["From"] == "Loket <noreply@localhost>"
    assert plain_text(saved) == BODY
    assert_warned(caplog, "e-mail", path)


def test_outbox_whatsapp(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="loket.notify")
    outbox = tmp_path / "outbox"
    note = send({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 9}, wa_message(), outbox)
    path = outbox_file(note, outbox, ".txt")
    header, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    assert header == f"To: {NUMBER}"
    assert text.rstrip("\n") == BODY
    assert_warned(caplog, "WhatsApp", path)


def test_outbox_names_sortable_and_unique(tmp_path: Path) -> None:
    notes = [send({}, Message("email", f"w{i}@example.org", SUBJECT, BODY), tmp_path) for i in range(5)]
    paths = [Path(note.removeprefix("outbox:")) for note in notes]
    assert len(set(paths)) == 5
    assert sorted(paths) == paths
    assert [parse(p.read_bytes())["To"] for p in paths] == [f"w{i}@example.org" for i in range(5)]


def test_outbox_unwritable_is_delivery_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DeliveryError):
        send({}, wa_message(), blocker / "outbox")
