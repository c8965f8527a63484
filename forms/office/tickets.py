"""Tickets: a submitted form that officers answer and the reporter follows by number and access code.

A ticket is the submission itself; its statuses and allowed moves come from schemas/tickets.json and
every change goes through `store.change_status` (conditional on status and version). A reply is the
note of a history entry, so the officer's page, the reporter's page and the status page read one
history. Ticket numbers are sequential (the form's number_pattern) and so guessable: following a
ticket also needs a random access code, shown once when the ticket is sent and kept only as a hash.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash

from forms import store
from forms.engine.schema import Form
from forms.engine.text import clean_text, gettext, text_problem, tr
from forms.errors import FormsError
from forms.office.publicinfo import TicketSettings, public_info
from forms.outreach.messages import deliver
from forms.web.templating import current_language

CODE_HASH = "kode_akses_sha256"  # key in the submission's derived values
LANGUAGE = "bahasa"  # the reporter's page language when sending, for the reply message
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
REPLY = "jawab"
MOVE = "ubah_status"
MAX_REPLY = 3000


class TicketError(FormsError):
    """An officer's action on a ticket is not allowed (wrong status move, nothing to do)."""

    status = 422
    title = "Pengaduan"


@dataclass
class Reply:
    """One answer as the reporter reads it."""

    at: datetime
    status: str
    text: str
    actor: str = ""


def settings() -> TicketSettings:
    """The ticket settings of the running app."""
    return public_info().tickets


def new_access_code(length: int) -> str:
    """A random code from an unambiguous alphabet, grouped by four: 'K7QM-4XPA'."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(code[i:i + 4] for i in range(0, length, 4))


def hash_code(code: str) -> str:
    """What is stored of an access code: SHA-256 of its letters and digits, upper case."""
    return hashlib.sha256(re.sub(r"[^A-Z0-9]", "", code.upper()).encode()).hexdigest()


def open_ticket(form: Form, submission: store.Submission, answers: Mapping[str, Any]) -> dict:
    """Give the ticket an access code: its hash is stored, the code itself is shown once (flash)."""
    code = new_access_code(settings().code_length)
    flash(gettext("Kode akses pengaduan Anda: %(code)s. Catat kode ini bersama nomor pengaduan di bawah; "
                  "keduanya diperlukan untuk mengikuti jawaban, dan kode ini hanya ditampilkan sekali.", code=code),
          "secret")
    return {"derived": {**submission.derived, CODE_HASH: hash_code(code), LANGUAGE: current_language()}}


def is_ticket(submission: store.Submission | None) -> bool:
    """Whether a submission is a sent ticket."""
    return (submission is not None and submission.form_id == settings().form
            and submission.status not in (store.DRAFT, store.SUBMITTING))


def find_ticket(number: str, code: str) -> store.Submission | None:
    """The ticket with this number, only if the access code matches."""
    submission = store.find_submission_by_number(settings().form, number.strip().upper())
    stored = submission.derived.get(CODE_HASH) if submission is not None else None
    if not stored or not hmac.compare_digest(stored, hash_code(code)):
        return None
    return submission


def ticket_by_id(ticket_id: str) -> store.Submission | None:
    """A sent ticket by id, or None."""
    submission = store.find_submission(ticket_id)
    return submission if is_ticket(submission) else None


def queue(status: str) -> list[store.Submission]:
    """Tickets in a status, oldest first (first come, first answered)."""
    return store.submissions_in_status(settings().form, status)


def counts() -> dict[str, int]:
    """How many tickets each status holds."""
    return {status.name: store.count_in_status(settings().form, status.name) for status in settings().statuses}


def answers_of(ticket: store.Submission) -> dict[str, Any]:
    """The ticket's answers as one flat mapping (field names are unique in a form)."""
    return {name: value for step in ticket.answers.values() for name, value in step.items()}


def contact_of(ticket: store.Submission) -> tuple[str, str] | None:
    """(channel, address) where the reporter wants answers, or None for an anonymous ticket."""
    config, answers = settings(), answers_of(ticket)
    channel = answers.get(config.channel_field)
    field = config.addresses.get(channel or "")
    address = answers.get(field) if field else None
    return (channel, address) if address else None


def next_statuses(status: str) -> tuple[str, ...]:
    """Statuses an officer may choose from this one (the same status = reply without moving)."""
    return settings().transitions.get(status, ())


def answer(ticket: store.Submission, actor: str, reply: str, new_status: str) -> store.Submission:
    """Record a reply and/or a status move in one conditional change; TicketError if not allowed."""
    problem = text_problem(reply)
    if problem:
        raise TicketError(problem)
    reply = clean_text(reply)
    if len(reply) > MAX_REPLY:
        raise TicketError(gettext("Jawaban paling banyak %(limit)d karakter.", limit=MAX_REPLY))
    if new_status not in next_statuses(ticket.status):
        raise TicketError(gettext("Status pengaduan ini tidak dapat diubah menjadi \u201c%(status)s\u201d.",
                                  status=tr(settings().label(new_status), current_language())))
    if not reply and new_status == ticket.status:
        raise TicketError(gettext("Tulis jawaban atau pilih status baru."))
    return store.change_status(ticket, ticket.status, new_status, actor, REPLY if reply else MOVE, note=reply)


def notify_reporter(ticket: store.Submission, reply: str, link: str) -> str | None:
    """Send a reply to the reporter's channel; the channel used, or None when the ticket is anonymous.

    Raises DeliveryError when the channel fails; the reply stays recorded either way.
    """
    contact = contact_of(ticket)
    if contact is None:
        return None
    channel, address = contact
    lang = ticket.derived.get(LANGUAGE, "id")
    deliver(settings().reply_message, channel, address, lang, nomor=ticket.number, jawaban=reply,
            status=tr(settings().label(ticket.status), lang), tautan=link)
    return channel


def replies(ticket: store.Submission) -> list[Reply]:
    """Replies and status moves after sending, oldest first (pages for the public leave out `actor`)."""
    return [Reply(at=entry["at"], status=entry["to"], text=entry.get("note") or "", actor=entry.get("actor", ""))
            for entry in ticket.history if entry.get("action") in (REPLY, MOVE)]
