"""The only place that talks to the database: connection, models, named operations.

Everything above the store calls the operations exported here; nothing else imports mongoengine,
pymongo or gridfs. With MONGODB_URI the app uses a real MongoDB; without it, the embedded store
(forms.store.embedded) keeps mongomock durable on disk; tests use a plain in-memory mongomock.
"""
from forms.store.connection import (  # noqa: F401
    ALIAS,
    close_store,
    database,
    embedded,
    init_store,
    majority,
)
from forms.store.counters import counter_value, next_sequence, value_taken  # noqa: F401
from forms.store.documents import (  # noqa: F401
    count_by_status,
    documents_of,
    find_document,
    owner_number,
    update_document,
)
from forms.store.files import open_file, save_file  # noqa: F401
from forms.store.models import (  # noqa: F401
    DRAFT,
    SUBMITTING,
    UNIQUE_TARGETS,
    Account,
    AdminLogEntry,
    ApiToken,
    AuditEntry,
    Code,
    Counter,
    IssuedDocument,
    LoginSession,
    OwnerNumber,
    Printout,
    SchemaVersion,
    Submission,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from forms.store.submissions import (  # noqa: F401
    RECORD_FIELDS,
    SubmissionRecord,
    UnsafeKey,
    change_status,
    claim_for_submit,
    create_submission,
    find_submission,
    keep_in_step,
    list_submissions,
    raw_submission,
    read_submission,
    refuse_operator_keys,
    release_claim,
    save_answers,
)
