"""Connecting to the configured store (MongoDB, embedded or in-memory) and the write concern of the licensing path."""
from __future__ import annotations

from contextlib import nullcontext

import mongoengine as me
from flask import Flask

from forms.store.documents import fill_search_words
from forms.store.embedded import EmbeddedStore, open_embedded, open_memory
from forms.store.models import (
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
    WorkerBeat,
)

ALIAS = "default"
# Every write of the licensing path is acknowledged by a majority of the replica set, journaled, and
# retried once on a failover; reads see only majority-committed data (a number printed on a signed PDF
# cannot be rolled back by a failover). Set once at connect, so no operation can forget it.
DURABLE = {"w": "majority", "journal": True, "retryWrites": True, "retryReads": True, "readConcernLevel": "majority"}


def init_store(app: Flask) -> None:
    """Connect mongoengine to the configured store and make sure indexes exist."""
    me.disconnect_all()
    kind = app.config["STORE"]
    if kind == "mongodb":
        me.connect(db=app.config["MONGODB_DB"], host=app.config["MONGODB_URI"], alias=ALIAS, tz_aware=False,
                   uuidRepresentation="standard", **DURABLE)
    else:
        client = embedded(app).client
        me.connect(db=app.config["MONGODB_DB"], alias=ALIAS, mongo_client_class=lambda **_kw: client,
                   uuidRepresentation="standard")
        add_units_of_work(app)
    for document in (Submission, Counter, Account, LoginSession, Code, OwnerNumber, IssuedDocument, AuditEntry, AuditHead,
                     Printout, SchemaVersion, AdminLogEntry, ApiToken, Webhook, WebhookDelivery,
                     Job, NumberClaim, SignInThrottle, WorkerBeat):
        document.ensure_indexes()
    app.extensions["loket.store"] = kind
    upgrade_documents()


def upgrade_documents() -> None:
    """Bring records written by earlier versions up to what this one reads (each upgrade runs once per store)."""
    fill_search_words()


def embedded(app: Flask) -> EmbeddedStore:
    """The app's embedded store (in memory for tests), opened once per process: a data folder allows one."""
    store = app.extensions.get("loket.embedded")
    if store is None:
        opened = open_memory() if app.config["STORE"] == "memory" else open_embedded(app.config["DATA_DIR"])
        store = app.extensions["loket.embedded"] = opened
    return store


def add_units_of_work(app: Flask) -> None:
    """Each request is a unit of work: its writes commit together, and the response waits until they are on disk."""
    engine = embedded(app).engine
    app.before_request_funcs.setdefault(None, []).insert(0, engine.begin)

    @app.after_request
    def commit_before_answering(response):
        engine.end()
        return response

    @app.teardown_request
    def end_unit_left_open(_error: BaseException | None = None) -> None:
        while engine.in_unit():  # a request that failed before after_request ran
            engine.end()


def unit_of_work(app: Flask):
    """A context manager for work outside requests (a job step, a command): its writes commit together at the end."""
    store = app.extensions.get("loket.embedded")
    return store.engine.unit() if store is not None else nullcontext()


def close_store(app: Flask) -> None:
    """Close the embedded store if this app opened one."""
    store = app.extensions.pop("loket.embedded", None)
    if store is not None:
        store.close()


def database():
    """The pymongo (or mongomock) database behind mongoengine."""
    return me.get_db(ALIAS)

