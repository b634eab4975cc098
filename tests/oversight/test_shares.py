"""Risk-score fairness (each group's serving people by band), review routes and hotline referral
by the subject's group: shares and rates against the reference group."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.access import grant_caseload
from tests.factories import person_create
from tests.intake.data import call
from vigil.accounts.roles import Role
from vigil.intake.services import triage_decide
from vigil.oversight.selectors import hotline_referral_tables, review_route_tables, risk_band_tables
from vigil.people.models import Person
from vigil.reviews.models import PersonReview, ReviewStatus, Route
from vigil.risk.models import RiskScore, ScoreRun

pytestmark = pytest.mark.django_db
REASONS = "The caller names a serving officer and describes an assault."


def scored(person: Person, band: str) -> None:
    now = timezone.now()
    run = ScoreRun.objects.create(
        started_at=now, finished_at=now, full=True, trigger="test", policy_version=1, policy_sha256="0" * 64
    )
    RiskScore.objects.create(
        person=person,
        score=50,
        band=band,
        reasons=[],
        allegations=1,
        distinct_complainants=1,
        policy_version=1,
        computed_at=now,
        run=run,
    )


def by_code(tables: list, key: str) -> dict:
    table = next(t for t in tables if t.dimension.key == key)
    return {row.code: row for row in table.rows}


def test_risk_bands_share_of_each_groups_serving_people() -> None:
    for band in ("high", "low", "low"):
        scored(person_create(ethnicity="White"), band)
    scored(person_create(ethnicity="Black"), "high")
    person_create(ethnicity="Black")  # no allegation: not scored
    person_create(ethnicity="Black", left_on=timezone.localdate())  # left: not counted
    rows = by_code(risk_band_tables(), "ethnicity")
    white, black = rows["White"], rows["Black"]
    assert (white.received, black.received) == (3, 2)
    # Categories: high, medium, low, not scored.
    assert [(c.rate.count, c.rate.total) for c in white.cells] == [(1, 3), (0, 3), (2, 3), (0, 3)]
    assert [(c.rate.count, c.rate.total) for c in black.cells] == [(1, 2), (0, 2), (0, 2), (1, 2)]
    assert black.cells[0].relative.ratio == pytest.approx(0.5 / (1 / 3))
    assert black.cells[3].relative.ratio is None  # no reference person is unscored


def test_review_routes_by_group() -> None:
    now = timezone.now()
    routes = [
        ("M", Route.MISCONDUCT_INVESTIGATION),
        ("M", Route.NO_FURTHER_ACTION),
        ("F", Route.NO_FURTHER_ACTION),
    ]
    for sex, route in routes:
        PersonReview.objects.create(
            person=person_create(sex=sex), status=ReviewStatus.DECIDED, route=route, status_since=now
        )
    PersonReview.objects.create(
        person=person_create(sex="F"), status=ReviewStatus.IN_REVIEW, status_since=now
    )
    rows = by_code(review_route_tables(), "sex")
    assert (rows["M"].received, rows["F"].received) == (2, 1)  # the review in progress has no route
    no_further_action = [code for code, _ in Route.choices].index(Route.NO_FURTHER_ACTION)
    assert rows["F"].cells[no_further_action].relative.ratio == pytest.approx(2.0)


def test_hotline_referral_by_the_subjects_group(make_user: Callable[..., User]) -> None:
    handler, assessor = make_user(Role.CALL_HANDLER), make_user(Role.ASSESSOR)
    grant_caseload(assessor)
    officer, staff = person_create(), person_create(surname="Jones", employment_type="staff")
    decisions = [
        (officer, "criminal_investigation"),
        (officer, "keep_as_intelligence"),
        (staff, "vetting_review"),
    ]
    for subject, route in decisions:
        report = call(handler, handler_candidate_id=subject.pk)
        triage_decide(report_id=report.pk, by=assessor, route=route, reasons=REASONS)
    call(handler, handler_candidate_id=staff.pk)  # not triaged yet: not counted
    rows = by_code(hotline_referral_tables(), "employment_type")
    assert [(c.rate.count, c.rate.total) for c in rows["officer"].cells] == [(1, 2)]
    assert [(c.rate.count, c.rate.total) for c in rows["staff"].cells] == [(1, 1)]
    assert rows["staff"].cells[0].relative.ratio == pytest.approx(2.0)
