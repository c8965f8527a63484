"""Serve one of the benchmarked apps with waitress: `python bench/serve.py bare|loket|floor PORT [THREADS]`."""
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


def floor_app() -> Flask:
    """Loket's own app with two extra pages that do no store or engine work: the floor a wizard step stands on.

    GET /_floor renders step.html from the context a real step GET passed it (captured once at start, on
    the demo form's second step, as bench/wizard.py fills it): session, CSRF token, rate limits, language,
    security headers and the Jinja page, but no read, no navigation, no field views. GET /_floor/text
    answers that page as a ready string (the machinery without Jinja). POST /_floor checks
    the CSRF token of a posted form (parsing it) and redirects: no validation, no save, no commit.
    """
    from flask import render_template

    from forms import create_app
    from forms.app import freeze_startup_objects
    from forms.views.applicant import wizard as wizard_views
    app = create_app()
    context: dict = {}

    @app.route("/_floor", methods=["GET", "POST"])
    def floor():
        from flask import request
        if request.method == "POST":
            return redirect("/_floor")
        return render_template("step.html", **context)

    @app.get("/_floor/text")
    def floor_text():
        return page[0]  # the same page as a ready string: the machinery without Jinja

    context.update(capture_step_context(app, wizard_views))
    with app.test_request_context("/_floor"):
        page = [render_template("step.html", **context)]
    freeze_startup_objects()
    return app


def capture_step_context(app: Flask, wizard_views) -> dict:
    """The keyword arguments a real GET of the demo form's step 'usaha' gives render_template."""
    from bench.client import CSRF, VERSION
    from tests.helpers import DEMO_DIRI
    captured: dict = {}
    real = wizard_views.render_template

    def capture(name, **context):
        captured.update(context)
        return real(name, **context)

    client = app.test_client()
    page = client.get("/formulir/demo").get_data(as_text=True)
    created = client.post("/formulir/demo", data={"csrf_token": CSRF.search(page).group(1)})
    base = "/isian/" + created.headers["Location"].rsplit("/", 1)[-1] + "/langkah/"
    page = client.get(base + "data_diri").get_data(as_text=True)
    client.post(base + "data_diri", data=dict(DEMO_DIRI, csrf_token=CSRF.search(page).group(1),
                                              _version=VERSION.search(page).group(1), _action="next"))
    wizard_views.render_template = capture
    try:
        client.get(base + "usaha")
    finally:
        wizard_views.render_template = real
    return captured


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is what a load test expects
    if kind == "bare":
        app = bare_app()
    elif kind == "floor":
        app = floor_app()
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
    workers = start_workers(app, stop) if kind != "bare" else []
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    try:
        serve(app, host="127.0.0.1", port=port, threads=threads, ident="bench", _quiet=True)
    finally:
        if workers:
            stop_workers(app, stop, workers)


if __name__ == "__main__":
    main()
