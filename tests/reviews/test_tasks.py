"""New information about a person: linking an allegation re-scores them and raises a reconsider
task (and a vetting review task when it came after their last vetting) in the link's own
transaction, so a rolled-back link leaves no task behind."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tests.access import grant_caseload
from tests.factories import allegation_create, person_create, vetting_create
from tests.linkage.review_data import awaiting_review
from tests.reviews.data import cohort_person, submit
from tests.risk.data import linked_allegation
from vigil.accounts.roles import Role
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.demo.services import demo_world_load
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.linkage.runs import link_allegations
from vigil.linkage.services import link_confirm, link_not_on_register, link_reject
from vigil.people.models import Person
from vigil.reviews import selectors
from vigil.reviews.models import PersonReview, ReviewStatus, Task, TaskKind, TimelineEntry
from vigil.reviews.services import (
    ReviewError,
    cohort_sync,
    review_approve,
    review_assign,
    task_done,
)
from vigil.risk.models import RiskScore, ScoreRun
from vigil.risk.services import scores_compute

pytestmark = pytest.mark.django_db

REASON = "Shoulder number and command agree with the roster."


class Rollback(Exception):
    pass


@pytest.fixture
def assessor(make_user: Callable[..., User]) -> User:
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)  # a human link needs sight of both records
    return user


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    """A supervisor in the assessment unit, which holds the whole caseload (they decide reviews)."""
    user = make_user(Role.SUPERVISOR)
    grant_caseload(user)
    return user


def baseline_person(**fields: object) -> Person:
    """A person with one linked allegation, vetted before it, scored by a full run (the baseline)."""
    person = person_create(**fields)  # type: ignore[arg-type]
    vetting_create(person=person, granted_on=dt.date(2019, 1, 15), expires_on=dt.date(2034, 1, 15))
    linked_allegation(person=person, category="sexual_harassment", received_on=dt.date(2018, 5, 1))
    scores_compute()
    return person


def tasks(person: Person, kind: str = TaskKind.RECONSIDER) -> list[Task]:
    return list(Task.objects.filter(person=person, kind=kind).order_by("id"))


def test_linking_a_new_allegation_raises_a_reconsider_task_in_the_same_transaction(assessor: User) -> None:
    person = baseline_person()
    before = RiskScore.objects.get(person=person).score
    new = awaiting_review(candidates=[person], category="rape", received_on=dt.date(2024, 6, 1))

    with transaction.atomic():
        link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
        # Still inside the link's transaction: the task, and the new score, are already there.
        [task] = tasks(person)
        after = RiskScore.objects.get(person=person).score
        assert after > before
        assert (task.score_before, task.score_after) == (before, after)
        assert task.band_after == RiskScore.objects.get(person=person).band
        assert new.allegation_ref in task.what_is_new
        assert "1 new allegation linked" in task.what_is_new and "rape" in task.what_is_new
        assert f"score {before} (" in task.what_is_new and f"→ {after} (" in task.what_is_new
        assert list(task.allegations.values_list("pk", flat=True)) == [new.pk]
        assert (task.raised_by_label, task.is_open) == ("link review", True)

    raised = AuditEntry.objects.get(
        action=Action.TASK_RAISED, record_id=str(person.pk), detail__contains='"reconsider"'
    )
    assert json.loads(raised.detail)["allegations"] == [new.pk]
    assert TimelineEntry.objects.filter(person=person, audit_entry_id=raised.pk).exists()
    assert [task.pk for task in selectors.open_tasks()] == [
        t.pk for t in Task.objects.order_by("-raised_at", "-id")
    ]
    assert selectors.people_with_open_tasks([person.pk]) == {person.pk}


def test_a_rolled_back_link_leaves_neither_link_nor_task_nor_new_score(assessor: User) -> None:
    person = baseline_person()
    before = RiskScore.objects.get(person=person).score
    runs = ScoreRun.objects.count()
    new = awaiting_review(candidates=[person], category="rape", received_on=dt.date(2024, 6, 1))

    with pytest.raises(Rollback), transaction.atomic():
        link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
        assert tasks(person) and tasks(person, TaskKind.VETTING_REVIEW)
        raise Rollback

    assert not Task.objects.exists()
    assert AllegationLink.objects.get(allegation=new).status == LinkStatus.NEEDS_REVIEW
    assert RiskScore.objects.get(person=person).score == before
    assert ScoreRun.objects.count() == runs
    assert not AuditEntry.objects.filter(action__in=[Action.TASK_RAISED, Action.LINK_CONFIRMED]).exists()
    assert not TimelineEntry.objects.filter(person=person).exists()


def test_a_vetting_review_task_when_the_allegation_came_after_the_last_vetting(assessor: User) -> None:
    person = baseline_person()  # vetted on 2019-01-15
    new = allegation_create(subject_name="PC Smith", category="stalking", received_on=dt.date(2024, 6, 1))

    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)

    [vetting] = tasks(person, TaskKind.VETTING_REVIEW)
    assert "1 new allegation since vetting RV was granted on 2019-01-15" in vetting.what_is_new
    assert new.allegation_ref in vetting.what_is_new
    assert list(vetting.allegations.values_list("pk", flat=True)) == [new.pk]
    assert len(tasks(person)) == 1


def test_no_vetting_review_task_when_vetting_was_granted_after_the_allegation(assessor: User) -> None:
    person = baseline_person()
    vetting_create(person=person, level="MV", granted_on=dt.date(2024, 9, 1), expires_on=dt.date(2031, 9, 1))
    new = allegation_create(subject_name="PC Smith", category="stalking", received_on=dt.date(2024, 6, 1))

    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)

    assert len(tasks(person)) == 1
    assert tasks(person, TaskKind.VETTING_REVIEW) == []


@pytest.mark.parametrize("expired_first", [True, False])
def test_of_two_grants_on_one_day_the_one_in_force_longest_counts(
    assessor: User, expired_first: bool
) -> None:
    """Same-day grants (RV and MV on the day he joined): the lapsed MV does not make the vetting
    look expired while the RV granted with it runs to 2034, whichever was recorded first."""
    person = person_create()
    grants = [("MV", dt.date(2021, 1, 15)), ("RV", dt.date(2034, 1, 15))]
    for level, expires_on in grants if expired_first else reversed(grants):
        vetting_create(person=person, level=level, granted_on=dt.date(2019, 1, 15), expires_on=expires_on)
    linked_allegation(person=person, received_on=dt.date(2017, 5, 1))
    scores_compute()
    new = allegation_create(subject_name="PC Smith", received_on=dt.date(2018, 6, 1))  # before vetting

    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)

    assert len(tasks(person)) == 1
    assert tasks(person, TaskKind.VETTING_REVIEW) == []


def test_a_vetting_review_task_when_vetting_has_expired(assessor: User) -> None:
    person = person_create()
    vetting_create(
        person=person, level="MV", granted_on=dt.date(2012, 1, 15), expires_on=dt.date(2019, 1, 15)
    )
    linked_allegation(person=person, received_on=dt.date(2011, 5, 1))
    scores_compute()
    new = allegation_create(subject_name="PC Smith", received_on=dt.date(2011, 6, 1))

    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)

    [vetting] = tasks(person, TaskKind.VETTING_REVIEW)
    assert "a new allegation while vetting MV has expired (2019-01-15)" in vetting.what_is_new


def test_no_task_and_no_score_before_the_first_score_run(assessor: User) -> None:
    person = person_create()
    vetting_create(person=person, granted_on=dt.date(2019, 1, 15))
    new = awaiting_review(candidates=[person], received_on=dt.date(2024, 6, 1))

    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)

    assert AllegationLink.objects.get(allegation=new).status == LinkStatus.CONFIRMED
    assert not Task.objects.exists()
    assert not RiskScore.objects.exists() and not ScoreRun.objects.exists()
    assert not PersonReview.objects.exists()


def test_confirming_what_the_machine_already_linked_is_not_new(assessor: User) -> None:
    person = baseline_person()
    auto = AllegationLink.objects.get(person=person)
    link_confirm(allegation_id=auto.allegation_id, person_id=person.pk, user=assessor, reason=REASON)
    assert not Task.objects.exists()


def test_unlinking_re_scores_the_person_without_a_task(assessor: User) -> None:
    person = baseline_person()
    second = linked_allegation(person=person, category="rape", received_on=dt.date(2023, 1, 1))
    scores_compute()
    both = RiskScore.objects.get(person=person).score

    link_reject(
        allegation_id=second.pk, person_id=person.pk, user=assessor, reason="Wrong officer: on leave then."
    )
    assert RiskScore.objects.get(person=person).score < both
    first = AllegationLink.objects.get(person=person, status=LinkStatus.AUTO).allegation_id
    link_not_on_register(allegation_id=first, user=assessor, reason="A Metropolitan officer, not ours.")
    assert not RiskScore.objects.filter(person=person).exists()  # nothing left to score
    assert not Task.objects.exists()


def test_a_cohort_case_linked_later_puts_the_person_up_for_review(assessor: User) -> None:
    person = baseline_person()
    assert selectors.review_status(person.pk) == ReviewStatus.NOT_IN_COHORT
    recent = timezone.localdate() - dt.timedelta(days=100)
    new = allegation_create(
        subject_name="PC Smith", category="sexual_assault", received_on=recent, outcome="no_further_action"
    )
    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
    assert selectors.review_status(person.pk) == ReviewStatus.AWAITING_REVIEW


def decided(person: Person, *, supervisor: User, reviewer: User) -> None:
    cohort_sync()
    review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    submit(person=person, author=reviewer)
    review_approve(person_id=person.pk, by=supervisor, comment="Agreed: management intervention is right.")


def test_task_done_with_reopen_review_sends_a_decided_person_back_to_awaiting_review(
    make_user: Callable[..., User], assessor: User, supervisor: User
) -> None:
    reviewer = make_user(Role.REVIEWER)
    person = cohort_person()
    scores_compute()
    decided(person, supervisor=supervisor, reviewer=reviewer)
    assert selectors.review_status(person.pk) == ReviewStatus.DECIDED
    new = allegation_create(subject_name="PC Smith", category="rape", received_on=dt.date(2024, 6, 1))
    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
    [task] = tasks(person)
    assert "Review status: decided" in task.what_is_new

    task_done(
        task_id=task.pk, by=supervisor, outcome="Reopened: a rape allegation is new.", reopen_review=True
    )

    task.refresh_from_db()
    assert (task.done_by_id, task.outcome, task.is_open) == (
        supervisor.pk,
        "Reopened: a rape allegation is new.",
        False,
    )
    review = PersonReview.objects.get(person=person)
    assert (review.status, review.reviewer_id, review.route) == (ReviewStatus.AWAITING_REVIEW, None, "")
    done = AuditEntry.objects.get(action=Action.TASK_DONE)
    assert json.loads(done.detail) | {"text": ""} == {
        "text": "",
        "task": task.pk,
        "reopen_review": True,
        "reopened": True,
    }
    assert "(review reopened)" in json.loads(done.detail)["text"]
    assert selectors.people_with_open_tasks([person.pk]) == set()
    with pytest.raises(ReviewError, match="already done"):
        task_done(task_id=task.pk, by=supervisor, outcome="Closing it once more.")


def test_task_done_without_reopening_leaves_the_decision(
    make_user: Callable[..., User], assessor: User, supervisor: User
) -> None:
    reviewer = make_user(Role.REVIEWER)
    person = cohort_person()
    scores_compute()
    decided(person, supervisor=supervisor, reviewer=reviewer)
    new = allegation_create(subject_name="PC Smith", category="other", received_on=dt.date(2024, 6, 1))
    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
    [task] = tasks(person)
    with pytest.raises(ReviewError, match="Only a supervisor may close a task"):
        task_done(task_id=task.pk, by=reviewer, outcome="Nothing in this changes the decision.")
    task_done(task_id=task.pk, by=supervisor, outcome="Nothing in this changes the decision.")
    assert selectors.review_status(person.pk) == ReviewStatus.DECIDED


# ---- through a real `vigil link` run --------------------------------------------------------------

SMALL_FORCE = 3_000


@pytest.fixture
def small_force(tmp_path: Path) -> Path:
    demo_world_load(directory=tmp_path, staff=SMALL_FORCE)
    return tmp_path


def test_vigil_link_raises_a_reconsider_task_for_the_person_a_new_allegation_names(small_force: Path) -> None:
    link_allegations(full=True)
    assert not Task.objects.exists()  # no baseline yet: nothing to reconsider against
    scores_compute()
    # The surest automatic link there is, reported again (a new ref, today's report).
    source_link = (
        AllegationLink.objects.filter(status=LinkStatus.AUTO)
        .exclude(allegation__subject_staff_id="")
        .select_related("allegation", "person")
        .order_by("-match_probability", "allegation_id")
        .first()
    )
    assert source_link is not None and source_link.person is not None
    person = source_link.person
    before = RiskScore.objects.get(person=person).score
    new = Allegation.objects.get(pk=source_link.allegation_id)
    new.pk = None
    new.allegation_ref = "NEW/0001"
    new.received_on = timezone.localdate()
    new.category_id = "rape"
    new.save()

    link_allegations()

    link = AllegationLink.objects.get(allegation=new)
    assert (link.status, link.person_id) == (LinkStatus.AUTO, person.pk)
    [task] = Task.objects.filter(kind=TaskKind.RECONSIDER)
    assert task.person_id == person.pk
    assert task.raised_by_label == "vigil link"
    assert "NEW/0001" in task.what_is_new
    assert (
        task.score_before == before
        and task.score_after == RiskScore.objects.get(person=person).score > before
    )
    assert set(Task.objects.values_list("person_id", flat=True)) == {person.pk}


def test_reopening_a_review_already_under_way_changes_nothing_and_says_so(
    make_user: Callable[..., User], assessor: User, supervisor: User
) -> None:
    reviewer = make_user(Role.REVIEWER)
    person = cohort_person()
    scores_compute()
    cohort_sync()
    review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    new = allegation_create(subject_name="PC Smith", category="rape", received_on=dt.date(2024, 6, 1))
    link_confirm(allegation_id=new.pk, person_id=person.pk, user=assessor, reason=REASON)
    [task] = tasks(person)

    task_done(
        task_id=task.pk, by=supervisor, outcome="The reviewer will take it into account.", reopen_review=True
    )

    review = PersonReview.objects.get(person=person)
    assert (review.status, review.reviewer_id) == (ReviewStatus.IN_REVIEW, reviewer.pk)
    detail = json.loads(AuditEntry.objects.get(action=Action.TASK_DONE).detail)
    assert (detail["reopen_review"], detail["reopened"]) == (True, False)
    assert "reopened" not in detail["text"]
