"""Private file storage in GridFS: uploads and rendered printouts."""
from __future__ import annotations

import hashlib

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from forms.store.connection import database
from forms.store.errors import StoreError


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
