"""How request cost grows with stored data on the embedded store: 1k → 10k → 50k applications, in one run.

    python bench/growth.py [--sizes 1000,10000,50000] [--samples 25] [--data DIR] [--keep]

Seeds applications through the app's own code, in order: an applicant account, a Permohonan Baru
draft holding the answers of one real walk through the wizard (NIK, names and business codes varied),
submitted through the same submit path as the pages and issued by the same jobs a worker runs (NIB,
documents, audit entries, printouts), two
requirements uploaded to GridFS, and for most applications a workflow action (sent for verification,
some verified). The store grows to each size in turn; at each size every request of issue 15's
table is measured through the WSGI stack as server CPU of the request thread (p50 of --samples),
plus start-up time and RSS of a fresh process opening the store. Every figure is printed with its
ratio to the 1k figure of the same run.

The submits' jobs (numbers and documents; one printout each, rendered and signed in the worker's thread)
are measured as a worker runs them, one by one. With --data naming a folder kept from an earlier run,
the applications it holds count as seeded: `--sizes 50000 --data DIR` measures a kept 50k store again.

Seeding stores one real rendered and signed PDF per document kind (the bytes of the first one) for
every later document instead of rendering each: 100,000 xhtml2pdf renders would take hours. Every
measured request renders for real.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import pdf_of_size

PASSWORD = "Rahasia#2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="(\d+)"')
SCAN = pdf_of_size(8_000)  # a small scanned requirement, well-formed (uploads are parsed); disk: 6 per application


def settings(data_dir: str) -> dict:
    """The app as an office runs it on one machine, with the test CAPTCHA and loose rate limits."""
    return {"STORE": "embedded", "DATA_DIR": data_dir, "SECRET_KEY": "growth-bench",
            "LOGIN_RATE_LIMIT": "100000/minute", "CAPTCHA_RATE_LIMIT": "100000/minute", "API_RATE_LIMIT": "100000/minute",
            "DRAFT_RATE_LIMIT": "100000/minute", "SKM_REQUIRED_FOR_DOWNLOAD": False, "DEADLINE_CHECK_MINUTES": 0,
            "WEBHOOK_POLL_SECONDS": 0, "PDF_PROCESSES": 0}


def token(page) -> str:
    """The CSRF token of a rendered page."""
    return CSRF.search(page.get_data(as_text=True)).group(1)


def nik_for(number: int) -> str:
    """A valid-looking NIK of Kampar (region 140101), born 1 Jan 1990, numbered."""
    return f"140101010190{number % 10000:04d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--data", default="")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    folder = options.data or tempfile.mkdtemp(prefix="loket-growth-")
    from bench.growthlib import Bench
    bench = Bench(folder, options.samples)
    results: dict[int, dict[str, float]] = {}
    try:
        for size in sizes:
            bench.grow_to(size)
            results[size] = bench.measure()
            print_table(results, sizes[0])
    finally:
        bench.close()
        if not options.keep and not options.data:
            shutil.rmtree(folder, ignore_errors=True)


def print_table(results: dict[int, dict[str, float]], base: int) -> None:
    """Every figure at every size so far, with its ratio to the first size's figure."""
    sizes = sorted(results)
    names = list(results[sizes[0]])
    print(f"\n{'request (CPU p50 ms)':<34}" + "".join(f"{size:>16,}" for size in sizes), flush=True)
    for name in names:
        row = f"{name:<34}"
        for size in sizes:
            value = results[size][name]
            ratio = value / results[base][name] if results[base][name] else float("nan")
            row += f"{value:>9.1f} ({ratio:4.2f}×)"
        print(row, flush=True)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


def p50(samples: list[float]) -> float:
    """The median, in milliseconds."""
    return statistics.median(samples) * 1000


def cpu(call) -> float:
    """CPU seconds of this thread spent in call()."""
    start = time.thread_time()
    call()
    return time.thread_time() - start


def startup(folder: str) -> tuple[float, float]:
    """Seconds to create the app over the store, and the process's peak RSS in MB, in a fresh process."""
    code = ("import json, resource, sys, time; t = time.perf_counter(); from forms import create_app; "
            f"app = create_app({settings(folder)!r}); elapsed = time.perf_counter() - t; "
            "print(json.dumps([elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent).stdout
    elapsed, rss = json.loads(output.strip().splitlines()[-1])
    return elapsed, rss


if __name__ == "__main__":
    main()
