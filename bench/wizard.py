"""Wizard step GET and POST (validate + save on the embedded store) against bare Flask, same server, same run.

    python bench/wizard.py [--seconds 5] [--clients 4] [--floor]

Both apps run under waitress (4 threads) in their own processes on loopback; the client keeps one
connection per simulated user. Bare and wizard take turns in short slices (--slices), so that a
change in the machine's speed during the run (other work, a busy host) hits both alike. Prints
req/s, p50/p95 and the ratio to bare Flask.

With --floor a third app takes its turns too: Loket itself with a page that renders the step's template
from a captured context and a POST that only checks CSRF (bench/serve.py floor_app). It shows how much
of the gap to bare Flask is the step's own work (store, navigation, validation, field views) and how
much is what every Loket page pays (session, CSRF, rate limits, security headers, the Jinja page).
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import CSRF, VERSION, Result, Session, run
from tests.helpers import DEMO_DIRI, DEMO_USAHA

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(kind: str, data_dir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, LOKET_DATA_DIR=data_dir, LOKET_SECRET_KEY="bench-secret", MONGODB_URI="",
               LOKET_DEMO_MODE="1")  # the demo form the bench fills is offered in demo mode only
    process = subprocess.Popen([sys.executable, str(HERE / "serve.py"), kind, str(port)], env=env)
    for _attempt in range(1200):  # start-up loads schemas and tables: seconds on a busy machine
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def applicant(port: int) -> tuple[Session, str]:
    """A session with a draft whose first step is done, standing on step 'usaha'."""
    session = Session(port)
    _s, page, _h = session.request("GET", "/formulir/demo")
    status, _t, headers = session.request("POST", "/formulir/demo", {"csrf_token": CSRF.search(page).group(1)})
    submission = headers["Location"].rsplit("/", 1)[-1]
    step = f"/isian/{submission}/langkah/data_diri"
    _s, page, _h = session.request("GET", step)
    form = dict(DEMO_DIRI, csrf_token=CSRF.search(page).group(1), _version=VERSION.search(page).group(1), _action="next")
    status, _t, _h = session.request("POST", step, form)
    assert status == 302, status
    return session, f"/isian/{submission}/langkah/usaha"


def loket_workers(port: int, clients: int, method: str) -> list:
    workers = []
    for _index in range(clients):
        session, step = applicant(port)
        _s, page, _h = session.request("GET", step)
        state = {"version": int(VERSION.search(page).group(1)), "csrf": CSRF.search(page).group(1)}
        if method == "GET":
            workers.append(lambda s=session, u=step: s.request("GET", u)[0] == 200)
        else:
            def post(s=session, u=step, st=state):
                form = dict(DEMO_USAHA, csrf_token=st["csrf"], _version=str(st["version"]), _action="next")
                ok = s.request("POST", u, form)[0] == 302
                st["version"] += 1 if ok else 0
                return ok
            workers.append(post)
    return workers


def bare_workers(port: int, clients: int, method: str) -> list:
    sessions = [Session(port) for _ in range(clients)]
    if method == "GET":
        return [lambda s=s: s.request("GET", "/")[0] == 200 for s in sessions]
    return [lambda s=s: s.request("POST", "/", dict(DEMO_USAHA))[0] == 302 for s in sessions]


def floor_workers(port: int, clients: int, method: str) -> list:
    """Loket's machinery without the step's own work (bench/serve.py floor): its page GET, a CSRF-checked POST."""
    workers = []
    for _index in range(clients):
        session = Session(port)
        _s, page, _h = session.request("GET", "/_floor")
        token = CSRF.search(page).group(1)
        if method == "GET":
            workers.append(lambda s=session: s.request("GET", "/_floor")[0] == 200)
        elif method == "TEXT":
            workers.append(lambda s=session: s.request("GET", "/_floor/text")[0] == 200)
        else:
            workers.append(lambda s=session, t=token: s.request("POST", "/_floor", dict(DEMO_USAHA, csrf_token=t))[0] == 302)
    return workers


def lookup_workers(port: int, clients: int) -> list:
    queries = ["roti", "10710", "restoran", "bengkel", "apotek", "konstruksi gedung", "perikanan", "56101"]
    workers = []
    for number in range(clients):
        session, counter = Session(port), [number]

        def search(s=session, c=counter):
            c[0] += 1
            return s.request("GET", "/referensi/kbli?q=" + urllib.parse.quote(queries[c[0] % len(queries)]))[0] == 200
        workers.append(search)
    return workers


def interleaved(workloads: list[tuple[str, list]], seconds: float, slices: int) -> list[Result]:
    """Run each (name, workers) for `seconds` in all, taking turns in `slices` slices."""
    merged = [Result(name) for name, _workers in workloads]
    for _slice in range(slices):
        for total, (name, workers) in zip(merged, workloads):
            part = run(name, workers, seconds / slices)
            total.latencies += part.latencies
            total.failures += part.failures
            total.seconds += part.seconds
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--slices", type=int, default=8, help="turns bare and wizard take within --seconds")
    parser.add_argument("--floor", action="store_true",
                        help="also measure Loket's per-request machinery and page without the step's work")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        bare, bare_port = start("bare", data_dir + "/bare")
        try:
            loket, loket_port = start("loket", data_dir + "/loket")
        except RuntimeError:
            bare.terminate()
            raise
        floor = None
        try:
            if args.floor:
                floor, floor_port = start("floor", data_dir + "/floor")
            results = {}
            for method in ("GET", "POST"):
                workloads = [(f"bare Flask {method}", bare_workers(bare_port, args.clients, method)),
                             (f"wizard step {method}", loket_workers(loket_port, args.clients, method))]
                if floor:
                    workloads.append((f"floor (no step work) {method}", floor_workers(floor_port, args.clients, method)))
                    if method == "GET":
                        workloads.append(("floor, page as text GET", floor_workers(floor_port, args.clients, "TEXT")))
                measured = interleaved(workloads, args.seconds, args.slices)
                results[f"bare {method}"], results[f"loket {method}"] = measured[:2]
                if floor:
                    results[f"floor {method}"] = measured[2]
                    if method == "GET":
                        results["floor TEXT"] = measured[3]
            results["lookup"] = run("KBLI lookup GET", lookup_workers(loket_port, args.clients), args.seconds)
        finally:
            for process in (bare, loket, floor):
                if process is not None:
                    process.terminate()
                    process.wait(10)
    print(f"\nwaitress 4 threads, {args.clients} keep-alive clients, {args.seconds:.0f} s each "
          f"(in {args.slices} alternating slices), loopback\n")
    for result in results.values():
        print(result.line())
    for method, goal in (("GET", 30), ("POST", 40)):
        share = 100 * results[f"loket {method}"].rate / results[f"bare {method}"].rate
        print(f"wizard step {method} = {share:5.1f} % of bare Flask (goal ≥ {goal} %)")
        if f"floor {method}" in results:
            ceiling = 100 * results[f"floor {method}"].rate / results[f"bare {method}"].rate
            print(f"  floor {method} (Loket's machinery{' and page' if method == 'GET' else ''}, no step work) "
                  f"= {ceiling:5.1f} % of bare Flask: the most a step can reach without changing those")
        if method == "GET" and "floor TEXT" in results:
            ceiling = 100 * results["floor TEXT"].rate / results["bare GET"].rate
            print(f"  floor GET of the page as a ready string (machinery, no Jinja) = {ceiling:5.1f} % of bare Flask")


if __name__ == "__main__":
    main()
