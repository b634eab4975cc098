"""Bad input through the call-handler form and the intake API is refused with the field and the
reason, as the imports refuse it: dates in the future, control and bidi characters. And a page never
shows a control or bidi character raw, whatever stored it (vigil.core.text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.intake.test_api import post, report
from tests.intake.test_views import FORM, signed_in
from vigil.accounts.roles import Role
from vigil.core.text import VisibleControlsMiddleware
from vigil.intake.models import HotlineReport, IntakeClient
from vigil.intake.services import intake_client_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token() -> str:
    client: tuple[IntakeClient, str] = intake_client_create(name="Provider B")
    return client[1]


def problems(response: Any) -> str:
    assert response.status_code == 422, response.content
    return " ".join(p["where"] + " " + p["problem"] for p in response.json()["problems"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param(report(incident_date="2099"), "incident_date: in the future", id="incident-2099"),
        pytest.param(report(incident_date="2099-05-01"), "incident_date: in the future", id="incident-day"),
        pytest.param(
            report(received_at="2099-01-01T10:00:00+00:00"),
            "received_at is in the future",
            id="received-2099",
        ),
        pytest.param(
            report(narrative="The officer \u202egnp.exe kept sending me messages."),
            "U+202E RIGHT-TO-LEFT OVERRIDE",
            id="bidi-narrative",
        ),
        pytest.param(report(subject={"name": "Smith\u2067x"}), "U+2067", id="bidi-subject"),
        pytest.param(report(location="Bell\x07 Street"), "U+0007", id="control-location"),
    ],
)
def test_the_api_refuses_bad_input_naming_the_field(
    client: Client, token: str, body: dict[str, Any], words: str
) -> None:
    assert words in problems(post(client, token, body))
    assert not HotlineReport.objects.exists()


def test_the_api_takes_a_time_a_little_ahead_of_ours(client: Client, token: str) -> None:
    ahead = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert post(client, token, report(received_at=ahead)).status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("incident_date", "2099", "When it happened: in the future"),
        ("incident_date", f"{timezone.localdate().year + 1}-01", "in the future"),
        ("narrative", "My sister's partner \u202eslaer si siht checks her phone.", "U+202E"),
        ("subject_name", "Gary\u200f", "U+200F"),
        ("location", "Sutton\x1b", "U+001B"),
    ],
)
def test_the_form_refuses_bad_input_naming_the_field(
    client: Client, make_user: Callable[..., User], field: str, value: str, words: str
) -> None:
    signed_in(client, make_user, Role.CALL_HANDLER)
    response = client.post(reverse("intake:report_new"), FORM | {field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not HotlineReport.objects.exists()


def test_every_page_shows_control_and_bidi_characters_as_visible_markers() -> None:
    assert "vigil.core.text.VisibleControlsMiddleware" in settings.MIDDLEWARE
    stored = "Smith\u202egnp.exe and \u2066x\u2069 and \x00"

    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"<p>{stored}</p>", content_type="text/html; charset=utf-8")

    shown = VisibleControlsMiddleware(page)(HttpRequest())
    assert shown.content.decode() == "<p>Smith[U+202E]gnp.exe and [U+2066]x[U+2069] and [U+0000]</p>"
    plain = VisibleControlsMiddleware(lambda request: HttpResponse("<p>Ok</p>"))(HttpRequest())
    assert plain.content == b"<p>Ok</p>"
