"""Configuration: defaults in one mapping, environment overrides, tests pass a mapping.

Every setting has a safe default so that `python server.py` works on a fresh machine. The secret
key is generated once into the instance folder (never committed) unless LOKET_SECRET_KEY is set.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from forms.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "MONGODB_URI": "",
    "MONGODB_DB": "loket",
    "STORE": "",  # "mongodb" | "embedded" | "memory"; empty → mongodb if MONGODB_URI else embedded
    "DATA_DIR": "",  # embedded store folder; empty → <instance>/data
    "SCHEMAS_DIR": str(PROJECT_DIR / "schemas"),
    "PRINTOUTS_DIR": str(PROJECT_DIR / "printouts"),
    "CATALOG_REFRESH_SECONDS": 2,  # how often a process checks whether another one published a version
    "OFFICE_TIMEZONE": "Asia/Jakarta",  # the office's clock: today, deadlines, semesters, dates on pages and PDFs
    "HOST": "127.0.0.1",
    "PORT": 5000,
    "THREADS": 8,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 2 * 1024 * 1024,
    "JSON_MAX_BYTES": 12 * 1024 * 1024,  # any JSON read from a request (API bodies, admin edits and imports)
    "JSON_MAX_DEPTH": 32,  # how deeply its lists and objects may nest
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # true: always Secure; false: Secure whenever the request came over TLS
    "PROXY_FIX": 0,  # how many reverse proxies in front whose X-Forwarded-* headers are trusted (0: none)
    "TRUSTED_ORIGINS": (),  # other origins (scheme://host[:port]) whose pages may post forms here; PUBLIC_URL's is trusted
    "HSTS_SECONDS": 31536000,  # Strict-Transport-Security max-age on TLS responses (0: no header)
    "HSTS_INCLUDE_SUBDOMAINS": False,
    "SMALL_BODY_MAX_BYTES": 64 * 1024,  # sign-in, codes, short officer forms
    "FORM_BODY_MAX_BYTES": 1024 * 1024,  # a wizard step without uploads; uploads add their own limits
    "TOTP_ROLES": ("verifikator", "kepala", "admin", "loket"),  # who may turn on the authenticator-app second factor
    "TOTP_RATE_LIMIT": "10/minute",  # second-factor code entries and changes per client address
    "TOTP_ISSUER": "",
    "TOTP_ENCRYPTION_KEY": "",  # Fernet key sealing second-factor secrets; empty → <instance>/totp_key (made once)
    "TOTP_ENCRYPTION_KEY_FALLBACKS": (),  # older keys still read during a rotation (see `flask --app server totp-rekey`)  # name shown in authenticator apps; empty → SITE_NAME
    "SESSION_COOKIE_NAME": "loket_session",
    "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session; a wizard can take hours
    "LANGUAGES": ("id", "en"),
    "DEFAULT_LANGUAGE": "id",
    "SITE_NAME": "Loket",
    "DEMO_MODE": False,  # offer the example forms (those marked "demo") to everybody; never on a real office's site
    "OUTBOX_DIR": "",  # where messages go when no channel is configured; empty → <instance>/outbox
    "TRACK_RATE_LIMIT": "20/minute",
    "DEADLINE_CHECK_MINUTES": 10,  # python server.py: how often deemed approvals run (0: off; use cron + sla-run)
    "LOGIN_RATE_LIMIT": "10/minute",
    # Failed sign-ins (forms/identity/signin.py): per username + address, the first LOGIN_FREE_FAILURES are free,
    # then each failure makes the next try wait LOGIN_DELAY_SECONDS, doubling up to LOGIN_MAX_DELAY_SECONDS; per
    # address across usernames the same after LOGIN_ADDRESS_FREE_FAILURES (at most LOGIN_ADDRESS_MAX_DELAY_SECONDS); counts are forgotten
    # LOGIN_FORGET_HOURS after the last failure. LOGIN_LOCK_FAILURES wrong passwords in a row from anywhere lock
    # the account for LOGIN_LOCK_MINUTES and tell its owner (a password reset unlocks it).
    "LOGIN_FREE_FAILURES": 3,
    "LOGIN_ADDRESS_FREE_FAILURES": 20,
    "LOGIN_DELAY_SECONDS": 5,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    "LOGIN_ADDRESS_MAX_DELAY_SECONDS": 60,  # lower: people behind one office or carrier address share it
    "LOGIN_FORGET_HOURS": 24,
    "LOGIN_LOCK_FAILURES": 50,
    "LOGIN_LOCK_MINUTES": 60,
    "TOTP_LOCK_FAILURES": 5,  # wrong second-factor codes in a row (the password was right) before the same lock
    "CAPTCHA_RATE_LIMIT": "30/minute",
    "RESET_RATE_LIMIT": "5/minute",
    "VERIFY_RATE_LIMIT": "30/minute",  # public document verification page and upload check
    "DRAFT_RATE_LIMIT": "10/minute",  # draft PDF previews (rendered on request)
    "PUBLIC_URL": "",  # base of the QR verification address; empty → the address of the request
    "SIGNING_KEY": "",  # office signing key + certificate (PEM); empty → self-signed pair in <instance>/signing
    "SIGNING_CERT": "",
    "SIGNING_KEY_PASSWORD": "",
    "SKM_REQUIRED_FOR_DOWNLOAD": True,  # issued documents download only after the owner sent the survey
    "REPORT_RATE_LIMIT": "10/minute",  # survey report PDFs (rendered on request)
    "RATELIMIT_STORAGE_URI": "",  # empty → the store's MongoDB when MONGODB_URI is set (shared by workers), else memory
    "API_RATE_LIMIT": "600/minute",  # the JSON API, per token (per client address without one)
    "WEBHOOK_POLL_SECONDS": 5,  # python server.py: how often queued webhook deliveries are sent (0: off; use webhook-run)
    "WEBHOOK_TIMEOUT": 10,  # seconds to wait for a webhook receiver
    "WEBHOOK_RETRY_SECONDS": 30,  # first retry after this; doubles on each failure (at most 6 hours)
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "JOB_THREADS": 8,  # python server.py / flask worker: threads running jobs (issuing, printing); 0: none. Mostly
    # waiting (commits, the PDF processes): with 4, printouts queued ~5 s behind each other at 32 busy applicants
    "PDF_PROCESSES": 2,  # processes making and signing printout PDFs for those threads (0: in the job's thread)
    "JOB_LEASE_SECONDS": 300,  # a claimed job is another worker's to take after this (a worker died or stalled)
    "JOB_RETRY_SECONDS": 10,  # first retry of a failed job after this; doubles on each failure (at most 1 hour)
    "JOB_MAX_ATTEMPTS": 6,  # then the job is marked failed and shown to officers and admins
    "JOB_POLL_SECONDS": 5,  # how often idle job workers look for due jobs (a submit wakes them at once)
    "FILE_SWEEP_HOURS": 24,  # workers delete stored files no record refers to this often (0: off; or files-sweep)
    "FILE_GRACE_HOURS": 24,  # and only those older than this (an upload waits for its answer to be saved)
    "RUNNER_CHECK_SECONDS": 120,  # on MongoDB, a web process warns this long after start if no worker runs (0: off)
    "OBLIGATION_REMINDER_DAYS": 30,  # an obligation due after issue (e.g. SLHS in 12 months) is reminded this early
    "OBLIGATION_LOOKBACK_DAYS": 800,  # documents issued this long ago may still have obligations coming due
    "NUMBERS_URL": "",  # empty: Loket draws owner and document numbers; else an HTTP gateway (e.g. to OSS) gives them
    "NUMBERS_TOKEN": "",  # sent as "Authorization: Bearer <token>" to that gateway
    "NUMBERS_TIMEOUT": 10,  # seconds; a gateway that does not answer fails the issuing job, which is retried
}

# Delivery channels (forms/outreach/notify.py): conventional names, read from the environment as they are.
CHANNEL_KEYS = (
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_SECURITY", "SMTP_TIMEOUT", "MAIL_FROM",
    "WHATSAPP_URL", "WHATSAPP_TOKEN", "WHATSAPP_AUTH_HEADER", "WHATSAPP_AUTH_SCHEME", "WHATSAPP_FORMAT",
    "WHATSAPP_TARGET_FIELD", "WHATSAPP_MESSAGE_FIELD", "WHATSAPP_EXTRA", "WHATSAPP_TIMEOUT",
    "WHATSAPP_NUMBER_FORMAT",
)
DEFAULTS.update({key: "" for key in CHANNEL_KEYS})

# Environment variables read without the LOKET_ prefix (conventional names).
PLAIN_ENV = ("MONGODB_URI", *CHANNEL_KEYS)
BOOLEAN_TRUE = {"1", "true", "yes", "on"}


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config from DEFAULTS, then the environment, then test_config."""
    app.config.update(DEFAULTS)
    app.config.update(read_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if not app.config["STORE"]:
        app.config["STORE"] = "mongodb" if app.config["MONGODB_URI"] else "embedded"
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = os.path.join(app.instance_path, "data")
    if not app.config["OUTBOX_DIR"]:
        app.config["OUTBOX_DIR"] = os.path.join(app.instance_path, "outbox")
    if not app.config.get("SECRET_KEY"):
        if app.config["STORE"] == "mongodb":
            raise ConfigError("LOKET_SECRET_KEY must be set when MONGODB_URI is: every worker and host of one "
                              "service signs sessions and CSRF tokens with the same key")
        app.config["SECRET_KEY"] = read_or_create_secret(Path(app.instance_path))


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings named LOKET_<KEY> (or a plain conventional name), coerced to the default's type."""
    found: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(f"LOKET_{key}")
        if raw is None and key in PLAIN_ENV:
            raw = environ.get(key)
        if raw is not None:
            found[key] = coerce(raw, default)
    if environ.get("LOKET_SECRET_KEY"):
        found["SECRET_KEY"] = environ["LOKET_SECRET_KEY"]
    return found


def coerce(raw: str, default: Any) -> Any:
    """Turn an environment string into the type of its default."""
    if isinstance(default, bool):
        return raw.strip().lower() in BOOLEAN_TRUE
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def read_or_create_secret(instance: Path) -> str:
    """The instance's secret key, generated on first start and kept private (0600).

    The key is written whole to a private temporary file and then linked into place, so a process
    starting at the same moment reads either no file or the whole key, and exactly one key wins.
    """
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    create_private_file(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_private_file(path: Path, text: str) -> None:
    """Create a 0600 file whole, unless it exists: written to a private temporary file, then linked into place, so
    of processes starting together exactly one wins and nobody reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: that one stands
    finally:
        temporary.unlink()
