"""Claiming a case: of officers claiming at once exactly one wins; the others are told who holds it and change nothing."""
from __future__ import annotations

import threading

import pytest

from forms.identity.accounts import create_account
from forms.store import AuditEntry, find_document
from tests.helpers import ANSWER, PASSWORD, issued, login, token

OFFICERS = {"vera": "Vera Verifikator", "vino": "Vino Verifikator", "vita": "Vita Verifikator",
            "kepala": "Ibu Kepala"}


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


@pytest.fixture
def officers(app, people):
    """Signed-in clients of four officers (the people fixture's three and one more verifier)."""
    with app.app_context():
        create_account("vita", PASSWORD, OFFICERS["vita"], ["verifikator"])
    vita = app.test_client()
    assert login(vita, username="vita").status_code == 302
    return {"vera": people["vera"], "vino": people["vino"], "vita": vita, "kepala": people["kepala"]}


def claim_on_page(client, document_id, assignee=None):
    """The case page's claim button (or the assign form)."""
    page = client.get(f"/petugas/dokumen/{document_id}")
    data = {"csrf_token": token(page), **({"petugas": assignee} if assignee else {})}
    return lambda: client.post(f"/petugas/dokumen/{document_id}/klaim", data=data)


def claim_over_api(app, username, document_id):
    """POST /documents/{id}/claim with the officer's own token."""
    from forms.identity.apitokens import create_token
    from forms.store import find_account_by_username
    with app.app_context():
        bearer = create_token(find_account_by_username(username), "uji")[0]
    client = app.test_client()
    return lambda: client.post(f"/api/v1/documents/{document_id}/claim", json={},
                               headers={"Authorization": f"Bearer {bearer}"})


def all_at_once(calls):
    """Run the prepared requests in threads released together; their responses in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("channel", ["pages", "api"])
@pytest.mark.parametrize("round_", range(3))
def test_exactly_one_of_four_concurrent_claims_wins(app, people, officers, channel, round_):
    document = issued(people["siti"])
    names = list(OFFICERS)
    calls = [claim_on_page(officers[name], document.id) if channel == "pages" else
             claim_over_api(app, name, document.id) for name in names]
    responses = all_at_once(calls)
    won = [name for name, response in zip(names, responses) if response.status_code in (200, 302)]
    assert len(won) == 1, [response.status_code for response in responses]
    holder = OFFICERS[won[0]]
    with app.app_context():
        assert find_document(str(document.id)).assigned_name == holder
        assert AuditEntry.objects(subject=document.number, action__startswith="ditugaskan").count() == 1
    for name, response in zip(names, responses):
        if name not in won:
            body = response.get_data(as_text=True)
            assert response.status_code == 409 and f"sedang ditangani oleh {holder}" in body, (name, body[:300])


def test_a_held_case_is_not_taken_by_another_verifier(app, people, officers):
    document = issued(people["siti"])
    assert claim_on_page(officers["vera"], document.id)().status_code == 302
    refused = claim_on_page(officers["vino"], document.id)()
    assert refused.status_code == 409 and "sedang ditangani oleh Vera Verifikator" in refused.get_data(as_text=True)
    with app.app_context():
        assert find_document(str(document.id)).assigned_name == "Vera Verifikator"


def test_the_holder_or_the_head_may_hand_a_case_on(app, people, officers):
    from forms.store import find_account_by_username
    document = issued(people["siti"])
    assert claim_on_page(officers["vera"], document.id)().status_code == 302
    with app.app_context():
        vino, vita = (str(find_account_by_username(name).id) for name in ("vino", "vita"))
    assert claim_on_page(officers["vita"], document.id, vino)().status_code == 409  # not hers to give
    assert claim_on_page(officers["vera"], document.id, vino)().status_code == 302
    assert claim_on_page(officers["kepala"], document.id, vita)().status_code == 302
    with app.app_context():
        assert find_document(str(document.id)).assigned_name == "Vita Verifikator"
