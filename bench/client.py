"""A small keep-alive HTTP load client for loopback benchmarks (bounded in count and time)."""
from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field


class Session:
    """One keep-alive connection with a cookie jar and CSRF/version scraping."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="(\d+)"')


@dataclass
class Result:
    """Latencies (ms) and failures of one measured run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

    def line(self) -> str:
        return (f"{self.name:<34} {self.rate:8.1f} req/s  p50 {self.percentile(.5):6.2f} ms  "
                f"p95 {self.percentile(.95):6.2f} ms  n={len(self.latencies)} failures={self.failures}")


def run(name: str, workers: list, seconds: float) -> Result:
    """Run each worker callable (returns True on success) in its own thread for `seconds`."""
    result = Result(name)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(work):
        local, failures = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = work()
            local.append((time.perf_counter() - started) * 1000)
            failures += 0 if ok else 1
        with lock:
            result.latencies.extend(local)
            result.failures += failures

    threads = [threading.Thread(target=loop, args=(work,)) for work in workers]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
