"""Connecting to the configured store (MongoDB, embedded or in-memory) and the write concern of the licensing path."""
from __future__ import annotations

import mongoengine as me
import mongomock
import pymongo
from flask import Flask

from forms.store.embedded import (
    EmbeddedStore,
    enable_gridfs,
    install_lock,
    open_embedded,
)
from forms.store.models import (
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
    SignInThrottle,
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
        client = memory_client() if kind == "memory" else embedded(app).client
        me.connect(db=app.config["MONGODB_DB"], alias=ALIAS, mongo_client_class=lambda **_kw: client,
                   uuidRepresentation="standard")
    for document in (Submission, Counter, Account, LoginSession, Code, OwnerNumber, IssuedDocument, AuditEntry,
                     Printout, SchemaVersion, AdminLogEntry, ApiToken, Webhook, WebhookDelivery, SignInThrottle):
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


def majority() -> dict:
    """Write concern for status changes: majority on a real replica set, plain elsewhere."""
    return {"w": "majority"} if isinstance(database().client, pymongo.MongoClient) else {}
