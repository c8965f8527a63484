"""The only module that talks to the database: documents, connection, atomic updates, files.

With MONGODB_URI the app uses a real MongoDB (writes that change a status use majority write
concern). Without it, the embedded store (forms.store.embedded) keeps mongomock durable on disk. Tests use
a plain in-memory mongomock ("memory"). Every status change goes through `change_status`, one
conditional update on (id, status, version), so two people can never both win.
"""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any, Mapping

import gridfs
import mongoengine as me
import mongomock
from bson import ObjectId
from bson.errors import InvalidId
from flask import Flask
import pymongo

from forms.store.embedded import EmbeddedStore, enable_gridfs, install_lock, open_embedded, scan_field
from forms.errors import ConflictError, FormsError
from forms.casework.events import StatusChange, announce
from forms.engine.text import gettext

DRAFT = "draft"
ALIAS = "default"


def utcnow() -> datetime:
    """Current UTC time, naive (as BSON stores it), to the millisecond."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Submission(me.Document):
    """One applicant's filling of one form version, from draft to its final status."""

    form_id = me.StringField(required=True)
    form_version = me.IntField(required=True)
    owner = me.StringField(required=True)
    status = me.StringField(required=True, default=DRAFT)
    number = me.StringField()
    # Typed as DynamicField so mongoengine does not look for references on every attribute read.
    answers = me.DictField(me.DynamicField())
    derived = me.DictField(me.DynamicField())
    validated = me.ListField(me.StringField())
    history = me.ListField(me.DictField(me.DynamicField()))
    created_at = me.DateTimeField(default=utcnow)
    updated_at = me.DateTimeField(default=utcnow)
    submitted_at = me.DateTimeField()
    version = me.IntField(default=1)
    # The procedure version it began on: workflow and printout-settings versions beside form_version.
    procedure = me.DictField(me.DynamicField())
    preview = me.BooleanField(default=False)  # an admin's preview of an unpublished form version

    meta = {
        "collection": "submissions",
        "indexes": ["owner", ("form_id", "status"), {"fields": ["number"], "unique": True, "sparse": True}],
    }


class SchemaVersion(me.Document):
    """One version of a form, workflow, table or settings document in the schema store.

    `content` is the definition as JSON text (keys kept exactly, whatever characters they use). A
    published version never changes; only drafts are edited.
    """

    kind = me.StringField(required=True)
    key = me.StringField(required=True)
    version = me.IntField(required=True)
    state = me.StringField(required=True, choices=("draft", "published"))
    content = me.StringField(required=True)
    sha256 = me.StringField(required=True)
    origin = me.StringField(default="admin")  # file, admin, import, rollback
    based_on = me.IntField()
    note = me.StringField(default="")
    created_by = me.StringField(default="")
    created_at = me.DateTimeField(default=utcnow)
    published_by = me.StringField()
    published_at = me.DateTimeField()
    revision = me.IntField(default=1)  # bumped on every draft save: stale editors get a conflict

    meta = {"collection": "schema_versions",
            "indexes": [{"fields": ["kind", "key", "version"], "unique": True}, ("kind", "state")]}


class AdminLogEntry(me.Document):
    """One change made in the admin area: who, when, what, and the difference it made."""

    at = me.DateTimeField(default=utcnow)
    actor = me.StringField(required=True)
    action = me.StringField(required=True)
    kind = me.StringField(required=True)
    key = me.StringField(required=True)
    version = me.IntField()
    diff = me.StringField(default="")
    note = me.StringField(default="")

    meta = {"collection": "admin_log", "indexes": ["-at", ("kind", "key")]}


class Counter(me.Document):
    """A named sequence for human-readable numbers."""

    name = me.StringField(primary_key=True)
    value = me.IntField(default=0)
    meta = {"collection": "counters"}


def init_store(app: Flask) -> None:
    """Connect mongoengine to the configured store and make sure indexes exist."""
    me.disconnect_all()
    kind = app.config["STORE"]
    if kind == "mongodb":
        me.connect(db=app.config["MONGODB_DB"], host=app.config["MONGODB_URI"], alias=ALIAS, tz_aware=False,
                   uuidRepresentation="standard")
    else:
        client = memory_client() if kind == "memory" else embedded(app).client
        me.connect(db=app.config["MONGODB_DB"], alias=ALIAS, mongo_client_class=lambda **_kw: client,
                   uuidRepresentation="standard")
    for document in (Submission, Counter, Account, LoginSession, Code, OwnerNumber, IssuedDocument, AuditEntry,
                     Printout, SchemaVersion, AdminLogEntry, ApiToken, Webhook, WebhookDelivery):
        document.ensure_indexes()
    app.extensions["loket.store"] = kind


def memory_client() -> mongomock.MongoClient:
    """A process-local mongomock client with the same lock and GridFS support as the embedded store."""
    install_lock()
    enable_gridfs()
    return mongomock.MongoClient()


def embedded(app: Flask) -> EmbeddedStore:
    """The app's embedded store, opened once per process (the data folder allows one process)."""
    store = app.extensions.get("loket.embedded")
    if store is None:
        store = app.extensions["loket.embedded"] = open_embedded(app.config["DATA_DIR"])
    return store


def close_store(app: Flask) -> None:
    """Close the embedded store if this app opened one."""
    store = app.extensions.pop("loket.embedded", None)
    if store is not None:
        store.close()


def database():
    """The pymongo (or mongomock) database behind mongoengine."""
    return me.get_db(ALIAS)


def create_submission(form_id: str, form_version: int, owner: str, procedure: Mapping[str, Any] | None = None,
                      preview: bool = False) -> Submission:
    """A new draft submission on a procedure version (form version + the workflow and printout versions)."""
    return Submission(form_id=form_id, form_version=form_version, owner=owner, procedure=dict(procedure or {}),
                      preview=preview).save()


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

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "SubmissionRecord":
        """The record of a stored document (names the document does not declare are left out)."""
        return cls(id=raw["_id"], **{name: raw[name] for name in RECORD_FIELDS if name in raw})

    def reload(self) -> None:
        """Read the stored values again (after a change made in the database)."""
        raw = Submission._get_collection().find_one({"_id": self.id})
        for name in RECORD_FIELDS:
            if name in raw:
                setattr(self, name, raw[name])


RECORD_FIELDS = tuple(item.name for item in dataclasses.fields(SubmissionRecord) if item.name != "id")


def read_submission(submission_id: str) -> SubmissionRecord | None:
    """A submission by id as a SubmissionRecord, or None for an unknown or malformed id."""
    raw = raw_submission(submission_id)
    return SubmissionRecord.from_raw(raw) if raw else None


def raw_submission(submission_id: str) -> dict | None:
    """The stored document of a submission, or None for an unknown or malformed id."""
    try:
        return Submission._get_collection().find_one({"_id": ObjectId(submission_id)})
    except (InvalidId, TypeError):
        return None


def list_submissions(owner: str, form_id: str | None = None) -> list[Submission]:
    """An owner's submissions, newest first."""
    query = Submission.objects(owner=owner, preview__ne=True)
    if form_id:
        query = query.filter(form_id=form_id)
    return list(query.order_by("-updated_at"))


def save_answers(submission: Submission | SubmissionRecord, answers: Mapping, derived: Mapping,
                 validated: list[str]) -> Submission | SubmissionRecord:
    """Store a draft's answers if nobody changed it since it was read; ConflictError otherwise.

    One conditional update on (id, version, status); the object in memory is updated to match
    instead of being read back.
    """
    now = utcnow()
    changes = {"answers": dict(answers), "derived": dict(derived), "validated": list(validated), "updated_at": now}
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


SUBMITTING = "mengirim"


def claim_for_submit(submission: Submission | SubmissionRecord) -> None:
    """Mark a draft as being submitted, so only one of two parallel submits goes on (ConflictError for the other)."""
    result = Submission._get_collection().update_one(
        {"_id": submission.id, "version": submission.version, "status": DRAFT},
        {"$set": {"status": SUBMITTING}, "$inc": {"version": 1}})
    if not result.modified_count:
        raise ConflictError(gettext("Isian ini sedang atau sudah dikirim dari tab atau perangkat lain."))
    keep_in_step(submission, status=SUBMITTING, version=submission.version + 1)


def release_claim(submission: Submission | SubmissionRecord) -> None:
    """Return a claimed submission to draft after its submit action failed."""
    Submission._get_collection().update_one({"_id": submission.id, "status": SUBMITTING},
                                            {"$set": {"status": DRAFT}, "$inc": {"version": 1}})
    keep_in_step(submission, status=DRAFT, version=submission.version + 1)


def change_status(submission: Submission | SubmissionRecord, expected: str, new: str, actor: str, action: str,
                  note: str = "", extra: Mapping[str, Any] | None = None) -> Submission | SubmissionRecord:
    """The one place a status changes: conditional on (id, status, version), history appended."""
    entry = {"at": utcnow(), "actor": actor, "action": action, "from": expected, "to": new, "note": note}
    refuse_operator_keys(dict(extra or {}))
    updates = {f"set__{key}": value for key, value in (extra or {}).items()}
    query = Submission.objects(id=submission.id, status=expected, version=submission.version)
    changed = query.update_one(set__status=new, set__updated_at=entry["at"], push__history=entry,
                               inc__version=1, write_concern=majority(), **updates)
    if not changed:
        raise ConflictError(gettext("Status permohonan ini sudah diubah oleh orang lain. Muat ulang halaman untuk "
                            "melihat status terbaru."))
    submission.reload()
    if new != expected:
        announce(StatusChange("submission", str(submission.id), submission.number, submission.form_id, expected, new,
                              action, entry["at"]))
    return submission


def majority() -> dict:
    """Write concern for status changes: majority on a real replica set, plain elsewhere."""
    return {"w": "majority"} if isinstance(database().client, pymongo.MongoClient) else {}


def value_taken(target: str, value: Any) -> bool:
    """Whether a value that must be unique (e.g. 'account.nik') is already in use."""
    document, field = UNIQUE_TARGETS[target]
    if field == "username":
        value = str(value).lower()
    return document.objects(**{field: value}).only("id").first() is not None


def next_sequence(name: str) -> int:
    """The next value of a named counter, atomically."""
    counter = Counter.objects(name=name).modify(upsert=True, new=True, inc__value=1)
    return counter.value


def counter_value(name: str) -> int:
    """A named counter's current value (0 if it was never incremented)."""
    counter = Counter.objects(name=name).first()
    return counter.value if counter else 0


def save_file(data: bytes, filename: str, content_type: str, owner: str) -> dict:
    """Store an upload privately in GridFS; return the reference kept in answers."""
    digest = hashlib.sha256(data).hexdigest()
    file_id = gridfs.GridFS(database()).put(data, filename=filename,
                                            metadata={"owner": owner, "sha256": digest, "content_type": content_type})
    return {"id": str(file_id), "name": filename, "size": len(data), "content_type": content_type,
            "sha256": digest}


def open_file(file_id: str):
    """A stored file (GridOut) by id, or None."""
    try:
        return gridfs.GridFS(database()).get(ObjectId(file_id))
    except (InvalidId, TypeError, gridfs.errors.NoFile):
        return None


class Account(me.Document):
    """A person who signs in: an applicant (pemohon) or an officer; profile fields come from schemas."""

    username = me.StringField(required=True, unique=True)
    password_hash = me.StringField(required=True)
    roles = me.ListField(me.StringField(), default=lambda: ["pemohon"])
    name = me.StringField(required=True)
    email = me.StringField()
    phone = me.StringField()
    nik = me.StringField()
    profile = me.DictField(me.DynamicField())
    active = me.BooleanField(default=True)
    failed_logins = me.IntField(default=0)
    locked_until = me.DateTimeField()
    created_at = me.DateTimeField(default=utcnow)
    last_login_at = me.DateTimeField()
    # Optional second factor (forms.identity.twofactor): secrets are kept encrypted; the last accepted time
    # step makes every code usable once.
    totp_secret = me.StringField()
    totp_pending = me.StringField()
    totp_last_step = me.IntField(default=0)
    totp_failures = me.IntField(default=0)  # not reset by a correct password, only by a correct code
    totp_enabled_at = me.DateTimeField()

    meta = {
        "collection": "accounts",
        "indexes": [
            {"fields": ["nik"], "unique": True, "sparse": True},
            {"fields": ["phone"], "unique": True, "sparse": True},
            "email",
        ],
    }


class LoginSession(me.Document):
    """A signed-in browser; deleting it ends the session even if the cookie is replayed."""

    token_hash = me.StringField(required=True, unique=True)
    account_id = me.ObjectIdField(required=True)
    created_at = me.DateTimeField(default=utcnow)
    last_seen_at = me.DateTimeField(default=utcnow)

    meta = {"collection": "login_sessions", "indexes": ["account_id"]}


class ApiToken(me.Document):
    """A personal API token; only the SHA-256 of the token is kept, the owner sees the token once."""

    account_id = me.ObjectIdField(required=True)
    name = me.StringField(required=True)
    token_hash = me.StringField(required=True, unique=True)
    hint = me.StringField()  # the token's first characters, so its owner can tell tokens apart
    created_at = me.DateTimeField(default=utcnow)
    last_used_at = me.DateTimeField()

    meta = {"collection": "api_tokens", "indexes": ["account_id"]}


class Code(me.Document):
    """A one-time verification code (only its hash is kept), for a purpose and a subject."""

    purpose = me.StringField(required=True)
    subject = me.StringField(required=True)
    code_hash = me.StringField(required=True)
    target = me.StringField()
    channel = me.StringField()
    tries = me.IntField(default=0)
    created_at = me.DateTimeField(default=utcnow)
    expires_at = me.DateTimeField(required=True)
    used_at = me.DateTimeField()

    meta = {"collection": "codes", "indexes": [("purpose", "subject")]}


UNIQUE_TARGETS = {
    "account.username": (Account, "username"),
    "account.nik": (Account, "nik"),
    "account.phone": (Account, "phone"),
    "account.email": (Account, "email"),
}


class OwnerNumber(me.Document):
    """A number given once per owner and reused (e.g. a business identification number)."""

    name = me.StringField(required=True)
    owner = me.StringField(required=True)
    number = me.StringField(required=True)
    created_at = me.DateTimeField(default=utcnow)

    meta = {"collection": "owner_numbers",
            "indexes": [{"fields": ["name", "owner"], "unique": True}, {"fields": ["name", "number"], "unique": True}]}


class IssuedDocument(me.Document):
    """A document issued from a submission (one per row, e.g. per business code), with its own status."""

    submission_id = me.ObjectIdField(required=True)
    owner = me.StringField(required=True)
    kind = me.StringField(required=True)
    number = me.StringField(required=True, unique=True)
    key = me.StringField()
    data = me.DictField(me.DynamicField())
    status = me.StringField(required=True)
    history = me.ListField(me.DictField(me.DynamicField()))
    issued_at = me.DateTimeField(default=utcnow)
    updated_at = me.DateTimeField(default=utcnow)
    version = me.IntField(default=1)
    # Workflow bookkeeping: when the current status began, the service-level clock, who works on it,
    # the uploaded requirements with their verdicts, and words an officer can search by.
    entered_at = me.DateTimeField(default=utcnow)
    sla = me.DictField(me.DynamicField())
    assigned_to = me.StringField()
    assigned_name = me.StringField()
    fulfilment = me.DictField(me.DynamicField())
    search = me.StringField(default="")
    workflow_version = me.IntField()  # the workflow version it follows (None: the latest)

    meta = {"collection": "issued_documents",
            "indexes": ["submission_id", "owner", ("kind", "status"), ("status", "entered_at")]}


def owner_number(name: str, owner: str, digits: int) -> str:
    """The owner's number of that name, created once (random, unique, no leading zero) and then reused."""
    existing = OwnerNumber.objects(name=name, owner=owner).first()
    if existing is not None:
        return existing.number
    for _attempt in range(20):
        number = str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))
        try:
            OwnerNumber(name=name, owner=owner, number=number).save()
            return number
        except me.NotUniqueError:
            existing = OwnerNumber.objects(name=name, owner=owner).first()
            if existing is not None:  # a parallel request created it first
                return existing.number
    raise RuntimeError(f"could not draw a unique {name} number")


def documents_of(submission_id) -> list[IssuedDocument]:
    """Documents issued from a submission, in issue order."""
    return list(IssuedDocument.objects(submission_id=submission_id).order_by("issued_at", "number"))


class Printout(me.Document):
    """One rendered, signed version of an issued document or owner number; a newer version supersedes it.

    `subject` is "<collection>:<id>" of what was printed; the PDF is in GridFS (`file_id`, `sha256`);
    only the SHA-256 of the token in the QR code is kept; `public` holds what the verification page shows.
    """

    subject = me.StringField(required=True)
    owner = me.StringField(required=True)
    kind = me.StringField(required=True)
    number = me.StringField(required=True)
    version = me.IntField(required=True)
    submission_id = me.ObjectIdField()
    file_id = me.StringField(required=True)
    sha256 = me.StringField(required=True)
    token_hash = me.StringField(required=True, unique=True)
    status = me.StringField(required=True)
    public = me.DictField(me.DynamicField())
    rendered_at = me.DateTimeField(default=utcnow)
    superseded = me.BooleanField(default=False)
    superseded_at = me.DateTimeField()

    meta = {"collection": "printouts", "indexes": [("subject", "version"), ("number", "version"), "owner"]}


class AuditEntry(me.Document):
    """One line of the append-only audit trail; each line carries the hash of the one before it."""

    seq = me.IntField(required=True, unique=True)
    at = me.DateTimeField(required=True)
    actor = me.StringField(required=True)
    subject = me.StringField(required=True)
    action = me.StringField(required=True)
    from_status = me.StringField()
    to_status = me.StringField()
    note = me.StringField(default="")
    prev_hash = me.StringField(required=True)
    hash = me.StringField(required=True)

    meta = {"collection": "audit_trail", "indexes": ["subject"]}


def update_document(document: IssuedDocument, changes: Mapping[str, Any], expected_status: str | None = None,
                    push_history: Mapping[str, Any] | None = None) -> IssuedDocument:
    """One conditional update of an issued document on (id, version[, status]); ConflictError if someone was first."""
    query = {"_id": document.id, "version": document.version}
    if expected_status is not None:
        query["status"] = expected_status
    update: dict[str, Any] = {"$set": {**changes, "updated_at": utcnow()}, "$inc": {"version": 1}}
    if push_history is not None:
        update["$push"] = {"history": dict(push_history)}
    result = IssuedDocument._get_collection().update_one(query, update)
    if not result.modified_count:
        raise ConflictError(gettext("Data dokumen ini baru saja diubah oleh orang lain (atau status sudah berganti). "
                            "Muat ulang halaman untuk melihat keadaan terbaru; tidak ada yang diubah."))
    document.reload()
    return document


def find_document(document_id: str) -> IssuedDocument | None:
    """An issued document by id, or None for an unknown or malformed id."""
    try:
        return IssuedDocument.objects(id=ObjectId(document_id)).first()
    except (InvalidId, TypeError):
        return None


def count_by_status(document: type[me.Document]) -> dict[str, int]:
    """How many documents of a collection are in each status.

    A real MongoDB groups on the server; on mongomock the values are read in place, since its
    aggregation pipeline took most of a second for 5,000 documents.
    """
    collection = document._get_collection()
    if isinstance(collection.database.client, pymongo.MongoClient):
        return {row["_id"]: row["n"] for row in collection.aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])}
    counts: dict[str, int] = {}
    for status in scan_field(collection, "status"):
        counts[status] = counts.get(status, 0) + 1
    return counts


class Webhook(me.Document):
    """An address that receives every status change as a signed JSON POST."""

    url = me.StringField(required=True)
    description = me.StringField(default="")
    secret = me.StringField(required=True)  # kept readable: every delivery is signed with it
    active = me.BooleanField(default=True)
    created_at = me.DateTimeField(default=utcnow)
    created_by = me.StringField()

    meta = {"collection": "webhooks"}


class WebhookDelivery(me.Document):
    """One event queued for one webhook: the exact body sent, its state and every attempt."""

    hook_id = me.ObjectIdField(required=True)
    event = me.StringField(required=True)
    body = me.StringField(required=True)
    status = me.StringField(required=True, default="menunggu")
    attempts = me.IntField(default=0)
    next_attempt_at = me.DateTimeField(default=utcnow)
    lease_until = me.DateTimeField()
    created_at = me.DateTimeField(default=utcnow)
    delivered_at = me.DateTimeField()
    log = me.ListField(me.DictField(me.DynamicField()))

    meta = {"collection": "webhook_deliveries",
            "indexes": [("status", "next_attempt_at"), "hook_id", "-created_at"]}
