"""Webhooks: every status change of a submission or an issued document, POSTed as signed JSON to the
addresses an admin registered.

Nothing is sent in the request that changed a status: the change is queued in the database (one
WebhookDelivery per active hook, holding the exact body), and a worker sends it — the background
thread of `python server.py`, or `flask --app server webhook-run` (e.g. from cron when several
server processes run). A worker claims a delivery with one atomic update and a lease, so two
workers never send it at the same time, and a worker that dies mid-send loses the lease and the
delivery is tried again. A failure (no answer, or a status outside 2xx; redirects are not followed)
is retried after WEBHOOK_RETRY_SECONDS × 2^(attempt-1), at most six hours apart, until
WEBHOOK_MAX_ATTEMPTS; every attempt is logged with its status code or error.

Each request carries `X-Loket-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the
hook's secret>`, `X-Loket-Event` and `X-Loket-Delivery` (the same id on every retry, to ignore
duplicates). The body names the event, its time and the subject; it holds no personal data.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta

from flask import Flask, current_app

from forms.casework.events import StatusChange, status_changed
from forms.errors import FormsError
from forms.store import DELIVERY_DELIVERED as DELIVERED
from forms.store import DELIVERY_FAILED as FAILED
from forms.store import DELIVERY_PENDING as PENDING
from forms.store import (
    StoreError,
    Webhook,
    WebhookDelivery,
    add_webhook,
    all_webhooks,
    claim_due_delivery,
    delete_webhook,
    find_webhook,
    forget_finished_deliveries,
    newest_deliveries,
    queue_delivery,
    queue_for_active_hooks,
    record_attempt,
    requeue_delivery,
    set_webhook_active,
    set_webhook_secret,
    utcnow,
)

log = logging.getLogger("loket.webhooks")

SIGNATURE_HEADER = "X-Loket-Signature"
LEASE = timedelta(minutes=2)
MAX_DELAY = timedelta(hours=6)
KEEP_FOR = timedelta(days=30)
MAX_URL = 500


class WebhookError(FormsError):
    """A webhook could not be registered or changed; the message says why."""

    status = 422
    title = "Webhook"


def init_webhooks(app: Flask) -> None:
    """Queue a delivery for every status change (the signal is process-wide; connecting twice is harmless)."""
    status_changed.connect(queue_change)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def add_hook(url: str, description: str, actor: str) -> tuple[Webhook, str]:
    """Register an address; returns the hook and its new secret (shown to the admin once)."""
    url = check_url(url)
    secret = secrets.token_hex(32)
    hook = add_webhook(url, " ".join((description or "").split())[:200], secret, actor)
    return hook, secret


def check_url(url: str) -> str:
    """An http(s) address with a host, or WebhookError."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"Alamat harus URL http:// atau https:// yang lengkap (paling banyak {MAX_URL} karakter).")
    return url


def find_hook(hook_id: str) -> Webhook | None:
    """A hook by id, or None."""
    return find_webhook(hook_id)


def rotate_secret(hook: Webhook) -> str:
    """Give a hook a new secret (deliveries queued before are signed with it when sent)."""
    secret = secrets.token_hex(32)
    set_webhook_secret(hook.id, secret)
    return secret


def set_active(hook: Webhook, active: bool) -> None:
    """Pause or resume a hook; a paused hook gets nothing queued."""
    set_webhook_active(hook.id, active)


def delete_hook(hook: Webhook) -> None:
    """Remove a hook and its deliveries."""
    delete_webhook(hook)


def hooks() -> list[Webhook]:
    """Every registered hook, oldest first."""
    return all_webhooks()


def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    """The newest deliveries, for the admin page."""
    return newest_deliveries(limit)


def event_body(event: str, data: dict, at: datetime) -> str:
    """The JSON body of an event (compact, keys sorted, so the signed bytes are well defined)."""
    payload = {"id": uuid.uuid4().hex, "event": event, "occurred_at": at.isoformat(timespec="seconds") + "Z",
               "data": data}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def change_data(change: StatusChange) -> dict:
    """What an event says about a status change."""
    return {"type": change.subject, "id": change.id, "number": change.number, "kind": change.kind,
            "from": change.old, "to": change.new, "action": change.action, "code": change.code}


def queue_change(_sender, change: StatusChange) -> None:
    """Signal receiver: queue the change for every active hook; a store failure is logged, never raised."""
    event = f"{change.subject}.status_changed"
    try:
        queue_for_active_hooks(event, lambda: event_body(event, change_data(change), change.at), key=change.key)
    except StoreError:
        log.exception("webhook deliveries for %s %s could not be queued", change.subject, change.number or change.id)


def queue_ping(hook: Webhook) -> WebhookDelivery:
    """Queue a test event to one hook."""
    body = event_body("ping", {"message": "Uji webhook Loket"}, utcnow())
    return queue_delivery(hook.id, "ping", body)


def retry(delivery_id: str) -> bool:
    """Send a delivery again now, with a fresh round of attempts; False if it is unknown or being sent."""
    return requeue_delivery(delivery_id, utcnow())


def deliver_due(now: datetime | None = None, limit: int = 100) -> list[WebhookDelivery]:
    """Send every delivery that is due (up to `limit`); returns them as they ended up."""
    done = []
    for _ in range(limit):
        delivery = claim_due_delivery(now or utcnow(), LEASE)
        if delivery is None:
            break
        done.append(send(delivery, now))
    prune(now or utcnow())
    return done


def send(delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """POST one delivery and record the attempt: delivered, retried later, or failed for good."""
    hook = find_webhook(delivery.hook_id)
    if hook is None or not hook.active:
        return finish(delivery, {"at": now or utcnow(), "code": None, "error": "webhook dihapus atau nonaktif",
                                 "ms": 0}, final=True)
    code, error, elapsed = post(hook, delivery)
    attempt = {"at": now or utcnow(), "code": code, "error": error, "ms": elapsed}
    return finish(delivery, attempt, delivered=code is not None and 200 <= code < 300)


def post(hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """Send the body once: (status code or None, error text, milliseconds)."""
    body = delivery.body.encode()
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Loket-Webhook/1",
        SIGNATURE_HEADER: sign(hook.secret, body), "X-Loket-Event": delivery.event,
        "X-Loket-Delivery": str(delivery.id)})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirects())
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
            response.read(65536)
            code, error = response.status, ""
    except urllib.error.HTTPError as refusal:
        code, error = refusal.code, f"HTTP {refusal.code}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as failure:
        code, error = None, str(getattr(failure, "reason", failure))[:300]
    return code, error, round((time.perf_counter() - started) * 1000)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer outside 2xx, not an address to follow (it could point anywhere)."""

    def redirect_request(self, *args, **kwargs):
        return None


def finish(delivery: WebhookDelivery, attempt: dict, delivered: bool = False, final: bool = False) -> WebhookDelivery:
    """Record an attempt and the delivery's next state."""
    attempts = delivery.attempts + 1
    if delivered:
        return record_attempt(delivery, attempt, DELIVERED, delivered_at=attempt["at"])
    if final or attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        return record_attempt(delivery, attempt, FAILED)
    return record_attempt(delivery, attempt, PENDING, next_attempt_at=attempt["at"] + backoff(attempts))


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: base × 2^(n-1), at most six hours."""
    seconds = current_app.config["WEBHOOK_RETRY_SECONDS"] * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def prune(now: datetime) -> None:
    """Forget finished deliveries older than 30 days."""
    forget_finished_deliveries(now - KEEP_FOR)
