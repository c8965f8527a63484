"""Operations on jobs: queued once by key, claimed with a lease by one conditional update, finished or retried.

A job is work that must finish after the request that asked for it (issuing, re-printing). Its key
is unique, so asking twice queues it once. A worker claims it with one atomic update that sets a
lease and its own name; it records the outcome only while it still holds the job, so a worker whose
lease ran out (it died, or stalled) can never overwrite the run of the worker that took over.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import mongoengine as me
from pymongo import ReturnDocument

from forms.store.errors import translate_errors
from forms.store.ids import parse_id
from forms.store.models import Job, WorkerBeat, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@translate_errors
def add_job(kind: str, subject: str, key: str) -> Job:
    """Queue a job due now, once per key: asking again returns the job already queued (in whatever state)."""
    try:
        return Job(kind=kind, subject=subject, key=key).save(force_insert=True)
    except me.NotUniqueError:
        return Job.objects.get(key=key)


@translate_errors
def find_job(key: str) -> Job | None:
    """A job by its key, or None."""
    return Job.objects(key=key).first()


@translate_errors
def claim_job(worker: str, now: datetime, lease: timedelta, key: str | None = None,
              first: tuple[str, ...] = ()) -> Job | None:
    """Take the oldest due job (or one whose lease ran out), or the job with `key`, for `lease`; None if none.

    Claims each answered by an index, rather than one `$or` that no index serves (a scan of every job
    ever run, on every poll): first the due queued jobs of the kinds in `first` (a submit's short
    issuing before the printing of earlier ones), then any due queued job, then the abandoned ones.
    """
    claims = [({"state": QUEUED, "kind": kind, "next_run_at": {"$lte": now}}, [("next_run_at", 1)]) for kind in first]
    for due, sort in (*claims, ({"state": QUEUED, "next_run_at": {"$lte": now}}, [("next_run_at", 1)]),
                      ({"state": RUNNING, "lease_until": {"$lte": now}}, [("lease_until", 1)])):
        if key is not None:
            due["key"] = key
        raw = Job._get_collection().find_one_and_update(
            due, {"$set": {"state": RUNNING, "lease_until": now + lease, "claimed_by": worker}, "$inc": {"attempts": 1}},
            sort=sort, return_document=ReturnDocument.AFTER)
        if raw:
            return Job._from_son(raw)
    return None


@translate_errors
def extend_lease(job: Job, worker: str, until: datetime) -> bool:
    """Keep a claimed job for longer (between steps); False when the worker no longer holds it."""
    held = Job._get_collection().update_one({"_id": job.id, "state": RUNNING, "claimed_by": worker},
                                            {"$set": {"lease_until": until}})
    return bool(held.modified_count)


@translate_errors
def finish_job(job: Job, worker: str, now: datetime) -> bool:
    """Mark a claimed job done; False when another worker took it over meanwhile."""
    return settle(job, worker, {"state": DONE, "finished_at": now, "lease_until": None, "last_error": ""})


@translate_errors
def retry_job(job: Job, worker: str, error: str, next_run_at: datetime | None) -> bool:
    """Record a failed run: queued again at `next_run_at`, or failed for good when None (shown to admins)."""
    changes = {"state": QUEUED if next_run_at else FAILED, "lease_until": None, "last_error": error[:2000]}
    if next_run_at:
        changes["next_run_at"] = next_run_at
    return settle(job, worker, changes)


def settle(job: Job, worker: str, changes: dict) -> bool:
    """Apply a run's outcome only if the worker still holds the job."""
    result = Job._get_collection().update_one({"_id": job.id, "state": RUNNING, "claimed_by": worker},
                                              {"$set": changes})
    return bool(result.modified_count)


@translate_errors
def release_running_jobs() -> int:
    """Queue again every job marked running: on the embedded store, a start-up owns the folder, so their runs died."""
    return Job.objects(state=RUNNING).update(set__state=QUEUED, set__lease_until=None, set__next_run_at=utcnow())


@translate_errors
def requeue_job(job_id: Any) -> bool:
    """Make a failed job due now with a fresh round of attempts; False if unknown or not failed."""
    wanted = parse_id(job_id)
    return wanted is not None and bool(Job.objects(id=wanted, state=FAILED).update_one(
        set__state=QUEUED, set__attempts=0, set__next_run_at=utcnow()))


@translate_errors
def failed_jobs(limit: int = 50) -> list[Job]:
    """Jobs that failed for good, newest first (what an admin must look at)."""
    return list(Job.objects(state=FAILED).order_by("-next_run_at").limit(limit))


@translate_errors
def jobs_of(subject: str) -> list[Job]:
    """Every job about one subject, oldest first."""
    return list(Job.objects(subject=subject).order_by("created_at"))


@translate_errors
def count_jobs(state: str) -> int:
    """How many jobs are in a state."""
    return Job.objects(state=state).count()


@translate_errors
def report_worker(name: str, now: datetime) -> None:
    """Say that the worker process `name` is alive at `now` (one record per process, kept up to date)."""
    WorkerBeat.objects(name=name).update_one(set__beat_at=now, set_on_insert__started_at=now, upsert=True)


@translate_errors
def live_workers(since: datetime) -> list[WorkerBeat]:
    """The worker processes heard from since `since`, most recent first."""
    return list(WorkerBeat.objects(beat_at__gte=since).order_by("-beat_at"))
