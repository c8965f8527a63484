"""Officer inbox and case page with 5,000 issued documents on the embedded store, against bare Flask, same run.

    python bench/inbox.py [--documents 5000] [--requests 200]

Seeds the embedded store in a temporary folder (applications + issued documents spread over the
workflow states), signs an officer in, then times GET /petugas/ (default tab), a search, a state
tab, and a case page through the WSGI test client; bare Flask hello is timed the same way.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask

from forms import create_app

STATES = ["belum_terverifikasi", "menunggu_verifikasi", "perlu_perbaikan", "terverifikasi", "menunggu_persetujuan"]


def seed(app, count: int) -> str:
    """Insert `count` applications with one issued document each; return one document id."""
    from bson import ObjectId

    from forms.store import IssuedDocument, Submission, utcnow
    rng = random.Random(7)
    now = utcnow()
    submissions, documents = [], []
    for index in range(count):
        sid, kind = ObjectId(), ("izin" if index % 4 == 0 else "sertifikat_standar")
        status = STATES[rng.randrange(len(STATES))]
        if kind == "izin":
            status = {"belum_terverifikasi": "menunggu_persetujuan", "terverifikasi": "izin_terbit"}.get(status, status)
        else:
            status = {"menunggu_persetujuan": "belum_terverifikasi"}.get(status, status)
        entered = now - timedelta(hours=rng.randrange(1, 24 * 30))
        submissions.append({"_id": sid, "form_id": "permohonan-baru", "form_version": 1, "owner": f"account:{ObjectId()}",
                            "status": "terbit", "number": f"PB-2026-{index:06d}", "answers": {}, "derived": {},
                            "validated": [], "history": [], "version": 3, "created_at": entered, "updated_at": entered})
        documents.append({"_id": ObjectId(), "submission_id": sid, "owner": submissions[-1]["owner"], "kind": kind,
                          "number": f"SS-2026{index:07d}", "key": "11052", "status": status, "entered_at": entered,
                          "issued_at": entered, "updated_at": entered, "version": 2,
                          "data": {"kbli": "11052", "skala": "mikro", "risiko": "MT", "nama_usaha": f"Usaha {index}"},
                          "sla": {"due_at": entered + timedelta(days=7)} if status == "menunggu_verifikasi" else {},
                          "history": [{"at": entered, "to": status, "action": "terbit"}], "fulfilment": {},
                          "search": f"ss-2026{index:07d} 11052 industri air minum usaha {index} 3201010501900{index % 1000:03d}"})
    with app.app_context():
        Submission._get_collection().insert_many(submissions)
        IssuedDocument._get_collection().insert_many(documents)
    return str(documents[1]["_id"])


def timed(client, path: str, count: int) -> list[float]:
    """Latencies (ms) of `count` GETs, after a short warm-up."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"{name:<34} p50 {statistics.median(ordered):7.2f} ms   p95 {ordered[int(.95 * len(ordered)) - 1]:7.2f} ms"
            f"   max {ordered[-1]:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "STORE": "embedded", "DATA_DIR": folder + "/data", "SECRET_KEY": "bench",
                          "OUTBOX_DIR": folder + "/outbox", "CAPTCHA_TEST_ANSWER": "BENCH", "LOGIN_RATE_LIMIT": "10000/minute",
                          "CAPTCHA_RATE_LIMIT": "10000/minute"})
        started = time.perf_counter()
        case_id = seed(app, args.documents)
        print(f"seeded {args.documents} applications + documents in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            from forms.identity.accounts import create_account
            create_account("vera", "Rahasia#2026", "Vera", ["verifikator"])
        client = app.test_client()
        page = client.get("/masuk").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.get("/masuk/captcha.png")
        assert client.post("/masuk", data={"csrf_token": token, "username": "vera", "password": "Rahasia#2026",
                                           "captcha": "BENCH"}).status_code == 302
        bare = Flask("bare")
        bare.get("/")(lambda: "Hello, World!")
        results = {
            "bare Flask hello": timed(bare.test_client(), "/", args.requests),
            "inbox (default tab)": timed(client, "/petugas/", args.requests),
            "inbox search 'usaha 42'": timed(client, "/petugas/?status=menunggu_verifikasi&q=usaha+42", args.requests),
            "inbox tab terverifikasi": timed(client, "/petugas/?status=terverifikasi", args.requests),
            "case page": timed(client, f"/petugas/dokumen/{case_id}", args.requests),
        }
        app.extensions["loket.embedded"].close()
    print(f"\n{args.documents} documents on the embedded store, WSGI test client, {args.requests} requests each\n")
    for name, samples in results.items():
        print(line(name, samples))


if __name__ == "__main__":
    main()
