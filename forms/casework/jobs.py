"""The job runner: work that must finish after the request that asked for it, run by whichever worker is free.

A job is a store record (forms.store.jobs) naming a kind and a subject, queued once by its key. A
worker claims one with a lease, runs the function of its kind, and marks it done; a run that raises
is retried after JOB_RETRY_SECONDS × 2^(attempt-1) (at most an hour), until JOB_MAX_ATTEMPTS, when
it is marked failed and shown to officers and admins with its error. A worker that dies leaves its
lease to run out (on the embedded store the next start-up requeues at once: it owns the folder).
Every job kind must be safe to run again from the start, and alongside another run of itself.

Workers: the threads of `python server.py` and of `flask --app server worker` (forms.casework.workers);
tests run what is queued with `run_due`.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app

from forms.casework.issuing import (
    PRINT_JOB,
    SUBMIT_JOB,
    plan_issue,
    run_print,
    run_submit,
)
from forms.casework.receipts import RECEIPT_JOB, run_receipt
from forms.casework.reminders import REMINDER_JOB, run_reminder
from forms.casework.reprints import TRANSITION_JOB, run_transition
from forms.errors import FormsError
from forms.store import (
    Job,
    StoreError,
    add_job,
    claim_job,
    finish_job,
    release_running_jobs,
    release_stranded,
    retry_job,
    stranded_claims,
    submissions_being_submitted,
    utcnow,
)

log = logging.getLogger("loket.jobs")

MAX_DELAY = timedelta(hours=1)
# Taken before older jobs of other kinds: issuing a submit is short, printing is long; in one queue each
# submit waited behind every earlier printout twice (for its numbers, then for its PDFs).
FIRST_KINDS = (SUBMIT_JOB, TRANSITION_JOB)
STRANDED_AFTER = timedelta(minutes=5)  # an in-request submit claimed this long ago without finishing has died
# What a failed run may raise: domain refusals, store failures (a lost commit is a RuntimeError), files, and
# the usual faces of a bug in a job or a schema (recorded and shown to admins, rather than ending the worker).
RETRYABLE = (FormsError, StoreError, RuntimeError, OSError, LookupError, ValueError, TypeError, AttributeError,
             ArithmeticError)


def init_jobs(app: Flask) -> None:
    """Name the job kinds, offer the issuing handler to schemas, and make the workers' wake-up signal."""
    app.extensions["loket.jobs"] = {SUBMIT_JOB: run_submit, PRINT_JOB: run_print, TRANSITION_JOB: run_transition,
                                     RECEIPT_JOB: run_receipt,
                                     REMINDER_JOB: run_reminder}
    app.extensions["loket.handlers"]["issue_documents"] = plan_issue
    app.extensions["loket.deferred"].add("issue_documents")
    app.extensions["loket.job_wake"] = threading.Event()


def worker_name() -> str:
    """How a worker signs its claims: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def run_due(limit: int = 100, now: Callable[[], datetime] = utcnow) -> int:
    """Run due jobs (and jobs whose lease ran out) one after another, up to `limit`; how many ran."""
    ran = 0
    while ran < limit:
        job = claim_job(worker_name(), now(), lease(), first=FIRST_KINDS)
        if job is None:
            break
        run_claimed(job)
        ran += 1
    return ran


def run_job(key: str) -> bool:
    """Run one job now if it is due or its lease ran out; False when it is not (done, held, or waiting)."""
    job = claim_job(worker_name(), utcnow(), lease(), key=key)
    if job is None:
        return False
    run_claimed(job)
    return True


def run_claimed(job: Job) -> None:
    """Run a claimed job: done, or retried later with its error (failed for good after the last attempt)."""
    worker = worker_name()
    if job.attempts > current_app.config["JOB_MAX_ATTEMPTS"]:
        retry_job(job, worker, job.last_error or "gave up: every run ended before it could finish", None)
        return
    try:
        current_app.extensions["loket.jobs"][job.kind](job)
    except RETRYABLE as error:
        log.warning("job %s failed (attempt %s): %s", job.key, job.attempts, error)
        last = job.attempts >= current_app.config["JOB_MAX_ATTEMPTS"]
        retry_job(job, worker, f"{type(error).__name__}: {error}", None if last else utcnow() + backoff(job.attempts))
        return
    finish_job(job, worker, utcnow())


def lease() -> timedelta:
    """How long a claim holds a job before another worker may take it over."""
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed run: base × 2^(n-1), at most an hour."""
    return min(timedelta(seconds=current_app.config["JOB_RETRY_SECONDS"] * 2 ** min(attempts - 1, 20)), MAX_DELAY)


def pick_up_unfinished(app: Flask) -> None:
    """At start-up: requeue runs that died with the last process (embedded store) and queue every open intent."""
    if app.config["STORE"] != "mongodb":
        release_running_jobs()  # this process owns the data folder: no other worker holds these
    queue_open_intents()


def queue_open_intents() -> None:
    """Queue the job of every submit whose intent has none (its process died between the two writes; on
    MongoDB they are separate): asking again for a queued or finished job changes nothing."""
    for submission in submissions_being_submitted():
        key = (submission.intent or {}).get("job")
        if key:
            add_job(SUBMIT_JOB, f"submission:{submission.id}", key)
    release_stranded_claims(utcnow() - STRANDED_AFTER)


def release_stranded_claims(before: datetime) -> list[str]:
    """Give back as drafts the in-request submits (no intent) claimed before `before` that never finished: their
    owner can send them again (the number, claimed per submission, stays the same). Ids of those released."""
    released = [str(submission.id) for submission in stranded_claims(before) if release_stranded(submission)]
    if released:
        log.warning("submits that died between their writes are drafts again: %s", ", ".join(released))
    return released
