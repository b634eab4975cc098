"""Risk measures (restrictions and suspension): a review-by date, the suspension's conditions,
overdue measures listed, reviews and lifting recorded, never deleted."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from tests.factories import person_create
from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.people.models import Person
from vigil.reviews import selectors
from vigil.reviews.models import MeasureReview, RiskMeasure, TimelineEntry
from vigil.reviews.services import ReviewError, measure_impose, measure_lift, measure_review

pytestmark = pytest.mark.django_db

WHY = "Three complainants met him on duty; no lone working until reviewed."
NOT_ENOUGH = "Redeployment keeps him in contact with the public, including the complainants' area."


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR)


@pytest.fixture
def person() -> Person:
    return person_create()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_a_restriction_is_reviewed_28_days_after_it_starts_by_default(
    supervisor: User, person: Person
) -> None:
    start = dt.date(2025, 1, 10)
    measure = measure_impose(
        person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor, started_on=start
    )
    assert measure.review_by == start + days(28) == dt.date(2025, 2, 7)
    assert (measure.imposed_by_id, measure.reason, measure.is_active) == (supervisor.pk, WHY, True)
    assert (measure.suspension_ground, measure.redeployment_not_enough) == ("", "")
    today = measure_impose(person_id=person.pk, kind="no_public_facing", reason=WHY, by=supervisor)
    assert today.started_on == timezone.localdate()
    assert today.review_by == timezone.localdate() + days(28)

    entry = AuditEntry.objects.filter(action=Action.MEASURE_IMPOSED).order_by("id").first()
    assert entry is not None and json.loads(entry.detail)["review_by"] == "2025-02-07"
    assert TimelineEntry.objects.filter(person=person, audit_entry_id=entry.pk).exists()


def test_the_review_period_follows_the_setting(supervisor: User, person: Person, settings: object) -> None:
    settings.MEASURE_REVIEW_DAYS = 14  # type: ignore[attr-defined]
    measure = measure_impose(
        person_id=person.pk,
        kind="firearms_withdrawn",
        reason=WHY,
        by=supervisor,
        started_on=dt.date(2025, 1, 1),
    )
    assert measure.review_by == dt.date(2025, 1, 15)


def test_a_review_by_date_must_follow_the_start(supervisor: User, person: Person) -> None:
    start = dt.date(2025, 1, 10)
    with pytest.raises(ReviewError, match="review-by date must be after the start"):
        measure_impose(
            person_id=person.pk,
            kind="no_lone_working",
            reason=WHY,
            by=supervisor,
            started_on=start,
            review_by=start,
        )
    assert not RiskMeasure.objects.exists()


@pytest.mark.parametrize(
    ("ground", "not_enough", "message"),
    [
        ("", NOT_ENOUGH, "needs its ground"),
        ("because_we_said_so", NOT_ENOUGH, "needs its ground"),
        ("public_interest", "", "needs at least 30 characters"),
        ("public_interest", "Redeployment is not enough.", "needs at least 30 characters"),  # 27
        ("public_interest", "   " + "x" * 29 + "   ", "needs at least 30 characters"),
    ],
)
def test_a_suspension_needs_a_ground_and_why_redeployment_is_not_enough(
    supervisor: User, person: Person, ground: str, not_enough: str, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        measure_impose(
            person_id=person.pk,
            kind="suspension",
            reason=WHY,
            by=supervisor,
            suspension_ground=ground,
            redeployment_not_enough=not_enough,
        )
    assert not RiskMeasure.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.MEASURE_IMPOSED).exists()


def test_a_suspension_with_its_ground_and_argument_is_imposed(supervisor: User, person: Person) -> None:
    measure = measure_impose(
        person_id=person.pk,
        kind="suspension",
        reason=WHY,
        by=supervisor,
        suspension_ground="investigation_prejudiced",
        redeployment_not_enough="  " + NOT_ENOUGH + "  ",
    )
    assert (measure.suspension_ground, measure.redeployment_not_enough) == (
        "investigation_prejudiced",
        NOT_ENOUGH,
    )
    detail = json.loads(AuditEntry.objects.get(action=Action.MEASURE_IMPOSED).detail)
    assert (detail["kind"], detail["suspension_ground"]) == ("suspension", "investigation_prejudiced")


def test_only_a_supervisor_imposes_reviews_or_lifts(
    make_user: Callable[..., User], supervisor: User, person: Person
) -> None:
    measure = measure_impose(person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor)
    for role in (Role.REVIEWER, Role.ASSESSOR, Role.INVESTIGATOR):
        other = make_user(role)
        with pytest.raises(ReviewError, match="Only a supervisor may impose"):
            measure_impose(person_id=person.pk, kind="no_lone_working", reason=WHY, by=other)
        with pytest.raises(ReviewError, match="Only a supervisor may review"):
            measure_review(measure_id=measure.pk, by=other, note="Kept: nothing has changed.")
        with pytest.raises(ReviewError, match="Only a supervisor may lift"):
            measure_lift(measure_id=measure.pk, by=other, reason="No longer needed at all.")
    assert RiskMeasure.objects.count() == 1
    measure.refresh_from_db()
    assert measure.is_active and not MeasureReview.objects.exists()


def test_an_overdue_restriction_is_listed_and_a_lifted_or_not_yet_due_one_is_not(
    supervisor: User, person: Person
) -> None:
    today = timezone.localdate()
    overdue = measure_impose(
        person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor, started_on=today - days(40)
    )
    also_overdue = measure_impose(
        person_id=person.pk,
        kind="systems_restricted",
        reason=WHY,
        by=supervisor,
        started_on=today - days(90),
        review_by=today - days(1),
    )
    due_today = measure_impose(
        person_id=person.pk,
        kind="no_public_facing",
        reason=WHY,
        by=supervisor,
        started_on=today - days(28),
    )
    not_yet_due = measure_impose(person_id=person.pk, kind="redeployment", reason=WHY, by=supervisor)
    lifted = measure_impose(
        person_id=person.pk, kind="firearms_withdrawn", reason=WHY, by=supervisor, started_on=today - days(60)
    )
    measure_lift(measure_id=lifted.pk, by=supervisor, reason="Firearms authority restored after review.")

    assert due_today.review_by == today
    listed = list(selectors.overdue_measures())
    assert [measure.pk for measure in listed] == [overdue.pk, also_overdue.pk]  # most overdue first
    assert not_yet_due.pk not in {m.pk for m in listed} and lifted.pk not in {m.pk for m in listed}
    # Tomorrow the one due today is overdue too.
    tomorrow = [measure.pk for measure in selectors.overdue_measures(today=today + days(1))]
    assert tomorrow == [overdue.pk, also_overdue.pk, due_today.pk]


def test_overdue_measures_are_limited_to_the_people_the_user_may_see(supervisor: User) -> None:
    seen, unseen = person_create(), person_create()
    started = timezone.localdate() - days(60)
    for person in (seen, unseen):
        measure_impose(
            person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor, started_on=started
        )
    visible = [m.person_id for m in selectors.overdue_measures(visible=Q(pk=seen.pk))]
    assert visible == [seen.pk]


def test_a_review_keeps_the_measure_and_moves_its_date(supervisor: User, person: Person) -> None:
    today = timezone.localdate()
    measure = measure_impose(
        person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor, started_on=today - days(40)
    )
    previous = measure.review_by
    assert measure.pk in {m.pk for m in selectors.overdue_measures()}

    measure_review(
        measure_id=measure.pk,
        by=supervisor,
        note="Investigation ongoing: kept.",
        next_review_by=today + days(14),
    )

    measure.refresh_from_db()
    assert measure.review_by == today + days(14) and measure.is_active
    review = MeasureReview.objects.get()
    assert (review.previous_review_by, review.next_review_by, review.reviewed_by_id) == (
        previous,
        today + days(14),
        supervisor.pk,
    )
    assert measure.pk not in {m.pk for m in selectors.overdue_measures()}
    detail = json.loads(AuditEntry.objects.get(action=Action.MEASURE_REVIEWED).detail)
    assert detail["next_review_by"] == (today + days(14)).isoformat()

    measure_review(measure_id=measure.pk, by=supervisor, note="Still ongoing: kept again.")
    measure.refresh_from_db()
    assert measure.review_by == today + days(28)


def test_a_review_date_must_be_in_the_future(supervisor: User, person: Person) -> None:
    measure = measure_impose(person_id=person.pk, kind="no_lone_working", reason=WHY, by=supervisor)
    with pytest.raises(ReviewError, match="must be in the future"):
        measure_review(
            measure_id=measure.pk, by=supervisor, note="Kept as it is.", next_review_by=timezone.localdate()
        )
    assert not MeasureReview.objects.exists()


def test_lifting_is_recorded_on_the_measure_never_deleted(supervisor: User, person: Person) -> None:
    measure = measure_impose(
        person_id=person.pk,
        kind="no_vulnerable_contact",
        reason=WHY,
        by=supervisor,
        started_on=dt.date(2025, 1, 1),
    )
    measure_lift(
        measure_id=measure.pk,
        by=supervisor,
        reason="Investigation closed: no case to answer.",
        lifted_on=dt.date(2025, 2, 1),
    )

    measure.refresh_from_db()
    assert (measure.lifted_on, measure.lifted_by_id, measure.lift_reason) == (
        dt.date(2025, 2, 1),
        supervisor.pk,
        "Investigation closed: no case to answer.",
    )
    assert not measure.is_active
    assert list(selectors.active_measures(person.pk)) == []
    assert [m.pk for m in selectors.measures_for(person.pk)] == [measure.pk]
    entry = AuditEntry.objects.get(action=Action.MEASURE_LIFTED)
    assert json.loads(entry.detail)["lifted_on"] == "2025-02-01"
    assert TimelineEntry.objects.filter(person=person, audit_entry_id=entry.pk).exists()

    with pytest.raises(ReviewError, match="already been lifted"):
        measure_lift(measure_id=measure.pk, by=supervisor, reason="Lifting it a second time.")
    with pytest.raises(ReviewError, match="already been lifted"):
        measure_review(measure_id=measure.pk, by=supervisor, note="Reviewing a lifted measure.")


def test_a_measure_cannot_be_lifted_before_it_started(supervisor: User, person: Person) -> None:
    measure = measure_impose(
        person_id=person.pk,
        kind="no_lone_working",
        reason=WHY,
        by=supervisor,
        started_on=dt.date(2025, 1, 10),
    )
    with pytest.raises(ReviewError, match="before it started"):
        measure_lift(
            measure_id=measure.pk,
            by=supervisor,
            reason="Lifted by mistake early.",
            lifted_on=dt.date(2025, 1, 1),
        )
    measure.refresh_from_db()
    assert measure.is_active and not AuditEntry.objects.filter(action=Action.MEASURE_LIFTED).exists()
