"""Operations on webhooks and their delivery queue: registering hooks, queueing events, and the
claim–send–record cycle of a worker.

A worker takes a delivery with one atomic update that sets a lease; it records the attempt only
while its claim token still holds the delivery, so two workers never send or record the same attempt.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import mongoengine as me
from pymongo import ReturnDocument

from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import Webhook, WebhookDelivery

# A delivery's states (the words are stored, and shown on the admin page).
DELIVERY_PENDING, DELIVERY_SENDING, DELIVERY_DELIVERED, DELIVERY_FAILED = "menunggu", "mengirim", "terkirim", "gagal"


@translate_errors
def add_webhook(url: str, description: str, secret: str, created_by: str) -> Webhook:
    """Store a new hook."""
    return Webhook(url=url, description=description, secret=secret, created_by=created_by).save()


@translate_errors
def find_webhook(hook_id: Any) -> Webhook | None:
    """A hook by id, or None for an unknown or malformed id."""
    wanted = parse_id(hook_id)
    return Webhook.objects(id=wanted).first() if wanted is not None else None


@translate_errors
def set_webhook_secret(hook_id: Any, secret: str) -> None:
    """Replace a hook's secret."""
    Webhook.objects(id=hook_id).update_one(set__secret=secret)


@translate_errors
def set_webhook_active(hook_id: Any, active: bool) -> None:
    """Pause or resume a hook."""
    Webhook.objects(id=hook_id).update_one(set__active=active)


@translate_errors
def delete_webhook(hook: Webhook) -> None:
    """Delete a hook and every delivery queued or logged for it."""
    WebhookDelivery.objects(hook_id=hook.id).delete()
    hook.delete()


@translate_errors
def all_webhooks() -> list[Webhook]:
    """Every registered hook, oldest first."""
    return list(Webhook.objects.order_by("created_at"))


@translate_errors
def newest_deliveries(limit: int) -> list[WebhookDelivery]:
    """The `limit` newest deliveries, newest first."""
    return list(WebhookDelivery.objects.order_by("-created_at").limit(limit))


@translate_errors
def queue_for_active_hooks(event: str, body: Callable[[], str], key: str | None = None) -> int:
    """Queue one delivery of an event per active hook (one body, built only if there is any); how many.

    With a `key` (the change it announces) each hook gets it once, however often a job announces it.
    """
    active = list(Webhook.objects(active=True).only("id"))
    if active:
        text = body()
        for hook in active:
            try:
                WebhookDelivery(hook_id=hook.id, event=event, body=text, event_key=key).save(force_insert=True)
            except me.NotUniqueError:
                continue
    return len(active)


@translate_errors
def queue_delivery(hook_id: Any, event: str, body: str) -> WebhookDelivery:
    """Queue one delivery to one hook, due now."""
    return WebhookDelivery(hook_id=hook_id, event=event, body=body).save()


@translate_errors
def requeue_delivery(delivery_id: str, now: datetime) -> bool:
    """Make a delivery due now with a fresh round of attempts; False if unknown, malformed or being sent."""
    wanted = parse_id(delivery_id)
    return wanted is not None and bool(WebhookDelivery.objects(id=wanted, status__in=[DELIVERY_PENDING, DELIVERY_FAILED, DELIVERY_DELIVERED])
                                       .update_one(set__status=DELIVERY_PENDING, set__next_attempt_at=now, set__attempts=0))


@translate_errors
def claim_due_delivery(now: datetime, lease: timedelta) -> WebhookDelivery | None:
    """Take the oldest due delivery (or one whose sender's lease ran out) for `lease`, under a fresh claim token.

    Two claims, each answered by an index, rather than one `$or` that no index serves: first the
    pending ones that are due, then the abandoned ones. The token says who holds the delivery now.
    """
    change = {"$set": {"status": DELIVERY_SENDING, "lease_until": now + lease, "claimed_by": uuid.uuid4().hex}}
    for due, sort in (({"status": DELIVERY_PENDING, "next_attempt_at": {"$lte": now}}, [("next_attempt_at", 1)]),
                      ({"status": DELIVERY_SENDING, "lease_until": {"$lte": now}}, [("lease_until", 1)])):
        raw = WebhookDelivery._get_collection().find_one_and_update(due, change, sort=sort,
                                                                    return_document=ReturnDocument.AFTER)
        if raw:
            return WebhookDelivery._from_son(raw)
    return None


@translate_errors
def record_attempt(delivery: WebhookDelivery, attempt: dict, status: str, next_attempt_at: datetime | None = None,
                   delivered_at: datetime | None = None) -> WebhookDelivery:
    """Log an attempt of a claimed delivery and give it its next status, only while this claim still holds it.

    A sender whose lease ran out (another took the delivery over) records nothing; the delivery re-read.
    """
    changes: dict[str, Any] = {"attempts": delivery.attempts + 1, "lease_until": None, "status": status,
                               "claimed_by": None}
    if next_attempt_at is not None:
        changes["next_attempt_at"] = next_attempt_at
    if delivered_at is not None:
        changes["delivered_at"] = delivered_at
    WebhookDelivery._get_collection().update_one(
        {"_id": delivery.id, "status": DELIVERY_SENDING, "claimed_by": delivery.claimed_by},
        {"$set": changes, "$push": {"log": attempt}})
    delivery.reload()
    return delivery


@translate_errors
def forget_finished_deliveries(before: datetime) -> None:
    """Delete delivered and failed deliveries created before `before`."""
    WebhookDelivery.objects(status__in=[DELIVERY_DELIVERED, DELIVERY_FAILED], created_at__lt=before).delete()
