"""The stored records: one mongoengine document class per collection, with its indexes."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import mongoengine as me

DRAFT = "draft"
# Submissions that are not an admin's preview: an equality an index can answer (older records lack the field).
NOT_PREVIEW = [False, None]


def utcnow() -> datetime:
    """Current UTC time, naive (as BSON stores it), to the millisecond."""
    now = datetime.now(UTC).replace(tzinfo=None)
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
    # What a submit still has to do (numbers, documents, printouts), written with the claim; the job finishes it.
    intent = me.DictField(me.DynamicField())
    # Who entered each answer (per step and field), and the front-office filing it began as, if any.
    provenance = me.DictField(me.DynamicField())
    counter = me.DictField(me.DynamicField())
    counter_at = me.DateTimeField()

    meta: ClassVar[dict] = {
        "collection": "submissions",
        "indexes": ["owner", ("owner", "form_id"), ("form_id", "status"), ("form_id", "submitted_at"),
                    {"fields": ["number"], "unique": True, "sparse": True}, "status",
                    {"fields": ["counter_at"], "sparse": True}],
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

    meta: ClassVar[dict] = {"collection": "schema_versions",
            "indexes": [{"fields": ["kind", "key", "version"], "unique": True}, ("kind", "state"), "state"]}


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

    meta: ClassVar[dict] = {"collection": "admin_log", "indexes": ["-at", ("kind", "key")]}


class Counter(me.Document):
    """A named sequence for human-readable numbers."""

    name = me.StringField(primary_key=True)
    value = me.IntField(default=0)
    meta: ClassVar[dict] = {"collection": "counters"}

SUBMITTING = "mengirim"


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

    meta: ClassVar[dict] = {
        "collection": "accounts",
        "indexes": [
            {"fields": ["nik"], "unique": True, "sparse": True},
            {"fields": ["phone"], "unique": True, "sparse": True},
            "email",
            "roles",
        ],
    }


# Records the database removes by itself (TTL indexes), in seconds after the indexed time: a session a
# day after it was last seen (sign-in ends it after 12 idle hours), a code an hour after it expired.
SESSION_KEPT = 24 * 3600
CODE_KEPT = 3600


class LoginSession(me.Document):
    """A signed-in browser; deleting it ends the session even if the cookie is replayed."""

    token_hash = me.StringField(required=True, unique=True)
    account_id = me.ObjectIdField(required=True)
    created_at = me.DateTimeField(default=utcnow)
    last_seen_at = me.DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"collection": "login_sessions",
                            "indexes": ["account_id", {"fields": ["last_seen_at"], "expireAfterSeconds": SESSION_KEPT}]}


class SignInThrottle(me.Document):
    """Failed sign-ins counted per (username, address) and per address, by a hash of the pair or address, with the
    time before which the next try is not checked; forgotten `expires_at` after the last failure (TTL index)."""

    key = me.StringField(required=True, unique=True)
    failures = me.IntField(default=0)
    wait_until = me.DateTimeField()
    expires_at = me.DateTimeField(required=True)

    meta: ClassVar[dict] = {"collection": "sign_in_throttles",
                            "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}]}


class ApiToken(me.Document):
    """A personal API token; only the SHA-256 of the token is kept, the owner sees the token once."""

    account_id = me.ObjectIdField(required=True)
    name = me.StringField(required=True)
    token_hash = me.StringField(required=True, unique=True)
    hint = me.StringField()  # the token's first characters, so its owner can tell tokens apart
    created_at = me.DateTimeField(default=utcnow)
    last_used_at = me.DateTimeField()

    meta: ClassVar[dict] = {"collection": "api_tokens", "indexes": ["account_id"]}


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

    meta: ClassVar[dict] = {"collection": "codes", "indexes": [("purpose", "subject"), ("purpose", "expires_at"),
                                                               {"fields": ["expires_at"], "expireAfterSeconds": CODE_KEPT}]}

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

    meta: ClassVar[dict] = {"collection": "owner_numbers",
            "indexes": [{"fields": ["name", "owner"], "unique": True}, {"fields": ["name", "number"], "unique": True},
                        "owner"]}


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
    search = me.StringField(default="")  # the words as one text (documents of earlier versions have only this)
    search_words = me.ListField(me.StringField())  # each word and its parts, lower case: found by prefix through an index
    workflow_version = me.IntField()  # the workflow version it follows (None: the latest)
    internal_notes = me.ListField(me.DictField(me.DynamicField()))  # officer to officer: never shown to the owner

    meta: ClassVar[dict] = {"collection": "issued_documents",
            "indexes": ["submission_id", "owner", ("kind", "status"), ("status", "entered_at"), "entered_at", "issued_at",
                        ("kind", "status", "sla.due_at"), "search_words", ("status", "search_words"),
                        {"fields": ["submission_id", "kind", "key"], "unique": True}]}


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

    meta: ClassVar[dict] = {"collection": "printouts", "indexes": [{"fields": ["subject", "version"], "unique": True},
                                                         ("number", "version"), "owner"]}


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
    event = me.StringField()  # what the line records, once: a re-run job finds it instead of writing it again

    meta: ClassVar[dict] = {"collection": "audit_trail",
                            "indexes": ["subject", {"fields": ["event"], "unique": True, "sparse": True}]}


class AuditHead(me.Document):
    """Where the audit chain ends (last sequence number and hash): appending reads one record, not the trail."""

    name = me.StringField(primary_key=True)
    seq = me.IntField(required=True)
    hash = me.StringField(required=True)

    meta: ClassVar[dict] = {"collection": "audit_head"}


class Webhook(me.Document):
    """An address that receives every status change as a signed JSON POST."""

    url = me.StringField(required=True)
    description = me.StringField(default="")
    secret = me.StringField(required=True)  # kept readable: every delivery is signed with it
    active = me.BooleanField(default=True)
    created_at = me.DateTimeField(default=utcnow)
    created_by = me.StringField()

    meta: ClassVar[dict] = {"collection": "webhooks", "indexes": ["active"]}


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
    event_key = me.StringField()  # the change it announces: queued once per hook, however often a job runs
    claimed_by = me.StringField()  # the token of the claim that holds it while being sent

    meta: ClassVar[dict] = {"collection": "webhook_deliveries",
            "indexes": [("status", "next_attempt_at"), ("status", "lease_until"), "hook_id", "-created_at",
                        {"fields": ["hook_id", "event_key"], "unique": True, "sparse": True}]}


class NumberClaim(me.Document):
    """One value of a gapless number series, bound to the subject it numbers (taken once, kept on re-runs)."""

    series = me.StringField(required=True)
    value = me.IntField(required=True)
    subject = me.StringField(required=True)
    created_at = me.DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"collection": "number_claims",
            "indexes": [{"fields": ["series", "value"], "unique": True},
                        {"fields": ["series", "subject"], "unique": True}]}


class WorkerBeat(me.Document):
    """A background worker process saying it is alive: the web processes warn when none has for a while."""

    name = me.StringField(required=True, unique=True)  # host:pid
    started_at = me.DateTimeField(default=utcnow)
    beat_at = me.DateTimeField(default=utcnow)

    meta: ClassVar[dict] = {"collection": "worker_beats",
            "indexes": [{"fields": ["beat_at"], "expireAfterSeconds": 86400}]}


class Job(me.Document):
    """Work that must finish: claimed with a lease, retried with backoff, done once (its key is unique)."""

    kind = me.StringField(required=True)
    subject = me.StringField(required=True)
    key = me.StringField(required=True, unique=True)
    state = me.StringField(required=True, default="queued")
    attempts = me.IntField(default=0)
    next_run_at = me.DateTimeField(default=utcnow)
    lease_until = me.DateTimeField()
    claimed_by = me.StringField()
    last_error = me.StringField(default="")
    created_at = me.DateTimeField(default=utcnow)
    finished_at = me.DateTimeField()

    meta: ClassVar[dict] = {"collection": "jobs",
            "indexes": [("state", "next_run_at"), ("state", "kind", "next_run_at"), ("state", "lease_until"), "subject"]}
