"""Queueing a job and waking a worker: apart from the runner (forms.casework.jobs), which imports every job kind."""
from __future__ import annotations

from flask import current_app

from forms.store import Job, add_job

SUBMIT_JOB = "submit"  # the job that carries out a submit's intent (forms.casework.issuing)
PRINT_JOB = "print"  # the job that makes one printout of an issue (the submit job queues one per printout)


def queue_job(kind: str, subject: str, key: str) -> Job:
    """Queue a job once per key (asking again returns the one queued) and wake a worker of this process."""
    job = add_job(kind, subject, key)
    wake = current_app.extensions.get("loket.job_wake")
    if wake is not None:
        wake.set()
    return job
