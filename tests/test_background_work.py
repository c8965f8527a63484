"""Background work keeps going when the world changes under it: a deemed approval that meets a concurrent change.

The deadline watcher (a thread of `python server.py`, or `flask --app server sla-run` from cron) walks
every case whose service time lapsed. An officer may act on one of them at that very moment: that case's
conditional update then fails with a conflict, and the watcher must go on with the others, not die.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from forms.errors import ConflictError
from forms.store import IssuedDocument, utcnow
from tests.helpers import ANSWER, issued, sent_for_verification


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute")


def test_the_watcher_goes_on_past_a_case_changed_under_it(app, people, monkeypatch):
    from forms.casework import transitions
    cases = [sent_for_verification(people[name], issued(people[name])) for name in ("siti", "budi")]
    for case in cases:
        IssuedDocument.objects(id=case.id).update_one(set__sla__due_at=utcnow() - timedelta(days=1))
    real, seen = transitions.transition, []

    def an_officer_got_there_first(document, *args, **kwargs):
        seen.append(document.number)
        if len(seen) == 1:
            raise ConflictError("Dokumen ini baru saja diubah orang lain.")
        return real(document, *args, **kwargs)

    monkeypatch.setattr(transitions, "transition", an_officer_got_there_first)
    with app.app_context():
        done = transitions.deemed_approvals()
    assert len(seen) == 2 and done == seen[1:]
    statuses = sorted(IssuedDocument.objects.get(id=case.id).status for case in cases)
    assert statuses == ["disetujui_otomatis", "menunggu_verifikasi"]
