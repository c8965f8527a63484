"""Worker processes say they are alive: the jobs page lists them, and a web process warns when none runs."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from forms.casework.workers import SILENT_AFTER, beat, process_name, warn_without_runner
from forms.store import WorkerBeat, report_worker, utcnow
from tests.helpers import ANSWER, PASSWORD, login


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER)


@pytest.fixture
def admin(app):
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    client = app.test_client()
    assert login(client, username="ani").status_code == 302
    return client


def test_the_jobs_page_warns_until_a_worker_reports(app, admin):
    page = admin.get("/petugas/pekerjaan").get_data(as_text=True)
    assert "Tidak ada proses pekerja yang melapor dalam 90 detik terakhir" in page
    assert "flask --app server worker" in page
    with app.app_context():
        beat()
    page = admin.get("/petugas/pekerjaan").get_data(as_text=True)
    assert process_name() in page and "Tidak ada proses pekerja" not in page


def test_a_worker_silent_for_too_long_no_longer_counts(app, admin):
    with app.app_context():
        report_worker("lain:1", utcnow() - SILENT_AFTER - timedelta(seconds=1))
        report_worker("lain:2", utcnow())
        report_worker("lain:2", utcnow())  # one record per process, kept up to date
        assert WorkerBeat.objects.count() == 2
    page = admin.get("/petugas/pekerjaan").get_data(as_text=True)
    assert "lain:2" in page and "lain:1" not in page


def test_a_web_process_warns_when_no_worker_runs(app, caplog):
    with caplog.at_level(logging.WARNING, logger="loket.workers"):
        assert warn_without_runner(app, utcnow()) is True
    assert "flask --app server worker" in caplog.text
    caplog.clear()
    with app.app_context():
        beat()
    with caplog.at_level(logging.WARNING, logger="loket.workers"):
        assert warn_without_runner(app, utcnow()) is False
        assert warn_without_runner(app, utcnow() + SILENT_AFTER + timedelta(seconds=1)) is True
