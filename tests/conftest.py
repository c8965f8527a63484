"""Shared fixtures: a fresh app and database per test, and a helper that walks a wizard over HTTP.

Tests run on an in-memory mongomock by default. Set MONGODB_URI to run the same suite against a real
MongoDB: each test then gets its own database, dropped afterwards.
"""
from __future__ import annotations

import os
import re
import uuid
from datetime import UTC
from pathlib import Path

import pytest

from forms import create_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def store_config() -> dict:
    """Store settings for tests: a throwaway real database if MONGODB_URI is given, else mongomock."""
    uri = os.environ.get("MONGODB_URI")
    if uri:
        return {"STORE": "mongodb", "MONGODB_URI": uri, "MONGODB_DB": f"loket_test_{uuid.uuid4().hex[:12]}"}
    return {"STORE": "memory"}


@pytest.fixture
def make_app(tmp_path):
    """Factory for apps with extra settings; databases of real MongoDB runs are dropped after."""
    made = []

    def build(**settings):
        config = {"TESTING": True, "SECRET_KEY": "test-secret", "DATA_DIR": str(tmp_path / "data"),
                  "OUTBOX_DIR": str(tmp_path / "outbox"),
                  **store_config(), **settings}
        app = create_app(config)
        app.instance_path = str(tmp_path / "instance")
        made.append(app)
        return app

    yield build
    for app in made:
        if app.config["STORE"] == "mongodb":
            import mongoengine
            mongoengine.get_connection().drop_database(app.config["MONGODB_DB"])
        from forms.store import close_store
        close_store(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_version" value="(\d+)"')


class WizardClient:
    """Drives a form over HTTP as a browser would: reads the CSRF token and version from each page."""

    def __init__(self, client, form_id: str = "demo"):
        self.client = client
        self.form_id = form_id
        self.submission_id = None

    def start(self):
        page = self.client.get(f"/formulir/{self.form_id}")
        response = self.client.post(f"/formulir/{self.form_id}", data={"csrf_token": token(page)})
        assert response.status_code == 302, response.data
        self.submission_id = response.headers["Location"].rsplit("/", 1)[-1]
        return self

    def url(self, step: str = "") -> str:
        return f"/isian/{self.submission_id}" + (f"/langkah/{step}" if step else "")

    def fill(self, step: str, values: dict, action: str = "next", files: dict | None = None, **extra):
        """GET the step, then POST values with its CSRF token and version."""
        page = self.client.get(self.url(step))
        assert page.status_code == 200, page.status_code
        data = {"csrf_token": token(page), "_version": VERSION.search(page.get_data(as_text=True)).group(1),
                "_action": action, **values, **extra}
        data.update(files or {})
        return self.client.post(self.url(step), data=data, content_type="multipart/form-data")

    def submission(self):
        from forms.store import find_submission
        return find_submission(self.submission_id)


def token(page) -> str:
    """The CSRF token of a rendered page."""
    return CSRF.search(page.get_data(as_text=True)).group(1)


@pytest.fixture
def wizard(client):
    return WizardClient(client).start()


# A valid demo applicant; NIK region 320101 (Kab. Bogor, Nanggung), born 5 Jan 1990, female (day+40).
DEMO_DIRI = {
    "nik": "3201014501900001", "nama": "Siti Aminah", "jenis_kelamin": "P", "tanggal_lahir": "1990-01-05",
    "telepon": "0812-3456-7890", "email": "siti@contoh.id", "npwp": "", "provinsi": "32", "kabupaten": "32.01",
    "alamat": "Jl. Melati No. 1, RT 01/RW 02",
}
DEMO_USAHA = {
    "kbli": "10710", "bentuk_tempat": "rumah", "luas": "36", "pekerja": "3", "modal_mesin": "Rp25.000.000",
    "modal_kerja": "15.000.000", "saluran": ["toko", "daring"],
}
DEMO_PRODUK = {"daftar_produk-count": "1", "daftar_produk-0-nama_produk": "Roti manis",
               "daftar_produk-0-kapasitas": "12000"}
DEMO_LAMPIRAN = {"pernyataan": "1"}


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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


OFFICE_ZONE = "Asia/Jakarta"


def wib(text: str):
    """'2026-12-13 10:00' read as office time (WIB), returned as the store keeps times: naive UTC."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(OFFICE_ZONE))
    return local.astimezone(UTC).replace(tzinfo=None)


def pin_clock(app, moment):
    """Make the app's office clock read `moment` (naive UTC): what pages call "now" and "today"."""
    calendar = app.extensions["loket.calendar"]
    app.extensions["loket.calendar"] = calendar.with_now(lambda: moment)
