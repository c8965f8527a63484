"""Obligations a holder must meet after issue (e.g. a hygiene certificate within twelve months): listed on the
applicant's home with their due dates, and reminded over the applicant's channel before they lapse.

The deadline watcher looks at recently issued documents and queues one reminder job per (document, obligation,
due date); the job's key makes it once only, so a watcher that runs again, or two workers, never remind twice.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app

from forms.casework.queue import queue_job
from forms.casework.transitions import obligations
from forms.catalog.runtime import office_clock
from forms.engine.text import gettext
from forms.errors import FormsError
from forms.outreach.messages import deliver
from forms.outreach.notify import DeliveryError
from forms.store import (
    Job,
    documents_issued_since,
    documents_of_owner,
    find_document,
    holder_of,
    utcnow,
)

REMINDER_JOB = "obligation-reminder"
REMINDER_MESSAGE = "kewajiban_jatuh_tempo"


class ReminderNotDelivered(FormsError):
    """The applicant's channel failed: the reminder job tries again later."""


def owner_obligations(owner: str, today: date) -> list[dict[str, Any]]:
    """Every obligation of an owner's documents with its due date and days left, soonest first (for the home)."""
    due = [{**item, "number": document.number, "key": document.key, "days_left": (item["due"] - today).days}
           for document in documents_of_owner(owner) for item in obligations(document) if item.get("due")]
    return sorted(due, key=lambda item: item["due"])


def queue_reminders(now: datetime | None = None) -> list[str]:
    """Queue a reminder for every obligation due within the reminder window (once per document, obligation and
    due date); the keys queued now."""
    now = now or utcnow()
    today = office_clock().local(now).date()
    window = timedelta(days=current_app.config["OBLIGATION_REMINDER_DAYS"])
    lookback = now - timedelta(days=current_app.config["OBLIGATION_LOOKBACK_DAYS"])
    queued = []
    for document in documents_issued_since(lookback):
        for item in obligations(document):
            if item.get("due") and today <= item["due"] <= today + window:
                key = f"{REMINDER_JOB}:{document.id}:{item['kode']}:{item['due'].isoformat()}"
                queue_job(REMINDER_JOB, f"document:{document.id}", key)
                queued.append(key)
    return queued


def run_reminder(job: Job) -> None:
    """The reminder job: tell the holder over their channel which obligation is due when (ReminderNotDelivered
    when the channel fails, so that the job is retried)."""
    _kind, document_id, code, due = job.key.split(":")
    document = find_document(document_id)
    item = next((entry for entry in obligations(document) if entry["kode"] == code), None) if document else None
    account = holder_of(document.owner) if document else None
    if item is None or account is None:
        return
    channel, target = channel_of(account)
    if not target:
        return
    values = {"nama": account.name, "nomor": document.number, "kewajiban": item["nama"],
              "tenggat": date.fromisoformat(due).strftime("%d-%m-%Y")}
    try:
        deliver(REMINDER_MESSAGE, channel, target, **values)
    except DeliveryError as error:
        raise ReminderNotDelivered(gettext("Pengingat kewajiban belum terkirim.")) from error


def channel_of(account) -> tuple[str, str | None]:
    """The applicant's chosen channel and address (the one they registered with), else e-mail, else WhatsApp."""
    chosen = (account.profile or {}).get("kanal")
    if chosen == "whatsapp" and account.phone:
        return "whatsapp", account.phone
    if account.email:
        return "email", account.email
    return "whatsapp", account.phone

