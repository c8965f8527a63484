"""Private file storage in GridFS: uploads and rendered printouts."""
from __future__ import annotations

import hashlib

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from forms.store.connection import database

BUCKETS: dict[int, gridfs.GridFS] = {}  # one per database object: GridFS checks its indexes once per instance


def bucket() -> gridfs.GridFS:
    """The GridFS of the current database, made once (making one per file re-checked its indexes every time)."""
    db = database()
    found = BUCKETS.get(id(db))
    if found is None or found._GridFS__database is not db:
        found = BUCKETS[id(db)] = gridfs.GridFS(db)
    return found


def save_file(data: bytes, filename: str, content_type: str, owner: str) -> dict:
    """Store an upload privately in GridFS; return the reference kept in answers."""
    digest = hashlib.sha256(data).hexdigest()
    file_id = bucket().put(data, filename=filename,
                           metadata={"owner": owner, "sha256": digest, "content_type": content_type})
    return {"id": str(file_id), "name": filename, "size": len(data), "content_type": content_type,
            "sha256": digest}


def open_file(file_id: str):
    """A stored file (GridOut) by id, or None."""
    try:
        return bucket().get(ObjectId(file_id))
    except (InvalidId, TypeError, gridfs.errors.NoFile):
        return None
