"""Serve one of the benchmarked apps with waitress: `python bench/serve.py bare|loket PORT [THREADS]`."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from flask import Flask, redirect
from waitress import serve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_app() -> Flask:
    """The baseline: a bare Flask hello (GET) and a form post answered by a redirect (POST)."""
    app = Flask("bare")

    @app.get("/")
    def hello():
        return "Hello, World!"

    @app.post("/")
    def posted():
        return redirect("/")

    return app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is what a load test expects
    if kind == "bare":
        app = bare_app()
    else:
        from forms import create_app
        from forms.app import freeze_startup_objects
        app = create_app()
        freeze_startup_objects()  # as server.py does
    serve_until_stopped(app, kind, port, threads)


def serve_until_stopped(app: Flask, kind: str, port: int, threads: int) -> None:
    """Serve until SIGTERM; Loket with its job threads and PDF processes (as server.py), stopped on the way out."""
    import signal
    import threading

    from forms.casework.workers import start_workers, stop_workers
    stop = threading.Event()
    workers = start_workers(app, stop) if kind == "loket" else []
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    try:
        serve(app, host="127.0.0.1", port=port, threads=threads, ident="bench", _quiet=True)
    finally:
        if workers:
            stop_workers(app, stop, workers)


if __name__ == "__main__":
    main()
