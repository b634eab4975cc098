"""A person's review (vigil.reviews.services): the state machine, the second pair of eyes, and
every transition written to the audit trail and the person's timeline."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.access import grant_caseload
from tests.factories import person_create
from tests.reviews.data import CASE_REVIEW, cohort_person, submit
from vigil.accounts.access import person_refusal
from vigil.accounts.models import AccessGrant
from vigil.accounts.roles import Role
from vigil.accounts.services import conflict_declare
from vigil.audit.actions import Action
from vigil.audit.models import AuditEntry
from vigil.people.models import Person
from vigil.reviews import selectors
from vigil.reviews.models import (
    CaseReview,
    CaseReviewState,
    PersonReview,
    ReviewApproval,
    ReviewStatus,
    TimelineEntry,
    TimelineKind,
)
from vigil.reviews.services import (
    TRANSITIONS,
    ReviewError,
    _move,
    cohort_sync,
    review_approve,
    review_assign,
    review_close,
    review_open,
    review_return,
)

pytestmark = pytest.mark.django_db

S = ReviewStatus
APPROVAL = "The recommendation follows from the three accounts."


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    """A supervisor in the assessment unit, which holds the whole caseload (they decide reviews)."""
    user = make_user(Role.SUPERVISOR)
    grant_caseload(user)
    return user


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    return make_user(Role.REVIEWER)


def status(person: Person) -> str:
    return selectors.review_status(person.pk)


def moves(person: Person) -> list[tuple[str, str]]:
    """The review.status_changed entries about this person, oldest first, as (from, to)."""
    found = []
    for entry in AuditEntry.objects.filter(
        action=Action.REVIEW_STATUS_CHANGED, record_type="person", record_id=str(person.pk)
    ).order_by("id"):
        detail = json.loads(entry.detail)
        found.append((detail["from"], detail["to"]))
    return found


def snapshot(person: Person) -> tuple[object, ...]:
    """Everything a refused change must leave as it was."""
    review = PersonReview.objects.get(person=person)
    return (
        review.status,
        review.reviewer_id,
        review.route,
        review.decided_by_id,
        list(CaseReview.objects.filter(review=review).order_by("id").values_list("id", "state")),
        ReviewApproval.objects.count(),
        AuditEntry.objects.count(),
        TimelineEntry.objects.count(),
    )


def in_review(person: Person, *, reviewer: User, supervisor: User) -> None:
    cohort_sync()
    review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)


def test_the_whole_path_not_in_cohort_to_closed(supervisor: User, reviewer: User) -> None:
    person = cohort_person(cases=2)
    assert status(person) == S.NOT_IN_COHORT

    assert cohort_sync() == {"entered": 1, "left": 0}
    assert status(person) == S.AWAITING_REVIEW
    assert PersonReview.objects.get(person=person).cohort_cases == 2

    assert person_refusal(user=reviewer, person_id=person.pk) is not None  # not theirs yet
    review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    review = PersonReview.objects.get(person=person)
    assert (review.status, review.reviewer_id) == (S.IN_REVIEW, reviewer.pk)
    assert AccessGrant.objects.filter(user=reviewer, person=person, revoked_at__isnull=True).exists()
    assert person_refusal(user=reviewer, person_id=person.pk) is None

    case_review = submit(person=person, author=reviewer)
    assert status(person) == S.AWAITING_APPROVAL
    assert (case_review.state, case_review.author_id) == (CaseReviewState.SUBMITTED, reviewer.pk)
    assert case_review.iopc_criteria == CASE_REVIEW["iopc_criteria"]

    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    review.refresh_from_db()
    case_review.refresh_from_db()
    assert (review.status, review.route, review.decided_by_id) == (
        S.DECIDED,
        "misconduct_investigation",
        supervisor.pk,
    )
    assert review.decided_at is not None
    assert case_review.state == CaseReviewState.APPROVED
    approval = ReviewApproval.objects.get()
    assert (approval.decision, approval.decided_by_id, approval.comment) == (
        "approved",
        supervisor.pk,
        APPROVAL,
    )

    review_close(person_id=person.pk, by=supervisor, note="Referred to the misconduct team, case MI-1.")
    assert status(person) == S.CLOSED

    assert moves(person) == [
        (S.NOT_IN_COHORT, S.AWAITING_REVIEW),
        (S.AWAITING_REVIEW, S.IN_REVIEW),
        (S.IN_REVIEW, S.AWAITING_APPROVAL),
        (S.AWAITING_APPROVAL, S.DECIDED),
        (S.DECIDED, S.CLOSED),
    ]
    for action in (Action.REVIEW_ASSIGNED, Action.REVIEW_SUBMITTED, Action.REVIEW_APPROVED):
        entry = AuditEntry.objects.get(action=action, record_id=str(person.pk))
        assert entry.actor_id == (reviewer.pk if action == Action.REVIEW_SUBMITTED else supervisor.pk)


def test_every_change_has_its_timeline_entry_naming_its_audit_entry(supervisor: User, reviewer: User) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    review_return(person_id=person.pk, by=supervisor, comment="Speak to the second complainant first.")
    submit(person=person, author=reviewer)
    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    review_close(person_id=person.pk, by=supervisor, note="Route acted on: referral sent.")

    timeline = list(TimelineEntry.objects.filter(person=person).order_by("id"))
    audited = AuditEntry.objects.filter(record_type="person", record_id=str(person.pk)).exclude(
        action=Action.ACCESS_GRANTED
    )
    assert [entry.audit_entry_id for entry in timeline] == list(
        audited.order_by("id").values_list("id", flat=True)
    )
    kinds = [entry.kind for entry in timeline]
    assert kinds.count(TimelineKind.STATUS) == len(moves(person)) == 7
    assert kinds.count(TimelineKind.REVIEW) == 2 and kinds.count(TimelineKind.APPROVAL) == 2
    assert kinds.count(TimelineKind.ASSIGNED) == 1
    assert any(entry.text.startswith("Awaiting approval → In review") for entry in timeline)
    for entry in timeline:
        audit = AuditEntry.objects.get(pk=entry.audit_entry_id)
        assert json.loads(audit.detail)["text"] == entry.text
    items = selectors.person_timeline(person.pk)
    assert {item.text for item in items} >= {entry.text for entry in timeline}


def test_a_returned_review_goes_back_to_its_reviewer_and_stays_as_written(
    supervisor: User, reviewer: User
) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    first = submit(person=person, author=reviewer)

    review_return(person_id=person.pk, by=supervisor, comment="Speak to the second complainant first.")

    first.refresh_from_db()
    assert status(person) == S.IN_REVIEW
    assert PersonReview.objects.get(person=person).reviewer_id == reviewer.pk
    assert first.state == CaseReviewState.RETURNED
    returned = ReviewApproval.objects.get()
    assert (returned.case_review_id, returned.decision) == (first.pk, "returned")
    assert (S.AWAITING_APPROVAL, S.IN_REVIEW) in moves(person)
    assert AuditEntry.objects.filter(action=Action.REVIEW_RETURNED).count() == 1

    second = submit(person=person, author=reviewer, recommended_route="criminal_investigation")
    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (CaseReviewState.RETURNED, CaseReviewState.APPROVED)
    assert PersonReview.objects.get(person=person).route == "criminal_investigation"


def test_nobody_approves_their_own_review(make_user: Callable[..., User], supervisor: User) -> None:
    both = make_user(Role.REVIEWER, Role.SUPERVISOR)
    person = cohort_person()
    in_review(person, reviewer=both, supervisor=supervisor)
    submit(person=person, author=both)
    before = snapshot(person)

    with pytest.raises(ReviewError, match="Nobody may approve or return their own review"):
        review_approve(person_id=person.pk, by=both, comment=APPROVAL)
    with pytest.raises(ReviewError, match="Nobody may approve or return their own review"):
        review_return(person_id=person.pk, by=both, comment="Returning my own review to myself.")

    assert snapshot(person) == before
    assert status(person) == S.AWAITING_APPROVAL
    # Another supervisor may.
    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    assert status(person) == S.DECIDED


def test_the_assigned_reviewer_is_never_the_decision_maker(
    make_user: Callable[..., User], supervisor: User
) -> None:
    reviewer, both = make_user(Role.REVIEWER), make_user(Role.REVIEWER, Role.SUPERVISOR)
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    # However the person came to be assigned to `both` since, they may not decide on it.
    PersonReview.objects.filter(person=person).update(reviewer=both)
    before = snapshot(person)

    with pytest.raises(ReviewError, match="The reviewer of a case cannot be its decision-maker"):
        review_approve(person_id=person.pk, by=both, comment=APPROVAL)
    with pytest.raises(ReviewError, match="The reviewer of a case cannot be its decision-maker"):
        review_return(person_id=person.pk, by=both, comment="Please look again at this.")
    assert snapshot(person) == before


def test_a_supervisor_cannot_assign_a_review_to_themselves(make_user: Callable[..., User]) -> None:
    both = make_user(Role.REVIEWER, Role.SUPERVISOR)
    person = cohort_person()
    cohort_sync()
    before = snapshot(person)
    with pytest.raises(ReviewError, match="cannot assign a review to themselves"):
        review_assign(person_id=person.pk, reviewer=both, by=both)
    assert snapshot(person) == before
    assert not AccessGrant.objects.filter(user=both).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ASSESSOR, Role.INVESTIGATOR, Role.ADMINISTRATOR])
def test_only_a_supervisor_approves_returns_assigns_or_closes(
    make_user: Callable[..., User], supervisor: User, reviewer: User, role: Role
) -> None:
    other = make_user(role)
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    before = snapshot(person)

    with pytest.raises(ReviewError, match="Only a supervisor may approve a review"):
        review_approve(person_id=person.pk, by=other, comment=APPROVAL)
    with pytest.raises(ReviewError, match="Only a supervisor may return a review"):
        review_return(person_id=person.pk, by=other, comment="Please look again at this.")
    with pytest.raises(ReviewError, match="Only a supervisor may assign a review"):
        review_assign(person_id=person.pk, reviewer=reviewer, by=other)
    with pytest.raises(ReviewError, match="Only a supervisor may close a review"):
        review_close(person_id=person.pk, by=other, note="Nothing more to be done here.")
    with pytest.raises(ReviewError, match="Only a supervisor may open a review"):
        review_open(person_id=person.pk, by=other, reason="New information from the hotline.")
    assert snapshot(person) == before


def test_only_the_assigned_reviewer_submits(
    make_user: Callable[..., User], supervisor: User, reviewer: User
) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    other_reviewer = make_user(Role.REVIEWER)  # before the snapshot: a new account is audited too
    before = snapshot(person)
    for someone in (other_reviewer, supervisor):
        with pytest.raises(ReviewError, match="Only the reviewer assigned"):
            submit(person=person, author=someone)
    assert snapshot(person) == before


def test_a_review_is_assigned_only_to_a_review_officer(
    make_user: Callable[..., User], supervisor: User
) -> None:
    person = cohort_person()
    cohort_sync()
    with pytest.raises(ReviewError, match="is not a review officer"):
        review_assign(person_id=person.pk, reviewer=make_user(Role.ASSESSOR), by=supervisor)
    assert status(person) == S.AWAITING_REVIEW


def test_reassigning_a_review_in_progress_keeps_it_in_review(
    make_user: Callable[..., User], supervisor: User, reviewer: User
) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    other = make_user(Role.REVIEWER)
    review_assign(person_id=person.pk, reviewer=other, by=supervisor)
    assert PersonReview.objects.get(person=person).reviewer_id == other.pk
    assert status(person) == S.IN_REVIEW
    assigned = AuditEntry.objects.filter(action=Action.REVIEW_ASSIGNED).order_by("id").last()
    assert assigned is not None and json.loads(assigned.detail)["previous"] == reviewer.username


def test_invalid_transitions_are_refused(supervisor: User, reviewer: User) -> None:
    person = cohort_person()
    with pytest.raises(ReviewError, match="not in cohort cannot be assigned"):
        review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    cohort_sync()
    before = snapshot(person)
    with pytest.raises(ReviewError, match="cannot be submitted"):
        submit(person=person, author=reviewer)
    with pytest.raises(ReviewError, match="is not awaiting approval"):
        review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    with pytest.raises(ReviewError, match="awaiting review cannot become closed"):
        review_close(person_id=person.pk, by=supervisor, note="Closing without any review.")
    with pytest.raises(ReviewError, match="awaiting review cannot become awaiting review"):
        review_open(person_id=person.pk, by=supervisor, reason="Open it again, twice over.")
    assert snapshot(person) == before

    review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    submit(person=person, author=reviewer)
    with pytest.raises(ReviewError, match="cannot be submitted"):
        submit(person=person, author=reviewer)
    with pytest.raises(ReviewError, match="cannot be assigned"):
        review_assign(person_id=person.pk, reviewer=reviewer, by=supervisor)
    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    with pytest.raises(ReviewError, match="is not awaiting approval"):
        review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    assert status(person) == S.DECIDED


def test_the_transition_table_is_the_documented_one() -> None:
    assert {state: set(targets) for state, targets in TRANSITIONS.items()} == {
        S.NOT_IN_COHORT: {S.AWAITING_REVIEW},
        S.AWAITING_REVIEW: {S.IN_REVIEW, S.NOT_IN_COHORT},
        S.IN_REVIEW: {S.IN_REVIEW, S.AWAITING_APPROVAL},
        S.AWAITING_APPROVAL: {S.IN_REVIEW, S.DECIDED},
        S.DECIDED: {S.CLOSED, S.AWAITING_REVIEW},
        S.CLOSED: {S.AWAITING_REVIEW},
    }


@pytest.mark.parametrize("start", list(S))
def test_every_move_outside_the_table_is_refused_and_writes_nothing(start: S) -> None:
    person = person_create()
    review = PersonReview.objects.create(person=person, status=start, status_since=timezone.now())
    for target in S:
        if target in TRANSITIONS[start]:
            continue
        with pytest.raises(ReviewError, match="cannot become"):
            _move(review, target, actor=None, actor_label="test", why="not allowed")
        review.refresh_from_db()
        assert review.status == start
    assert not AuditEntry.objects.exists() and not TimelineEntry.objects.exists()


def test_a_decided_or_closed_review_is_reopened_by_a_supervisor(supervisor: User, reviewer: User) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    review_approve(person_id=person.pk, by=supervisor, comment=APPROVAL)
    review_close(person_id=person.pk, by=supervisor, note="Route acted on: referral sent.")

    review_open(person_id=person.pk, by=supervisor, reason="A hotline call names him again.")

    review = PersonReview.objects.get(person=person)
    assert (review.status, review.reviewer_id, review.route) == (S.AWAITING_REVIEW, None, "")
    assert moves(person)[-1] == (S.CLOSED, S.AWAITING_REVIEW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recommended_route": "sack_him"}, "Choose a recommended route"),
        ({"iopc_criteria": ["made_up"]}, "Unknown IOPC referral criteria: made_up"),
        ({"rationale": "Too short."}, "at least 20 characters"),
    ],
)
def test_an_incomplete_case_review_is_refused(
    supervisor: User, reviewer: User, change: dict[str, object], message: str
) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    before = snapshot(person)
    with pytest.raises(ReviewError, match=message):
        submit(person=person, author=reviewer, **change)
    assert snapshot(person) == before


def test_an_approval_needs_a_comment(supervisor: User, reviewer: User) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    before = snapshot(person)
    with pytest.raises(ReviewError, match="at least 10 characters"):
        review_approve(person_id=person.pk, by=supervisor, comment="ok")
    assert snapshot(person) == before


def test_a_supervisor_who_may_not_see_the_person_cannot_decide(
    make_user: Callable[..., User], supervisor: User, reviewer: User
) -> None:
    person = cohort_person()
    in_review(person, reviewer=reviewer, supervisor=supervisor)
    submit(person=person, author=reviewer)
    outside = make_user(Role.SUPERVISOR)  # in no team holding the caseload, nothing assigned
    conflicted = make_user(Role.SUPERVISOR)
    grant_caseload(conflicted, team_name="Second Unit")
    conflict_declare(user=conflicted, staff_id=person.staff_id, reason="He is my brother-in-law.")
    before = snapshot(person)

    for someone in (outside, conflicted):
        with pytest.raises(ReviewError, match="You may not see this person's record"):
            review_approve(person_id=person.pk, by=someone, comment=APPROVAL)
        with pytest.raises(ReviewError, match="You may not see this person's record"):
            review_return(person_id=person.pk, by=someone, comment="Please look again at this.")
    assert snapshot(person) == before
