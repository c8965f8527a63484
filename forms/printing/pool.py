"""Making and signing printout PDFs away from the request threads: in a small process pool, or in the job's thread.

xhtml2pdf and pyHanko are pure-Python CPU work that holds the GIL (~100 ms per document quiet, seconds
under load): run in the server's threads it starved the requests (a 124 ms read waited 26 s at 32
users). A job fills the template (cheap) and hands the HTML to a worker process, which makes and
signs the PDF and returns the bytes; the job stores them. `python server.py` and `flask --app server
worker` start the pool (PDF_PROCESSES); without one (tests, PDF_PROCESSES = 0) the job's thread does it.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flask import Flask, current_app

from forms.printing.render import html_to_pdf
from forms.printing.signing import (
    credential_paths,
    load_signer,
    office_signer,
    sign_pdf,
)

Credentials = tuple[Path, Path, bytes | None]
_signers: dict[Credentials, object] = {}  # in a worker process: the signer loaded once per key
_lock = threading.Lock()


def start_pdf_pool(app: Flask) -> None:
    """Start the app's PDF processes (spawned, so no thread or lock of the server is copied into them)."""
    processes = app.config["PDF_PROCESSES"]
    with _lock:
        if processes > 0 and "loket.pdf_pool" not in app.extensions:
            app.extensions["loket.pdf_pool"] = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=end_with_parent, initargs=(os.getpid(),))


def stop_pdf_pool(app: Flask) -> None:
    """Stop the app's PDF processes, if it started them."""
    pool = app.extensions.pop("loket.pdf_pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def end_with_parent(parent: int) -> None:
    """In a worker process: exit as soon as the server that started it is gone.

    A server killed by a signal cannot stop its pool; its PDF processes, left behind, kept the
    server's output pipe open (a supervisor or shell waiting on it never saw the end).
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def make_signed_pdf(html: str, path: str, texts: Mapping[str, str]) -> bytes:
    """The signed PDF of rendered HTML: made in the pool when the app has one, else here."""
    app = current_app._get_current_object()
    pool = app.extensions.get("loket.pdf_pool")
    if pool is None:
        return sign_pdf(office_signer(app), html_to_pdf(html, path), texts)
    return pool.submit(render_and_sign, html, path, credential_paths(app), dict(texts)).result()


def render_and_sign(html: str, path: str, credentials: Credentials, texts: Mapping[str, str]) -> bytes:
    """In a worker process: make the PDF and sign it with the office key (loaded once per process)."""
    signer = _signers.get(credentials)
    if signer is None:
        signer = _signers[credentials] = load_signer(*credentials)
    return sign_pdf(signer, html_to_pdf(html, path), texts)
