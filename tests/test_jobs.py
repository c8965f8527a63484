"""Jobs: a submit answers at once and a job issues; runs in parallel issue once; failures retry, then show."""
from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta

import pytest

from forms.casework.issuing import run_print, run_submit
from forms.casework.jobs import pick_up_unfinished, run_due, run_job
from forms.store import (
    AuditEntry,
    IssuedDocument,
    Job,
    OwnerNumber,
    Printout,
    Submission,
    claim_job,
    open_file,
    utcnow,
)
from tests.helpers import (
    ANSWER,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    REQUIREMENTS_11052,
    detail,
    issue,
    login,
    ok,
    run_jobs,
    start,
    token,
)


@pytest.fixture
def quiet_app(make_app):
    """An app whose queued jobs wait for a worker (none runs after requests)."""
    return make_app(run_jobs_after_requests=False, CAPTCHA_TEST_ANSWER=ANSWER, JOB_RETRY_SECONDS=1,
                    SKM_REQUIRED_FOR_DOWNLOAD=False)


@pytest.fixture
def applicant(quiet_app):
    from forms.identity.accounts import create_account
    with quiet_app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", nik=NIK, profile=PROFILE)
    client = quiet_app.test_client()
    assert login(client).status_code == 302
    return client


def submit(client, *codes):
    """Walk Permohonan Baru for business codes and send it; the wizard."""
    wizard, _rows = start(client, *codes)
    ok(wizard.fill("detail_usaha", {key: value for index in range(len(codes)) for key, value in detail(index).items()}))
    assert issue(wizard, *codes).status_code == 302
    return wizard


def test_submit_answers_at_once_and_the_page_says_the_documents_are_being_prepared(quiet_app, applicant):
    wizard = submit(applicant, "11052")
    submission = wizard.submission()
    assert submission.status == "mengirim" and submission.intent["documents"][0]["key"] == "11052"
    assert IssuedDocument.objects(submission_id=submission.id).count() == 0
    page = applicant.get(wizard.url() + "/status").get_data(as_text=True)
    assert "Dokumen sedang disiapkan" in page and '<meta http-equiv="refresh" content="3">' in page
    assert "/dokumen/" not in page
    assert run_jobs(quiet_app) == 3  # the issue, then one job per printout (Sertifikat Standar, NIB)
    page = applicant.get(wizard.url() + "/status").get_data(as_text=True)
    document = IssuedDocument.objects.get(submission_id=submission.id)
    assert f"/dokumen/{document.number}.pdf" in page and "sedang disiapkan" not in page and "refresh" not in page
    assert applicant.get(f"/dokumen/{document.number}.pdf").data.startswith(b"%PDF")


def test_the_english_page_says_it_too(quiet_app, applicant):
    wizard = submit(applicant, "11052")
    home = applicant.get("/")
    assert applicant.post("/bahasa", data={"csrf_token": token(home), "lang": "en", "next": "/"}).status_code == 302
    page = applicant.get(wizard.url() + "/status").get_data(as_text=True)
    assert "Your documents are being prepared." in page and "PDF being prepared" not in page


def test_two_runs_of_one_intent_at_once_issue_one_set_of_documents(quiet_app, applicant):
    wizard = submit(applicant, "11052", "47721")
    job = Job.objects.get()
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        with quiet_app.app_context():
            barrier.wait()
            try:
                run_submit(job)
                barrier.wait()
                for printing in Job.objects(kind="print").order_by("key"):  # one per printout, both runs in turn
                    run_print(printing)
            except Exception as error:  # noqa: BLE001 - the test reports whatever a run raised
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    submission = Submission.objects.get(id=wizard.submission_id)
    documents = list(IssuedDocument.objects(submission_id=submission.id))
    assert submission.status == "terbit" and sorted(document.key for document in documents) == ["11052", "47721"]
    assert OwnerNumber.objects(owner=submission.owner).count() == 1
    assert sorted(Printout.objects.distinct("subject")) == sorted(printout.subject for printout in Printout.objects)
    assert Printout.objects.count() == 3 and all(AuditEntry.objects(subject=d.number).count() == 1 for d in documents)
    with quiet_app.app_context():
        for printout in Printout.objects:  # the stored file is the one its record describes
            assert hashlib.sha256(open_file(printout.file_id).read()).hexdigest() == printout.sha256


def test_a_print_job_queued_before_one_job_per_printout_still_prints_everything(quiet_app, applicant):
    """A job named 'print:<submission>' (one job for all printouts, as queued by an earlier version) still
    makes every printout of its issue, once."""
    from forms.store import add_job
    wizard = submit(applicant, "11052")
    with quiet_app.app_context():
        run_submit(Job.objects.get())
        Job.objects(kind="submit").update(set__state="done")
        Job.objects(kind="print").delete()  # as if queued by the earlier version instead
        add_job("print", f"submission:{wizard.submission_id}", f"print:{wizard.submission_id}")
        assert run_due() == 1 and run_due() == 0
        run_print(Job.objects.get(kind="print"))  # running it again changes nothing
    kinds = sorted(printout.kind for printout in Printout.objects)
    assert kinds == ["nib", "sertifikat_standar"] and {p.version for p in Printout.objects} == {1}


def test_a_print_job_prints_the_one_record_its_key_names_and_nothing_of_another_application(
        quiet_app, applicant, monkeypatch):
    """The job reads its record by the id in its key (not by listing the issue's records), and checks that the
    record belongs to the job's application (a document of it, or its owner's number)."""
    from forms.casework import issuing
    from forms.store import add_job
    first = submit(applicant, "11052")
    with quiet_app.app_context():
        run_submit(Job.objects.get())
        Job.objects(kind="submit").update(set__state="done")
    second = submit(applicant, "47721")
    with quiet_app.app_context():
        run_submit(Job.objects.get(kind="submit", state__ne="done"))
        Job.objects(kind="submit").update(set__state="done")
        Job.objects(kind="print").delete()
        listed = []
        monkeypatch.setattr(issuing, "printed_subjects", lambda submission: listed.append(submission) or [])
        other = IssuedDocument.objects.get(submission_id=first.submission_id)
        mine = IssuedDocument.objects.get(submission_id=second.submission_id)
        add_job("print", f"submission:{second.submission_id}", f"print:{second.submission_id}:issued_documents:{other.id}")
        add_job("print", f"submission:{second.submission_id}", f"print:{second.submission_id}:issued_documents:{mine.id}")
        add_job("print", f"submission:{second.submission_id}", f"print:{second.submission_id}:issued_documents:nonsense")
        assert run_due() == 3
    assert [(p.kind, p.subject) for p in Printout.objects] == [("sertifikat_standar", f"issued_documents:{mine.id}")]
    assert listed == []


def test_a_claimed_job_is_not_run_by_a_second_worker_until_its_lease_runs_out(quiet_app, applicant):
    submit(applicant, "11052")
    job = Job.objects.get()
    with quiet_app.app_context():
        assert claim_job("worker-a", utcnow(), timedelta(minutes=5)) is not None
        assert run_job(job.key) is False and run_due() == 0  # held by worker-a
        later = utcnow() + timedelta(minutes=6)
        assert run_due(now=lambda: later) == 3  # worker-a died: its lease ran out (then the two printouts)
    assert {job.state for job in Job.objects} == {"done"} and IssuedDocument.objects.count() == 1


def test_a_failing_job_is_retried_with_backoff_then_shown_to_admins(quiet_app, applicant, monkeypatch):
    from forms.casework import issuing
    from forms.printing.render import PrintoutError

    def broken(*_args, **_kwargs):
        raise PrintoutError("templat rusak")

    monkeypatch.setattr(issuing, "render_version", broken)
    wizard = submit(applicant, "11052")
    quiet_app.config["JOB_MAX_ATTEMPTS"] = 3
    with quiet_app.app_context():
        assert run_due() == 3 and run_due() == 0  # the issue is done; the two printouts' retries wait
        for first in Job.objects(kind="print"):
            assert first.state == "queued" and "templat rusak" in first.last_error
            assert timedelta(seconds=0.5) < first.next_run_at - utcnow() <= timedelta(seconds=1)
        for _ in range(2):
            Job.objects(kind="print").update(set__next_run_at=utcnow())
            run_due()
    printing = list(Job.objects(kind="print").order_by("key"))
    assert [(job.state, job.attempts) for job in printing] == [("failed", 3)] * 2
    assert all("PrintoutError: templat rusak" in job.last_error for job in printing)
    failed = printing[0]
    page = applicant.get(wizard.url() + "/status").get_data(as_text=True)
    assert "PDF tertunda" in page and "refresh" not in page and "templat rusak" not in page
    assert wizard.submission().status == "terbit"  # the documents are issued; only their printouts wait
    from forms.identity.accounts import create_account
    with quiet_app.app_context():
        create_account("admin", PASSWORD, "Admin", ["admin"])
        create_account("vera", PASSWORD, "Vera", ["verifikator"])
    officer, admin = quiet_app.test_client(), quiet_app.test_client()
    assert login(officer, "vera").status_code == 302 and login(admin, "admin").status_code == 302
    inbox = officer.get("/petugas/").get_data(as_text=True)
    assert "2 pekerjaan latar gagal" in inbox and 'href="/petugas/pekerjaan"' in inbox
    seen = officer.get("/petugas/pekerjaan")
    assert seen.status_code == 200 and "PrintoutError: templat rusak" in seen.get_data(as_text=True)
    assert "Ulangi sekarang" not in seen.get_data(as_text=True) and seen.headers["Cache-Control"] == "no-store"
    assert officer.post(f"/admin/pekerjaan/{failed.id}/ulang", data={"csrf_token": token(seen)}).status_code == 403
    page = admin.get("/petugas/pekerjaan")
    assert admin.post(f"/admin/pekerjaan/{failed.id}/ulang", data={"csrf_token": token(page)}).status_code == 302
    again = Job.objects.get(id=failed.id)
    assert (again.state, again.attempts) == ("queued", 0)  # only the one run again
    assert Job.objects.get(id=printing[1].id).state == "failed"


def test_start_up_requeues_a_run_that_died_and_queues_an_intent_without_a_job(quiet_app, applicant):
    submit(applicant, "11052")
    with quiet_app.app_context():
        claim_job("a-process-that-died", utcnow(), timedelta(hours=1))
        Job.objects.delete()  # as if the process died between the intent and the job (MongoDB: separate writes)
        pick_up_unfinished(quiet_app)
        assert [job.state for job in Job.objects] == ["queued"] and run_due() == 3
    assert Submission.objects.get().status == "terbit"


def test_a_deemed_approval_is_followed_by_one_audit_line_one_event_one_reprint_however_often_its_job_runs(
        quiet_app, applicant):
    from forms.casework.reprints import run_transition
    from forms.casework.transitions import deemed_approvals, transition
    from forms.errors import ConflictError
    from forms.store import WebhookDelivery, add_webhook
    submit(applicant, "11052")
    run_jobs(quiet_app)
    document = IssuedDocument.objects.get()
    for code in REQUIREMENTS_11052:
        page = applicant.get(f"/dokumen/{document.id}")
        assert applicant.post(f"/dokumen/{document.id}/unggah/{code}", content_type="multipart/form-data",
                              data={"csrf_token": token(page), "berkas": (io.BytesIO(PDF), "b.pdf")}).status_code == 302
    stale = IssuedDocument.objects.get()
    page = applicant.get(f"/dokumen/{document.id}")
    assert applicant.post(f"/dokumen/{document.id}/aksi/ajukan_verifikasi",
                          data={"csrf_token": token(page), "catatan": ""}).status_code == 302
    run_jobs(quiet_app)
    document.reload()
    with quiet_app.app_context():
        add_webhook("http://127.0.0.1:9/terima", "uji", "0" * 64, "admin")
        assert deemed_approvals(now=document.sla["due_at"] + timedelta(minutes=1)) == [document.number]
        with pytest.raises(ConflictError):  # an officer acting on what they read before: refused, its job ends quietly
            transition(stale, "ajukan_verifikasi", holder(stale), "")
        assert run_due() == 1 and run_due() == 0  # the approval's job (the refused one's key was taken: nothing new)
        job = Job.objects.get(key=f"transition:{document.id}:{document.version + 1}")
        run_transition(job)  # once more, as after a crash before it was marked done
    approved = [entry for entry in AuditEntry.objects(subject=document.number) if entry.action == "setujui_otomatis"]
    assert len(approved) == 1
    assert [d.event_key for d in WebhookDelivery.objects] == [f"transition:{document.id}:{document.version + 1}"]
    assert [p.version for p in Printout.objects(number=document.number).order_by("version")] == [1, 2]
    assert AuditEntry.objects(subject=document.number, action="ajukan_verifikasi").count() == 1


def holder(document):
    """The account that owns a document."""
    from forms.store import holder_of
    return holder_of(document.owner)


def test_a_submit_is_issued_before_the_printing_of_earlier_ones(quiet_app):
    """Kinds named first are claimed before older jobs of other kinds; among themselves, oldest first."""
    from forms.casework.jobs import FIRST_KINDS
    from forms.store import add_job
    start = utcnow() - timedelta(minutes=1)
    with quiet_app.app_context():
        for index, (kind, key) in enumerate((("print", "print:a"), ("print", "print:b"), ("submit", "submit:c"),
                                             ("submit", "submit:d"))):
            add_job(kind, f"submission:{key}", key)
            Job.objects(key=key).update_one(set__next_run_at=start + timedelta(seconds=index))
        order = [claim_job("w", utcnow(), timedelta(minutes=5), first=FIRST_KINDS).key for _ in range(4)]
        assert claim_job("w", utcnow(), timedelta(minutes=5), first=FIRST_KINDS) is None
    assert order == ["submit:c", "submit:d", "print:a", "print:b"]
