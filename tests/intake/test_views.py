"""The hotline pages without a browser: the form files a report (and works without its script),
the call handler sees only the reference, triage is a justified consultation, and decisions and
approvals go through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.access import grant_caseload, open_record
from tests.intake.data import call
from vigil.accounts.roles import Role
from vigil.intake.models import HotlineReport, TriageDecision, TriageStatus

pytestmark = pytest.mark.django_db

FORM = {
    "action": "file",
    "caller_type": "family",
    "contact": "07700 900789",
    "narrative": "My sister's partner, a PC, checks her phone and controls her money.",
    "category": "coercive_control",
    "subject_name": "Gary",
    "subject_station": "Sutton",
}


def signed_in(client: Client, make_user: Callable[..., User], role: Role, *, caseload: bool = False) -> User:
    user = make_user(role)
    if caseload:
        grant_caseload(user)
    client.force_login(user)
    return user


def test_the_form_files_a_report_and_shows_only_its_reference(
    client: Client, make_user: Callable[..., User]
) -> None:
    signed_in(client, make_user, Role.CALL_HANDLER)
    page = client.get(reverse("intake:report_new"))
    assert page.status_code == 200 and b"intake.js" in page.content
    response = client.post(reverse("intake:report_new"), FORM)
    assert response.status_code == 302
    report = HotlineReport.objects.get()
    filed = client.get(response["Location"])
    assert report.allegation.allegation_ref in filed.content.decode()
    assert "07700" not in filed.content.decode() and "Gary" not in filed.content.decode()
    # Another call handler cannot see it.
    signed_in(client, make_user, Role.CALL_HANDLER)
    assert client.get(response["Location"]).status_code == 404


def test_the_form_lists_every_problem(client: Client, make_user: Callable[..., User]) -> None:
    signed_in(client, make_user, Role.CALL_HANDLER)
    response = client.post(
        reverse("intake:report_new"),
        {"action": "file", "immediate_risk": "on", "incident_date": "2025-02-30"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and not HotlineReport.objects.exists()
    for problem in (
        "Say what happened.",
        "Say who is in danger now",
        "not a real date",
        "Choose the category",
    ):
        assert problem in text, problem


def test_find_possible_subjects_works_without_the_script(
    client: Client, make_user: Callable[..., User]
) -> None:
    signed_in(client, make_user, Role.CALL_HANDLER)
    response = client.post(
        reverse("intake:report_new"), {**FORM, "action": "find", "narrative": "He raped me at the party."}
    )
    text = response.content.decode()
    assert response.status_code == 200 and not HotlineReport.objects.exists()
    assert "Is it one of these people?" in text and "error-summary" not in text
    assert "Suggested from what happened: <strong" in text and "Rape" in text
    suggestions = client.get(
        reverse("intake:suggestions"), {"narrative": "He groped me.", "subject_name": "Gary"}
    )
    data: dict[str, Any] = suggestions.json()
    assert (
        data["category"]["code"] == "sexual_assault"
        and "Is it one of these people?" in data["candidates_html"]
    )


def test_triage_asks_why_then_records_the_decision(client: Client, make_user: Callable[..., User]) -> None:
    handler = make_user(Role.CALL_HANDLER)
    report = call(handler, category="rape", narrative="He raped me after the station's leaving do.")
    signed_in(client, make_user, Role.ASSESSOR, caseload=True)
    queue = client.get(reverse("intake:triage_queue"))
    assert report.allegation.allegation_ref in queue.content.decode()
    url = reverse("intake:report_detail", args=[report.pk])
    assert "justification-reason" in client.get(url).content.decode()
    page = open_record(client, url)
    assert "This is a sexual-offence category" in page.content.decode()
    decide = reverse("intake:report_decide", args=[report.pk])
    refused = client.post(decide, {"route": "no_further_action", "category": "rape", "reasons": "short"})
    assert refused.status_code == 400 and not TriageDecision.objects.exists()
    done = client.post(
        decide,
        {"route": "no_further_action", "category": "rape", "reasons": "The caller gave nothing to go on."},
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == TriageStatus.AWAITING_APPROVAL

    signed_in(client, make_user, Role.SUPERVISOR, caseload=True)
    waiting = client.get(reverse("intake:approvals"))
    assert report.allegation.allegation_ref in waiting.content.decode()
    decision = TriageDecision.objects.get()
    client.post(
        reverse("intake:approval_decide", args=[decision.pk]),
        {"approve": "approve", "comment": "Agreed, nothing more to go on."},
    )
    report.refresh_from_db()
    assert report.status == TriageStatus.DECIDED


def test_a_call_handler_cannot_open_triage(client: Client, make_user: Callable[..., User]) -> None:
    signed_in(client, make_user, Role.CALL_HANDLER)
    assert client.get(reverse("intake:triage_queue")).status_code == 403
