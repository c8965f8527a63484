"""Several gunicorn workers on one MongoDB, from an empty database: boot, sign-in across workers, publish, limits.

    MONGODB_URI=mongodb://… python .ci/smoke_workers.py [--workers 3]

Starts `gunicorn -w N server:app` on a fresh database (every worker seeds schemas/ at the same moment),
then speaks to it over new connections, so that consecutive requests land on different workers; the
access log names the worker (pid) of each request. Checks, failing loudly with what it saw:
1. every worker boots (no "Worker failed to boot"), the master stays up;
2. a sign-in whose page, CAPTCHA image and form post are served by different workers succeeds, and the
   session then opens the applicant home (the CAPTCHA's answer is set through the store, as the tests'
   hook does: the answer itself is never readable);
3. a form version published by another process is served by every worker within a few seconds;
4. the CAPTCHA image's rate limit holds across workers (exactly the limit answered, the rest 429).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CAPTCHA_LIMIT = 12
PASSWORD = "Smoke#Rahasia2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Cookies kept across requests, each request on a new connection (so the workers take turns)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Connection": "close", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        text = data.decode("utf-8", "replace") if "text" in (response.headers.get("Content-Type") or "") else ""
        return response.status, dict(response.headers), text


def at_once(port: int, cookies: dict, path: str, count: int) -> list[tuple[int, str]]:
    """`count` GETs sent together, each on its own connection: sync workers take one each, so several answer."""
    def one(_index: int) -> tuple[int, str]:
        browser = Browser(port)
        browser.cookies = dict(cookies)
        status, _headers, text = browser.request("GET", path)
        return status, text
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def start_gunicorn(workers: int, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
               "--access-logfile", "-", "--access-logformat", "ACCESS %(p)s %(m)s %(U)s %(s)s", "server:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_up(port: int, server: subprocess.Popen, log: Path, workers: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"gunicorn exited with {server.returncode}", log)
        booted = log.read_text().count("Booting worker")
        try:
            status = Browser(port).request("GET", "/")[0]
        except OSError:
            status = None
        if status == 200 and booted >= workers:
            return
        time.sleep(1)
    fail("gunicorn did not answer within 240 s", log)


def access_pids(log: Path, path_prefix: str) -> list[str]:
    return [line.split()[1] for line in log.read_text().splitlines()
            if line.startswith("ACCESS ") and line.split()[3].startswith(path_prefix)]


def fail(message: str, log: Path | None = None) -> None:
    if log is not None and log.exists():
        print(log.read_text()[-6000:], file=sys.stderr)
    print(f"SMOKE FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def store_app(env: dict):
    """An app of this process on the same database (to create the account, answer the CAPTCHA, publish)."""
    os.environ.update({key: env[key] for key in ("MONGODB_URI", "LOKET_MONGODB_DB", "LOKET_SECRET_KEY",
                                                            "LOKET_DEMO_MODE")})
    os.environ["LOKET_RATELIMIT_STORAGE_URI"] = "memory://"  # this process serves no requests
    from forms import create_app
    return create_app()


def sign_in_across_workers(port: int, app, log: Path) -> None:
    from forms.identity.accounts import create_account
    from forms.identity.codes import digest
    from forms.store.models import Code
    with app.app_context():
        create_account("smoke", PASSWORD, "Uji Asap", ["pemohon"], email="smoke@contoh.id")
    browser = Browser(port)
    status, _headers, page = browser.request("GET", "/masuk")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if status != 200 or not csrf:
        fail(f"/masuk answered {status} without a form", log)
    if browser.request("GET", "/masuk/captcha.png")[0] != 200:
        fail("the CAPTCHA image was not served", log)
    serializer = app.session_interface.get_signing_serializer(app)
    challenge = serializer.loads(browser.cookies[app.config["SESSION_COOKIE_NAME"]])["captcha"]
    with app.app_context():
        Code.objects(purpose="captcha", subject=challenge).update_one(
            set__code_hash=digest("captcha", challenge, "SMOKE"))
    status, _headers, _page = browser.request("POST", "/masuk", {"csrf_token": csrf.group(1), "username": "smoke",
                                                                "password": PASSWORD, "captcha": "SMOKE"})
    if status != 302:
        fail(f"sign-in answered {status}, not a redirect", log)
    homes = at_once(port, browser.cookies, "/beranda", 12)
    if any(status != 200 or "Uji Asap" not in home for status, home in homes):
        fail(f"the applicant home after sign-in answered {[status for status, _home in homes]}", log)
    signed, homes_by = access_pids(log, "/masuk"), set(access_pids(log, "/beranda"))
    print(f"sign-in: page, image and post served by workers {signed}; the session then opened the home on {sorted(homes_by)}")
    if len(homes_by | set(signed)) < 2:
        fail("every request was served by one worker: nothing was shown across workers", log)


def publish_reaches_every_worker(port: int, app, log: Path) -> None:
    from forms.catalog.lifecycle import publish, start_draft
    from forms.store import SchemaVersion
    title = f"Formulir Contoh {secrets.token_hex(3)}"
    with app.app_context():
        current = SchemaVersion.objects(kind="form", key="demo", state="published").order_by("-version").first()
        content = {**json.loads(current.content), "title": {"id": title, "en": title}}
        publish(app, start_draft("form", "demo", current.version, "smoke", content=content), "smoke")
    deadline, shown = time.monotonic() + 30, False
    while time.monotonic() < deadline and not shown:
        before = len(access_pids(log, "/formulir/demo"))
        shown = all(title in page for _status, page in at_once(port, {}, "/formulir/demo", 12))
        time.sleep(0.5)
    pids = set(access_pids(log, "/formulir/demo")[before:])
    print(f"publish: 12 requests at once all showed the new title, served by workers {sorted(pids)}")
    if not shown or len(pids) < 2:
        fail("a published version did not reach every worker within 30 s", log)


def limit_holds_across_workers(port: int, log: Path) -> None:
    already = len(access_pids(log, "/masuk/captcha.png"))  # the sign-in above fetched one
    statuses = [status for status, _text in at_once(port, {}, "/masuk/captcha.png", CAPTCHA_LIMIT + 6)]
    pids = set(access_pids(log, "/masuk/captcha.png"))
    served = statuses.count(200)
    print(f"rate limit {CAPTCHA_LIMIT}/minute: {served + already} images served, {statuses.count(429)} refused, "
          f"by workers {sorted(pids)}")
    if served + already != CAPTCHA_LIMIT or statuses.count(429) != len(statuses) - served or len(pids) < 2:
        fail(f"the limit did not hold across workers: {statuses}", log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args()
    if not os.environ.get("MONGODB_URI"):
        fail("MONGODB_URI is not set")
    port, folder = free_port(), Path(tempfile.mkdtemp(prefix="loket-smoke-"))
    log = folder / "gunicorn.log"
    env = dict(os.environ, LOKET_MONGODB_DB=f"loket_smoke_{uuid.uuid4().hex[:10]}",
               LOKET_SECRET_KEY=secrets.token_urlsafe(32), LOKET_CAPTCHA_RATE_LIMIT=f"{CAPTCHA_LIMIT}/minute",
               LOKET_LOGIN_RATE_LIMIT="100/minute", LOKET_CATALOG_REFRESH_SECONDS="1", PYTHONUNBUFFERED="1",
               LOKET_DEMO_MODE="1")  # the publish check changes the demo form, offered in demo mode only
    server = start_gunicorn(options.workers, port, env, log)
    try:
        wait_until_up(port, server, log, options.workers)
        if "Worker failed to boot" in log.read_text():
            fail("a worker failed to boot", log)
        print(f"boot: {options.workers} workers up on an empty database")
        app = store_app(env)
        sign_in_across_workers(port, app, log)
        publish_reaches_every_worker(port, app, log)
        limit_holds_across_workers(port, log)
        if server.poll() is not None:
            fail("the gunicorn master stopped", log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print("SMOKE OK")


if __name__ == "__main__":
    main()
