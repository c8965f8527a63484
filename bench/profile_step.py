"""A wizard step GET or POST in process, on the embedded store: time per request, optionally a cProfile.

    python bench/profile_step.py [--method GET|POST] [--requests 300] [--lang id|en] [--profile [--top 40]]

Runs the app through Flask's test client (no HTTP server), on the demo form's second step, as the
HTTP benchmark (bench/wizard.py) does. Prints the CPU time per request (best of 15 rounds, so that
other work on the machine disturbs it less) and, with --profile, the functions that dominate.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import CSRF, VERSION
from tests.helpers import DEMO_DIRI, DEMO_USAHA


def prepared(data_dir: str, lang: str):
    """A test client standing on step 'usaha' of a demo draft, and a GET and a POST of that step."""
    from forms import create_app
    from forms.app import freeze_startup_objects
    app = create_app({"SECRET_KEY": "bench-secret", "DATA_DIR": data_dir + "/data", "STORE": "embedded",
                      "OUTBOX_DIR": data_dir + "/outbox", "DEMO_ACCOUNTS_FILE": data_dir + "/demo-accounts.txt",
                      "DEMO_MODE": True})  # the demo form is offered in demo mode only
    app.instance_path = data_dir + "/instance"
    freeze_startup_objects()  # as server.py does
    client = app.test_client()
    client.set_cookie("lang", lang)
    page = client.get("/formulir/demo").get_data(as_text=True)
    created = client.post("/formulir/demo", data={"csrf_token": CSRF.search(page).group(1)})
    base = "/isian/" + created.headers["Location"].rsplit("/", 1)[-1] + "/langkah/"
    page = client.get(base + "data_diri").get_data(as_text=True)
    done = client.post(base + "data_diri", data=dict(DEMO_DIRI, csrf_token=CSRF.search(page).group(1),
                                                     _version=VERSION.search(page).group(1), _action="next"))
    assert done.status_code == 302, done.status_code
    url = base + "usaha"
    page = client.get(url).get_data(as_text=True)
    state = {"csrf": CSRF.search(page).group(1), "version": int(VERSION.search(page).group(1))}

    def get():
        assert client.get(url).status_code == 200

    def post():
        form = dict(DEMO_USAHA, csrf_token=state["csrf"], _version=str(state["version"]), _action="next")
        assert client.post(url, data=form).status_code == 302
        state["version"] += 1

    return app, get, post


def cpu_per_request(work, requests: int, rounds: int = 15) -> float:
    """Milliseconds of CPU per call, best of `rounds` rounds after a warm-up."""
    for _ in range(30):
        work()
    best = float("inf")
    for _round in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            work()
        best = min(best, (time.process_time() - started) / requests * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", choices=("GET", "POST"), default="GET")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--lang", choices=("id", "en"), default="id")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", choices=("tottime", "cumulative"), default="tottime")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        app, get, post = prepared(data_dir, args.lang)
        work = get if args.method == "GET" else post
        print(f"wizard step {args.method} ({args.lang}), test client, embedded store: "
              f"{cpu_per_request(work, args.requests):.3f} ms CPU per request (best of 15 × {args.requests})")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                work()
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
        from forms.store import close_store
        close_store(app)


if __name__ == "__main__":
    main()
