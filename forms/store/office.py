"""Queries of the office's public-service forms: survey responses and complaint tickets.

Both are submissions of one configured form (forms.office decides which); a submission counts as
sent once it left the draft and submitting states.
"""
from __future__ import annotations

from datetime import datetime

from forms.store.errors import translate_errors
from forms.store.models import DRAFT, SUBMITTING, IssuedDocument, Submission

UNSENT = [DRAFT, SUBMITTING]


@translate_errors
def sent_between(form_id: str, start: datetime, end: datetime) -> list[Submission]:
    """A form's submissions sent in [start, end), oldest first, with only answers, number and sent time read."""
    query = Submission.objects(form_id=form_id, submitted_at__gte=start, submitted_at__lt=end,
                               status__nin=UNSENT).order_by("submitted_at")
    return list(query.only("answers", "submitted_at", "number"))


@translate_errors
def has_sent(form_id: str, owner: str, since: datetime | None = None) -> bool:
    """Whether an owner has sent the form (at or after `since`, if given)."""
    query = Submission.objects(form_id=form_id, owner=owner, status__nin=UNSENT)
    if since is not None:
        query = query.filter(submitted_at__gte=since)
    return query.only("id").first() is not None


@translate_errors
def has_issued_document(owner: str) -> bool:
    """Whether any document was issued to an owner."""
    return IssuedDocument.objects(owner=owner).only("id").first() is not None


@translate_errors
def find_submission_by_number(form_id: str, number: str) -> Submission | None:
    """A form's submission by its (exact) number, or None."""
    return Submission.objects(number=number, form_id=form_id).first()


@translate_errors
def submissions_in_status(form_id: str, status: str) -> list[Submission]:
    """A form's submissions in a status, the earliest sent first."""
    return list(Submission.objects(form_id=form_id, status=status).order_by("submitted_at"))


@translate_errors
def count_in_status(form_id: str, status: str) -> int:
    """How many of a form's submissions are in a status."""
    return Submission.objects(form_id=form_id, status=status).count()
