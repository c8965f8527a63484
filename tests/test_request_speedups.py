"""What is kept between requests for speed changes nothing a request sees: links, session signing,
the bound language, the plain submission record the wizard reads."""
from __future__ import annotations

from forms import store
from forms.engine.text import active_language, gettext
from tests.helpers import DEMO_DIRI, WizardClient, token


def test_menu_links_follow_the_mount_point(client):
    """Links are kept per script root: the same page served under /loket links under /loket."""
    plain = client.get("/").get_data(as_text=True)
    mounted = client.get("/", base_url="http://localhost/loket/").get_data(as_text=True)
    assert 'href="/lacak"' in plain and 'href="/loket/lacak"' not in plain
    assert 'href="/loket/lacak"' in mounted and 'href="/lacak"' not in mounted
    assert 'href="/lacak"' in client.get("/").get_data(as_text=True)


def test_a_new_secret_key_is_used_at_once(app, client):
    """The session signer is reused only while the keys stay the same."""
    wizard = WizardClient(client).start()
    assert client.get(wizard.url("data_diri")).status_code == 200
    app.secret_key = "another-secret"
    assert client.get(wizard.url("data_diri")).status_code == 404  # the old cookie no longer names the owner
    again = WizardClient(app.test_client()).start()
    assert again.client.get(again.url("data_diri")).status_code == 200  # cookies signed with the new key work


def test_the_bound_language_ends_with_its_request(app, client):
    page = client.get("/")
    client.post("/bahasa", data={"csrf_token": token(page), "lang": "en", "next": "/"})
    english = client.get("/masuk").get_data(as_text=True)
    indonesian = app.test_client().get("/masuk").get_data(as_text=True)
    assert "Sign in with your account" in english and "Masuk dengan nama pengguna" in indonesian
    assert active_language() == "id" and gettext("Kembali") == "Kembali"  # nothing left bound outside


def test_the_wizard_record_matches_the_document_and_follows_saves(app, client):
    wizard = WizardClient(client).start()
    assert wizard.fill("data_diri", DEMO_DIRI).status_code == 302
    with app.app_context():
        record, document = store.read_submission(wizard.submission_id), store.find_submission(wizard.submission_id)
        assert set(store.RECORD_FIELDS) == set(store.Submission._fields) - {"id"}  # every stored field is read
        for name in store.RECORD_FIELDS:
            assert getattr(record, name) == getattr(document, name), name
        assert record.id == document.id
        store.save_answers(record, {"x": {"a": 1}}, {"d": 2}, ["x"])
        assert (record.version, record.answers, record.validated) == (document.version + 1, {"x": {"a": 1}}, ["x"])
        assert store.find_submission(wizard.submission_id).version == record.version
        store.change_status(record, store.DRAFT, "diterima", "tester", "submit")
        assert (record.status, record.version, record.history[-1]["to"]) == ("diterima", document.version + 2, "diterima")
        assert store.read_submission("not-an-id") is None and store.read_submission("0" * 24) is None
