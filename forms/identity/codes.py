"""One-time verification codes: 6 digits, valid 10 minutes, at most 5 tries, resend throttled.

Only a keyed hash of a code is stored. Tries are counted with an atomic conditional update, so
parallel guesses cannot exceed the limit.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app

from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.store import (
    add_code,
    count_code_try,
    delete_codes,
    latest_code,
    mark_code_used,
    utcnow,
)

VALID_FOR = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)


class CodeError(FormsError):
    """A code could not be issued or was not accepted; the message says why."""

    status = 422
    title = N_("Kode verifikasi")


def digest(purpose: str, subject: str, code: str) -> str:
    """Keyed hash of a code, bound to its purpose and subject."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}|{subject}|{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(purpose: str, subject: str, target: str, channel: str, now: datetime | None = None) -> str:
    """Create a new code (replacing earlier ones) and return it in clear, for sending once."""
    now = now or utcnow()
    previous = latest_code(purpose, subject)
    if previous is not None and now - previous.created_at < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - previous.created_at)).total_seconds()) + 1
        raise CodeError(gettext("Kode baru dapat diminta lagi dalam %(seconds)s detik.", seconds=wait))
    delete_codes(purpose, subject)
    code = f"{secrets.randbelow(10**6):06d}"
    add_code(purpose, subject, digest(purpose, subject, code), created_at=now, expires_at=now + VALID_FOR,
             target=target, channel=channel)
    return code


def check_code(purpose: str, subject: str, code: str, now: datetime | None = None) -> None:
    """Accept a code once; raise CodeError for a wrong, expired, used or exhausted one."""
    now = now or utcnow()
    current = latest_code(purpose, subject)
    if current is None or current.used_at is not None:
        raise CodeError(gettext("Belum ada kode yang berlaku. Minta kode baru."))
    if now > current.expires_at:
        raise CodeError(gettext("Kode sudah kedaluwarsa (berlaku 10 menit). Minta kode baru."))
    counted = count_code_try(current.id, MAX_TRIES)
    if counted is None:
        raise CodeError(gettext("Sudah 5 kali salah. Minta kode baru."))
    if not hmac.compare_digest(counted.code_hash, digest(purpose, subject, code.strip())):
        left = MAX_TRIES - counted.tries
        raise CodeError(gettext("Kode salah. Sisa percobaan: %(left)s.", left=left) if left
                        else gettext("Sudah 5 kali salah. Minta kode baru."))
    mark_code_used(current.id, now)
