"""Load: simulated applicants doing the whole journey through the JSON API, against a server on loopback.

    python bench/load.py [--seconds 60] [--users 32] [--server-threads 8] [--bare-seconds 10]
    MONGODB_URI=mongodb://… python bench/load.py --workers 3      # gunicorn, several processes, a worker process

Each applicant (a seeded account with its own API token) loops: start a Permohonan Baru, fill its
ten steps, submit (answered at once; a job numbers it and issues the NIB and a Sertifikat Standar,
rendered and signed), poll until the submission is issued and until its printout is ready (as a
browser on the status page would), upload its six requirements, and send it for verification. Without
MONGODB_URI the server is `python bench/serve.py` (waitress, one process, the embedded store in a
temporary folder); with it, gunicorn with --workers processes on a throwaway database of that
server, and one `flask --app server worker` process running the jobs. The same run measures bare Flask (hello GET, form POST) on the same server software.

Prints every error, the submissions lost (each number the server acknowledged is looked up in the
store after the server has stopped), and p50/p95 per step. Loopback only; bounded by --seconds.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wizard import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSWORD = "Rahasia#2026"
REQUIREMENTS = ("hasil_uji_air", "bukti_pasokan_air_baku", "daftar_peralatan",
                "foto_lokasi", "dokumen_sppl")
PROFILE = {"tempat_lahir": "Bangkinang", "tanggal_lahir": "1990-01-05", "alamat": "Jl. Melati No. 1", "rt": "001",
           "rw": "002", "provinsi": "14", "kabupaten": "14.01", "kecamatan": "14.01.01", "desa": "14.01.01.1011"}
DETAIL = {"kbli": "11052", "nama_usaha": "Usaha Maju", "kecamatan_usaha": "14.01.01", "desa_usaha": "14.01.01.1011",
          "alamat_usaha": "Jl. Pahlawan 5", "koordinat": "0.3312, 101.0251", "status_lahan": "sewa",
          "luas_lahan": 120, "satuan_luas": "m2", "modal_tanah": 0, "modal_bangunan": 0, "modal_mesin": 150000000,
          "modal_lain": 0, "modal_kerja": 50000000, "tenaga_laki": 2, "tenaga_perempuan": 3}


def small_pdf() -> bytes:
    """A small well-formed PDF (uploads are opened and checked by their content)."""
    import io

    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = small_pdf()


def steps_for(nik: str) -> list[tuple[str, dict]]:
    """The ten steps of Permohonan Baru for one code (11052, medium-high risk, micro)."""
    return [
        ("data_pelaku", {"npwp": nik, "email": "pemohon@contoh.id"}),
        ("bidang_usaha", {"kegiatan": [{"kbli": "11052", "uraian_kegiatan": "Air minum dalam kemasan"}]}),
        ("detail_usaha", {"detail": [DETAIL]}),
        ("produk", {"daftar_produk": [{"kbli_produk": "11052", "nama_produk": "Air minum", "kapasitas_produk": 1000,
                                       "satuan_produk": "unit/tahun"}]}),
        ("periksa_produk", {}), ("periksa_usaha", {}), ("periksa_kegiatan", {}),
        ("lingkungan", {"pernyataan_sppl": True}),
        ("pernyataan", {"pernyataan_data": True, "pernyataan_tata_ruang": True, "pernyataan_standar": True}),
        ("draf", {}),
    ]


class Client:
    """One keep-alive connection sending an applicant's bearer token; JSON and multipart bodies."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: dict | None = None, upload: bytes | None = None):
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif upload is not None:
            boundary = uuid.uuid4().hex
            data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"berkas.pdf\"\r\n"
                    f"Content-Type: application/pdf\r\n\r\n").encode() + upload + f"\r\n--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        for attempt in (1, 2):
            try:
                self.connection.request(method, "/api/v1" + path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (ConnectionError, http.client.HTTPException):  # a server may close an idle keep-alive
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        parsed = json.loads(payload) if response.getheader("Content-Type", "").startswith("application/json") else payload
        return response.status, parsed


class Recorder:
    """Latencies per step, errors, and the numbers the server acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.submitted: list[tuple[str, str]] = []  # (submission id, number)
        self.journeys = 0

    def note(self, step: str, since: float) -> None:
        """Record how long something took from `since` (e.g. from a submit until its printout was ready)."""
        with self.lock:
            self.latencies[step].append((time.perf_counter() - since) * 1000)

    def timed(self, step: str, client: Client, method: str, path: str, expect: int = 200, **kwargs):
        started = time.perf_counter()
        try:
            status, body = client.call(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as error:
            status, body = None, str(error)
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[step].append(elapsed)
            if status != expect:
                self.errors.append(f"{step}: {status} {str(body)[:300]}")
        return body if status == expect else None


def journey(client: Client, nik: str, recorder: Recorder, deadline: float) -> bool:
    """One application from draft to 'sent for verification'; False when a step failed or time ran out.

    No request starts after the deadline, so the run ends on time (a journey cut short leaves a draft
    or an unsent document; only acknowledged submissions are checked for loss).
    """
    def call(step: str, method: str, path: str, expect: int = 200, **kwargs):
        if time.perf_counter() > deadline:
            return None
        return recorder.timed(step, client, method, path, expect, **kwargs)

    submission = call("create", "POST", "/submissions", 201, body={"form_id": "permohonan-baru"})
    for step, values in steps_for(nik):
        if submission is None:
            return False
        submission = call(f"step {step}", "PUT", f"/submissions/{submission['id']}/steps/{step}",
                          body={"values": values, "version": submission["version"]})
    sent_at = time.perf_counter()
    done = submission and call("submit", "POST", f"/submissions/{submission['id']}/submit",
                               body={"version": submission["version"]})
    done = done and poll(call, f"/submissions/{done['id']}", lambda body: body["status"] != "mengirim", deadline)
    if not done:
        return False
    recorder.note("submit → issued (job)", sent_at)
    with recorder.lock:
        recorder.submitted.append((done["id"], done["number"]))
    document_id = done["documents"][0]["id"]
    if poll(call, f"/documents/{document_id}", lambda body: body["printout"] is not None, deadline) is None:
        return False
    recorder.note("submit → printout ready", sent_at)
    for code in REQUIREMENTS:
        if call("upload", "PUT", f"/documents/{document_id}/requirements/{code}", upload=PDF) is None:
            return False
    return call("send for verification", "POST", f"/documents/{document_id}/transitions",
                body={"action": "ajukan_verifikasi"}) is not None


def poll(call, path: str, ready, deadline: float, every: float = 1.0):
    """GET a resource until `ready(body)` (a job finished it), as a client waiting for it would; None on failure."""
    while time.perf_counter() < deadline:
        body = call("poll", "GET", path)
        if body is None or ready(body):
            return body
        time.sleep(every)
    return None


def run_users(port: int, people: list[tuple[str, str]], seconds: float) -> tuple[Recorder, float]:
    """Every applicant in its own thread, journeys back to back until the time is up."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds

    def user(token: str, nik: str) -> None:
        client = Client(port, token)
        while time.perf_counter() < deadline:
            if journey(client, nik, recorder, deadline):
                with recorder.lock:
                    recorder.journeys += 1

    threads = [threading.Thread(target=user, args=person) for person in people]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.perf_counter() - began


def seed(config: dict, users: int) -> list[tuple[str, str]]:
    """Applicant accounts with tokens, made before the server starts (the embedded store allows one process)."""
    from forms import create_app
    from forms.identity.accounts import create_account
    from forms.identity.apitokens import create_token
    from forms.store import close_store
    app = create_app(config)
    people = []
    with app.app_context():
        for index in range(users):
            nik = f"3201014501{index:06d}"
            account = create_account(f"pemohon{index:03d}", PASSWORD, f"Pemohon {index}", ["pemohon"], nik=nik,
                                     email=f"pemohon{index}@contoh.id", profile=PROFILE)
            people.append((create_token(account, "bench")[0], nik))
    close_store(app)
    return people


def lost(config: dict, submitted: list[tuple[str, str]]) -> list[str]:
    """Acknowledged numbers missing from the store (read after the server stopped), with their documents; and
    the submits whose job had not finished at the stop, finished as the next start would."""
    from forms import create_app
    from forms.store import IssuedDocument, Submission, close_store
    app = create_app(config)
    missing = []
    with app.app_context():
        from forms.casework.jobs import pick_up_unfinished, run_due
        unfinished = Submission._get_collection().count_documents({"status": "mengirim"})
        pick_up_unfinished(app)  # as the next start does
        run_due(limit=100_000)
        print(f"submits still being issued when the server stopped: {unfinished}; after the next start's "
              f"pick-up: {Submission._get_collection().count_documents({'status': 'mengirim'})}")
        numbers = {row["number"]: row["_id"] for row in Submission._get_collection().find(
            {"number": {"$in": [number for _id, number in submitted]}}, {"number": 1})}
        for submission_id, number in submitted:
            if number not in numbers or str(numbers[number]) != submission_id:
                missing.append(number)
            elif not IssuedDocument.objects(submission_id=numbers[number]).count():
                missing.append(f"{number} (no issued document)")
    close_store(app)
    return missing


def wait_for(port: int, process: subprocess.Popen) -> None:
    import socket
    for _attempt in range(600):
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def start_server(kind: str, env: dict, threads: int, workers: int) -> tuple[subprocess.Popen, int]:
    """Loket or bare Flask: on waitress (one process) without workers, else on gunicorn with `workers` processes."""
    port = free_port()
    if workers:
        target = "server:app" if kind == "loket" else "bench.serve:bare_app()"
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
                   "-b", f"127.0.0.1:{port}", "--log-level", "warning", target]
    else:
        command = [sys.executable, str(HERE / "serve.py"), kind, str(port), str(threads)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    wait_for(port, process)
    return process, port


def start_runner(env: dict) -> subprocess.Popen:
    """`flask --app server worker`: the jobs (issuing, printouts) of a gunicorn deployment."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "worker"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(30)


def bare_figures(env: dict, threads: int, workers: int, users: int, seconds: float) -> list[str]:
    """Bare Flask on the same server software and client count: hello GET and a form POST."""
    from bench.client import Session, run
    process, port = start_server("bare", env, threads, workers)
    try:
        lines = []
        for method in ("GET", "POST"):
            sessions = [Session(port) for _ in range(users)]
            workers = [lambda s=s: s.request("GET", "/")[0] == 200 for s in sessions] if method == "GET" else \
                [lambda s=s: s.request("POST", "/", {"a": "1"})[0] == 302 for s in sessions]
            lines.append(run(f"bare Flask {method}", workers, seconds).line())
        return lines
    finally:
        stop(process)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(recorder: Recorder, elapsed: float, missing: list[str], label: str) -> None:
    requests = sum(len(values) for values in recorder.latencies.values())
    print(f"\n{label}: {elapsed:.0f} s, {recorder.journeys} complete journeys, {len(recorder.submitted)} submissions "
          f"acknowledged, {requests} requests ({requests / elapsed:.1f} req/s)")
    print(f"errors: {len(recorder.errors)}")
    for error in recorder.errors[:20]:
        print("  " + error)
    print(f"lost submissions: {len(missing)}" + (": " + ", ".join(missing[:20]) if missing else ""))
    print(f"\n{'step':<28} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for step, values in recorder.latencies.items():
        print(f"{step:<28} {len(values):>6} {statistics.median(values):>9.1f} {percentile(values, .95):>9.1f} "
              f"{max(values):>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes (with MONGODB_URI)")
    parser.add_argument("--bare-seconds", type=float, default=10.0)
    args = parser.parse_args()
    uri = os.environ.get("MONGODB_URI", "")
    with tempfile.TemporaryDirectory() as folder:
        from forms.printing.signing import create_office_certificate
        create_office_certificate(Path(folder) / "signing", "DPMPTSP Uji Beban", "Bench")
        settings = {"SECRET_KEY": "bench-secret", "API_RATE_LIMIT": "1000000/minute", "SKM_REQUIRED_FOR_DOWNLOAD": "false",
                    "SIGNING_KEY": f"{folder}/signing/office-key.pem", "SIGNING_CERT": f"{folder}/signing/office-cert.pem",
                    "OUTBOX_DIR": f"{folder}/outbox", "DATA_DIR": f"{folder}/data", "DEADLINE_CHECK_MINUTES": "0",
                    "WEBHOOK_POLL_SECONDS": "0", "MONGODB_DB": f"loket_bench_{uuid.uuid4().hex[:8]}"}
        env = {**os.environ, "MONGODB_URI": uri, **{f"LOKET_{key}": value for key, value in settings.items()}}
        config = {key: value for key, value in settings.items() if key in ("SECRET_KEY", "OUTBOX_DIR", "DATA_DIR",
                                                                            "MONGODB_DB", "SIGNING_KEY", "SIGNING_CERT")}
        config.update({"MONGODB_URI": uri, "STORE": "mongodb" if uri else "embedded",
                       "DEMO_ACCOUNTS_FILE": f"{folder}/demo-accounts.txt"})
        people = seed(config, args.users)
        workers = args.workers if uri else 0
        process, port = start_server("loket", env, args.server_threads, workers)
        runner = start_runner(env) if workers else None  # gunicorn serves requests; a worker process runs the jobs
        try:
            warm = Recorder()  # one journey first: tables load on first use, the first PDF compiles templates
            journey(Client(port, people[0][0]), people[0][1], warm, time.perf_counter() + 120)
            recorder, elapsed = run_users(port, people, args.seconds)
            recorder.errors[:0] = [f"warm-up {error}" for error in warm.errors]
            recorder.submitted += warm.submitted
        finally:
            stop(process)
            if runner is not None:
                stop(runner)
        missing = lost(config, recorder.submitted)
        bare = bare_figures(env, args.server_threads, workers, args.users, args.bare_seconds)
        if uri:
            import pymongo
            pymongo.MongoClient(uri).drop_database(settings["MONGODB_DB"])
    where = f"gunicorn, {args.workers} workers × {args.server_threads} threads, MongoDB" if uri else \
        f"waitress, {args.server_threads} threads, embedded store"
    report(recorder, elapsed, missing, f"{args.users} applicants, {where}, loopback")
    print(f"\nsame server software, {args.users} keep-alive clients, {args.bare_seconds:.0f} s each:")
    for line in bare:
        print("  " + line)


if __name__ == "__main__":
    main()
