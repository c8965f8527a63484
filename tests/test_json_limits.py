"""Every JSON the app reads from a request is read within a size and nesting limit: 400/413 with a message, never 500."""
from __future__ import annotations

import io
import json

import pytest

from forms.engine.jsontext import JsonRefused, JsonTooLarge, parse_json
from forms.identity.accounts import create_account
from forms.store import SchemaVersion
from tests.helpers import ANSWER, PASSWORD, issue_over_api, login, token

DEEP = "[" * 2000 + "]" * 2000  # ~4 KB: Python's parser recursed past its limit (RecursionError → 500)
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
JUST_TOO_DEEP = '{"values": ' + "[" * 32 + "]" * 32 + "}"  # 33 levels with the outer object

UNREADABLE = {
    "nested arrays": (DEEP, 400, "bersarang"),
    "nested objects": (DEEP_OBJECT, 400, "bersarang"),
    "one level too deep": (JUST_TOO_DEEP, 400, "bersarang lebih dari 32"),
    "malformed": ('{"form_id": ', 400, "JSON tidak sah pada baris 1"),
    "not UTF-8": (b'{"form_id": "\xff\xfe"}', 400, "UTF-8"),
}
BAD_BODIES = {**UNREADABLE, "an array, not an object": ("[1, 2]", 400, "objek JSON")}


@pytest.fixture
def app(make_app):
    return make_app(CAPTCHA_TEST_ANSWER=ANSWER, LOGIN_RATE_LIMIT="1000/minute", CAPTCHA_RATE_LIMIT="1000/minute",
                    CATALOG_REFRESH_SECONDS=0)


@pytest.mark.parametrize("text, status, words", UNREADABLE.values(), ids=list(UNREADABLE))
def test_parse_json_refuses_with_a_reason(text, status, words):
    with pytest.raises(JsonRefused) as refused:
        parse_json(text, 64 * 1024)
    assert refused.value.status == status and words in str(refused.value)


def test_parse_json_keeps_its_size_limit_and_reads_what_fits():
    with pytest.raises(JsonTooLarge) as refused:
        parse_json('{"a": "' + "x" * 100 + '"}', 100)
    assert refused.value.status == 413 and "100 bita" in str(refused.value)
    nested = "[" * 32 + "]" * 32
    assert parse_json(nested, 1000) == json.loads(nested)


def submission_paths(api):
    """The API writes on a fresh draft: create, save a step, submit."""
    draft = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    return {"create": ("POST", "/submissions"), "step": ("PUT", f"/submissions/{draft['id']}/steps/data_pelaku"),
            "submit": ("POST", f"/submissions/{draft['id']}/submit")}, draft


@pytest.mark.parametrize("endpoint", ["create", "step", "submit"])
@pytest.mark.parametrize("body, status, words", BAD_BODIES.values(), ids=list(BAD_BODIES))
def test_api_writes_refuse_bad_json_and_change_nothing(app, api_people, endpoint, body, status, words):
    api = api_people["siti"]
    paths, draft = submission_paths(api)
    method, path = paths[endpoint]
    before = api.get("/submissions").get_json()
    response = api.call(method, path, data=body, content_type="application/json")
    assert response.status_code == status and response.is_json, (response.status_code, response.data[:200])
    assert words in response.get_json()["error"]
    after = api.get("/submissions").get_json()
    assert after == before and api.get(f"/submissions/{draft['id']}").get_json()["version"] == draft["version"]


@pytest.mark.parametrize("endpoint", ["transitions", "verdict", "claim"])
def test_document_writes_refuse_deep_json(app, api_people, endpoint):
    submission = issue_over_api(api_people["siti"])
    document = submission["documents"][0]["id"]
    caller = api_people["siti" if endpoint == "transitions" else "vera"]
    code = caller.get(f"/documents/{document}").get_json()["requirements"][0]["code"]
    path = {"transitions": f"/documents/{document}/transitions", "claim": f"/documents/{document}/claim",
            "verdict": f"/documents/{document}/requirements/{code}/verdict"}[endpoint]
    before = caller.get(f"/documents/{document}").get_json()
    response = caller.post(path, data=DEEP, content_type="application/json")
    assert response.status_code == 400 and "bersarang" in response.get_json()["error"]
    assert caller.get(f"/documents/{document}").get_json() == before


def test_a_json_body_over_the_limit_is_413_json(make_app):
    app = make_app(JSON_MAX_BYTES=1000)
    with app.app_context():
        account = create_account("siti", PASSWORD, "Siti", ["pemohon"])
        from forms.identity.apitokens import create_token
        bearer = create_token(account, "uji")[0]
    response = app.test_client().post("/api/v1/submissions", data=json.dumps({"form_id": "x" * 2000}),
                                      content_type="application/json", headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 413 and "1000 bita" in response.get_json()["error"]


@pytest.fixture
def admin(app):
    with app.app_context():
        create_account("ani", PASSWORD, "Ani Admin", ["admin"])
    client = app.test_client()
    assert login(client, username="ani").status_code == 302
    return client


def admin_post(client, url, **data):
    page = client.get("/admin/")
    return client.post(url, data={"csrf_token": token(page), **data}, content_type="multipart/form-data")


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_admin_import_refuses_deep_json(admin, body):
    count = SchemaVersion.objects.count()
    response = admin_post(admin, "/admin/impor", berkas=(io.BytesIO(body.encode()), "dalam.json"))
    assert response.status_code == 302
    assert "bersarang" in admin.get("/admin/").get_data(as_text=True)
    assert SchemaVersion.objects.count() == count


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_admin_json_editor_refuses_deep_json(admin, body):
    published = SchemaVersion.objects(kind="workflow", key="izin", state="published").order_by("-version").first()
    made = admin_post(admin, "/admin/workflow/izin/draf", **{"from": str(published.version)})
    version = int(made.headers["Location"].rsplit("/", 1)[-1])
    draft = SchemaVersion.objects.get(kind="workflow", key="izin", version=version)
    response = admin_post(admin, f"/admin/workflow/izin/{version}/json", content=body, revision=str(draft.revision))
    assert response.status_code == 422 and "bersarang" in response.get_data(as_text=True)
    assert SchemaVersion.objects.get(kind="workflow", key="izin", version=version).content == draft.content
