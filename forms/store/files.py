"""Private file storage in GridFS: uploads and rendered printouts, and the sweep of files nothing refers to.

A replaced upload, the files of a deleted draft and the half-made copy of a failed job stay in GridFS
after their reference is gone; `remove_unreferenced_files` deletes those older than a grace period
(long enough that no upload is still waiting for the answer that will refer to it). Printout PDFs,
superseded ones included, stay: they are issued records, referred to by their printout.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from forms.store.connection import database
from forms.store.errors import StoreError, translate_errors
from forms.store.models import Account, IssuedDocument, Printout, Submission


def save_file(data: bytes, filename: str, content_type: str, owner: str, key: str | None = None) -> dict:
    """Store an upload privately in GridFS; return the reference kept in answers.

    With a `key` the file gets an id derived from it and is stored once: a job that made the file
    before it died, or a run in parallel, finds the stored copy (whose reference is returned).
    """
    digest = hashlib.sha256(data).hexdigest()
    metadata = {"owner": owner, "sha256": digest, "content_type": content_type}
    reference = {"name": filename, "size": len(data), "content_type": content_type, "sha256": digest}
    files = gridfs.GridFS(database())
    if key is None:
        return {"id": str(files.put(data, filename=filename, metadata=metadata)), **reference}
    for _attempt in range(2):
        try:
            return {"id": str(files.put(data, _id=keyed_id(key), filename=filename, metadata=metadata)), **reference}
        except gridfs.errors.FileExists:
            stored = keyed_file(key)
            if stored is not None:
                return stored
            files.delete(keyed_id(key))  # chunks of a copy whose write was cut short: no whole copy exists
    raise StoreError(f"file {key} could not be stored")


def keyed_id(key: str) -> ObjectId:
    """The file id a key always gives."""
    return ObjectId(hashlib.sha256(key.encode()).digest()[:12])


def keyed_file(key: str) -> dict | None:
    """The reference of the file stored under a key (as `save_file` returns it), or None."""
    try:
        stored = gridfs.GridFS(database()).get(keyed_id(key))
    except gridfs.errors.NoFile:
        return None
    meta = stored.metadata
    return {"id": str(stored._id), "name": stored.filename, "size": stored.length,
            "content_type": meta["content_type"], "sha256": meta["sha256"]}


def open_file(file_id: str):
    """A stored file (GridOut) by id, or None."""
    try:
        return gridfs.GridFS(database()).get(ObjectId(file_id))
    except (InvalidId, TypeError, gridfs.errors.NoFile):
        return None


def referenced_files(value: Any) -> set[str]:
    """Ids of every file an answer structure refers to (a file reference has an id and a sha256)."""
    if isinstance(value, dict):
        found = {value["id"]} if {"id", "sha256"} <= value.keys() else set()
        for item in value.values():
            found |= referenced_files(item)
        return found
    if isinstance(value, list):
        return set().union(*(referenced_files(item) for item in value)) if value else set()
    return set()


def every_reference() -> set[str]:
    """Ids of every file some record refers to: answers, profiles, requirement uploads, printouts."""
    found: set[str] = set()
    for document, field in ((Submission, "answers"), (Account, "profile"), (IssuedDocument, "fulfilment")):
        for raw in document._get_collection().find({}, {field: 1}):
            found |= referenced_files(raw.get(field))
    found |= {raw["file_id"] for raw in Printout._get_collection().find({}, {"file_id": 1})}
    return found


@translate_errors
def remove_unreferenced_files(before: datetime) -> int:
    """Delete the stored files written before `before` that no record refers to; how many.

    Safe to run in several workers at once (deleting a file twice is deleting it once); a keyed file a
    failed job may still need is made again by that job.
    """
    referenced = every_reference()
    files = gridfs.GridFS(database())
    stale = [raw["_id"] for raw in database()["fs.files"].find({"uploadDate": {"$lt": before}}, {"_id": 1})
             if str(raw["_id"]) not in referenced]
    for file_id in stale:
        files.delete(file_id)
    return len(stale)
