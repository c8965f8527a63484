"""`python server.py` serves Loket: on the embedded store unless MONGODB_URI is set."""
from __future__ import annotations

import logging
import os
import signal
import threading

from forms import create_app
from forms.app import freeze_startup_objects

if __name__ != "__mp_main__":  # a PDF process (forms.printing.pool, spawned) imports this file too: it needs no app
    app = create_app()
    freeze_startup_objects()


def main() -> None:
    """Serve with waitress (threads; one process, as the embedded store requires), with the background workers."""
    from waitress import serve

    from forms.casework.workers import start_workers, stop_workers

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port = app.config["HOST"], app.config["PORT"]
    where = app.config["MONGODB_URI"] and "MongoDB" or f"embedded store in {app.config['DATA_DIR']}"
    logging.getLogger("loket").info("Loket at http://%s:%s/ (%s)", host, port, where)
    print_demo_accounts()
    stop = threading.Event()
    workers = start_workers(app, stop)
    signal.signal(signal.SIGTERM, end_on_signal)  # a supervisor's stop: finish the runs in progress, stop the pool
    try:
        serve(app, host=host, port=port, threads=app.config["THREADS"], ident="Loket")
    finally:
        stop_workers(app, stop, workers)


def end_on_signal(_signum: int, _frame: object) -> None:
    """Leave the serving loop as Ctrl-C does, so that the workers and PDF processes are stopped."""
    raise SystemExit(0)


def print_demo_accounts() -> None:
    """Show the demo accounts created on this start (only then are their passwords known here)."""
    created = app.extensions.get("loket.demo_accounts") or []
    if created:
        print("Akun demo:")
        for username, role, password in created:
            print(f"  {username:<20} {role:<12} {password}")
        print(f"(juga tersimpan di {app.config['DEMO_ACCOUNTS_FILE']})", flush=True)
    elif app.config["STORE"] == "embedded" and os.path.exists(app.config["DEMO_ACCOUNTS_FILE"]):
        print(f"Akun demo: lihat {app.config['DEMO_ACCOUNTS_FILE']}", flush=True)


if __name__ == "__main__":
    main()
