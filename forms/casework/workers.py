"""The background workers: job threads, the deadline watcher and the webhook sender, wherever Loket runs them.

`python server.py` starts them beside its request threads; `flask --app server worker` runs only them
(with gunicorn + MongoDB, one or several such processes: every job, delivery and deemed approval is
taken by a conditional update, so two workers never do the same thing). At start the workers pick
up what the last process left unfinished (forms.casework.jobs.pick_up_unfinished), and printout PDFs
are made in a small process pool (forms.printing.pool) so they do not take the GIL from requests.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app

from forms.casework.jobs import pick_up_unfinished, queue_open_intents, run_due
from forms.casework.transitions import deemed_approvals
from forms.outreach.webhooks import deliver_due
from forms.printing.pool import start_pdf_pool, stop_pdf_pool
from forms.store import (
    StoreError,
    live_workers,
    remove_unreferenced_files,
    report_worker,
    utcnow,
)

log = logging.getLogger("loket.workers")
INTENT_SWEEP_SECONDS = 60  # a web process that died between a submit's two writes: its intent waits at most this
BEAT_SECONDS = 30  # a worker process says it is alive this often
SILENT_AFTER = timedelta(seconds=3 * BEAT_SECONDS)  # and counts as gone when not heard from for this long


def start_workers(app: Flask, stop: threading.Event) -> list[threading.Thread]:
    """Pick up unfinished work, start the PDF processes and every worker thread; they end when `stop` is set."""
    with app.app_context():
        pick_up_unfinished(app)
    start_pdf_pool(app)
    threads = [spawn(f"job-worker-{index + 1}", lambda: work_jobs(app, stop))
               for index in range(app.config["JOB_THREADS"])]
    minutes, seconds = app.config["DEADLINE_CHECK_MINUTES"], app.config["WEBHOOK_POLL_SECONDS"]
    if minutes > 0:
        threads.append(spawn("deadline-watch", lambda: every(app, stop, minutes * 60, watch_deadlines)))
    if seconds > 0:
        threads.append(spawn("webhook-worker", lambda: every(app, stop, seconds, deliver_due)))
    if app.config["FILE_SWEEP_HOURS"] > 0:
        threads.append(spawn("file-sweep", lambda: every(app, stop, app.config["FILE_SWEEP_HOURS"] * 3600, sweep_files)))
    threads.append(spawn("intent-sweep", lambda: every(app, stop, INTENT_SWEEP_SECONDS, queue_open_intents)))
    with app.app_context():
        beat()
    threads.append(spawn("heartbeat", lambda: every(app, stop, BEAT_SECONDS, beat)))
    return threads


def stop_workers(app: Flask, stop: threading.Event, threads: list[threading.Thread]) -> None:
    """Ask the workers to stop, wait for the runs in progress, and stop the PDF processes."""
    stop.set()
    app.extensions["loket.job_wake"].set()
    for thread in threads:
        thread.join(60)
    stop_pdf_pool(app)


def spawn(name: str, target: Callable[[], None]) -> threading.Thread:
    """A started daemon thread."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def work_jobs(app: Flask, stop: threading.Event) -> None:
    """Run due jobs until stopped; when there are none, sleep until a submit wakes the worker or the poll is due."""
    wake = app.extensions["loket.job_wake"]
    while not stop.is_set():
        with app.app_context():
            try:
                ran = run_due(limit=10)
            except StoreError:
                log.exception("job worker: the store failed; trying again later")
                ran = 0
        if not ran:
            wake.wait(app.config["JOB_POLL_SECONDS"])
            wake.clear()


def every(app: Flask, stop: threading.Event, seconds: float, task: Callable[[], object]) -> None:
    """Run a task every few seconds until stopped; a store failure is logged and the next round tries again."""
    while not stop.wait(seconds):
        with app.app_context():  # each write commits on its own, as before these loops moved here
            try:
                task()
            except StoreError:
                log.exception("%s: the store failed; trying again later", threading.current_thread().name)


def watch_deadlines() -> None:
    """Fire the deemed approvals (fiktif positif) whose service time has lapsed, and say which."""
    done = deemed_approvals()
    if done:
        log.info("deemed approvals: %s", ", ".join(done))


def sweep_files() -> int:
    """Delete stored files nothing refers to any more (replaced uploads, deleted drafts), past the grace period."""
    hours = current_app.config["FILE_GRACE_HOURS"]
    removed = remove_unreferenced_files(utcnow() - timedelta(hours=hours))
    if removed:
        log.info("removed %d stored files no record refers to (older than %d hours)", removed, hours)
    return removed


def process_name() -> str:
    """How a worker process is known on the admin page: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat() -> None:
    """Say that this process runs the background work."""
    report_worker(process_name(), utcnow())


def runners(now: datetime) -> list:
    """The worker processes heard from lately (the admin page lists them)."""
    return live_workers(now - SILENT_AFTER)


def expect_runner(app: Flask) -> None:
    """In a web process on MongoDB (gunicorn), warn a while after start when no worker process runs."""
    seconds = app.config["RUNNER_CHECK_SECONDS"]
    if app.config["STORE"] == "mongodb" and seconds > 0 and not app.testing:
        timer = threading.Timer(seconds, lambda: warn_without_runner(app, utcnow()))
        timer.daemon = True
        timer.start()


def warn_without_runner(app: Flask, now: datetime) -> bool:
    """Log a warning when no worker process was heard from lately; whether it warned."""
    with app.app_context():
        try:
            silent = not runners(now)
        except StoreError:
            log.exception("could not ask the store whether a worker runs")
            return False
    if silent:
        log.warning("no background worker has reported in the last %d s: issuing, printouts, deemed approvals and "
                    "webhooks wait until one runs (`flask --app server worker`)", SILENT_AFTER.total_seconds())
    return silent
