"""The review cohort: which cases and people the definition in force holds, versioned changes
by supervisors only (audited, and every place in the cohort brought up to date), and `vigil cohort`."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from tests.factories import person_create
from tests.reviews.data import cohort_allegation, cohort_person
from tests.risk.data import linked_allegation, years_ago
from vigil.accounts.roles import Role
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.linkage.models import LinkStatus
from vigil.people.models import Person
from vigil.reviews import selectors
from vigil.reviews.models import CohortDefinition, PersonReview, ReviewStatus
from vigil.reviews.services import ReviewError, cohort_define, cohort_sync, review_assign

pytestmark = pytest.mark.django_db

S = ReviewStatus
CHANGE = "The review board widened the review to all outcomes."


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR)


def cases() -> dict[int, int]:
    return selectors.cohort_cases_by_person()


def define(by: User, *, reason: str = CHANGE, **changes: Any) -> CohortDefinition:
    current = selectors.cohort_definition_current()
    values: dict[str, Any] = {
        "name": current.name,
        "domains": list(current.domains),
        "window_years": current.window_years,
        "outcome_classes": list(current.outcome_classes),
        "include_no_outcome": current.include_no_outcome,
        "employment_types": list(current.employment_types),
        "serving_only": current.serving_only,
        **changes,
    }
    return cohort_define(by=by, reason=reason, **values)


def test_the_default_cohort_is_version_1_made_by_the_migration() -> None:
    definition = selectors.cohort_definition_current()
    assert definition.version == 1 and definition.pk is not None
    assert (definition.domains, definition.window_years, definition.outcome_classes) == (
        ["sexual", "domestic"],
        10,
        ["not_proven"],
    )
    assert definition.serving_only and not definition.include_no_outcome
    assert set(definition.employment_types) == {"officer", "staff", "special", "volunteer"}


def test_sexual_and_domestic_cases_not_proven_in_the_last_ten_years_about_serving_people() -> None:
    sexual = cohort_person()
    two = cohort_person(cases=2)
    domestic = person_create()
    cohort_allegation(person=domestic, category="domestic_violence", outcome="complainant_withdrew")
    acquitted = person_create()
    cohort_allegation(person=acquitted, category="rape", outcome="acquitted")
    staff = cohort_person(employment_type="staff", role="Call handler")

    outside: list[Person] = []

    def out(**fields: Any) -> None:
        person = person_create(**fields.pop("person", {}))
        cohort_allegation(person=person, **fields)
        outside.append(person)

    out(category="inappropriate_behaviour")  # the "other" domain
    out(category="other")
    out(outcome="misconduct_proven")  # proven
    out(outcome="dismissed")
    out(outcome="charged")  # proceedings
    out(outcome="open", outcome_on=None)
    out(outcome=None, outcome_on=None)  # no outcome recorded
    out(received_on=years_ago(10.2))  # outside the window
    out(person={"left_on": dt.date(2024, 1, 31)})  # not serving
    out(status=LinkStatus.NEEDS_REVIEW)  # not linked yet

    found = cases()
    assert found == {sexual.pk: 1, two.pk: 2, domestic.pk: 1, acquitted.pk: 1, staff.pk: 1}
    assert not set(found) & {person.pk for person in outside}


def test_the_window_counts_back_from_today() -> None:
    today = timezone.localdate()
    start = selectors.cohort_window_start(selectors.cohort_definition_current(), today=today)
    assert start == today.replace(year=today.year - 10) or (today.month, today.day) == (2, 29)
    at_start, day_before = person_create(), person_create()
    cohort_allegation(person=at_start, received_on=start)
    cohort_allegation(person=day_before, received_on=start - dt.timedelta(days=1))
    assert cases() == {at_start.pk: 1}
    assert selectors.cohort_window_start(
        selectors.cohort_definition_current(), today=dt.date(2024, 2, 29)
    ) == dt.date(2014, 2, 28)


def test_a_confirmed_link_counts_and_only_linked_cases_count() -> None:
    person = person_create()
    cohort_allegation(person=person, status=LinkStatus.CONFIRMED)
    cohort_allegation(person=person, status=LinkStatus.NEEDS_REVIEW)
    assert cases() == {person.pk: 1}


def test_cohort_sync_brings_people_in_and_out_but_never_undoes_work(
    supervisor: User, make_user: Callable[..., User]
) -> None:
    waiting, working = cohort_person(), cohort_person()
    assert cohort_sync() == {"entered": 2, "left": 0}
    assert cohort_sync() == {"entered": 0, "left": 0}  # idempotent
    review_assign(person_id=working.pk, reviewer=make_user(Role.REVIEWER), by=supervisor)
    # The board narrows the cohort to domestic cases: neither person has one now.
    define(supervisor, domains=["domestic"])

    assert selectors.review_status(waiting.pk) == S.NOT_IN_COHORT
    review = PersonReview.objects.get(person=working)
    assert (review.status, review.in_cohort, review.cohort_cases) == (S.IN_REVIEW, False, 0)


def test_cohort_define_makes_a_new_version_audited_and_re_syncs(supervisor: User) -> None:
    officer = cohort_person()
    staff = cohort_person(employment_type="staff")
    no_outcome = person_create()
    cohort_allegation(person=no_outcome, outcome=None, outcome_on=None)
    cohort_sync()
    assert {selectors.review_status(p.pk) for p in (officer, staff)} == {S.AWAITING_REVIEW}
    assert selectors.review_status(no_outcome.pk) == S.NOT_IN_COHORT
    version_1 = selectors.cohort_definition_current()

    definition = define(supervisor, employment_types=["officer"], include_no_outcome=True, window_years=12)

    assert definition.version == 2 and selectors.cohort_definition_current().pk == definition.pk
    assert (definition.created_by_id, definition.change_reason) == (supervisor.pk, CHANGE)
    assert (definition.employment_types, definition.include_no_outcome, definition.window_years) == (
        ["officer"],
        True,
        12,
    )
    same = CohortDefinition.objects.get(version=1)
    assert (same.employment_types, same.window_years) == (version_1.employment_types, 10)  # never edited

    entry = AuditEntry.objects.get(action=Action.COHORT_CHANGED)
    assert (entry.actor_id, entry.record_type, entry.record_id) == (
        supervisor.pk,
        "cohort_definition",
        str(definition.pk),
    )
    detail = json.loads(entry.detail)
    assert detail["version"] == 2 and detail["reason"] == CHANGE
    assert detail["before"]["employment_types"] == version_1.employment_types
    assert (
        detail["after"]["employment_types"] == ["officer"] and detail["after"]["include_no_outcome"] is True
    )

    # Re-synced at once: the staff member left, the allegation with no outcome now counts.
    assert selectors.review_status(officer.pk) == S.AWAITING_REVIEW
    assert selectors.review_status(staff.pk) == S.NOT_IN_COHORT
    assert selectors.review_status(no_outcome.pk) == S.AWAITING_REVIEW
    left = AuditEntry.objects.filter(action=Action.REVIEW_STATUS_CHANGED, record_id=str(staff.pk)).order_by(
        "id"
    )
    assert left.last().actor_id == supervisor.pk  # type: ignore[union-attr]


def test_serving_only_off_brings_in_people_who_have_left(supervisor: User) -> None:
    left = person_create(left_on=dt.date(2024, 1, 31))
    cohort_allegation(person=left)
    assert cases() == {}
    define(supervisor, serving_only=False)
    assert cases() == {left.pk: 1}
    assert selectors.review_status(left.pk) == S.AWAITING_REVIEW


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ASSESSOR, Role.ADMINISTRATOR, Role.AUDITOR])
def test_only_a_supervisor_changes_the_cohort(make_user: Callable[..., User], role: Role) -> None:
    with pytest.raises(ReviewError, match="Only a supervisor may change the review cohort"):
        define(make_user(role), domains=["sexual"])
    assert CohortDefinition.objects.count() == 1
    assert not AuditEntry.objects.filter(action=Action.COHORT_CHANGED).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": "wider"}, "at least 10 characters"),
        ({"domains": []}, "at least one domain"),
        ({"outcome_classes": [], "include_no_outcome": False}, "at least one domain, one outcome"),
        ({"employment_types": []}, "one employment type"),
        ({"window_years": 0}, "between 1 and 50 years"),
    ],
)
def test_an_unusable_definition_is_refused(supervisor: User, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        define(supervisor, **changes)
    assert CohortDefinition.objects.count() == 1


def test_vigil_cohort_prints_cases_and_people() -> None:
    first = cohort_person(cases=2, surname="Adeyemi")
    second = person_create(surname="Brennan")
    cohort_allegation(person=second, category="coercive_control", outcome="no_case_to_answer")
    linked_allegation(person=second, category="other", received_on=years_ago(1))  # not a cohort case
    person_create(surname="Nobody")
    cohort_sync()

    out = io.StringIO()
    call_command("cohort", stdout=out)
    printed = out.getvalue()

    assert "Cohort v1: " in printed
    assert "3 cases, 2 people" in printed
    assert "sexual, domestic allegations received in the last 10 years, closed as not proven" in printed
    assert "  sexual    2 cases" in printed and "  domestic  1 cases" in printed
    assert "  awaiting review    2 people" in printed
    lines = printed.splitlines()
    assert any(line.startswith(f"{first.staff_id}  {first.force}  ") and "  2  " in line for line in lines)
    assert any(line.startswith(f"{second.staff_id}  ") for line in lines)
    assert "Nobody" not in printed

    summary = io.StringIO()
    call_command("cohort", "--summary", stdout=summary)
    assert "3 cases, 2 people" in summary.getvalue() and first.staff_id not in summary.getvalue()

    with_cases = io.StringIO()
    call_command("cohort", "--cases", stdout=with_cases)
    refs = [link.allegation.allegation_ref for link in selectors.cohort_links().select_related("allegation")]
    assert len(refs) == 3 and all(ref in with_cases.getvalue() for ref in refs)


@pytest.mark.django_db
def test_a_sync_moving_more_people_than_an_import_itemises_writes_one_batch_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigil.reviews.models import TimelineEntry
    from vigil.reviews.services import cohort_sync

    monkeypatch.setattr("vigil.imports.services.ITEMISED_CHANGES_LIMIT", 2)
    people = [cohort_person() for _ in range(3)]
    before = AuditEntry.objects.count()
    assert cohort_sync(actor_label="vigil score") == {"entered": 3, "left": 0}
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [entry.action for entry in entries] == [Action.REVIEW_STATUS_CHANGED]
    detail = json.loads(entries[0].detail)
    assert detail["entered"] == 3 and detail["itemised"] is False
    for person in people:
        assert PersonReview.objects.get(person=person).status == ReviewStatus.AWAITING_REVIEW
        timeline = TimelineEntry.objects.get(person=person)
        assert timeline.audit_entry_id == entries[0].pk
        assert timeline.text == "Not in cohort → Awaiting review: 1 case in the review cohort"
    # Below the limit, each move has its own entry again.
    cohort_allegation(person=person_create(), complainant_ref="NEW-1")
    fourth = Person.objects.order_by("-id").first()
    before = AuditEntry.objects.count()
    assert cohort_sync() == {"entered": 1, "left": 0}
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-id").first().record_id == str(fourth.pk)  # type: ignore[union-attr]
