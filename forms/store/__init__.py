"""The only place that talks to the database: connection, models, named operations."""
# Everything above the store calls the operations exported here; nothing else imports mongoengine,
# pymongo or gridfs. With MONGODB_URI the app uses a real MongoDB; without it, the embedded store
# (forms.store.embedded) keeps mongomock durable on disk; tests use a plain in-memory mongomock.
from forms.store.connection import (  # noqa: F401
    ALIAS,
    close_store,
    database,
    embedded,
    init_store,
    majority,
    unit_of_work,
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
    AuditHead,
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

# isort: split
# people: accounts, webhooks, office
from forms.store.accounts import (  # noqa: F401
    account_names,
    accounts_with_roles,
    add_account,
    add_api_token,
    add_code,
    add_login_session,
    api_tokens_of,
    confirm_totp,
    count_api_tokens,
    count_code_try,
    count_failure,
    delete_api_token,
    delete_codes,
    delete_expired_codes,
    end_login_session,
    end_sessions_of,
    find_account_by_id,
    find_account_by_username,
    find_active_account,
    find_api_token,
    find_login_session,
    has_accounts,
    latest_code,
    mark_code_used,
    note_sign_in,
    reload_account,
    remove_totp,
    set_account_active,
    set_password_hash,
    set_pending_totp,
    set_roles,
    take_code,
    touch_api_token,
    touch_login_session,
    use_totp_step,
)
from forms.store.errors import Duplicate, StoreError  # noqa: F401
from forms.store.office import (  # noqa: F401
    count_in_status,
    find_submission_by_number,
    has_issued_document,
    has_sent,
    sent_between,
    submissions_in_status,
)
from forms.store.webhooks import (  # noqa: F401
    DELIVERY_DELIVERED,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENDING,
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
)

# isort: split
# cases: documents, printouts, versions, audit
from forms.store.audit import (  # noqa: F401
    append_audit_entry,
    audit_chain,
    audit_head,
    audit_trail_of,
)
from forms.store.documents import (  # noqa: F401
    add_document,
    case_queue,
    document_by_number,
    document_status,
    documents_in_state,
    documents_of_owner,
    owner_numbers_of,
    pin_workflow_version,
    set_search_words,
    status_counts_of_kind,
)
from forms.store.holders import active_officers, find_officer, holder_of  # noqa: F401
from forms.store.printouts import (  # noqa: F401
    add_printout,
    find_printout,
    printout_by_token_hash,
    printout_versions,
    subject_ref,
    subject_status,
)
from forms.store.submissions import (  # noqa: F401
    latest_submitted,
    move_draft,
    pin_printout_settings,
    submission_by_number,
    submissions_off_version,
    submissions_to_move,
)
from forms.store.versions import (  # noqa: F401
    add_admin_log_entry,
    add_schema_version,
    admin_log_entries,
    delete_draft,
    find_schema_version,
    mark_published,
    newest_version_number,
    published_schema_version,
    published_versions,
    schema_versions,
    store_draft_content,
    version_fingerprints,
    version_summaries,
)
