"""Private file storage in GridFS: uploads and rendered printouts."""
from __future__ import annotations

import hashlib

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from forms.store.connection import database


def save_file(data: bytes, filename: str, content_type: str, owner: str, key: str | None = None) -> dict:
    """Store an upload privately in GridFS; return the reference kept in answers.

    With a `key` the file gets an id derived from it, once: a job that made the file before it died
    finds it (`keyed_file`) instead of storing a second copy, and a half-written copy is replaced.
    """
    digest = hashlib.sha256(data).hexdigest()
    files = gridfs.GridFS(database())
    extra = {}
    if key is not None:
        extra["_id"] = keyed_id(key)
        files.delete(extra["_id"])  # chunks of a copy whose write was cut short (there is no whole copy yet)
    file_id = files.put(data, filename=filename, metadata={"owner": owner, "sha256": digest, "content_type": content_type},
                        **extra)
    return {"id": str(file_id), "name": filename, "size": len(data), "content_type": content_type,
            "sha256": digest}


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
