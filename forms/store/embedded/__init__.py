"""Embedded store: the pymongo API of mongomock, durable in one SQLite file, with real indexes."""
# Why: Loket must run where no MongoDB server is configured (one office PC, a laptop, CI), and it must
# stay as fast with 50,000 applications as with 1,000. mongomock speaks the pymongo API that
# mongoengine and GridFS need and stays the judge of what a query matches and what an update does;
# this package gives it what it lacks:
#
# - thread safety: one process-wide lock around mongomock (`locking`);
# - documents on disk, read on demand, a bounded cache, nothing reloaded at start-up (`disk`, `engine`);
# - real indexes: the entries of every index mongoengine declares are kept on each write and answer
#   equalities, `$in`, prefixes of compound indexes, ranges, sorts with a limit and counts (`keys`,
#   `planner`, `tables`); a query no index serves is a scan, and is counted;
# - by-id fast paths: a read of one document by `_id` and a plain `$set`/`$inc` update of one by `_id`
#   (each wizard step does both) go straight to the stored document, without mongomock's cursor and
#   copies; mongomock's matcher still decides whether a conditional update matches (`direct`);
# - durability by group commit: the writes of one request or job step (a unit of work) commit in one
#   SQLite transaction, concurrent units share one fsync, a write is acknowledged only once it is on
#   disk, and readers never wait for the fsync (`engine`);
# - one process per data folder (`folder`), and a one-time conversion of the first store's file.
#
# In memory (tests) the same code runs over an in-memory SQLite database.
from forms.store.embedded.engine import CommitFailed  # noqa: F401
from forms.store.embedded.folder import (  # noqa: F401
    DATABASE_FILE,
    LOCK_FILE,
    EmbeddedStore,
    StoreInUseError,
    open_embedded,
    open_memory,
)
from forms.store.embedded.locking import enable_gridfs, install_lock  # noqa: F401
