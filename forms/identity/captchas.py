"""CAPTCHAs drawn or spoken by the server, each answerable once: an image, and digits read aloud.

The audio code is the image's alternative in another sense (WCAG 1.1.1): six digits spoken in the
page's language, Indonesian voices made by scripts/make_captcha_voices.py (eSpeak NG), English the
`captcha` package's own. A browser holds at most one challenge of each kind; the typed answer may
match either, and any attempt uses both up.

The answer is never sent to the browser, not even inside the (signed, readable) session cookie: the
session holds a random challenge id and the store keeps a keyed hash of the answer as a Code. Checking
deletes the challenge first, so an answer cannot be replayed with an old cookie.
"""
from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from captcha.audio import DATA_DIR as ENGLISH_VOICES
from captcha.audio import WAVE_SAMPLE_RATE, AudioCaptcha, mix_wave
from captcha.image import ImageCaptcha
from flask import current_app, session

from forms.engine.text import N_, gettext
from forms.errors import FormsError
from forms.identity.codes import digest
from forms.store import add_code, delete_codes, delete_expired_codes, take_code, utcnow

PURPOSE = "captcha"
AUDIO_PURPOSE = "captcha-audio"
KINDS = ((PURPOSE, "captcha"), (AUDIO_PURPOSE, "captcha_audio"))  # (code purpose, session key)
ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"  # no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B
LENGTH = 5
VALID_FOR = timedelta(minutes=10)
WIDTH, HEIGHT = 200, 70
AUDIO_LENGTH = 6
VOICES = {"id": str(Path(__file__).with_name("voices") / "id"), "en": ENGLISH_VOICES}
HISS = bytes(value % 4 + 126 for value in range(256))  # random bytes → the package's quiet white noise (level 4)


class CaptchaError(FormsError):
    """The CAPTCHA answer was missing, wrong, expired or already used."""

    status = 422
    title = N_("Kode gambar")


def new_answer(audio: bool = False) -> str:
    """Five random characters, or six digits to be spoken; under app.testing, the test's answer if it set one."""
    app = current_app
    test_answer = app.config.get("CAPTCHA_TEST_AUDIO_ANSWER" if audio else "CAPTCHA_TEST_ANSWER")
    if app.testing and test_answer:
        return test_answer
    if audio:
        return "".join(secrets.choice("0123456789") for _ in range(AUDIO_LENGTH))
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def issue_challenge(audio: bool = False) -> str:
    """A new challenge of one kind for this browser (replacing its previous one); returns the answer to draw or speak."""
    purpose, key = KINDS[1] if audio else KINDS[0]
    now = utcnow()
    previous = session.pop(key, None)
    if previous:
        delete_codes(purpose, previous)
    delete_expired_codes(purpose, now)
    challenge, answer = secrets.token_urlsafe(16), new_answer(audio)
    add_code(purpose, challenge, digest(purpose, challenge, answer.upper()), created_at=now,
             expires_at=now + VALID_FOR)
    session[key] = challenge
    return answer


def draw(answer: str) -> bytes:
    """The PNG of an answer, with the library's noise dots and curve."""
    return ImageCaptcha(width=WIDTH, height=HEIGHT).generate(answer, format="png").getvalue()


class QuickNoiseCaptcha(AudioCaptcha):
    """The package's audio CAPTCHA with its white noise drawn in one os.urandom call, not one call per sample.

    Per-sample calls were two thirds of a code's ~1.3 s (bench/captchas.py); the murmur of reversed
    voices laid over the noise is the package's, as are the voices, timing and beeps.
    """

    def create_background_noise(self, length: int, chars: str) -> bytearray:
        """White noise the length of the code, with reversed, softened voices mixed in at random gaps."""
        noise = bytearray(os.urandom(length).translate(HISS))
        start = 0
        while start < length:
            sound = self._noise_pick()
            end = start + len(sound) + 1
            noise[start:end] = mix_wave(sound, noise[start:end])
            start = end + secrets.randbelow(WAVE_SAMPLE_RATE // 10 + 1)
        return noise


@cache
def speaker(language: str) -> AudioCaptcha:
    """The audio CAPTCHA of a language, its voices loaded once per process."""
    voice = QuickNoiseCaptcha(voicedir=VOICES.get(language, VOICES["id"]))
    voice.load()
    return voice


def speak(answer: str, language: str) -> bytes:
    """A WAV of the digits read aloud between beeps, over a murmur of reversed voices."""
    return bytes(speaker(language).generate(answer))


def taken_challenges() -> list[tuple[str, str, object]]:
    """This browser's current challenges, taken out of the session and the store: (purpose, id, code)."""
    taken = []
    for purpose, key in KINDS:
        challenge = session.pop(key, None)
        stored = take_code(purpose, challenge) if challenge else None
        if stored is not None and utcnow() <= stored.expires_at:
            taken.append((purpose, challenge, stored))
    return taken


def check_captcha(answer: str) -> None:
    """Accept this browser's current image or audio challenge once; CaptchaError otherwise. Any attempt uses both up."""
    taken = taken_challenges()
    if not taken:
        raise CaptchaError(gettext("Kode gambar sudah tidak berlaku. Ketik kode pada gambar yang baru."))
    given = (answer or "").strip().upper()
    if not any(hmac.compare_digest(stored.code_hash, digest(purpose, challenge, given))
               for purpose, challenge, stored in taken):
        raise CaptchaError(gettext("Kode gambar salah. Ketik kode pada gambar yang baru."))
