"""Issuing survives a crash at any point: the issuing process is killed (SIGKILL) at each step of the job in turn.

Child processes share one embedded store on disk. The first submits an application for two business
codes (the request writes the intent and queues the job) and stops. Each next one starts like a
server (picking up what the last left unfinished), runs the job, and is killed at its step: after
the intent, after the number, after the owner number, after each document and its audit line, after
the status change, before the issuing job is marked done, then in the printing job it queues: after
rendering, after signing, after the file, after the printout, before it is marked done. A last one runs
without a kill. Then the store must hold everything exactly once.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from tests.helpers import ANSWER, ROOT, verification_token

CHILD = r'''
import json, os, signal, sys, warnings
warnings.simplefilter("ignore")
settings, phase, kill = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
from forms import create_app
app = create_app(settings)

def die_at(module, name, nth, before):
    """Replace module.name so that its nth call kills this process, before or after the real call."""
    import importlib
    target = importlib.import_module(module)
    real, calls = getattr(target, name), [0]
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if before and calls[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if not before and calls[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(target, name, wrapped)

if phase == "submit":
    from forms.identity.accounts import create_account
    from forms.store import add_webhook
    from tests.helpers import NIK, PASSWORD, PROFILE, detail, issue, login, ok, start
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        add_webhook("http://127.0.0.1:9/terima", "uji", "0" * 64, "admin")
    client = app.test_client()
    assert login(client).status_code == 302
    wizard, rows = start(client, "11052", "47721")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "11052", "47721").status_code == 302
    print(wizard.submission_id)
else:
    from forms.casework.jobs import pick_up_unfinished, run_due
    if kill:
        die_at(kill["module"], kill["name"], kill["nth"], kill["before"])
    with app.app_context():
        pick_up_unfinished(app)
        run_due()
        from forms.store import Job
        print(json.dumps([[job.state, job.last_error] for job in Job.objects]))
from forms.store import close_store
close_store(app)
'''

# (label, module, function, nth call in a full run, kill before the call rather than after it)
KILLS = [
    ("after the intent", "forms.casework.issuing", "claim_number", 1, True),
    ("after the number", "forms.casework.issuing", "claim_number", 1, False),
    ("after the owner number", "forms.casework.numbering", "owner_number", 1, False),
    ("after the first document", "forms.casework.issuing", "add_document", 1, False),
    ("after the second document", "forms.casework.issuing", "add_document", 2, False),
    ("after the status change", "forms.casework.issuing", "change_status", 1, False),
    ("before the issuing job is marked done", "forms.casework.jobs", "finish_job", 1, True),
    ("after rendering the first printout", "forms.printing.pool", "html_to_pdf", 1, False),
    ("after signing the first printout", "forms.printing.pool", "sign_pdf", 1, False),
    ("after storing the first file", "forms.printing.issue", "save_file", 1, False),
    ("after the first printout record", "forms.printing.issue", "add_printout", 1, False),
    ("before the printing job is marked done", "forms.casework.jobs", "finish_job", 1, True),
]


def child(settings: dict, phase: str, kill: dict | None = None) -> subprocess.CompletedProcess:
    """Run one process on the shared store."""
    return subprocess.run([sys.executable, "-c", CHILD, json.dumps(settings), phase, json.dumps(kill)],
                          check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def shared_store(tmp_path, signing_pair):
    """Settings of an app on an embedded store on disk, as `python server.py` has it."""
    return {"TESTING": True, "SECRET_KEY": "test-secret", "STORE": "embedded", "DATA_DIR": str(tmp_path / "data"),
            "OUTBOX_DIR": str(tmp_path / "outbox"), "DEMO_ACCOUNTS_FILE": str(tmp_path / "demo.txt"),
            "SIGNING_KEY": str(signing_pair[0]), "SIGNING_CERT": str(signing_pair[1]), "CAPTCHA_TEST_ANSWER": ANSWER,
            "JOB_MAX_ATTEMPTS": 50,  # killed on purpose more often than a poisoned job would be
            "MONGODB_DB": "loket"}  # every process opens the same database (under MONGODB_URI each app gets its own)


def test_a_kill_at_every_step_of_issuing_still_issues_everything_exactly_once(shared_store, make_app):
    submitted = child(shared_store, "submit")
    assert submitted.returncode == 0, submitted.stderr[-3000:]
    submission_id = submitted.stdout.split()[-1]
    for label, module, name, nth, before in KILLS:
        killed = child(shared_store, "run", {"module": module, "name": name, "nth": nth, "before": before})
        assert killed.returncode == -signal.SIGKILL, (label, killed.returncode, killed.stdout, killed.stderr[-3000:])
    finished = child(shared_store, "run")
    assert finished.returncode == 0, finished.stderr[-3000:]
    check_issued_once(make_app(run_jobs_after_requests=False, **shared_store), submission_id)


def check_issued_once(app, submission_id: str) -> None:
    """One number, one owner number, one document per row, one printout version each, one audit line and one
    event each, counters without gaps, no file without its printout, the job done."""
    from forms.casework.audit import verify_chain
    from forms.printing.issue import find_by_token
    from forms.store import (
        AuditEntry,
        IssuedDocument,
        Job,
        NumberClaim,
        OwnerNumber,
        Printout,
        Submission,
        WebhookDelivery,
        counter_value,
        database,
        open_file,
    )
    with app.app_context():
        submission = Submission.objects.get(id=submission_id)
        assert submission.status == "terbit" and submission.number.startswith("PB-")
        documents = list(IssuedDocument.objects(submission_id=submission.id))
        assert sorted(document.key for document in documents) == ["11052", "47721"]
        assert [number.number for number in OwnerNumber.objects(owner=submission.owner)] == [submission.derived["nib"]]
        subjects = [f"issued_documents:{document.id}" for document in documents] + \
            [f"owner_numbers:{OwnerNumber.objects.get(owner=submission.owner).id}"]
        printouts = list(Printout.objects)
        assert sorted(printout.subject for printout in printouts) == sorted(subjects)
        assert {printout.version for printout in printouts} == {1}
        for printout in printouts:
            pdf = open_file(printout.file_id).read()
            assert find_by_token(verification_token(app, pdf)).id == printout.id
        assert database()["fs.files"].count_documents({}) == len(printouts)
        assert set(database()["fs.chunks"].distinct("files_id")) == set(database()["fs.files"].distinct("_id"))
        for document in documents:
            assert AuditEntry.objects(subject=document.number).count() == 1
        assert verify_chain() == []
        keys = [delivery.event_key for delivery in WebhookDelivery.objects]
        assert sorted(keys) == sorted([f"issue:{document.id}" for document in documents] + [f"submit:{submission.id}"])
        for series in NumberClaim.objects.distinct("series"):
            values = sorted(claim.value for claim in NumberClaim.objects(series=series))
            assert values == list(range(1, counter_value(series) + 1)), series  # no gap, none twice
        printed = len(Printout.objects.distinct("subject"))  # one print job per printout
        assert printed >= 2 and sorted((job.kind, job.state, job.last_error) for job in Job.objects) == (
            [("print", "done", "")] * printed + [("submit", "done", "")])
