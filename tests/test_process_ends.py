"""A stopped server leaves nothing behind: SIGTERM ends `python server.py` cleanly, and its PDF processes end
with it even when it is killed outright (left running, they held the server's output pipe open)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POOL_SCRIPT = """
import json, os, signal, sys
from forms import create_app
from forms.printing.pool import start_pdf_pool
app = create_app(json.loads(sys.argv[1]))
start_pdf_pool(app)
print(app.extensions["loket.pdf_pool"].submit(os.getpid).result(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition, seconds: float) -> bool:
    """Poll a condition until it holds or the time is up; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_pdf_processes_end_when_their_server_is_killed(tmp_path):
    config = {"TESTING": True, "STORE": "embedded", "MONGODB_URI": "", "SECRET_KEY": "uji",
              "DATA_DIR": str(tmp_path / "data"), "PDF_PROCESSES": 1, "DEMO_ACCOUNTS_FILE": str(tmp_path / "demo.txt")}
    done = subprocess.run([sys.executable, "-c", POOL_SCRIPT, json.dumps(config)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    child = int(done.stdout.split()[0])
    assert child != done.returncode and wait_until(lambda: not alive(child), 10), f"PDF process {child} outlived its server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sigterm_stops_the_server_and_its_workers(tmp_path):
    port = free_port()
    env = {**os.environ, "LOKET_PORT": str(port), "LOKET_HOST": "127.0.0.1", "LOKET_DATA_DIR": str(tmp_path / "data"),
           "LOKET_SECRET_KEY": "uji", "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"), "LOKET_PDF_PROCESSES": "1",
           "LOKET_DEMO_ACCOUNTS_FILE": str(tmp_path / "demo.txt"), "MONGODB_URI": ""}
    server = subprocess.Popen([sys.executable, "server.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_until(lambda: server.poll() is None and connects(port), 120), "the server did not start"
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=90)  # returns only once every holder of the pipe is gone
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, output[-2000:]


def connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False
