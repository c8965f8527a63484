"""Image CAPTCHAs drawn by the server, each answerable once.

The answer is never sent to the browser, not even inside the (signed, readable) session cookie: the
session holds a random challenge id and the store keeps a keyed hash of the answer as a Code. Checking
deletes the challenge first, so an answer cannot be replayed with an old cookie.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from captcha.image import ImageCaptcha
from flask import current_app, session

from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.identity.codes import digest
from forms.store import add_code, delete_codes, delete_expired_codes, take_code, utcnow

PURPOSE = "captcha"
ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"  # no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B
LENGTH = 5
VALID_FOR = timedelta(minutes=10)
WIDTH, HEIGHT = 200, 70


class CaptchaError(FormsError):
    """The CAPTCHA answer was missing, wrong, expired or already used."""

    status = 422
    title = N_("Kode gambar")


def new_answer() -> str:
    """Five random characters; under app.testing, CAPTCHA_TEST_ANSWER if the test set one."""
    app = current_app
    if app.testing and app.config.get("CAPTCHA_TEST_ANSWER"):
        return app.config["CAPTCHA_TEST_ANSWER"]
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def issue_challenge() -> str:
    """A new challenge for this browser (replacing its previous one); returns the answer to draw."""
    now = utcnow()
    previous = session.pop("captcha", None)
    if previous:
        delete_codes(PURPOSE, previous)
    delete_expired_codes(PURPOSE, now)
    challenge, answer = secrets.token_urlsafe(16), new_answer()
    add_code(PURPOSE, challenge, digest(PURPOSE, challenge, answer.upper()), created_at=now,
             expires_at=now + VALID_FOR)
    session["captcha"] = challenge
    return answer


def draw(answer: str) -> bytes:
    """The PNG of an answer, with the library's noise dots and curve."""
    return ImageCaptcha(width=WIDTH, height=HEIGHT).generate(answer, format="png").getvalue()


def check_captcha(answer: str) -> None:
    """Accept this browser's current challenge once; CaptchaError otherwise. Any attempt uses it up."""
    challenge = session.pop("captcha", None)
    stored = take_code(PURPOSE, challenge) if challenge else None
    if stored is None or utcnow() > stored.expires_at:
        raise CaptchaError(gettext("Kode gambar sudah tidak berlaku. Ketik kode pada gambar yang baru."))
    given = (answer or "").strip().upper()
    if not hmac.compare_digest(stored.code_hash, digest(PURPOSE, challenge, given)):
        raise CaptchaError(gettext("Kode gambar salah. Ketik kode pada gambar yang baru."))
