"""Operations on submissions: drafts saved, claimed and moved by conditional updates, the one status change, lookups."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId

from forms.casework.events import StatusChange, announce
from forms.engine.text import gettext
from forms.errors import ConflictError, FormsError
from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import DRAFT, NOT_PREVIEW, SUBMITTING, Submission, utcnow


@translate_errors
def create_submission(form_id: str, form_version: int, owner: str, procedure: Mapping[str, Any] | None = None,
                      preview: bool = False) -> Submission:
    """A new draft submission on a procedure version (form version + the workflow and printout versions)."""
    return Submission(form_id=form_id, form_version=form_version, owner=owner, procedure=dict(procedure or {}),
                      preview=preview).save()


@translate_errors
def find_submission(submission_id: str) -> Submission | None:
    """A submission by id, or None for an unknown or malformed id."""
    raw = raw_submission(submission_id)
    return Submission._from_son(raw) if raw else None


@dataclasses.dataclass
class SubmissionRecord:
    """A submission as stored, read without building a mongoengine document.

    The wizard reads its submission on every page and changes it only through the conditional
    updates of this module, which keep the object in step; building the document cost more than
    reading it (~40 µs, and a scan of the answers for references on every attribute read).
    """

    id: ObjectId
    form_id: str
    form_version: int
    owner: str
    status: str = DRAFT
    number: str | None = None
    answers: dict = dataclasses.field(default_factory=dict)
    derived: dict = dataclasses.field(default_factory=dict)
    validated: list = dataclasses.field(default_factory=list)
    history: list = dataclasses.field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    version: int = 1
    procedure: dict = dataclasses.field(default_factory=dict)
    preview: bool = False
    intent: dict = dataclasses.field(default_factory=dict)
    provenance: dict = dataclasses.field(default_factory=dict)
    counter: dict = dataclasses.field(default_factory=dict)
    counter_at: datetime | None = None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> SubmissionRecord:
        """The record of a stored document (names the document does not declare are left out)."""
        return cls(id=raw["_id"], **{name: raw[name] for name in RECORD_FIELDS if name in raw})

    def reload(self) -> None:
        """Read the stored values again (after a change made in the database)."""
        raw = Submission._get_collection().find_one({"_id": self.id})
        for name in RECORD_FIELDS:
            if name in raw:
                setattr(self, name, raw[name])

RECORD_FIELDS = tuple(item.name for item in dataclasses.fields(SubmissionRecord) if item.name != "id")


@translate_errors
def read_submission(submission_id: str) -> SubmissionRecord | None:
    """A submission by id as a SubmissionRecord, or None for an unknown or malformed id."""
    raw = raw_submission(submission_id)
    return SubmissionRecord.from_raw(raw) if raw else None


@translate_errors
def raw_submission(submission_id: str) -> dict | None:
    """The stored document of a submission, or None for an unknown or malformed id."""
    wanted = parse_id(submission_id)
    return Submission._get_collection().find_one({"_id": wanted}) if wanted is not None else None


@translate_errors
def submission_form_key(submission_id: str) -> tuple[str, int, bool] | None:
    """(form id, form version, preview) of a submission, read without its answers; None for an unknown id."""
    wanted = parse_id(submission_id)
    raw = Submission._get_collection().find_one(
        {"_id": wanted}, {"form_id": 1, "form_version": 1, "preview": 1}) if wanted is not None else None
    return (raw["form_id"], raw["form_version"], bool(raw.get("preview"))) if raw else None


@translate_errors
def list_submissions(owner: str, form_id: str | None = None, status: str | None = None,
                     limit: int | None = None) -> list[Submission]:
    """An owner's submissions, newest first, optionally of one form and/or in one status, at most `limit`."""
    query = Submission.objects(owner=owner, preview__in=NOT_PREVIEW)
    if form_id:
        query = query.filter(form_id=form_id)
    if status:
        query = query.filter(status=status)
    query = query.order_by("-updated_at")
    return list(query.limit(limit) if limit else query)


@translate_errors
def save_answers(submission: Submission | SubmissionRecord, answers: Mapping, derived: Mapping,
                 validated: list[str], provenance: Mapping | None = None) -> Submission | SubmissionRecord:
    """Store a draft's answers if nobody changed it since it was read; ConflictError otherwise.

    One conditional update on (id, version, status); the object in memory is updated to match
    instead of being read back.
    """
    now = utcnow()
    changes = {"answers": dict(answers), "derived": dict(derived), "validated": list(validated), "updated_at": now}
    if provenance is not None:
        changes["provenance"] = dict(provenance)
    refuse_operator_keys(changes)
    result = Submission._get_collection().update_one(
        {"_id": submission.id, "version": submission.version, "status": DRAFT},
        {"$set": changes, "$inc": {"version": 1}})
    if not result.modified_count:
        raise ConflictError(gettext("Formulir ini sudah diubah di tab atau perangkat lain. Muat ulang untuk melihat "
                            "data terbaru, lalu ulangi perubahan Anda."))
    keep_in_step(submission, **changes, version=submission.version + 1)
    return submission


class UnsafeKey(FormsError):
    """A stored mapping would hold a key MongoDB reads as an operator or a path; nothing was saved."""

    status = 400
    title = "Data tidak dapat disimpan"


def refuse_operator_keys(value: Any, path: str = "") -> None:
    """Refuse '$…' and dotted keys anywhere in a value about to be stored as a whole.

    Answers are keyed by schema names (letters, digits, '_'), so such a key means a bug or a forged
    structure; refusing it keeps a stored answer from ever being read as a query operator or a path.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\0" in key:
                raise UnsafeKey(f"Nama isian tidak sah: {str(key)[:40]!r}{' di ' + path if path else ''}.")
            refuse_operator_keys(item, f"{path}.{key}" if path else key)
    elif isinstance(value, (list, tuple)):
        for item in value:
            refuse_operator_keys(item, path)


def keep_in_step(submission: Submission | SubmissionRecord, **values: Any) -> None:
    """Set values a conditional update just stored on the object read before it (document or record)."""
    if isinstance(submission, Submission):
        submission._data.update(values)  # as stored: no change tracking, nothing left to save
    else:
        for name, value in values.items():
            setattr(submission, name, value)


@translate_errors
def claim_for_submit(submission: Submission | SubmissionRecord, intent: Mapping[str, Any] | None = None) -> None:
    """Mark a draft as being submitted, so only one of two parallel submits goes on (ConflictError for the other).

    With an `intent` (what the submit still has to do) it is written in the same conditional update.
    """
    changes: dict[str, Any] = {"status": SUBMITTING, "updated_at": utcnow()}
    if intent is not None:
        refuse_operator_keys(dict(intent))
        changes["intent"] = dict(intent)
    result = Submission._get_collection().update_one(
        {"_id": submission.id, "version": submission.version, "status": DRAFT},
        {"$set": changes, "$inc": {"version": 1}})
    if not result.modified_count:
        raise ConflictError(gettext("Isian ini sedang atau sudah dikirim dari tab atau perangkat lain."))
    keep_in_step(submission, **changes, version=submission.version + 1)


@translate_errors
def submissions_being_submitted() -> list[Submission]:
    """Every submission claimed for submitting whose submit is not finished (to pick up unfinished intents)."""
    return list(Submission.objects(status=SUBMITTING))


@translate_errors
def stranded_claims(before: datetime) -> list[Submission]:
    """Submissions claimed before `before` for a submit without an intent that never finished: the process
    making it (an in-request submit: registration, a complaint, the survey) died between its writes."""
    return [submission for submission in Submission.objects(status=SUBMITTING, updated_at__lt=before)
            if not submission.intent]


@translate_errors
def release_stranded(submission: Submission) -> bool:
    """Give a stranded claim back to its owner as a draft (only if it is still stranded); whether it was."""
    result = Submission._get_collection().update_one(
        {"_id": submission.id, "status": SUBMITTING, "version": submission.version},
        {"$set": {"status": DRAFT, "updated_at": utcnow()}, "$inc": {"version": 1}})
    return bool(result.modified_count)


@translate_errors
def release_claim(submission: Submission | SubmissionRecord) -> None:
    """Return a claimed submission to draft after its submit action failed."""
    Submission._get_collection().update_one({"_id": submission.id, "status": SUBMITTING},
                                            {"$set": {"status": DRAFT}, "$inc": {"version": 1}})
    keep_in_step(submission, status=DRAFT, version=submission.version + 1)


@translate_errors
def change_status(submission: Submission | SubmissionRecord, expected: str, new: str, actor: str, action: str,
                  note: str = "", extra: Mapping[str, Any] | None = None,
                  key: str | None = None) -> Submission | SubmissionRecord:
    """The one place a status changes: conditional on (id, status, version), history appended.

    `key` names the change for its listeners, so announcing it again (a job's re-run) is harmless.
    """
    entry = {"at": utcnow(), "actor": actor, "action": action, "from": expected, "to": new, "note": note}
    refuse_operator_keys(dict(extra or {}))
    updates = {f"set__{key}": value for key, value in (extra or {}).items()}
    query = Submission.objects(id=submission.id, status=expected, version=submission.version)
    changed = query.update_one(set__status=new, set__updated_at=entry["at"], push__history=entry,
                               inc__version=1, **updates)
    if not changed:
        raise ConflictError(gettext("Status permohonan ini sudah diubah oleh orang lain. Muat ulang halaman untuk "
                            "melihat status terbaru."))
    submission.reload()
    if new != expected:
        announce(StatusChange("submission", str(submission.id), submission.number, submission.form_id, expected, new,
                              action, entry["at"], key=key))
    return submission


@translate_errors
def submission_by_number(number: str) -> Submission | None:
    """A submitted application by its number, or None."""
    return Submission.objects(number=number).first()


@translate_errors
def latest_submitted(owner: str) -> Submission | None:
    """An owner's most recently submitted application, or None."""
    return Submission.objects(owner=owner, submitted_at__ne=None).order_by("-submitted_at").first()


@translate_errors
def submissions_off_version(form_id: str, version: int) -> list[Submission]:
    """Status, form version and answers of a form's submissions on another version (previews excluded)."""
    return list(Submission.objects(form_id=form_id, form_version__ne=version, preview__in=NOT_PREVIEW).only(
        "status", "form_version", "answers"))


@translate_errors
def submissions_to_move(form_id: str, statuses: Iterable[str], version: int) -> list[Submission]:
    """A form's submissions in the given statuses that are on another version (previews excluded)."""
    return list(Submission.objects(form_id=form_id, status__in=list(statuses), form_version__ne=version,
                                   preview__in=NOT_PREVIEW))


@translate_errors
def move_draft(submission: Submission, old_version: int, new_version: int, answers: Mapping[str, Any],
               validated: list[str], entry: Mapping[str, Any]) -> bool:
    """Put a draft on another form version with the answers kept, if nobody changed it since it was read."""
    moved = Submission.objects(id=submission.id, version=submission.version, status=DRAFT,
                               form_version=old_version).update_one(
        set__form_version=new_version, set__answers=dict(answers), set__validated=validated,
        set__updated_at=entry["at"], push__history=dict(entry), inc__version=1)
    return bool(moved)


@translate_errors
def pin_printout_settings(version: int) -> None:
    """Submissions that follow no particular printout-settings version follow this one from now on."""
    Submission.objects(procedure__printouts=None).update(set__procedure__printouts=version)
