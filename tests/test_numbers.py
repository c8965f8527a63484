"""Where numbers come from: Loket by default (the NIB drawn, document numbers patterned on it), or an external HTTP
gateway configured by URL — asked once per number by key, so a job run again gets the same numbers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forms.store import IssuedDocument, Job, OwnerNumber, utcnow
from tests.fakes import NumbersGateway
from tests.helpers import ANSWER, NIK, PASSWORD, PROFILE, issue, login, ok, start

SETTINGS = {"CAPTCHA_TEST_ANSWER": ANSWER, "LOGIN_RATE_LIMIT": "1000/minute", "CAPTCHA_RATE_LIMIT": "1000/minute"}


@pytest.fixture
def numbers_gateway():
    fake = NumbersGateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def applicant_of(app):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def send(client, *codes):
    """Fill Permohonan Baru for the codes and send it; the submission."""
    wizard, rows = start(client, *codes)
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, *codes).status_code == 302
    return wizard.submission()


def test_by_default_loket_draws_the_nib_and_patterns_document_numbers_on_it(make_app):
    app = make_app(**SETTINGS)
    submission = send(applicant_of(app), "11052", "56290")
    nib = submission.derived["nib"]
    numbers = sorted(document.number for document in IssuedDocument.objects(submission_id=submission.id))
    assert re.fullmatch(r"[1-9]\d{12}", nib)
    assert [re.sub(r"\d{4}$", "####", number) for number in numbers] == [f"SS-{nib}-11052-####", f"SS-{nib}-56290-####"]


def test_an_office_linked_to_oss_takes_every_number_from_the_gateway_once(make_app, numbers_gateway):
    app = make_app(NUMBERS_URL=numbers_gateway.url, NUMBERS_TOKEN="rahasia-kantor", **SETTINGS)
    submission = send(applicant_of(app), "11052", "56290")
    documents = list(IssuedDocument.objects(submission_id=submission.id).order_by("key"))
    assert submission.derived["nib"] == "9120000000001"
    assert [document.number for document in documents] == ["91200000000010002", "91200000000010003"]
    asked = [request["question"]["key"] for request in numbers_gateway.requests]
    assert asked[0] == f"owner:{submission.owner}:nib" and len(asked) == 3
    headers = numbers_gateway.requests[1]["headers"]
    assert headers["Authorization"] == "Bearer rahasia-kantor" and headers["Idempotency-Key"] == asked[1]
    from forms.casework.issuing import run_submit
    with app.app_context():  # the job again, as after a crash: the same numbers, nothing issued twice
        run_submit(Job(kind="submit", subject=f"submission:{submission.id}", key="again"))
    assert [document.number for document in IssuedDocument.objects(submission_id=submission.id).order_by("key")] == \
        [document.number for document in documents]
    assert OwnerNumber.objects(owner=submission.owner).count() == 1


def test_a_gateway_that_fails_leaves_the_job_to_retry_and_issues_nothing_meanwhile(make_app, numbers_gateway):
    app = make_app(NUMBERS_URL=numbers_gateway.url, **SETTINGS)
    numbers_gateway.status = 503
    submission = send(applicant_of(app), "11052")
    job = Job.objects(kind="submit").first()
    assert job.attempts == 1 and "NumbersUnavailable" in job.last_error
    assert IssuedDocument.objects(submission_id=submission.id).count() == 0 and OwnerNumber.objects.count() == 0
    numbers_gateway.status = 200
    from forms.casework.jobs import run_due
    with app.app_context():  # the retry is due after its backoff
        assert run_due(now=lambda: utcnow() + timedelta(minutes=5)) >= 1
    submission.reload()
    assert submission.status == "terbit" and submission.derived["nib"] == "9120000000001"
    assert IssuedDocument.objects(submission_id=submission.id).first().number == "91200000000010002"


@pytest.mark.parametrize("answer", [b"<html>oops</html>", b'{"number": "12/34"}', b'{"number": ""}', b"[1]"])
def test_a_gateway_answer_that_is_not_a_usable_number_is_refused(answer):
    from forms.casework.numbering import NumbersUnavailable, number_of
    with pytest.raises(NumbersUnavailable):
        number_of(answer)
