"""The spoken code, the image code's alternative: its sound, its voices, one use, one browser, its limits."""
from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from forms.identity.accounts import create_account
from forms.identity.captchas import AUDIO_LENGTH, VOICES, new_answer, speaker
from tests.helpers import ANSWER, PASSWORD, signed_in, token

SPOKEN = "428193"
DIGITS = set("0123456789")


@pytest.fixture
def app(make_app):
    app = make_app(CAPTCHA_TEST_ANSWER=ANSWER, CAPTCHA_TEST_AUDIO_ANSWER=SPOKEN, RATELIMIT_ENABLED=False)
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah")
    return app


def post_login(client, answer, page=None):
    """POST the sign-in form with the given code (the browser fetched whatever it fetched before)."""
    page = page or client.get("/masuk")
    return client.post("/masuk", data={"csrf_token": token(page), "username": "siti", "password": PASSWORD,
                                        "captcha": answer})


def seconds(data: bytes) -> float:
    """The length of a WAV, checking it is the 8 kHz mono the package writes."""
    with wave.open(io.BytesIO(data)) as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 1, 8000)
        return sound.getnframes() / sound.getframerate()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_spoken_code_is_a_fresh_uncached_wav_in_the_page_language(client, language):
    client.set_cookie("lang", language)
    first, second = client.get("/masuk/captcha.wav"), client.get("/masuk/captcha.wav")
    assert first.status_code == 200 and first.headers["Content-Type"] == "audio/wav"
    assert first.headers["Cache-Control"] == "no-store"
    assert seconds(first.data) > AUDIO_LENGTH  # beeps, then each digit a second or more apart
    assert first.data != second.data  # noise and timing drawn afresh each time


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_digit_has_a_voice(language):
    voices = Path(VOICES[language])
    assert DIGITS <= set(speaker(language).choices)
    for digit in DIGITS:
        assert list((voices / digit).glob("*.wav")), f"{language}: no voice for {digit}"
    if language == "id":
        assert voices.is_relative_to(Path(__file__).resolve().parent.parent / "forms")  # ours, not the package's


def test_the_spoken_code_signs_in_once(client):
    client.get("/masuk/captcha.wav")
    assert post_login(client, SPOKEN).status_code == 302
    assert signed_in(client)
    client.post("/keluar", data={"csrf_token": token(client.get("/beranda"))})
    assert post_login(client, SPOKEN).status_code == 422  # used up


def test_a_wrong_answer_uses_up_both_the_image_and_the_spoken_code(client):
    page = client.get("/masuk")
    client.get("/masuk/captcha.png")
    client.get("/masuk/captcha.wav")
    assert post_login(client, "999999", page).status_code == 422
    refused = post_login(client, SPOKEN)
    assert refused.status_code == 422 and "tidak berlaku" in refused.get_data(as_text=True)
    assert post_login(client, ANSWER).status_code == 422


def test_the_image_code_still_works_beside_a_spoken_one(client):
    client.get("/masuk/captcha.png")
    client.get("/masuk/captcha.wav")
    assert post_login(client, ANSWER.lower()).status_code == 302


def test_a_spoken_code_belongs_to_the_browser_that_fetched_it(app, client):
    client.get("/masuk/captcha.wav")
    other = app.test_client()
    assert post_login(other, SPOKEN).status_code == 422
    assert post_login(client, SPOKEN).status_code == 302


def test_the_spoken_answer_never_travels_in_the_cookie(app, client):
    client.get("/masuk/captcha.wav")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert SPOKEN not in repr(session) and "captcha_audio" in session


def test_spoken_codes_are_rate_limited_like_images(make_app):
    client = make_app(CAPTCHA_RATE_LIMIT="2/minute").test_client()
    assert [client.get("/masuk/captcha.wav").status_code for _ in range(3)] == [200, 200, 429]


def test_the_test_answer_is_ignored_when_not_testing(make_app):
    app = make_app(TESTING=False, CAPTCHA_TEST_AUDIO_ANSWER=SPOKEN)
    with app.test_request_context():
        answers = {new_answer(audio=True) for _ in range(5)}
    assert SPOKEN not in answers
    assert all(len(answer) == AUDIO_LENGTH and set(answer) <= DIGITS for answer in answers)
