"""Stand-ins for the services around Loket, on loopback: an SMTP server that keeps what it receives, a
WhatsApp gateway that records requests and answers as told, and a numbers gateway (an office's link to OSS)
that gives one number per idempotency key."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a loopback port that nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Collector:
    """aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        """Keep the envelope and accept it."""
        self.envelopes.append(envelope)
        return "250 OK"


def start_smtp(**smtp_kwargs) -> tuple[Controller, Collector]:
    """A local SMTP server on a free loopback port, keeping what it receives."""
    handler = Collector()
    controller = Controller(handler, hostname=LOOPBACK, port=free_port(), **smtp_kwargs)
    controller.start()
    return controller, handler


class Gateway:
    """Fake WhatsApp gateway: records requests, answers with `status` after `delay` s."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append({"method": self.command, "path": self.path,
                                         "headers": dict(self.headers), "body": body})
                time.sleep(gateway.delay)
                # Like a careless real gateway, echo the credentials in the error body.
                reply = json.dumps({"status": gateway.status < 300,
                                    "detail": f"token {self.headers.get('Authorization')} rejected"}).encode()
                self.send_response(gateway.status)
                if 300 <= gateway.status < 400:
                    self.send_header("Location", f"http://{LOOPBACK}:{free_port()}/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}/api/send"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)


class NumbersGateway:
    """Fake numbers gateway: one number per idempotency key (asked again, it answers the same), every request
    recorded; answers `status` (and no number) when told to fail."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.numbers: dict[str, str] = {}
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                question = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                gateway.requests.append({"headers": dict(self.headers), "question": question})
                reply = {"error": "unavailable"} if gateway.status >= 300 else {"number": gateway.number_for(question)}
                body = json.dumps(reply).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}/oss/nomor"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def number_for(self, question: dict) -> str:
        """The number of a key: a 13-digit owner number, or an OSS-like document number after the owner's."""
        key = question["key"]
        if key not in self.numbers:
            serial = len(self.numbers) + 1
            self.numbers[key] = (f"91200000{serial:05d}" if key.startswith("owner:") else
                                 f"{question['owner_numbers'].get('nib', '0')}{serial:04d}")
        return self.numbers[key]
