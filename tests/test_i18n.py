"""Languages: Indonesian by default, English by the switch, for interface strings and schema texts alike."""
from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.helpers import ROOT, WizardClient, token

TRANSLATIONS = ROOT / "forms" / "translations" / "en" / "LC_MESSAGES"


def switch(client, lang: str, back_to: str):
    """Press the language button of a page, as the base template offers it."""
    page = client.get(back_to)
    response = client.post("/bahasa", data={"csrf_token": token(page), "lang": lang, "next": back_to})
    assert response.status_code == 302 and response.headers["Location"] == back_to
    return response


def test_indonesian_is_the_default(client):
    page = client.get("/standar-pelayanan").get_data(as_text=True)
    assert '<html lang="id">' in page and "Dasar hukum" in page and ">Masuk<" in page
    assert 'name="lang" value="en"' in page  # the switch offers English


def test_english_switch_on_the_wizard(client):
    switch(client, "en", "/formulir/demo")
    wizard = WizardClient(client, "demo").start()
    page = client.get(wizard.url("data_diri")).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Name as on ID card" in page and "Personal data" in page  # schema texts
    assert ">Home<" in page and ">Sign in<" in page and "Skip to content" in page  # interface strings
    assert "Kabupaten/kota" not in page and "Regency/city" in page
    assert "Provinsi" in page  # no English given in the schema: falls back to Indonesian


def test_english_switch_on_a_public_page_and_back(client):
    switch(client, "en", "/standar-pelayanan")
    page = client.get("/standar-pelayanan").get_data(as_text=True)
    assert "Legal basis" in page and "Free of charge." in page and "Service standard" in page
    assert 'name="lang" value="id"' in page
    ikm = client.get("/ikm").get_data(as_text=True)
    assert "Public Satisfaction Index (IKM)" in ikm and "0 respondents" in ikm
    switch(client, "id", "/ikm")
    assert "Indeks Kepuasan Masyarakat (IKM)" in client.get("/ikm").get_data(as_text=True)


def test_unknown_language_and_foreign_redirects_are_refused(client):
    page = client.get("/")
    response = client.post("/bahasa", data={"csrf_token": token(page), "lang": "fr", "next": "//evil.example/"})
    assert response.headers["Location"] == "/" and "lang=id" in response.headers["Set-Cookie"]


def catalog():
    with (TRANSLATIONS / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_every_interface_string_has_an_english_translation():
    method_map = [("forms/**.py", "python"), ("forms/templates/**.html", "jinja2"), ("forms/templates/**.svg", "jinja2")]
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(ROOT), method_map)}
    translated = {message.id if isinstance(message.id, str) else message.id[0]: message.string
                  for message in catalog() if message.id}
    missing = sorted(text for text in found if not translated.get(text))
    assert not missing, f"run pybabel extract/update and translate: {missing}"


def test_compiled_catalog_matches_its_source():
    def pairs(messages):
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string for m in messages if m.id}

    with (TRANSLATIONS / "messages.mo").open("rb") as handle:
        compiled = pairs(read_mo(handle))
    source = pairs(message for message in catalog() if not message.fuzzy)
    assert compiled == source, "run: pybabel compile -d forms/translations"


def test_placeholders_survive_translation():
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        assert all(set(re.findall(r"%\(\w+\)[sd]", text)) == wanted for text in strings), message.id
