"""Deciding a case's six requirements: one row per request (the old page) against one form (now), same run.

    python bench/decisions.py [--cases 20]

Seeds the embedded store in a temporary folder with SS cases waiting for verification, each with six
uploaded PDFs, signs an officer in, then times through the WSGI test client, per case:
  per row  — what the old page cost: six times (case page + its six inline PDF previews + one verdict POST),
             then the page once more;
  one form — the case page (previews load only when opened), one POST of all six verdicts, the page again.
Both paths end in the same saved verdicts; the counts of requests and the bytes served are printed beside the times.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms import create_app
from tests.helpers import PDF, REQUIREMENTS_11052

PASSWORD = "Rahasia#2026"


def seed(app, count: int) -> list[str]:
    """`count` SS cases waiting for verification, six PDFs uploaded to each; their ids."""
    from bson import ObjectId

    from forms.store import IssuedDocument, save_file, utcnow
    now, ids = utcnow(), []
    with app.app_context():
        for index in range(count):
            owner = f"account:{ObjectId()}"
            fulfilment = {code: {"file": save_file(PDF, f"{code}.pdf", "application/pdf", owner), "uploaded_at": now,
                                 "verdict": None, "reason": ""} for code in REQUIREMENTS_11052}
            document = IssuedDocument(submission_id=ObjectId(), owner=owner, kind="sertifikat_standar",
                                      number=f"SS-2026{index:07d}", key="11052", status="menunggu_verifikasi",
                                      data={"kbli": "11052", "skala": "mikro", "risiko": "MT"}, fulfilment=fulfilment,
                                      entered_at=now - timedelta(hours=index + 1),
                                      sla={"due_at": now + timedelta(days=5)}, history=[])
            document.save()
            ids.append(str(document.id))
    return ids


def signed_in(app):
    """A test client signed in as a verifier."""
    with app.app_context():
        from forms.identity.accounts import create_account
        create_account("vera", PASSWORD, "Vera", ["verifikator"])
    client = app.test_client()
    client.get("/masuk/captcha.png")
    answer = client.post("/masuk", data={"csrf_token": token_of(client.get("/masuk")), "username": "vera",
                                         "password": PASSWORD, "captcha": "BENCH"})
    assert answer.status_code == 302
    return client


def token_of(response) -> str:
    return response.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]


def version_of(response) -> str:
    return response.get_data(as_text=True).split('name="_version" value="')[1].split('"')[0]


def per_row(client, case_id: str) -> tuple[int, int]:
    """The old way: a page with every preview, one verdict, again; (requests, bytes)."""
    requests = served = 0
    for code in REQUIREMENTS_11052:
        page = client.get(f"/petugas/dokumen/{case_id}")
        previews = [client.get(f"/dokumen/{case_id}/berkas/{other}") for other in REQUIREMENTS_11052]
        answer = client.post(f"/petugas/dokumen/{case_id}/putusan/{code}",
                             data={"csrf_token": token_of(page), "putusan": "diterima", "alasan": ""})
        assert answer.status_code == 302
        requests += 2 + len(previews)
        served += len(page.data) + sum(len(preview.data) for preview in previews)
    last = client.get(f"/petugas/dokumen/{case_id}")
    return requests + 1, served + len(last.data)


def one_form(client, case_id: str) -> tuple[int, int]:
    """Now: the page, one POST of all six verdicts, the page again; (requests, bytes)."""
    page = client.get(f"/petugas/dokumen/{case_id}")
    data = {"csrf_token": token_of(page), "_version": version_of(page)}
    data.update({f"putusan-{code}": "diterima" for code in REQUIREMENTS_11052})
    assert client.post(f"/petugas/dokumen/{case_id}/putusan", data=data).status_code == 302
    last = client.get(f"/petugas/dokumen/{case_id}")
    return 3, len(page.data) + len(last.data)


def timed(work, client, ids: list[str]) -> tuple[list[float], int, int]:
    """Milliseconds per case, and the requests and bytes of one case."""
    samples, counted = [], (0, 0)
    for case_id in ids:
        started = time.perf_counter()
        counted = work(client, case_id)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, *counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "STORE": "embedded", "DATA_DIR": folder + "/data", "SECRET_KEY": "bench",
                          "OUTBOX_DIR": folder + "/outbox", "CAPTCHA_TEST_ANSWER": "BENCH",
                          "LOGIN_RATE_LIMIT": "10000/minute", "CAPTCHA_RATE_LIMIT": "10000/minute"})
        ids = seed(app, 2 * args.cases)
        client = signed_in(app)
        results = {"per row (old page)": timed(per_row, client, ids[::2]),
                   "one form (now)": timed(one_form, client, ids[1::2])}
        app.extensions["loket.embedded"].close()
    print(f"\n{args.cases} cases of six requirements each, embedded store, WSGI test client\n")
    for name, (samples, requests, served) in results.items():
        ordered = sorted(samples)
        print(f"{name:<20} p50 {statistics.median(ordered):8.1f} ms   max {ordered[-1]:8.1f} ms per case"
              f"   {requests:3d} requests   {served / 1024:7.1f} KiB served")


if __name__ == "__main__":
    main()
