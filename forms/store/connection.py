"""Connecting to the configured store (MongoDB, embedded or in-memory) and the write concern of the licensing path."""
from __future__ import annotations

from contextlib import nullcontext

import mongoengine as me
import pymongo
from flask import Flask

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
    LoginSession,
    OwnerNumber,
    Printout,
    SchemaVersion,
    Submission,
    Webhook,
    WebhookDelivery,
)

ALIAS = "default"


def init_store(app: Flask) -> None:
    """Connect mongoengine to the configured store and make sure indexes exist."""
    me.disconnect_all()
    kind = app.config["STORE"]
    if kind == "mongodb":
        me.connect(db=app.config["MONGODB_DB"], host=app.config["MONGODB_URI"], alias=ALIAS, tz_aware=False,
                   uuidRepresentation="standard")
    else:
        client = embedded(app).client
        me.connect(db=app.config["MONGODB_DB"], alias=ALIAS, mongo_client_class=lambda **_kw: client,
                   uuidRepresentation="standard")
        add_units_of_work(app)
    for document in (Submission, Counter, Account, LoginSession, Code, OwnerNumber, IssuedDocument, AuditEntry, AuditHead,
                     Printout, SchemaVersion, AdminLogEntry, ApiToken, Webhook, WebhookDelivery):
        document.ensure_indexes()
    app.extensions["loket.store"] = kind


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


def majority() -> dict:
    """Write concern for status changes: majority on a real replica set, plain elsewhere."""
    return {"w": "majority"} if isinstance(database().client, pymongo.MongoClient) else {}
