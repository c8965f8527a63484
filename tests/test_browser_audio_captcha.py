"""Signing in without the image, by keyboard alone, in real headless Chromium: with the spoken code
(id and en), and with a code sent to the account instead of any CAPTCHA.

The image never loads (as for someone who cannot see it) and its code is random; the spoken digits
are the test app's CAPTCHA_TEST_AUDIO_ANSWER, honoured only in testing, as the image tests use
CAPTCHA_TEST_ANSWER.
"""
from __future__ import annotations

import io
import wave

import pytest
from playwright.sync_api import expect

from forms.identity.accounts import create_account
from tests.accessibility import blocking, describe, violations
from tests.helpers import NIK, PASSWORD, PROFILE, VIEWPORTS, code_of
from tests.keyboard import enter, tab_to, type_into

pytestmark = pytest.mark.browser
SPOKEN = "428193"
WELCOME = {"id": "Selamat datang, Siti Aminah", "en": "Welcome, Siti Aminah"}


@pytest.fixture
def app(make_app):
    app = make_app(CAPTCHA_TEST_AUDIO_ANSWER=SPOKEN, RATELIMIT_ENABLED=False)
    with app.app_context():
        create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id", phone="+6281234567890",
                       nik=NIK, profile=PROFILE)
    return app


@pytest.mark.parametrize("language", ["id", "en"])
def test_sign_in_with_the_audio_code_and_the_keyboard(browser, app, live_server, language):
    context = browser.new_context(viewport=VIEWPORTS["ponsel"], locale="id-ID")
    context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    context.route("**/masuk/captcha.png*", lambda route: route.abort())
    page = context.new_page()
    spoken = []
    page.on("response", lambda response: spoken.append(response) if "/masuk/captcha.wav" in response.url else None)
    page.goto(live_server + "/masuk")
    type_into(page, "#f-username", "siti")
    type_into(page, "#f-password", PASSWORD)
    tab_to(page, "audio")
    page.keyboard.press("Space")  # the player's own key: play
    page.wait_for_function("() => document.querySelector('audio').currentTime > 0")
    assert len(spoken) == 1, [response.url for response in spoken]  # one code per playing
    assert spoken[0].headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(spoken[0].body())) as sound:
        assert (sound.getnchannels(), sound.getframerate()) == (1, 8000)
        assert sound.getnframes() / sound.getframerate() > len(SPOKEN)  # a second or more per digit
    assert page.evaluate("document.querySelector('audio').duration") > len(SPOKEN)  # Chromium decoded it
    type_into(page, "#f-captcha", SPOKEN)
    enter(page)
    expect(page.get_by_role("heading", name=WELCOME[language])).to_be_visible()
    context.close()


def test_sign_in_with_a_code_sent_to_the_account_and_the_keyboard(browser, app, live_server):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="id-ID")
    context.route("**/masuk/captcha.*", lambda route: route.abort())
    page = context.new_page()
    page.goto(live_server + "/masuk")
    tab_to(page, "a", text="Masuk dengan kode")
    enter(page)
    found = violations(page)
    type_into(page, "#f-username", "siti")
    enter(page)
    found += violations(page)
    assert not blocking(found), describe("masuk lewat kode", blocking(found))
    type_into(page, "#f-code", code_of(app))
    type_into(page, "#f-password", PASSWORD)
    enter(page)
    expect(page.get_by_role("heading", name=WELCOME["id"])).to_be_visible()
    context.close()
