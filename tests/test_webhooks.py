"""Webhooks: registered by an admin, every status change queued, POSTed signed to a real local receiver,
retried with back-off, logged on the admin page."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from forms.identity.accounts import create_account
from forms.outreach.webhooks import FAILED, PENDING, deliver_due
from forms.store import Webhook, WebhookDelivery, utcnow
from tests.helpers import (
    ANSWER,
    PASSWORD,
    REQUIREMENTS_11052,
    api_upload,
    issue_over_api,
    login,
    token,
)

SECRET = re.compile(r'<code class="secret">([0-9a-f]{64})</code>')


class Receiver:
    """A local HTTP server that records every POST and answers with the next planned status (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.plan: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.plan.pop(0) if receiver.plan else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/loket"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        return [json.loads(item["body"]) for item in self.received]


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def app(make_app, signing_pair):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    API_RATE_LIMIT="10000/minute", SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]),
                    SKM_REQUIRED_FOR_DOWNLOAD=False, WEBHOOK_RETRY_SECONDS=30, WEBHOOK_MAX_ATTEMPTS=3)


@pytest.fixture
def admin(app):
    with app.app_context():
        create_account("admin", PASSWORD, "Admin", ["admin"])
    client = app.test_client()
    assert login(client, username="admin").status_code == 302
    return client


def register(admin, url: str, description: str = "SIMDA") -> str:
    """Add a hook on the admin page; return the secret it shows once."""
    page = admin.get("/admin/webhook")
    response = admin.post("/admin/webhook", data={"csrf_token": token(page), "url": url, "keterangan": description})
    assert response.status_code == 200, response.get_data(as_text=True)
    return SECRET.search(response.get_data(as_text=True)).group(1)


def run(app, now=None):
    with app.app_context():
        return deliver_due(now=now)


def signed_by(item: dict, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), item["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(item["headers"]["X-Loket-Signature"], expected)


def test_every_status_change_is_posted_signed(app, admin, api_people, receiver):
    secret = register(admin, receiver.url)
    assert Webhook.objects.get().secret == secret and secret not in admin.get("/admin/webhook").get_data(as_text=True)
    submission = issue_over_api(api_people["siti"])
    assert receiver.received == []  # queued, not sent inside the request
    done = run(app)
    assert [delivery.status for delivery in done] == ["terkirim", "terkirim"]
    assert all(signed_by(item, secret) for item in receiver.received)
    assert not signed_by(receiver.received[0], "0" * 64)
    events = receiver.events()
    assert {event["event"] for event in events} == {"submission.status_changed", "document.status_changed"}
    document = next(event["data"] for event in events if event["data"]["type"] == "document")
    assert (document["number"], document["from"], document["to"], document["code"]) == (
        submission["documents"][0]["number"], None, "belum_terverifikasi", "11")
    made = next(event["data"] for event in events if event["data"]["type"] == "submission")
    assert (made["id"], made["number"], made["to"]) == (submission["id"], submission["number"], "terbit")
    assert receiver.received[0]["headers"]["X-Loket-Delivery"] == str(done[0].id)
    assert run(app) == []  # nothing is sent twice

    api = api_people["siti"]
    document_id = submission["documents"][0]["id"]
    for code in REQUIREMENTS_11052:
        api_upload(api, document_id, code)
    assert run(app) == []  # uploads change no status
    api.post(f"/documents/{document_id}/transitions", json={"action": "ajukan_verifikasi"})
    run(app)
    change = receiver.events()[-1]
    assert change["event"] == "document.status_changed" and change["data"]["action"] == "ajukan_verifikasi"
    assert (change["data"]["from"], change["data"]["to"], change["data"]["code"]) == (
        "belum_terverifikasi", "menunggu_verifikasi", "09")
    assert "siti" not in json.dumps(receiver.events())  # numbers and states, no personal data


def test_failures_are_retried_with_exponential_back_off_then_given_up(app, admin, receiver):
    secret = register(admin, receiver.url)
    receiver.plan = [500, 503, 500]
    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/{Webhook.objects.get().id}/uji", data={"csrf_token": token(page)})
    start = utcnow()
    (first,) = run(app, start)
    assert (first.status, first.attempts, first.log[0]["code"]) == (PENDING, 1, 500)
    assert first.next_attempt_at == start + timedelta(seconds=30)
    assert run(app, start + timedelta(seconds=29)) == []  # not due yet
    (second,) = run(app, start + timedelta(seconds=30))
    assert second.attempts == 2 and second.next_attempt_at == start + timedelta(seconds=30 + 60)
    (third,) = run(app, start + timedelta(seconds=90))
    assert (third.status, third.attempts, [entry["code"] for entry in third.log]) == (FAILED, 3, [500, 503, 500])
    assert len(receiver.received) == 3 and all(signed_by(item, secret) for item in receiver.received)
    assert len({item["headers"]["X-Loket-Delivery"] for item in receiver.received}) == 1  # one id on every retry
    log = admin.get("/admin/webhook").get_data(as_text=True)
    assert "Gagal" in log and "HTTP 500" in log and "ping" in log

    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/kiriman/{third.id}/ulang", data={"csrf_token": token(page)})
    (again,) = run(app, start + timedelta(seconds=91))
    assert again.status == "terkirim" and again.attempts == 1
    assert "Terkirim" in admin.get("/admin/webhook").get_data(as_text=True)


def test_an_unreachable_receiver_is_an_attempt_with_its_error(app, admin, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    register(admin, receiver.url)
    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/{Webhook.objects.get().id}/uji", data={"csrf_token": token(page)})
    (delivery,) = run(app)
    assert delivery.status == PENDING and delivery.log[0]["code"] is None and delivery.log[0]["error"]


def test_a_redirect_is_not_followed(app, admin, receiver):
    register(admin, receiver.url)
    receiver.plan = [302]
    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/{Webhook.objects.get().id}/uji", data={"csrf_token": token(page)})
    (delivery,) = run(app)
    assert delivery.status == PENDING and delivery.log[0]["code"] == 302 and len(receiver.received) == 1


def test_a_paused_hook_gets_nothing_and_a_deleted_one_loses_its_log(app, admin, api_people, receiver):
    register(admin, receiver.url)
    hook = Webhook.objects.get()
    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/{hook.id}/aktif", data={"csrf_token": token(page)})
    assert Webhook.objects.get().active is False
    api_people["siti"].post("/submissions", json={"form_id": "permohonan-baru"})
    issue_over_api(api_people["siti"])
    assert WebhookDelivery.objects.count() == 0 and run(app) == []
    admin.post(f"/admin/webhook/{hook.id}/aktif", data={"csrf_token": token(page)})
    admin.post(f"/admin/webhook/{hook.id}/uji", data={"csrf_token": token(page)})
    admin.post(f"/admin/webhook/{hook.id}/hapus", data={"csrf_token": token(page)})
    assert Webhook.objects.count() == 0 and WebhookDelivery.objects.count() == 0


def test_a_rotated_secret_signs_what_is_sent_after(app, admin, receiver):
    old = register(admin, receiver.url)
    page = admin.get("/admin/webhook")
    rotated = admin.post(f"/admin/webhook/{Webhook.objects.get().id}/rahasia", data={"csrf_token": token(page)})
    new = SECRET.search(rotated.get_data(as_text=True)).group(1)
    admin.post(f"/admin/webhook/{Webhook.objects.get().id}/uji", data={"csrf_token": token(page)})
    run(app)
    assert new != old and signed_by(receiver.received[0], new) and not signed_by(receiver.received[0], old)


@pytest.mark.parametrize("url", ["", "ftp://contoh.id/x", "javascript:alert(1)", "http://", "https://" + "a" * 500])
def test_only_http_addresses_are_accepted(admin, url):
    page = admin.get("/admin/webhook")
    response = admin.post("/admin/webhook", data={"csrf_token": token(page), "url": url})
    assert response.status_code == 422 and "http://" in response.get_data(as_text=True)
    assert Webhook.objects.count() == 0


def test_only_admins_open_the_page(app, api_people):
    assert app.test_client().get("/admin/webhook").status_code == 302
    with app.app_context():
        create_account("vera2", PASSWORD, "Vera", ["verifikator"])
    officer = app.test_client()
    login(officer, username="vera2")
    assert officer.get("/admin/webhook").status_code == 403
    page = officer.get("/profil")
    assert officer.post("/admin/webhook", data={"csrf_token": token(page), "url": "http://127.0.0.1/"}).status_code == 403
    assert Webhook.objects.count() == 0


def test_the_command_sends_what_is_due(app, admin, receiver):
    register(admin, receiver.url)
    page = admin.get("/admin/webhook")
    admin.post(f"/admin/webhook/{Webhook.objects.get().id}/uji", data={"csrf_token": token(page)})
    result = app.test_cli_runner().invoke(args=["webhook-run"])
    assert result.exit_code == 0 and "1 kiriman webhook diproses: 1 terkirim." in result.output
    assert len(receiver.received) == 1


def test_a_sender_whose_lease_ran_out_records_nothing(app):
    """A slow sender loses the delivery to a second one after its lease; only the second's attempt is logged."""
    from forms.store import claim_due_delivery, queue_delivery, record_attempt
    with app.app_context():
        hook = Webhook(url="http://127.0.0.1:9/", secret="s" * 64, description="", created_by="admin").save()
        queued = queue_delivery(hook.id, "ping", "{}")
        start = utcnow()
        slow = claim_due_delivery(start, timedelta(seconds=60))
        assert slow is not None and slow.id == queued.id
        assert claim_due_delivery(start + timedelta(seconds=59), timedelta(seconds=60)) is None  # still held
        fast = claim_due_delivery(start + timedelta(seconds=61), timedelta(seconds=60))
        assert fast is not None and fast.claimed_by != slow.claimed_by
        late = record_attempt(slow, {"at": start, "code": 200, "error": "", "ms": 1}, "terkirim")
        assert (late.status, late.attempts, late.log) == ("mengirim", 0, [])
        done = record_attempt(fast, {"at": start, "code": 500, "error": "HTTP 500", "ms": 1}, PENDING,
                              next_attempt_at=start + timedelta(seconds=90))
        assert (done.status, done.attempts, [entry["code"] for entry in done.log]) == (PENDING, 1, [500])
