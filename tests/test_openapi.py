"""The OpenAPI document matches the code: every route is described, and schemathesis, run in-process
against the app (WSGI) on every operation with generated input, finds no server error and no answer
outside the declared status codes, content types and schemas.

Schemathesis' 'schema-valid data must be accepted' check is left out: a step's values are a free
object in the document (each form declares its own fields), so a schema-valid body is often rightly
refused by the form's own rules with 422 and per-field messages.
"""
from __future__ import annotations

import random
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from forms.identity.accounts import create_account
from forms.identity.apitokens import create_token
from forms.web.openapi import openapi_document
from tests.helpers import NIK, PASSWORD, PROFILE, Api, issue_over_api

EXAMPLES = 15

@pytest.fixture
def app(make_app, signing_pair):
    return make_app(API_RATE_LIMIT="100000/minute", VERIFY_RATE_LIMIT="100000/minute",
                    SIGNING_KEY=str(signing_pair[0]), SIGNING_CERT=str(signing_pair[1]), SKM_REQUIRED_FOR_DOWNLOAD=False)


@pytest.fixture
def seeded(app):
    """An applicant with an issued document and a draft, an officer; their tokens and the real ids."""
    with app.app_context():
        siti = create_account("siti", PASSWORD, "Siti Aminah", ["pemohon"], email="siti@contoh.id",
                              phone="+6281234567890", nik=NIK, profile=PROFILE)
        vera = create_account("vera", PASSWORD, "Vera", ["verifikator"])
        tokens = {"siti": create_token(siti, "uji")[0], "vera": create_token(vera, "uji")[0]}
    api = Api(app.test_client(), tokens["siti"])
    submitted = issue_over_api(api)
    draft = api.post("/submissions", json={"form_id": "permohonan-baru"}).get_json()
    ids = {"submission_id": [submitted["id"], draft["id"]], "document_id": [submitted["documents"][0]["id"]],
           "number": [submitted["documents"][0]["number"], submitted["owner_number"]["number"]],
           "form_id": ["permohonan-baru", "demo"], "table_id": ["kbli", "kabupaten-kota"],
           "step_name": ["data_pelaku", "bidang_usaha"], "code": ["hasil_uji_air"], "key": ["10710"]}
    return tokens, ids


def aim_at_real_records(schema, ids: dict) -> None:
    """Half the time, put ids of records that exist in the path, so more than 'not found' is exercised."""
    chooser = random.Random(9)

    @schema.hook
    def map_path_parameters(_context, path_parameters):
        for name, real in ids.items() if path_parameters else ():
            if name in path_parameters and chooser.random() < .5:
                path_parameters[name] = chooser.choice(real)
        return path_parameters


def test_the_api_conforms_to_its_openapi_document(app, seeded):
    """Every operation with generated input (schemathesis' default checks), in-process; all failures reported."""
    tokens, ids = seeded
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    aim_at_real_records(schema, ids)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        who = "vera" if operation.path.endswith(("/verdict", "/claim")) else "siti"
        operations += 1

        try:
            exercise(operation, tokens[who])()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 (report every operation's failures at once)
            failures.append(f"{operation.method.upper()} {operation.path}: {type(failure).__name__}: {failure}")
    assert operations == len(documented_operations())
    assert not failures, "\n\n".join(failures)


def exercise(operation, token: str):
    """A Hypothesis test that sends generated requests to one operation and validates every answer."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])

    return run


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, operations in openapi_document()["paths"].items() for method in operations}


def test_every_api_route_is_described_and_nothing_else(app):
    documented = documented_operations()
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
