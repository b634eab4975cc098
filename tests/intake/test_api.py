"""The hotline intake API: filing (idempotent per client), authentication, the strict schema, the
rate limit, sealing of the caller's details, the status endpoint and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from vigil.accounts.roles import Role
from vigil.allegations.models import Allegation
from vigil.audit.models import AuditEntry
from vigil.core.sealing import unseal_value
from vigil.intake.categories import suggest_category
from vigil.intake.models import HotlineReport, IntakeClient
from vigil.intake.services import intake_client_create, intake_client_revoke

pytestmark = pytest.mark.django_db

REPORTS = "/api/intake/v1/reports"
OPENAPI = "/api/openapi.json"
NARRATIVE = "The officer who took my statement kept sending me sexual messages on Snapchat afterwards."


@pytest.fixture
def provider() -> tuple[IntakeClient, str]:
    return intake_client_create(name="Provider A")


@pytest.fixture
def token(provider: tuple[IntakeClient, str]) -> str:
    return provider[1]


def report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_report_id": "call-0001",
        "caller_type": "victim",
        "narrative": NARRATIVE,
        "category": "online_sexual_misconduct",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def post(client: Client, token: str | None, body: object) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(REPORTS, body, content_type="application/json", headers=headers)


def get(client: Client, token: str | None, path: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(path, headers=headers)


def problem_fields(response: Any) -> list[str]:
    return [problem["where"] for problem in response.json()["problems"]]


# ---- filing ----------------------------------------------------------------------------------------


def test_filing_creates_one_hotline_allegation_with_the_given_category(client: Client, token: str) -> None:
    response = post(client, token, report())

    assert response.status_code == 201
    body = response.json()
    assert body["client_report_id"] == "call-0001"
    assert body["status"] == "received"
    assert body["urgent"] is False
    hotline = HotlineReport.objects.select_related("allegation").get()
    assert Allegation.objects.count() == 1
    assert hotline.allegation.source_system_id == "hotline"
    assert hotline.allegation.category_id == "online_sexual_misconduct"
    assert hotline.allegation.allegation_ref == body["report_id"]


def test_filing_without_category_records_the_suggestion_from_the_narrative(
    client: Client, token: str
) -> None:
    suggestion = suggest_category(NARRATIVE)
    assert suggestion is not None

    response = post(client, token, report(category=None))

    assert response.status_code == 201
    hotline = HotlineReport.objects.select_related("allegation").get()
    assert hotline.allegation.category_id == suggestion.code
    assert hotline.suggested_category == suggestion.code


# ---- idempotency -----------------------------------------------------------------------------------


def test_same_report_twice_returns_the_first_with_200(client: Client, token: str) -> None:
    first = post(client, token, report())
    second = post(client, token, report())

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["report_id"] == first.json()["report_id"]
    assert HotlineReport.objects.count() == 1
    assert Allegation.objects.count() == 1


def test_same_id_with_other_content_is_409_and_the_first_stands(client: Client, token: str) -> None:
    post(client, token, report())

    response = post(client, token, report(narrative="Something else entirely happened on another day."))

    assert response.status_code == 409
    assert "call-0001" in response.json()["error"]
    assert HotlineReport.objects.count() == 1
    assert Allegation.objects.get().summary == NARRATIVE


def test_report_ids_are_per_client(client: Client, token: str) -> None:
    _, other_token = intake_client_create(name="Provider B")

    first = post(client, token, report())
    second = post(client, other_token, report())

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["report_id"] != second.json()["report_id"]
    assert HotlineReport.objects.count() == 2


# ---- authentication --------------------------------------------------------------------------------


def test_no_authorization_header_is_401(client: Client, token: str) -> None:
    assert post(client, None, report()).status_code == 401
    assert not HotlineReport.objects.exists()


def test_wrong_token_is_401(client: Client, token: str) -> None:
    assert post(client, token + "x", report()).status_code == 401
    assert post(client, "vgl_not-a-token", report()).status_code == 401
    assert not HotlineReport.objects.exists()


def test_revoked_clients_token_is_401(client: Client, provider: tuple[IntakeClient, str]) -> None:
    intake_client_revoke(name=provider[0].name)

    assert post(client, provider[1], report()).status_code == 401
    assert get(client, provider[1], f"{REPORTS}/call-0001").status_code == 401
    assert not HotlineReport.objects.exists()


# ---- the schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        pytest.param(report(colour="blue"), "colour", "extra", id="unknown-field"),
        pytest.param(report(narrative=None), "narrative", "required", id="missing-narrative"),
        pytest.param(report(caller_type="bystander"), "caller_type", "victim", id="caller-type-not-in-enum"),
        pytest.param(report(category="shoplifting"), "category", "not a category", id="unknown-category"),
        pytest.param(report(incident_date="2023-02-30"), "", "incident_date", id="impossible-date"),
        pytest.param(report(immediate_risk=True), "", "immediate_risk_detail", id="risk-without-detail"),
        pytest.param(report(narrative=NARRATIVE + "\x00"), "narrative", "NUL", id="nul-in-narrative"),
        pytest.param(report(received_at="2024-05-01T10:00:00"), "received_at", "timezone", id="naive-time"),
        pytest.param(report(received_at=1714557600), "received_at", "ISO 8601", id="number-time"),
    ],
)
def test_schema_problems_are_422_naming_the_field(
    client: Client, token: str, body: dict[str, Any], field: str, words: str
) -> None:
    response = post(client, token, body)

    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "The report does not fit the schema."
    matching = [p for p in data["problems"] if p["where"].split(".")[-1] == field or not field]
    assert matching, data["problems"]
    # Whole-report checks (dates, risk detail) have no single location: the message names the field.
    assert any(words.lower() in (p["where"] + " " + p["problem"]).lower() for p in matching), data
    assert not HotlineReport.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"client_report_id": "x"', b"null"],
    ids=["not-json", "array", "truncated", "null"],
)
def test_bodies_that_are_not_a_json_object_are_4xx(client: Client, token: str, raw: bytes) -> None:
    response = client.post(
        REPORTS, raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )

    assert 400 <= response.status_code < 500
    assert not HotlineReport.objects.exists()


# ---- rate limit ------------------------------------------------------------------------------------


def test_over_the_rate_limit_is_429_with_retry_after(client: Client) -> None:
    _, token = intake_client_create(name="Slow provider", rate_per_minute=2)
    moment = dt.datetime(2024, 5, 1, 10, 0, 15, tzinfo=dt.UTC)

    with mock.patch("vigil.intake.services.timezone.now", return_value=moment):
        statuses = [get(client, token, f"{REPORTS}/call-{n}").status_code for n in range(2)]
        limited = post(client, token, report())

    assert statuses == [404, 404]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "45"
    assert not HotlineReport.objects.exists()


# ---- sealing ---------------------------------------------------------------------------------------


def test_caller_name_and_contact_are_sealed_at_rest_and_kept_out_of_the_audit_trail(
    client: Client, token: str
) -> None:
    response = post(client, token, report(caller_name="Jane Doe", contact="07700 900123"))
    assert response.status_code == 201

    table = connection.ops.quote_name(Allegation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT complainant_contact FROM {table}")  # noqa: S608
        (raw,) = cursor.fetchone()
    assert raw
    assert "07700 900123" not in raw and "Jane Doe" not in raw  # spaces: never in a Fernet token
    assert "07700 900123" in unseal_value(Allegation.objects.get().complainant_contact)
    entry = AuditEntry.objects.get(action="hotline.report_filed")
    for field in ("detail", "record_label", "actor_label", "justification_text"):
        assert "07700" not in getattr(entry, field)
        assert "Jane" not in getattr(entry, field)


def test_received_at_with_its_offset_is_recorded(client: Client, token: str) -> None:
    response = post(client, token, report(received_at="2024-05-01T10:00:00+01:00"))

    assert response.status_code == 201
    expected = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
    assert HotlineReport.objects.get().received_at == expected
    assert dt.datetime.fromisoformat(response.json()["received_at"]) == expected


# ---- urgency ---------------------------------------------------------------------------------------


def test_immediate_risk_with_detail_is_urgent(client: Client, token: str) -> None:
    response = post(
        client,
        token,
        report(immediate_risk=True, immediate_risk_detail="He is outside her flat now, banging on the door."),
    )

    assert response.status_code == 201
    assert response.json()["urgent"] is True
    assert HotlineReport.objects.get().immediate_risk is True


# ---- status ----------------------------------------------------------------------------------------


def test_status_of_own_report_is_200(client: Client, token: str) -> None:
    filed = post(client, token, report()).json()

    response = get(client, token, f"{REPORTS}/call-0001")

    assert response.status_code == 200
    assert response.json()["report_id"] == filed["report_id"]


def test_status_of_another_clients_report_is_404(client: Client, token: str) -> None:
    _, other_token = intake_client_create(name="Provider B")
    post(client, token, report())

    assert get(client, other_token, f"{REPORTS}/call-0001").status_code == 404


def test_status_of_unknown_report_is_404(client: Client, token: str) -> None:
    assert get(client, token, f"{REPORTS}/call-9999").status_code == 404


# ---- the OpenAPI document --------------------------------------------------------------------------


def test_openapi_document_for_a_client_token(client: Client, token: str) -> None:
    response = get(client, token, OPENAPI)

    assert response.status_code == 200
    document = response.json()
    assert "openapi" in document
    assert "/api/intake/v1/reports" in document["paths"]
    assert "/api/intake/v1/reports/{client_report_id}" in document["paths"]


def test_openapi_document_is_401_anonymously_or_with_a_wrong_token(client: Client, token: str) -> None:
    assert get(client, None, OPENAPI).status_code == 401
    assert get(client, "vgl_wrong", OPENAPI).status_code == 401


def test_openapi_document_for_a_signed_in_user(client_for: Callable[[Iterable[Role]], Any]) -> None:
    response = client_for([Role.ANALYST]).get(OPENAPI)

    assert response.status_code == 200
    assert "/api/intake/v1/reports" in response.json()["paths"]


# ---- keyed payload digest (issue 17, finding 4) ----------------------------------------------------------


CALLER, CONTACT = "Jane Doe", "07700 900123"


def dump_of_the_report() -> list[str]:
    """Every column of the report's row and its allegation's, as a copy of the database holds them."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for model in (HotlineReport, Allegation):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            values.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return values


def unkeyed_digests(body: dict[str, Any]) -> set[str]:
    """What the public code lets anyone compute for a guessed body without a key: the canonical
    payload (as the API makes it) under SHA-256 and SHA-1, and HMAC under a key of their own."""
    from vigil.intake.api import ReportIn

    canonical = json.dumps(
        ReportIn.model_validate(body).model_dump(mode="json", exclude={"client_report_id"}), sort_keys=True
    )
    guessed_key = b"\x00" * 32
    return {
        hashlib.sha256(canonical.encode()).hexdigest(),
        hashlib.sha1(canonical.encode()).hexdigest(),  # noqa: S324 (an attacker's guess, not our hash)
        hmac.new(guessed_key, canonical.encode(), hashlib.sha256).hexdigest(),
        hashlib.sha256(CONTACT.encode()).hexdigest(),
    }


def test_a_database_copy_cannot_confirm_a_guessed_contact(client: Client, token: str) -> None:
    """Issue 17: the payload's unkeyed SHA-256, with every other field in plain columns, gave the
    sealed contact back by trying every phone number. Here the attacker knows every field but the
    contact (the strongest case) and tries 2,000 numbers around the true one: nothing computable
    without the digest key appears anywhere in the report's or its allegation's row. With the key,
    the true contact (and it alone) matches, so the guesses were the right shape."""
    from vigil.core import digests
    from vigil.intake.api import PAYLOAD_PURPOSE, ReportIn, payload_canonical

    sent = report(caller_name=CALLER, contact=CONTACT, location="Anytown retail park")
    assert post(client, token, sent).status_code == 201
    dump = dump_of_the_report()
    assert not any(CONTACT in value or CALLER in value for value in dump)

    guesses = [f"07700 9{number:05d}" for number in range(0, 2_000)] + [CONTACT]
    assert CONTACT in guesses[:-1]
    confirmed = [
        guess
        for guess in guesses
        if any(
            candidate in value for candidate in unkeyed_digests({**sent, "contact": guess}) for value in dump
        )
    ]
    assert confirmed == [], "a guessed contact is confirmed by the dump and the public code alone"

    stored = HotlineReport.objects.get().client_payload_hash
    assert stored and stored in dump
    with_key = [
        guess
        for guess in guesses[:-1]
        if digests.digest_matches(
            stored,
            payload_canonical(ReportIn.model_validate({**sent, "contact": guess})),
            purpose=PAYLOAD_PURPOSE,
        )
    ]
    assert with_key == [CONTACT]


def test_a_retry_is_compared_under_the_key_that_made_its_digest(
    client: Client, token: str, settings: Any
) -> None:
    """A new digest key makes new digests while the old one still checks retries; once `vigil keys
    rotate` has erased the old digests, a retry cannot be compared and is 409: the first stands."""
    from vigil.core import digests

    old, new = digests.new_key(), digests.new_key()
    settings.DIGEST_KEYS, settings.DIGEST_KEYS_FILE = [old], None
    first = post(client, token, report(contact=CONTACT))
    assert first.status_code == 201

    settings.DIGEST_KEYS = [new, old]
    assert post(client, token, report(contact=CONTACT)).status_code == 200
    assert post(client, token, report(contact="07700 900124")).status_code == 409
    assert post(client, token, report(client_report_id="call-0002")).status_code == 201
    assert HotlineReport.objects.get(client_report_id="call-0002").client_payload_hash.startswith(
        digests.key_id(new) + ":"
    )

    erased = digests.digests_retire()
    assert erased.erased == {"intake.HotlineReport.client_payload_hash": 1}
    settings.DIGEST_KEYS = [new]
    retry = post(client, token, report(contact=CONTACT))
    assert retry.status_code == 409
    assert "can no longer be compared" in retry.json()["error"]
    assert post(client, token, report(client_report_id="call-0002")).status_code == 200
    assert HotlineReport.objects.count() == 2
