"""`python server.py` serves Loket: on the embedded store unless MONGODB_URI is set."""
from __future__ import annotations

import logging
import os

from forms import create_app
from forms.app import freeze_startup_objects

app = create_app()
freeze_startup_objects()


def main() -> None:
    """Serve with waitress (threads; one process, as the embedded store requires)."""
    from waitress import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host, port = app.config["HOST"], app.config["PORT"]
    where = app.config["MONGODB_URI"] and "MongoDB" or f"embedded store in {app.config['DATA_DIR']}"
    logging.getLogger("loket").info("Loket at http://%s:%s/ (%s)", host, port, where)
    print_demo_accounts()
    start_deadline_watch(app.config["DEADLINE_CHECK_MINUTES"])
    start_webhook_worker(app.config["WEBHOOK_POLL_SECONDS"])
    serve(app, host=host, port=port, threads=app.config["THREADS"], ident="Loket")


def start_deadline_watch(minutes: int) -> None:
    """Run the deemed approvals (fiktif positif) every few minutes in a background thread (0 turns it off).

    With several server processes, turn it off here and run `flask --app server sla-run` from cron instead.
    """
    import threading

    from forms.casework.transitions import deemed_approvals

    def watch() -> None:
        while not stop.wait(minutes * 60):
            with app.app_context():
                done = deemed_approvals()
            if done:
                logging.getLogger("loket").info("deemed approvals: %s", ", ".join(done))

    stop = threading.Event()
    if minutes > 0:
        threading.Thread(target=watch, name="deadline-watch", daemon=True).start()


def start_webhook_worker(seconds: int) -> None:
    """Send queued webhook deliveries every few seconds in a background thread (0 turns it off).

    With several server processes, turn it off here and run `flask --app server webhook-run` from cron
    (deliveries are claimed atomically, so running it in more than one place is safe).
    """
    import threading

    from forms.outreach.webhooks import deliver_due
    from forms.store import StoreError

    def work() -> None:
        while not stop.wait(seconds):
            with app.app_context():
                try:
                    deliver_due()
                except StoreError:
                    logging.getLogger("loket").exception("webhook worker: the store failed; trying again later")

    stop = threading.Event()
    if seconds > 0:
        threading.Thread(target=work, name="webhook-worker", daemon=True).start()


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
