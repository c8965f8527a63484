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
    unit_of_work,
)
from forms.store.counters import claim_number, counter_value, next_sequence, value_taken  # noqa: F401
from forms.store.documents import (  # noqa: F401
    claim_document,
    count_by_status,
    documents_of,
    find_document,
    owner_number,
    update_document,
)
from forms.store.files import keyed_file, open_file, save_file  # noqa: F401
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
    Job,
    LoginSession,
    NumberClaim,
    OwnerNumber,
    Printout,
    SchemaVersion,
    SignInThrottle,
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
    submissions_being_submitted,
)

# isort: split
# people: accounts, webhooks, office
from forms.store.accounts import (  # noqa: F401
    account_names,
    accounts_with_roles,
    accounts_with_totp,
    add_account,
    add_api_token,
    add_code,
    add_login_session,
    api_tokens_of,
    clear_throttle,
    confirm_totp,
    count_api_tokens,
    count_code_try,
    count_failure,
    count_throttled_failure,
    delete_api_token,
    delete_api_tokens_of,
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
    hold_throttle,
    latest_code,
    mark_code_used,
    note_sign_in,
    reload_account,
    remove_totp,
    reseal_totp,
    set_account_active,
    set_password_hash,
    set_pending_totp,
    set_roles,
    take_code,
    throttle_wait,
    touch_api_token,
    touch_login_session,
    use_totp_step,
)
from forms.store.counter import (  # noqa: F401
    counter_filing_of,
    counter_filings,
    find_account_by_nik,
    mark_counter_filing,
    set_receipt,
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
    audit_entry_by_event,
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
    search_tokens,
    set_search_words,
    status_counts_of_kind,
)
from forms.store.holders import active_officers, find_officer, holder_of  # noqa: F401
from forms.store.printouts import (  # noqa: F401
    add_printout,
    find_printout,
    printed_numbers,
    printout_by_token_hash,
    printout_of,
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

# isort: split
# work that must finish: jobs
from forms.store.jobs import (  # noqa: F401
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    add_job,
    claim_job,
    count_jobs,
    extend_lease,
    failed_jobs,
    find_job,
    finish_job,
    jobs_of,
    release_running_jobs,
    requeue_job,
    retry_job,
)
