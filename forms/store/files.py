"""Private file storage in GridFS: uploads and rendered printouts."""
from __future__ import annotations

import hashlib

import gridfs
from bson import ObjectId
from bson.errors import InvalidId

from forms.store.connection import database


def save_file(data: bytes, filename: str, content_type: str, owner: str) -> dict:
    """Store an upload privately in GridFS; return the reference kept in answers."""
    digest = hashlib.sha256(data).hexdigest()
    file_id = gridfs.GridFS(database()).put(data, filename=filename,
                                            metadata={"owner": owner, "sha256": digest, "content_type": content_type})
    return {"id": str(file_id), "name": filename, "size": len(data), "content_type": content_type,
            "sha256": digest}


def open_file(file_id: str):
    """A stored file (GridOut) by id, or None."""
    try:
        return gridfs.GridFS(database()).get(ObjectId(file_id))
    except (InvalidId, TypeError, gridfs.errors.NoFile):
        return None
