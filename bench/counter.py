"""Filing at the counter, same process, same run: a wizard step saved by the applicant themselves (baseline)
against the same step saved by a front-office officer serving them (the acting check, the provenance), and the
receipt PDF rendered by its job.

    python bench/counter.py [--rounds 40]

In-process (Flask test client, memory store): it isolates what the counter adds to a request, not the
server's throughput (bench/wizard.py measures that). Applicant and officer take turns, one save each per
round, so that a busy machine slows both alike; medians and p95 are printed in milliseconds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms import create_app
from tests.helpers import ANSWER, NIK, PASSWORD, PROFILE, WizardClient, login, token


def build(folder: str):
    """An app with an applicant, a front-office officer serving her, and a draft of each."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATA_DIR": folder, "OUTBOX_DIR": folder + "/outbox",
                      "CAPTCHA_TEST_ANSWER": ANSWER, "RATELIMIT_ENABLED": False, "STORE": "memory"})
    from forms.identity.accounts import create_account
    with app.app_context():
        siti = create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", nik=NIK,
                              phone="+6281234567890", profile=PROFILE)
        create_account("lina", PASSWORD, "Lina Loket", ["loket"])
    applicant, officer = app.test_client(), app.test_client()
    assert login(applicant, "siti").status_code == 302 and login(officer, "lina").status_code == 302
    page = officer.get(f"/loket/pemohon/{siti.id}")
    assert officer.post(f"/loket/pemohon/{siti.id}/layani", data={"csrf_token": token(page)}).status_code == 302
    return app, WizardClient(applicant, "permohonan-baru").start(), WizardClient(officer, "permohonan-baru").start()


def timed_save(wizard: WizardClient, npwp: str) -> float:
    """Milliseconds for one GET + POST of the first step."""
    began = time.perf_counter()
    response = wizard.fill("data_pelaku", {"npwp": npwp, "email": "siti@contoh.id"})
    assert response.status_code == 302, response.status_code
    return (time.perf_counter() - began) * 1000


def timed_receipt(app, submission_id: str) -> float:
    """Milliseconds for the receipt's rendering (the job's work), context included."""
    from forms.casework.receipts import receipt_context
    from forms.printing.issue import print_settings
    from forms.printing.render import render_pdf
    from forms.store import find_submission
    with app.test_request_context():
        submission = find_submission(submission_id)
        submission.number = "PB-2026-000001"
        began = time.perf_counter()
        settings = print_settings()
        render_pdf(settings, settings.data["receipt"]["template"], receipt_context(settings, submission, "http://x/"))
        return (time.perf_counter() - began) * 1000


def summary(name: str, values: list[float]) -> str:
    """Median and p95 of a series."""
    ordered = sorted(values)
    return f"{name:34s} p50 {statistics.median(ordered):7.1f} ms   p95 {ordered[int(len(ordered) * 0.95) - 1]:7.1f} ms"


def main() -> None:
    """Run the interleaved rounds and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        app, own, counter = build(folder)
        mine, served, receipts = [], [], []
        for index in range(rounds):
            npwp = NIK if index % 2 else "01.234.567.8-901.000"  # a change each time: provenance is written
            mine.append(timed_save(own, npwp))
            served.append(timed_save(counter, npwp))
        for _index in range(max(5, rounds // 4)):
            receipts.append(timed_receipt(app, counter.submission_id))
    print(summary("step save, applicant (baseline)", mine))
    print(summary("step save, counter officer", served))
    print(f"{'ratio of medians':34s} {statistics.median(served) / statistics.median(mine):.2f}")
    print(summary("receipt PDF (job's work)", receipts))


if __name__ == "__main__":
    main()
