"""Review of the counter: the filer of a counter case cannot hand it on or judge it over the JSON API, and NIK
look-ups at the counter are audited (who looked up whom, never the full number)."""
from __future__ import annotations

import pytest

from forms.store import AuditEntry
from tests.helpers import (
    ANSWER,
    NIK,
    REQUIREMENTS_11052,
    Api,
    account_id,
    file_at_counter,
    find_by_nik,
    serve_applicant,
    take_action,
    token,
    upload_requirement,
)


@pytest.fixture
def app(make_app):
    """Sign-ins with the test image code, no rate limits in the way of many page loads."""
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, RATELIMIT_ENABLED=False, SKM_REQUIRED_FOR_DOWNLOAD=False)



def filed_and_waiting(counter):
    """Rina (front office and verifier) files for siti at the counter up to 'waiting for verification'."""
    serve_applicant(counter["rina"])
    _submission, document = file_at_counter(counter["rina"])
    for code in REQUIREMENTS_11052:
        assert upload_requirement(counter["rina"], document, code).status_code == 302
    assert take_action(counter["rina"], document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    assert document.status == "menunggu_verifikasi"
    return document


def api_of(app, username):
    """A JSON API client with a fresh token of this account."""
    from forms.identity.apitokens import create_token
    from forms.store import find_account_by_username
    with app.app_context():
        return Api(app.test_client(), create_token(find_account_by_username(username), "uji")[0])


def test_the_filer_cannot_hand_their_counter_filing_to_a_colleague(app, counter):
    from forms.casework import transitions
    from forms.store import find_account_by_username
    serve_applicant(counter["rina"])
    _submission, document = file_at_counter(counter["rina"])
    with app.test_request_context():
        rina, vera = find_account_by_username("rina"), find_account_by_username("vera")
        with pytest.raises(transitions.Forbidden):
            transitions.claim(document, rina, vera)
    document.reload()
    assert not document.assigned_to


def test_the_filer_is_refused_over_the_json_api_and_nothing_changes(app, counter):
    document = filed_and_waiting(counter)
    rina, vera = api_of(app, "rina"), api_of(app, "vera")
    code = REQUIREMENTS_11052[0]
    assert rina.post(f"/documents/{document.id}/claim", json={}).status_code == 403
    assert rina.post(f"/documents/{document.id}/claim",
                     json={"assignee": str(account_id(app, "vera"))}).status_code == 403
    judged = rina.post(f"/documents/{document.id}/requirements/{code}/verdict", json={"verdict": "diterima"})
    assert judged.status_code == 403
    moved = rina.post(f"/documents/{document.id}/transitions", json={"action": "verifikasi",
                                                                     "version": document.version})
    assert moved.status_code in (403, 409, 422)
    document.reload()
    assert document.status == "menunggu_verifikasi" and not document.assigned_to
    assert document.fulfilment[code]["verdict"] is None
    assert vera.post(f"/documents/{document.id}/claim", json={}).status_code == 200


def test_nik_lookups_at_the_counter_are_audited_without_the_full_number(app, counter):
    lina = counter["lina"]
    before = AuditEntry.objects.count()
    assert find_by_nik(lina, "123").status_code == 302  # malformed: nothing looked up, nothing written
    assert AuditEntry.objects.count() == before
    find_by_nik(lina, NIK)
    find_by_nik(lina, "3201010101010001")
    found, unknown = AuditEntry.objects(seq__gt=before).order_by("seq")
    assert (found.actor, found.subject) == ("lina (loket)", f"account:{account_id(app, 'siti')}")
    assert unknown.actor == "lina (loket)" and unknown.subject == "nik:320101******0001"
    assert all(NIK not in entry.note + entry.subject and "3201010101010001" not in entry.subject
               for entry in (found, unknown))


def test_a_nik_search_is_posted_and_never_put_in_an_address(app, counter):
    """A NIK in a query string ends up in access logs and browser history: the search form posts it."""
    lina = counter["lina"]
    before = AuditEntry.objects.count()
    assert lina.get(f"/loket/cari?nik={NIK}").status_code == 405
    assert AuditEntry.objects.count() == before
    assert 'method="post" action="/loket/cari"' in lina.get("/loket/").get_data(as_text=True)
    assert lina.post("/loket/cari", data={"nik": NIK}).status_code == 400  # no form token: refused


def test_the_counter_filing_line_is_written_once_when_the_submit_job_runs_again(app, counter):
    from forms.casework.issuing import SUBMIT_JOB, run_submit
    from forms.store import Job
    serve_applicant(counter["lina"])
    submission, document = file_at_counter(counter["lina"])
    line = "diajukan oleh petugas Lina Loket atas nama Siti Aminah"
    job = Job.objects(kind=SUBMIT_JOB, subject=f"submission:{submission.id}").first()
    assert job is not None and job.state == "done"
    assert submission.intent  # kept after the run, so a run again redoes every step (each once)
    with app.test_request_context():
        run_submit(job)
    for subject in (submission.number, document.number):
        assert AuditEntry.objects(subject=subject, action=line).count() == 1


@pytest.mark.parametrize("change", ["applicant disabled", "applicant made an officer", "officer loses the role"])
def test_serving_ends_when_the_applicant_or_the_officer_changes(app, counter, change):
    from forms.store import set_account_active, set_roles
    serve_applicant(counter["lina"])
    siti, lina = account_id(app, "siti"), account_id(app, "lina")
    with counter["lina"].session_transaction() as session:
        assert session["loket_atas_nama"] == str(siti)
    with app.app_context():
        {"applicant disabled": lambda: set_account_active(siti, False),
         "applicant made an officer": lambda: set_roles(siti, ["pemohon", "verifikator"]),
         "officer loses the role": lambda: set_roles(lina, ["pemohon"])}[change]()
    counter["lina"].get("/beranda")
    with counter["lina"].session_transaction() as session:
        assert "loket_atas_nama" not in session


def test_counter_posts_need_the_form_token_and_counter_pages_are_not_stored(app, counter):
    lina = counter["lina"]
    siti_page = find_by_nik(lina, NIK).headers["Location"]
    assert lina.post(siti_page + "/layani", data={}).status_code == 400
    with lina.session_transaction() as session:
        assert "loket_atas_nama" not in session
    for path in ("/loket/", siti_page):
        response = lina.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]


def test_the_receipt_shows_the_nik_masked_and_another_applicant_cannot_open_it(app, counter):
    from tests.helpers import printout_text
    serve_applicant(counter["lina"])
    submission, _document = file_at_counter(counter["lina"])
    page = counter["lina"].get("/loket/")
    assert counter["lina"].post(f"/loket/isian/{submission.id}/bukti",
                                data={"csrf_token": token(page)}).status_code == 302
    pdf = counter["lina"].get(f"/loket/isian/{submission.id}/bukti.pdf")
    text = printout_text(pdf.data)
    assert pdf.status_code == 200 and "320101******0001" in text and NIK not in text.replace(" ", "")
    assert counter["budi"].get(f"/loket/isian/{submission.id}/bukti.pdf").status_code == 403


def test_an_officer_who_uploaded_a_file_at_the_counter_cannot_judge_the_case(app, counter):
    from forms.casework import transitions, verdicts
    from forms.store import find_account_by_username
    _submission, document = file_at_counter(counter["siti"])  # siti filed herself; rina only scans one file for her
    serve_applicant(counter["rina"])
    code = REQUIREMENTS_11052[0]
    assert upload_requirement(counter["rina"], document, code).status_code == 302
    for other in REQUIREMENTS_11052[1:]:
        assert upload_requirement(counter["siti"], document, other).status_code == 302
    assert take_action(counter["siti"], document, "ajukan_verifikasi", officer=False).status_code == 302
    document.reload()
    with app.test_request_context():
        rina = find_account_by_username("rina")
        with pytest.raises(transitions.Forbidden):
            verdicts.judge(document, code, "diterima", "", rina)
        with pytest.raises(transitions.Forbidden):
            transitions.claim(document, rina)
    document.reload()
    assert document.fulfilment[code]["verdict"] is None and not document.assigned_to
