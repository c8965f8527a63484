"""Answers of the API carry personal data: none may be kept by a browser or proxy (the pages are in the access matrix)."""
from __future__ import annotations

import pytest

from tests.helpers import api_upload, issue_over_api


@pytest.fixture
def app(make_app):
    return make_app(SKM_REQUIRED_FOR_DOWNLOAD=False)


PERSONAL = ["/me", "/submissions", "/submissions/{submission}", "/documents", "/documents/{document}",
            "/documents/{document}/requirements/{code}", "/printouts/{number}", "/nothing-here"]


@pytest.mark.parametrize("path", PERSONAL)
def test_personal_api_answers_are_not_stored(app, api_people, path):
    siti = api_people["siti"]
    submission = issue_over_api(siti)
    document = siti.get(f"/documents/{submission['documents'][0]['id']}").get_json()
    code = document["requirements"][0]["code"]
    assert api_upload(siti, document["id"], code).status_code == 200
    response = siti.get(path.format(submission=submission["id"], document=document["id"], code=code,
                                    number=document["number"]))
    assert response.status_code == (404 if path == "/nothing-here" else 200), response.data[:200]
    assert "no-store" in response.headers["Cache-Control"]
