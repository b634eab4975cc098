"""Schemathesis fuzzing of the intake API from its own OpenAPI document: no generated request, valid
or not, gets a 5xx; every answer is one the document declares, with the declared content type, body
schema and headers (so a 401, 400 or 413 whose body is not the documented one fails); and without a
valid token every one is refused (401/403), whatever its body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vigil.intake.api import api
from vigil.intake.services import intake_client_create

pytestmark = pytest.mark.django_db

# The document the API serves (test_served_document_is_the_one_fuzzed checks they agree); built
# here because loading the schema happens at collection, before any test database exists.
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
schema = schemathesis.openapi.from_dict(DOCUMENT)
app = get_wsgi_application()

# What the document promises: no 5xx, only declared status codes, and each response's content type,
# body and headers as declared for its status.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def connection_kept_open() -> Iterator[None]:
    """Schemathesis calls the WSGI application directly, whose request signals close the
    database connection when it is inside a transaction: on PostgreSQL that is the test's own.
    Django's test Client disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token() -> str:
    # Rate limit well above what the examples send in a minute: this is not the rate limit's test.
    return intake_client_create(name="Fuzzer", rate_per_minute=1_000_000)[1]


def test_served_document_is_the_one_fuzzed(client: Client, token: str) -> None:
    response = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == DOCUMENT
    assert set(response.json()["paths"]) == {
        "/api/intake/v1/reports",
        "/api/intake/v1/reports/{client_report_id}",
    }


@schema.parametrize()
@FUZZ
def test_every_answer_with_a_valid_token_conforms_to_the_document(case: Any, token: str) -> None:
    # (The coverage phase drops the Authorization header on purpose in some cases: those are 401.)
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CONFORMANCE)


@schema.parametrize()
@settings(FUZZ, max_examples=150)  # three requests an example
def test_every_request_without_a_valid_token_is_refused(case: Any, token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer vgl_wrong"}, {"Authorization": f"Basic {token}"}):
        if case.headers:
            case.headers.pop("Authorization", None)
        response = case.call(app=app, headers=headers)
        if case.method.upper() != case.operation.method.upper():
            # The coverage phase also tries methods the path does not have: refused before auth.
            assert response.status_code == 405, (case.method, response.status_code)
            continue
        assert response.status_code in (401, 403), (headers, response.status_code, response.text)
        case.validate_response(response, checks=CONFORMANCE)


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (401, b"{}", {}),
        (400, b"{not json", "token"),
        (413, b'{"narrative": "' + b"x" * 3_000_000 + b'"}', "token"),
    ],
)
def test_the_refusals_fuzzing_found_carry_their_documented_body(
    client: Client, token: str, status: int, body: bytes, headers: Any
) -> None:
    """Issue 17 (schemathesis ST103/ST108): the 401, 400 and 413 bodies were ninja's and Django's
    defaults ({"detail": ...}, an HTML page), not the documented {"error": ...}."""
    sent = {"Authorization": f"Bearer {token}"} if headers == "token" else headers
    response = client.post("/api/intake/v1/reports", body, content_type="application/json", headers=sent)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"error"} and response.json()["error"]
    declared = DOCUMENT["paths"]["/api/intake/v1/reports"]["post"]["responses"]
    assert str(status) in declared
    assert declared[str(status)]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
