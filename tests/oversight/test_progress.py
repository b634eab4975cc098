"""The progress figures: the forecast against worked values (exact Poisson limits for 16 events:
9.146 to 25.98, from the chi-squared quantiles), the whole on an empty force, and the cohort,
backlog and medians counted by the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.access import grant_caseload
from tests.factories import person_create
from tests.intake.data import call
from tests.reviews.data import cohort_allegation, cohort_person
from tests.risk.data import years_ago
from vigil.accounts.roles import Role
from vigil.intake.services import triage_decide
from vigil.oversight.progress import forecast, median, outcome_median_days_count, progress
from vigil.people.models import Person
from vigil.reviews.models import PersonReview, ReviewStatus, Route
from vigil.reviews.services import cohort_sync

TODAY = dt.date(2026, 12, 7)
REASONS = "The caller names a serving officer and describes an assault."


def test_the_finish_at_the_current_pace_with_its_range() -> None:
    result = forecast(remaining=100, decided_in_window=16, weeks=8, today=TODAY)
    assert result.per_week == 2.0
    assert (result.per_week_low, result.per_week_high) == (
        pytest.approx(9.1458 / 8, abs=1e-3),
        pytest.approx(25.9849 / 8, abs=1e-3),
    )
    assert result.finish == TODAY + dt.timedelta(days=350)  # 100 people at 2 a week
    assert result.finish_earliest == TODAY + dt.timedelta(days=round(7 * 100 / (25.9849 / 8)))
    assert result.finish_latest == TODAY + dt.timedelta(days=round(7 * 100 / (9.1458 / 8)))


def test_no_pace_yet_gives_no_finish_date() -> None:
    result = forecast(remaining=100, decided_in_window=0, weeks=8, today=TODAY)
    assert result.finish is None and result.finish_latest is None
    assert result.finish_earliest is not None  # at most ~3.7 decisions in 8 weeks is still possible


def test_nothing_remaining_is_finished_today() -> None:
    assert forecast(remaining=0, decided_in_window=5, weeks=8, today=TODAY).finish == TODAY


@pytest.mark.django_db
def test_progress_of_an_empty_force() -> None:
    result = progress(today=TODAY)
    assert (result.cohort_cases, result.cohort_people, result.people_decided) == (0, 0, 0)
    assert len(result.hotline_per_day) == 28 and all(n == 0 for _, n in result.hotline_per_day)
    assert result.backlog_median_days is None and result.triage_median_hours is None
    assert result.forecast.finish == TODAY


@pytest.mark.django_db
def test_progress_reads_the_cohort_kept_by_cohort_sync() -> None:
    """Three people in the cohort (one decided), cases received 100, 300 and 500 days ago; the
    backlog is the two undecided people's oldest cases; allegation -> outcome took 60 days."""
    today = timezone.localdate()
    decided, _waiting, older = cohort_person(), cohort_person(), person_create()
    for days in (300, 500):
        cohort_allegation(person=older, received_on=today - dt.timedelta(days=days))
    cohort_sync()
    PersonReview.objects.filter(person=decided).update(
        status=ReviewStatus.DECIDED, route=Route.NO_FURTHER_ACTION, decided_at=timezone.now()
    )
    review = PersonReview.objects.get(person=older)
    assert (review.cohort_cases, review.cohort_oldest_on) == (2, today - dt.timedelta(days=500))

    result = progress(today=today)

    assert (result.cohort_cases, result.cohort_people, result.people_decided) == (4, 3, 1)
    assert ("No further action", 1) in result.by_route
    one_year = (today - years_ago(1)).days
    assert result.backlog_median_days == (one_year + 500) / 2 and result.backlog_oldest_days == 500
    assert result.outcome_median_days == 60.0  # each outcome came 60 days after the allegation
    assert result.forecast.remaining == 2 and result.forecast.decided_in_window == 1


@pytest.mark.django_db
def test_the_time_to_an_outcome_is_the_median_of_the_last_year() -> None:
    today = timezone.localdate()
    person = person_create()
    for took in (10, 20, 40, 90):  # median of four: (20 + 40) / 2
        received = today - dt.timedelta(days=100)
        cohort_allegation(person=person, received_on=received, outcome_on=received + dt.timedelta(days=took))
    cohort_allegation(person=person, received_on=years_ago(3), outcome_on=years_ago(2))  # not this year
    assert outcome_median_days_count(today) == 30.0


@pytest.mark.django_db
def test_the_median_reads_the_two_middle_values_in_the_database() -> None:
    for number in (5, 1, 9, 3):
        person_create(staff_id=f"S{number}")
    people = Person.objects.all()
    assert median(people, "staff_id") == ("S3", "S5")
    assert median(people.exclude(staff_id="S9"), "staff_id") == ("S3", "S3")
    assert median(people.none(), "staff_id") is None


@pytest.mark.django_db
def test_the_time_to_triage_is_the_median_to_each_reports_first_decision(
    make_user: Callable[..., User],
) -> None:
    handler, assessor = make_user(Role.CALL_HANDLER), make_user(Role.ASSESSOR)
    grant_caseload(assessor)
    now = timezone.now()
    for hours in (2, 4, 30):
        report = call(handler, received_at=now - dt.timedelta(hours=hours))
        triage_decide(report_id=report.pk, by=assessor, route="misconduct_investigation", reasons=REASONS)
    call(handler)  # not triaged yet: no time to count
    waited = progress().triage_median_hours
    assert waited is not None and abs(waited - 4) < 0.05  # the middle report waited 4 hours
