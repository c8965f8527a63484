"""Embedded store: mongomock made thread-safe and durable in a data folder."""
# Why: Loket must run where no MongoDB server is configured (a laptop, one office PC, CI).
# mongomock speaks the pymongo API that mongoengine and GridFS need, but it keeps everything in
# memory and is not thread-safe. This module adds exactly those two missing properties.
#
# Thread safety. `install_lock()` wraps every public method of mongomock's Collection, Database
# and MongoClient, the cursor's result computation (`Cursor._compute_results`, `distinct`), the
# bulk builder's `execute`, and `Collection._update`, with ONE process-wide `threading.RLock`.
# mongomock then runs one operation at a time. Without it, threads doing `$inc` lose updates and
# concurrent inserts get unique indexes wrong.
#
# Durability, by write-through. A durable client is built on subclasses of mongomock's stores
# (DurableServerStore -> DurableDatabaseStore -> DurableCollectionStore) that carry a reference
# to the journal and report every change they see: a key set or deleted (insert, delete, rollback,
# TTL expiry), a drop, a rename, an index change. Updates do not go through the store: mongomock
# changes the stored dict in place in `Collection._update`, so just before an update runs, the ids
# that its filter matches are reported too. A filter with a plain `_id` (ObjectId, str, int; other
# conditions may come with it) gives that id directly. Any other filter uses the collection's own
# matching; `update_one` takes only the first match.
# When the outermost locked call returns (still holding the lock), the journal writes each reported
# document as it is now, or deletes its row if it is gone. It does this in ONE SQLite transaction,
# and only then does the caller get its result. So an acknowledged write is on disk.
#
# SQLite runs in WAL mode with `synchronous=FULL`, so each commit is fsynced. Every acknowledged
# write survives kill -9 and a power cut. Table `documents` holds one row per document, keyed by
# (database, collection, BSON-encoded `_id`, so ObjectId/str/int ids round-trip) with the
# BSON-encoded document. Table `collections` holds the index definitions (unique indexes come back
# after a restart) and the created-empty flag.
#
# Load-all at open: every row is put straight into mongomock's stores. Unique checks are not run
# again, because the rows were valid when written. Queries then run in memory exactly as before.
# Memory and open time grow with the data; that fits one office's volume of forms.
#
# Single process: the in-memory copy is the truth while the process runs, so two processes on one
# folder would overwrite each other. The folder is locked with flock; a second process gets
# StoreInUseError. The kernel drops the lock when the process dies.
#
# If a change cannot be saved (a value BSON cannot encode, a disk error), the touched collections
# are reloaded from SQLite and the error is raised. Memory never runs ahead of disk.
#
# Plain `mongomock.MongoClient()` instances get the lock but no journal.
#
# mongomock quirk handled here: `create_index` keeps whatever iterable it is given as the index
# keys (GridFS passes `dict_items`), so a definition reloaded from disk would compare "different"
# and the same `create_index` call would fail after a restart. The keys are made a list of
# (field, direction) tuples first, in memory and on disk alike.
from forms.store.embedded.folder import (  # noqa: F401
    DATABASE_FILE,
    LOCK_FILE,
    EmbeddedStore,
    StoreInUseError,
    open_embedded,
)
from forms.store.embedded.journal import (  # noqa: F401
    DurableCollectionStore,
    DurableDatabaseStore,
    DurableServerStore,
)
from forms.store.embedded.locking import enable_gridfs, install_lock, scan_field  # noqa: F401
