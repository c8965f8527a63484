"""Shared fixtures: a fresh app and database per test, the people who use it, the browser and the fake services.

Tests run on an in-memory mongomock by default. Set MONGODB_URI to run the same suite against a real
MongoDB: each test then gets its own database, dropped afterwards. Plain helpers live in helpers.py
and fakes.py; test files never import from one another or from here.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from forms import create_app
from tests.fakes import Gateway, start_smtp
from tests.helpers import (
    NIK,
    PASSWORD,
    PROFILE,
    Api,
    JobsAfterEachRequest,
    WizardClient,
    login,
    store_config,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_configure(config):
    """Make creating an app per test cheap: share Werkzeug's compiled URL builders between apps."""
    share_route_builders()


def share_route_builders() -> None:
    """Compile each route's URL builders once per process instead of once per app.

    Werkzeug compiles two Python functions per route whenever an app registers it: with ~100 routes
    that was half the cost of `create_app`. The functions depend only on the rule's text, its parsed
    parts and its defaults (converters are looked up through the bound rule when a URL is built),
    so apps with the same routes can share them.
    """
    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "shared", False):
        return
    builders = {}

    def shared(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    shared.shared = True
    Rule._compile_builder = shared


@pytest.fixture(scope="session")
def signing_pair(tmp_path_factory):
    """One office key and certificate for the whole session (RSA key generation takes a while)."""
    from forms.printing.signing import create_office_certificate
    folder = tmp_path_factory.mktemp("office") / "signing"
    create_office_certificate(folder, "DPMPTSP Uji", "Pemerintah Uji")
    return folder / "office-key.pem", folder / "office-cert.pem"


@pytest.fixture(scope="session")
def session_signer(signing_pair):
    """The session's office key loaded once (loading an RSA key checks it, which takes a while)."""
    from forms.printing.signing import load_signer
    return load_signer(signing_pair[0], signing_pair[1], None)


class SharedTemplateCode(BytecodeCache):
    """Compiled page templates kept for the session, so each app does not compile every template again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        """Give the bucket the code compiled before (it checks the template's source is unchanged)."""
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        """Keep freshly compiled code."""
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SharedTemplateCode()


@pytest.fixture
def make_app(tmp_path, signing_pair, session_signer):
    """Factory for apps with extra settings; databases of real MongoDB runs are dropped after.

    Apps sign with the session's office key unless a test sets SIGNING_KEY itself (empty: the
    instance makes its own, as on a fresh machine). Jobs a request queued (issuing, re-printing) run
    once its response is complete, as a worker would pick them up; `run_jobs_after_requests=False`
    leaves them queued (tests of what is shown meanwhile, and of the runner itself).
    """
    made = []

    def build(run_jobs_after_requests=True, **settings):
        config = {"TESTING": True, "SECRET_KEY": "test-secret", "DATA_DIR": str(tmp_path / "data"),
                  "OUTBOX_DIR": str(tmp_path / "outbox"),
                  "SIGNING_KEY": str(signing_pair[0]), "SIGNING_CERT": str(signing_pair[1]),
                  "DEMO_MODE": True,  # many tests drive the demo form; tests of a real office's site turn it off
                  **store_config(), **settings}
        app = create_app(config)
        app.instance_path = str(tmp_path / "instance")
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        if run_jobs_after_requests:
            app.wsgi_app = JobsAfterEachRequest(app, app.wsgi_app)
        if "SIGNING_KEY" not in settings and "SIGNING_CERT" not in settings:
            app.extensions["loket.signer"] = session_signer
        made.append(app)
        return app

    yield build
    for app in made:
        if app.config["STORE"] == "mongodb":
            import mongoengine
            for name in (app.config["MONGODB_DB"], f"{app.config['MONGODB_DB']}_limits"):
                mongoengine.get_connection().drop_database(name)
        from forms.store import close_store
        close_store(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def wizard(client):
    return WizardClient(client).start()


@pytest.fixture
def people(app):
    """An applicant, a second applicant, two verifiers, a head of office: each with a signed-in client."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
        create_account("budi", PASSWORD, "Budi", ["pemohon"], email="budi@contoh.id", nik="3201010501900002",
                       phone="+6281234567891")
        create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"])
        create_account("vino", PASSWORD, "Vino Verifikator", ["verifikator"])
        create_account("kepala", PASSWORD, "Ibu Kepala", ["kepala"])
    clients = {}
    for name in ("siti", "budi", "vera", "vino", "kepala"):
        client = app.test_client()
        assert login(client, username=name).status_code == 302
        clients[name] = client
    return clients


@pytest.fixture
def counter(app, people):
    """A front-office officer (lina) and one who is also a verifier (rina), each signed in; plus `people`."""
    from forms.identity.accounts import create_account
    with app.app_context():
        create_account("lina", PASSWORD, "Lina Loket", ["loket"])
        create_account("rina", PASSWORD, "Rina Rangkap", ["loket", "verifikator"])
    clients = dict(people)
    for name in ("lina", "rina"):
        clients[name] = app.test_client()
        assert login(clients[name], username=name).status_code == 302
    return clients


@pytest.fixture
def api_people(app):
    """API clients of two applicants, a verifier and a head of office, plus an anonymous one."""
    from forms.identity.accounts import create_account
    from forms.identity.apitokens import create_token
    tokens = {}
    with app.app_context():
        accounts = {
            "siti": create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id",
                                   phone="+6281234567890", nik=NIK, profile=PROFILE),
            "budi": create_account("budi", PASSWORD, "Budi", ["pemohon"], nik="3201010501900002",
                                   phone="+6281234567891", profile=PROFILE),
            "vera": create_account("vera", PASSWORD, "Vera Verifikator", ["verifikator"]),
            "kepala": create_account("kepala", PASSWORD, "Ibu Kepala", ["kepala"]),
        }
        for name, account in accounts.items():
            tokens[name] = create_token(account, "uji")[0]
    clients = {name: Api(app.test_client(), token) for name, token in tokens.items()}
    clients["anonim"] = Api(app.test_client(), None)
    return clients


@pytest.fixture
def smtp_server():
    """A local SMTP server; (controller, handler keeping the envelopes)."""
    controller, handler = start_smtp()
    yield controller, handler
    controller.stop()


@pytest.fixture
def gateway():
    """A fake WhatsApp gateway, running."""
    fake = Gateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free loopback port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright; skipped where absent unless LOKET_REQUIRE_BROWSER=1."""
    required = os.environ.get("LOKET_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"{CHROMIUM} is missing but LOKET_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path):
    """Folder for screenshots: LOKET_SCREENSHOTS if set (to look at them), else the test's tmp folder."""
    folder = Path(os.environ.get("LOKET_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
