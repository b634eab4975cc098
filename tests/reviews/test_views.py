"""The review pages through the test client: need-to-know on every list and page, the queue's
order and filters, the forms' refusals, the measures due, and the cohort's edit page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.access import grant_caseload, open_record
from tests.factories import person_create
from tests.reviews.data import CASE_REVIEW, cohort_allegation, cohort_person
from tests.risk.data import linked_allegation
from vigil.accounts.roles import Role
from vigil.accounts.services import access_grant
from vigil.reviews.models import CohortDefinition, PersonReview, ReviewStatus, RiskMeasure
from vigil.reviews.services import cohort_sync, measure_impose, review_assign
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Callable[..., User]) -> dict[str, object]:
    high = cohort_person(cases=3, surname="Highman", forenames="Peter")
    cohort_allegation(person=high, category="rape", complainant_ref="RAPE-1")
    low = cohort_person(cases=1, surname="Lowe", forenames="Sam")
    outside = person_create(surname="Outsider", forenames="Olive")
    linked_allegation(person=outside, category="other", complainant_ref="X1")
    scores_compute()
    cohort_sync()
    supervisor = make_user(Role.SUPERVISOR, username="sup")
    grant_caseload(supervisor)
    reviewer = make_user(Role.REVIEWER, username="rev")
    return {"high": high, "low": low, "outside": outside, "supervisor": supervisor, "reviewer": reviewer}


def as_user(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_queue_ranks_by_score_and_filters(client: Client, world: dict[str, object]) -> None:
    as_user(client, world["supervisor"])
    page = client.get(reverse("reviews:queue")).content.decode()
    names = re.findall(r"(Peter Highman|Sam Lowe|Olive Outsider)</a>", page)
    assert names == ["Peter Highman", "Sam Lowe", "Olive Outsider"]
    page = client.get(reverse("reviews:queue"), {"status": ReviewStatus.NOT_IN_COHORT}).content.decode()
    assert "Olive Outsider" in page and "Peter Highman" not in page
    page = client.get(reverse("reviews:queue"), {"band": "nonsense"}).content.decode()
    assert "There is a problem with the filters" in page


def test_a_reviewer_sees_only_the_people_assigned_to_them(client: Client, world: dict[str, object]) -> None:
    reviewer = world["reviewer"]
    as_user(client, reviewer)
    assert "Peter Highman" not in client.get(reverse("reviews:queue")).content.decode()
    assert client.get(reverse("reviews:case", args=[world["high"].pk])).status_code == 404  # type: ignore[attr-defined]
    review_assign(person_id=world["high"].pk, reviewer=reviewer, by=world["supervisor"])  # type: ignore[arg-type, attr-defined]
    reviewer._vigil_access = None  # type: ignore[attr-defined]
    page = client.get(reverse("reviews:queue")).content.decode()
    assert "Peter Highman" in page and "Sam Lowe" not in page
    assert (
        "Peter Highman"
        in open_record(client, reverse("reviews:case", args=[world["high"].pk])).content.decode()
    )  # type: ignore[attr-defined]


def test_opening_a_review_asks_why_and_is_audited(client: Client, world: dict[str, object]) -> None:
    from vigil.audit.models import AuditEntry

    as_user(client, world["supervisor"])
    url = reverse("reviews:case", args=[world["high"].pk])  # type: ignore[attr-defined]
    assert "justification-reason" in client.get(url).content.decode()
    before = AuditEntry.objects.filter(action="person.consulted").count()
    response = open_record(client, url)
    assert "Risk score" in response.content.decode()
    assert AuditEntry.objects.filter(action="person.consulted").count() == before + 1


def test_the_review_form_is_only_for_the_assigned_reviewer(
    client: Client, world: dict[str, object], make_user: Callable[..., User]
) -> None:
    high = world["high"]
    other = make_user(Role.REVIEWER)
    access_grant(granted_by=None, reason="test", user=other, person=high)  # type: ignore[arg-type]
    as_user(client, other)
    url = reverse("reviews:review_form", args=[high.pk])  # type: ignore[attr-defined]
    response = open_record(client, url)
    response = client.post(url, CASE_REVIEW)
    assert response.status_code == 200
    assert (
        "cannot be submitted" in response.content.decode() or "Only the reviewer" in response.content.decode()
    )
    assert not PersonReview.objects.filter(person=high, status=ReviewStatus.AWAITING_APPROVAL).exists()


def test_the_assigned_reviewer_submits_through_the_form(client: Client, world: dict[str, object]) -> None:
    high, reviewer = world["high"], world["reviewer"]
    review_assign(person_id=high.pk, reviewer=reviewer, by=world["supervisor"])  # type: ignore[arg-type, attr-defined]
    as_user(client, reviewer)
    url = reverse("reviews:review_form", args=[high.pk])  # type: ignore[attr-defined]
    form_page = open_record(client, url).content.decode()
    assert 'value="serious_sexual_assault"' in form_page
    response = client.post(url, {**CASE_REVIEW, "rationale": "too short"})
    assert "Rationale for the route: write at least 20 characters." in response.content.decode()
    response = client.post(url, CASE_REVIEW)
    assert response.status_code == 302
    assert PersonReview.objects.get(person=high).status == ReviewStatus.AWAITING_APPROVAL


def test_a_suspension_without_its_argument_is_refused_on_the_form(
    client: Client, world: dict[str, object]
) -> None:
    as_user(client, world["supervisor"])
    url = reverse("reviews:measure_new", args=[world["high"].pk])  # type: ignore[attr-defined]
    open_record(client, url)
    response = client.post(url, {"kind": "suspension", "reason": "Rape allegation under investigation"})
    page = response.content.decode()
    assert "Say why redeployment is not enough" in page
    assert "Choose the ground for the suspension" in page
    assert not RiskMeasure.objects.exists()
    response = client.post(url, {"kind": "no_lone_working", "reason": "Rape allegation under investigation"})
    assert response.status_code == 302
    measure = RiskMeasure.objects.get()
    assert measure.review_by == timezone.localdate() + dt.timedelta(days=28)


def test_the_measures_page_lists_the_overdue(client: Client, world: dict[str, object]) -> None:
    today = timezone.localdate()
    measure_impose(
        person_id=world["high"].pk,  # type: ignore[attr-defined]
        kind="no_public_facing",
        reason="Allegations of assault on duty",
        by=world["supervisor"],  # type: ignore[arg-type]
        started_on=today - dt.timedelta(days=40),
        review_by=today - dt.timedelta(days=12),
    )
    measure_impose(
        person_id=world["low"].pk,  # type: ignore[attr-defined]
        kind="no_lone_working",
        reason="Allegation under assessment",
        by=world["supervisor"],  # type: ignore[arg-type]
    )
    as_user(client, world["supervisor"])
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert queue.count('<span class="tag tag--warn">Restricted</span>') == 2
    assert "Suspended</span>" not in queue
    page = client.get(reverse("reviews:measures")).content.decode()
    overdue = page.split('id="overdue-table"', 1)[1].split("</table>", 1)[0]
    assert "Peter Highman" in overdue and "Sam Lowe" not in overdue
    assert "Overdue for review (1)" in page


def test_the_cohort_page_and_its_edit(client: Client, world: dict[str, object]) -> None:
    as_user(client, world["supervisor"])
    page = client.get(reverse("reviews:cohort")).content.decode()
    assert re.search(r"<strong>5</strong> cases, <strong>2</strong> people", page)
    response = client.post(
        reverse("reviews:cohort_edit"),
        {
            "name": "Sexual allegations only",
            "domains": ["sexual"],
            "window_years": "10",
            "outcome_classes": ["not_proven"],
            "employment_types": ["officer", "staff"],
            "serving_only": "on",
            "reason": "The board asked for the sexual cases first.",
        },
    )
    assert response.status_code == 302
    latest = CohortDefinition.objects.order_by("-version").first()
    assert latest is not None and latest.domains == ["sexual"] and latest.created_by == world["supervisor"]
    refused = client.post(reverse("reviews:cohort_edit"), {"name": "x", "reason": "short"})
    assert refused.status_code == 200 and "The cohort could not be changed" in refused.content.decode()


def test_the_tasks_page_is_for_supervisors(client: Client, world: dict[str, object]) -> None:
    as_user(client, world["reviewer"])
    assert client.get(reverse("reviews:tasks")).status_code == 403
    as_user(client, world["supervisor"])
    assert "No open task" in client.get(reverse("reviews:tasks")).content.decode()
