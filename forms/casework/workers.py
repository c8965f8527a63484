"""The background workers: job threads, the deadline watcher and the webhook sender, wherever Loket runs them.

`python server.py` starts them beside its request threads; `flask --app server worker` runs only them
(with gunicorn + MongoDB, one or several such processes: every job, delivery and deemed approval is
taken by a conditional update, so two workers never do the same thing). At start the workers pick
up what the last process left unfinished (forms.casework.jobs.pick_up_unfinished), and printout PDFs
are made in a small process pool (forms.printing.pool) so they do not take the GIL from requests.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from forms.casework.jobs import pick_up_unfinished, queue_open_intents, run_due
from forms.casework.reminders import queue_reminders
from forms.casework.transitions import deemed_approvals
from forms.outreach.webhooks import deliver_due
from forms.printing.pool import start_pdf_pool, stop_pdf_pool
from forms.store import StoreError

log = logging.getLogger("loket.workers")
INTENT_SWEEP_SECONDS = 60  # a web process that died between a submit's two writes: its intent waits at most this


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
    threads.append(spawn("intent-sweep", lambda: every(app, stop, INTENT_SWEEP_SECONDS, queue_open_intents)))
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
    """Fire the deemed approvals (fiktif positif) whose service time has lapsed, and queue the reminders of
    obligations coming due; say which."""
    done = deemed_approvals()
    if done:
        log.info("deemed approvals: %s", ", ".join(done))
    reminders = queue_reminders()
    if reminders:
        log.info("obligation reminders queued: %s", len(reminders))
