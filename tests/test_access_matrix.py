"""Who may open what: every route of the app × {anonymous, applicant A, applicant B, verifikator, kepala, admin}.

Every HTML page met on the way is also scanned for code the CSP would block (inline scripts and
styles, style= and on*= attributes, javascript: links): pages must work under the CSP unchanged.

One world is built once: applicant A has an issued application (document, printout, an uploaded
requirement), a draft, a demo submission with an upload and a complaint with an attachment. Every
route is probed by every persona and the outcome is classified:

- ok:    the page or action was reached (2xx, a redirect elsewhere than the login page, or a 409/422
         refusal of the probe's deliberately harmless content);
- login: sent to the login page (anonymous visitors on pages that need an account);
- deny:  403, or 404 for an object that is not the caller's (a number reveals nothing).

Every answer but static files and public reference data carries `Cache-Control: no-store` (ASVS 5.0
V14.3.2): pages, PDFs, uploads and refusals alike, for every persona.

A route without an expectation fails `test_every_route_is_classified`, so a new route must be added
to PROBES. Routes under /admin/ are expected to be admin-only by their prefix (probed generically);
routes under /api/ are skipped here: the API has its own token-based tests.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from forms import create_app
from forms.identity.accounts import create_account
from forms.store import IssuedDocument, close_store, find_submission
from tests.helpers import (
    ANSWER,
    DEMO_DIRI,
    DEMO_PRODUK,
    DEMO_USAHA,
    NIK,
    PASSWORD,
    PDF,
    PROFILE,
    JobsAfterEachRequest,
    WizardClient,
    file_complaint,
    inline_code,
    issue,
    login,
    ok,
    start,
    store_config,
    token,
    verification_token,
)

PERSONAS = ("anon", "a", "b", "verifikator", "kepala", "admin")
OFFICERS = ("verifikator", "kepala", "admin")
SKIPPED_PREFIXES = ("/api/",)  # the JSON API: token authentication, tested by its own suite
ADMIN_PREFIX = "/admin"
REQUIREMENT = "hasil_uji_air"


def profile(anon: str, a: str, b: str, officers: str) -> dict[str, str]:
    """An expectation per persona (the three officer roles alike)."""
    return {"anon": anon, "a": a, "b": b, **{role: officers for role in OFFICERS}}


PUBLIC = profile("ok", "ok", "ok", "ok")
SIGNED_IN = profile("login", "ok", "ok", "ok")
APPLICANTS = profile("login", "ok", "ok", "deny")  # forms for applicants only (schema `roles`)
OWNER = profile("deny", "ok", "deny", "deny")  # a submission's own pages: its owner only, others 404
OWNER_OR_OFFICER = profile("login", "ok", "deny", "ok")
OFFICER_ONLY = profile("login", "deny", "deny", "ok")
ADMIN_ONLY = {"anon": "login", "a": "deny", "b": "deny", "verifikator": "deny", "kepala": "deny", "admin": "ok"}
COUNTER_ONLY = profile("login", "deny", "deny", "deny")  # the front office (loket role): tests/test_counter.py


@dataclass
class Probe:
    """How to call one route: the path (with {world} placeholders), a harmless body, and who may pass."""

    path: str
    expect: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # the probe ends the caller's session: use a throwaway signed-in client


PROBES: dict[tuple[str, str], Probe] = {
    ("public.home", "GET"): Probe("/", PUBLIC),
    ("public.set_language", "POST"): Probe("/bahasa", PUBLIC, {"lang": "id", "next": "/"}),
    ("public.health", "GET"): Probe("/sehat", PUBLIC),
    ("info.standard", "GET"): Probe("/standar-pelayanan", PUBLIC),
    ("static", "GET"): Probe("/static/loket.css", PUBLIC),
    ("reference.search", "GET"): Probe("/referensi/kbli?q=107", PUBLIC),
    ("reference.value", "GET"): Probe("/referensi/kbli-risiko/nilai?kunci=11052|mikro&kolom=risiko", PUBLIC),
    ("account.login", "GET"): Probe("/masuk", PUBLIC),
    ("account.login", "POST"): Probe("/masuk", PUBLIC, {"username": "x", "password": "y", "captcha": "z"}),
    ("account.captcha_image", "GET"): Probe("/masuk/captcha.png", PUBLIC),
    ("account.captcha_audio", "GET"): Probe("/masuk/captcha.wav", PUBLIC),
    ("account.logout", "POST"): Probe("/keluar", PUBLIC, fresh=True),
    ("account.forgot", "GET"): Probe("/lupa-sandi", PUBLIC),
    ("account.forgot", "POST"): Probe("/lupa-sandi", PUBLIC, {"username": "x", "captcha": "z"}),
    ("account.reset", "GET"): Probe("/lupa-sandi/kode", PUBLIC),
    ("account.reset", "POST"): Probe("/lupa-sandi/kode", PUBLIC, {"code": "1", "password": "x"}),
    ("codesignin.ask", "GET"): Probe("/masuk/lewat-kode", PUBLIC),
    ("codesignin.ask", "POST"): Probe("/masuk/lewat-kode", PUBLIC, {"username": "x"}),
    ("codesignin.enter", "GET"): Probe("/masuk/lewat-kode/isi", PUBLIC),
    ("codesignin.enter", "POST"): Probe("/masuk/lewat-kode/isi", PUBLIC, {"code": "1", "password": "x"}),
    ("account.home", "GET"): Probe("/beranda", SIGNED_IN),
    ("account.profile", "GET"): Probe("/profil", SIGNED_IN),
    ("security.settings", "GET"): Probe("/profil/keamanan", SIGNED_IN),
    ("tokens.index", "GET"): Probe("/profil/token", SIGNED_IN),
    ("tokens.create", "POST"): Probe("/profil/token", SIGNED_IN, {"nama": ""}),
    ("tokens.revoke", "POST"): Probe("/profil/token/000000000000000000000000/cabut", SIGNED_IN),
    ("security.password", "POST"): Probe("/profil/keamanan/sandi", SIGNED_IN, {"current": "", "password": "x"}),
    ("security.enrol_start", "POST"): Probe("/profil/keamanan/dua-langkah/mulai", SIGNED_IN),
    ("security.enrol", "GET"): Probe("/profil/keamanan/dua-langkah", SIGNED_IN),
    ("security.enrol", "POST"): Probe("/profil/keamanan/dua-langkah", SIGNED_IN, {"code": "000000"}),
    ("security.disable", "POST"): Probe("/profil/keamanan/dua-langkah/nonaktif", SIGNED_IN, {"code": "1"}),
    ("security.second_factor", "GET"): Probe("/masuk/kode", PUBLIC),
    ("security.second_factor", "POST"): Probe("/masuk/kode", PUBLIC, {"code": "000000"}),
    ("wizard.start", "GET"): Probe("/formulir/permohonan-baru", APPLICANTS),
    ("wizard.create", "POST"): Probe("/formulir/permohonan-baru", APPLICANTS),
    ("wizard.resume", "GET"): Probe("/isian/{draft}", OWNER),
    ("wizard.step", "GET"): Probe("/isian/{draft}/langkah/data_pelaku", OWNER),
    ("wizard.step", "POST"): Probe("/isian/{draft}/langkah/data_pelaku", OWNER, {"_version": "0", "npwp": "1"}),
    ("wizard.review", "GET"): Probe("/isian/{draft}/periksa", OWNER),
    ("wizard.submit", "POST"): Probe("/isian/{draft}/kirim", OWNER, {"_version": "0"}),
    ("wizard.status", "GET"): Probe("/isian/{issued}/status", OWNER),
    ("wizard.download", "GET"): Probe("/isian/{demo}/berkas/{demo_file}", OWNER),
    ("printouts.draft", "GET"): Probe("/isian/{draft}/draf.pdf", OWNER),
    ("printouts.download", "GET"): Probe("/dokumen/{number}.pdf", OWNER_OR_OFFICER),
    ("printouts.download_version", "GET"): Probe("/dokumen/{number}/versi/1.pdf", OWNER_OR_OFFICER),
    ("printouts.versions", "GET"): Probe("/dokumen/{number}/versi", OWNER_OR_OFFICER),
    ("printouts.verify", "GET"): Probe("/verifikasi/{token}", PUBLIC),
    ("printouts.verify", "POST"): Probe("/verifikasi/{token}", PUBLIC),
    ("fulfil.index", "GET"): Probe("/pemenuhan", SIGNED_IN),
    ("fulfil.show", "GET"): Probe("/dokumen/{document}", OWNER_OR_OFFICER),
    ("fulfil.upload", "POST"): Probe("/dokumen/{document}/unggah/{requirement}", OWNER_OR_OFFICER),
    ("fulfil.act", "POST"): Probe("/dokumen/{document}/aksi/tidak_ada", OWNER_OR_OFFICER),
    ("fulfil.download", "GET"): Probe("/dokumen/{document}/berkas/{requirement}", OWNER_OR_OFFICER),
    ("officer.inbox", "GET"): Probe("/petugas/", OFFICER_ONLY),
    ("jobs.index", "GET"): Probe("/petugas/pekerjaan", OFFICER_ONLY),
    ("officer.case", "GET"): Probe("/petugas/dokumen/{document}", OFFICER_ONLY),
    ("officer.claim", "POST"): Probe("/petugas/dokumen/{document}/klaim", OFFICER_ONLY,
                                     {"petugas": "000000000000000000000000"}),
    ("officer.judge", "POST"): Probe("/petugas/dokumen/{document}/putusan/{requirement}", OFFICER_ONLY,
                                     {"putusan": "entah"}),
    ("officer.decide", "POST"): Probe("/petugas/dokumen/{document}/putusan", OFFICER_ONLY,
                                      {"putusan-" + REQUIREMENT: "entah"}),
    ("officer.note", "POST"): Probe("/petugas/dokumen/{document}/catatan-internal", OFFICER_ONLY, {"catatan_internal": ""}),
    ("officer.act", "POST"): Probe("/petugas/dokumen/{document}/aksi/tidak_ada", OFFICER_ONLY, {"_version": "0"}),
    ("tickets.index", "GET"): Probe("/pengaduan", PUBLIC),
    ("tickets.follow", "GET"): Probe("/pengaduan/ikuti", PUBLIC),
    ("tickets.follow", "POST"): Probe("/pengaduan/ikuti", PUBLIC, {"nomor": "ADU-2026-000001", "kode": "!"}),
    ("tickets.officer_queue", "GET"): Probe("/petugas/pengaduan", OFFICER_ONLY),
    ("tickets.officer_ticket", "GET"): Probe("/petugas/pengaduan/{ticket}", OFFICER_ONLY),
    ("tickets.officer_reply", "POST"): Probe("/petugas/pengaduan/{ticket}", OFFICER_ONLY, {"_version": "0"}),
    ("tickets.officer_attachment", "GET"): Probe("/petugas/pengaduan/{ticket}/berkas/{ticket_file}", OFFICER_ONLY),
    ("printouts.verify_entry", "GET"): Probe("/verifikasi", PUBLIC),
    ("tracking.track", "GET"): Probe("/lacak", PUBLIC),
    ("tracking.track", "POST"): Probe("/lacak", PUBLIC, {"nomor": "PB-2026-000001", "nik": "1"}),
    ("surveys.index", "GET"): Probe("/ikm", PUBLIC),
    ("surveys.recap", "GET"): Probe("/ikm/rekap.csv", PUBLIC),
    ("surveys.report_pdf", "GET"): Probe("/ikm/laporan.pdf", PUBLIC),
    ("surveys.answers", "GET"): Probe("/ikm/jawaban.csv", OFFICER_ONLY),
    ("counter.queue", "GET"): Probe("/loket/", COUNTER_ONLY),
    ("counter.find", "POST"): Probe("/loket/cari", COUNTER_ONLY, {"nik": NIK}),
    ("counter.applicant", "GET"): Probe("/loket/pemohon/000000000000000000000000", COUNTER_ONLY),
    ("counter.serve", "POST"): Probe("/loket/pemohon/000000000000000000000000/layani", COUNTER_ONLY),
    ("counter.finish", "POST"): Probe("/loket/selesai", COUNTER_ONLY),
    ("counter.register", "POST"): Probe("/loket/daftar", COUNTER_ONLY),
    ("counter.receipt", "POST"): Probe("/loket/isian/{issued}/bukti", COUNTER_ONLY),
    ("counter.receipt_pdf", "GET"): Probe("/loket/isian/{issued}/bukti.pdf", COUNTER_ONLY),
}

# Object-level checks beyond the table: B (and officers where the owner alone may) must not reach A's things.
OBJECT_PROBES = [
    ("/isian/{issued}", OWNER), ("/isian/{issued}/periksa", OWNER), ("/isian/{demo}/status", OWNER),
    ("/isian/{ticket}/status", OWNER), ("/isian/{issued}/draf.pdf", profile("deny", "deny", "deny", "deny")),
    ("/dokumen/{nib}.pdf", OWNER_OR_OFFICER), ("/dokumen/{number}/versi/9.pdf", profile("login", "deny", "deny", "deny")),
    ("/isian/{demo}/berkas/{ticket_file}", profile("deny", "deny", "deny", "deny")),
    ("/petugas/pengaduan/{ticket}/berkas/{demo_file}", profile("login", "deny", "deny", "deny")),
]


def routes(app) -> set[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route, HEAD and OPTIONS aside."""
    return {(rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The app, a signed-in client per persona, and A's objects."""
    folder = tmp_path_factory.mktemp("matrix")
    app = create_app({"TESTING": True, "SECRET_KEY": "matrix-secret", "DATA_DIR": str(folder / "data"),
                      "OUTBOX_DIR": str(folder / "outbox"), "CAPTCHA_TEST_ANSWER": ANSWER, "RATELIMIT_ENABLED": False,
                      "SKM_REQUIRED_FOR_DOWNLOAD": False, "PUBLIC_URL": "https://loket.contoh.test", "DEMO_MODE": True,
                      **store_config()})
    app.instance_path = str(folder / "instance")
    app.wsgi_app = JobsAfterEachRequest(app, app.wsgi_app)  # issuing runs as a worker would, after each request
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("budi", PASSWORD, "Budi", ["pemohon"], email="budi@contoh.id", nik="3201010501900002",
                       phone="+6281234567891", profile=PROFILE)
        create_account("vera", PASSWORD, "Vera", ["verifikator"])
        create_account("kepala", PASSWORD, "Kepala", ["kepala"])
        create_account("admin1", PASSWORD, "Admin", ["admin"])
    users = {"a": "siti", "b": "budi", "verifikator": "vera", "kepala": "kepala", "admin": "admin1"}
    clients = {"anon": app.test_client()}
    for persona, username in users.items():
        clients[persona] = app.test_client()
        assert login(clients[persona], username=username).status_code == 302
    objects = build_objects(app, clients["a"])
    yield {"app": app, "clients": clients, "users": users, "objects": objects}
    if app.config["STORE"] == "mongodb":
        import mongoengine
        mongoengine.get_connection().drop_database(app.config["MONGODB_DB"])
    close_store(app)


def build_objects(app, client) -> dict[str, str]:
    """A's issued application with an uploaded requirement, a draft, a demo upload and a complaint."""

    wizard, rows = start(client, "11052")
    ok(wizard.fill("detail_usaha", rows))
    assert issue(wizard, "11052").status_code == 302
    submission = wizard.submission()
    document = IssuedDocument.objects(submission_id=submission.id).first()
    page = client.get(f"/dokumen/{document.id}")
    uploaded = client.post(f"/dokumen/{document.id}/unggah/{REQUIREMENT}", content_type="multipart/form-data",
                           data={"csrf_token": token(page), "berkas": (io.BytesIO(PDF), "izin.pdf")})
    assert uploaded.status_code == 302
    pdf = client.get(f"/dokumen/{document.number}.pdf")
    assert pdf.status_code == 200

    draft, _rows = start(client, "11052")
    demo = WizardClient(client, "demo").start()
    for step, values in (("data_diri", DEMO_DIRI), ("usaha", DEMO_USAHA), ("produk", DEMO_PRODUK)):
        ok(demo.fill(step, values))
    ok(demo.fill("lampiran", {"pernyataan": "1"}, files={"foto_usaha": (io.BytesIO(PDF), "foto.pdf")}))
    ticket_id, _number, _code = file_complaint(client, {"identitas": "anonim"}, attachment=True)
    return {"issued": str(submission.id), "draft": draft.submission_id, "demo": demo.submission_id,
            "demo_file": demo.submission().answers["lampiran"]["foto_usaha"]["id"],
            "document": str(document.id), "number": document.number, "nib": submission.derived["nib"],
            "requirement": REQUIREMENT, "token": verification_token(app, pdf.data), "ticket": ticket_id,
            "ticket_file": find_submission(ticket_id).answers["aduan"]["lampiran"]["id"]}


CACHEABLE = {"static", "reference.search", "reference.value"}  # files of the app and public reference tables: no personal data


def assert_not_stored(response, where) -> None:
    """A personal answer must not be kept by the browser or a proxy."""
    assert "no-store" in response.headers.get("Cache-Control", ""), (where, response.headers.get("Cache-Control"))


def outcome(response) -> str:
    """ok, login, deny or error (see the module docstring)."""
    if response.status_code >= 500:
        return "error"
    if response.status_code in (302, 303) and response.headers["Location"].startswith("/masuk?next="):
        return "login"
    if response.status_code in (403, 404):
        return "deny"
    return "ok"


def call(world, persona: str, method: str, path: str, data: dict | None = None, fresh: bool = False):
    """One request as a persona; POSTs carry a valid CSRF token of that persona's session."""
    client = world["clients"][persona]
    if fresh:
        client = world["app"].test_client()
        if persona != "anon":
            assert login(client, username=world["users"][persona]).status_code == 302
    if method == "GET":
        return client.get(path)
    body = {"csrf_token": token(client.get("/pengaduan")), **(data or {})}
    return client.post(path, data=body)


def test_every_route_is_classified(world):
    """A new route fails here until PROBES says who may use it (admin and API routes by prefix)."""
    found = {(endpoint, method) for endpoint, method, rule in routes(world["app"])
             if not rule.startswith(SKIPPED_PREFIXES) and not rule.startswith(ADMIN_PREFIX + "/")}
    assert not found - set(PROBES), f"routes without an expected allow/deny: {sorted(found - set(PROBES))}"
    assert not set(PROBES) - found, f"expectations for routes that no longer exist: {sorted(set(PROBES) - found)}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", list(PROBES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_route_access(world, key, persona):
    probe = PROBES[key]
    path = probe.path.format(**world["objects"])
    response = call(world, persona, key[1], path, probe.data, probe.fresh)
    assert outcome(response) == probe.expect[persona], (key, persona, path, response.status_code,
                                                        response.headers.get("Location"))
    if key[0] not in CACHEABLE:
        assert_not_stored(response, (key, persona))
    if response.mimetype == "text/html":
        assert not inline_code(response.get_data(as_text=True)), (key, persona, inline_code(response.get_data(as_text=True)))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path, expect", OBJECT_PROBES, ids=[path for path, _expect in OBJECT_PROBES])
def test_object_access(world, path, expect, persona):
    response = call(world, persona, "GET", path.format(**world["objects"]))
    assert outcome(response) == expect[persona], (path, persona, response.status_code)
    assert_not_stored(response, (path, persona))


def test_applicant_b_sees_nothing_of_a_in_lists(world):
    """B's home, fulfilment list and the public pages name none of A's numbers."""
    objects = world["objects"]
    for path in ("/beranda", "/pemenuhan", "/"):
        page = world["clients"]["b"].get(path).get_data(as_text=True)
        assert objects["number"] not in page and objects["issued"] not in page and objects["nib"] not in page


def admin_path(rule) -> str:
    """A concrete path for an admin rule: every variable filled with a harmless placeholder."""
    path = rule.rule
    for name, converter in rule._converters.items():
        placeholder = "1" if type(converter).__name__ in ("IntegerConverter", "NumberConverter") else "x"
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", placeholder, path)
    return path


def test_admin_routes_are_for_admins_only(world):
    """Whatever the admin area offers, only the admin role gets past its gate (by the /admin/ prefix)."""
    app = world["app"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(ADMIN_PREFIX + "/")
             or rule.rule == ADMIN_PREFIX]
    checked = 0
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for persona, expected in ADMIN_ONLY.items():
                if persona == "admin" and method != "GET":
                    continue  # an admin's own POSTs change data: the admin area's tests cover them
                response = call(world, persona, method, admin_path(rule), {})
                result = outcome(response)
                assert_not_stored(response, (rule.rule, method, persona))
                if persona == "admin":
                    assert result in ("ok", "deny") and response.status_code != 403, (rule.rule, response.status_code)
                    if response.mimetype == "text/html":
                        assert not inline_code(response.get_data(as_text=True)), (rule.rule, "inline code")
                else:
                    assert result == expected or (persona == "anon" and result == "deny"), \
                        (rule.rule, method, persona, response.status_code)
                checked += 1
    assert checked or not rules
