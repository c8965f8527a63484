"""Operations of the front-office counter: a submission marked as filed at the counter, today's filings, finding
an applicant by identity number."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from forms.store.errors import translate_errors
from forms.store.models import Account, Submission
from forms.store.submissions import SubmissionRecord, keep_in_step


@translate_errors
def mark_counter_filing(submission: Submission | SubmissionRecord, entry: Mapping[str, Any]) -> bool:
    """Remember once that a submission was filed at the counter (who, for whom, when); False if it already was."""
    result = Submission._get_collection().update_one(
        {"_id": submission.id, "counter_at": None}, {"$set": {"counter": dict(entry), "counter_at": entry["at"]}})
    if result.modified_count:
        keep_in_step(submission, counter=dict(entry))
    return bool(result.modified_count)


@translate_errors
def counter_filings(since: datetime, until: datetime, limit: int = 200) -> list[Submission]:
    """Submissions filed at the counter in [since, until), newest first (through the counter_at index)."""
    return list(Submission.objects(counter_at__gte=since, counter_at__lt=until).order_by("-counter_at").limit(limit))


@translate_errors
def counter_filing_of(submission_id: Any) -> dict:
    """The counter filing a submission began as ({} when the applicant filed it themselves)."""
    raw = Submission._get_collection().find_one({"_id": submission_id}, {"counter": 1})
    return dict((raw or {}).get("counter") or {})


@translate_errors
def find_account_by_nik(nik: str) -> Account | None:
    """The account registered with this identity number, or None."""
    return Account.objects(nik=nik).first() if nik else None


@translate_errors
def set_receipt(submission: Submission | SubmissionRecord, receipt: Mapping[str, Any]) -> None:
    """Keep the reference of the latest counter receipt rendered for a submission."""
    Submission._get_collection().update_one({"_id": submission.id}, {"$set": {"counter.receipt": dict(receipt)}})
