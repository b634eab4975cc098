"""A reviewer's decisions (vigil.linkage.services): each writes the link and an audit entry
together, needs a reason, and records the pairs it rules out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from tests.access import grant_caseload
from tests.factories import allegation_create, person_create
from tests.linkage.review_data import awaiting_review, detail, entries
from vigil.accounts.roles import Role
from vigil.audit.actions import Action, Category
from vigil.linkage.models import AllegationLink, LinkStatus, RejectedPair
from vigil.linkage.services import (
    NOT_ON_REGISTER_NOTE,
    LinkDecisionError,
    link_confirm,
    link_not_on_register,
    link_reject,
)

pytestmark = pytest.mark.django_db

REASON = "Shoulder number 1234CW and the command agree."


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)  # a human link needs sight of both records
    return user


def test_the_decisions_are_registered_as_record_changes() -> None:
    for action in (Action.LINK_CONFIRMED, Action.LINK_REJECTED, Action.LINK_NOT_ON_REGISTER):
        assert action.category is Category.ALTERATION
        assert action.label


def test_confirm_links_the_person_and_is_audited(reviewer: User) -> None:
    best, other = person_create(surname="Smith"), person_create(surname="Smith")
    allegation = awaiting_review(candidates=[best, other])

    link = link_confirm(allegation_id=allegation.pk, person_id=other.pk, user=reviewer, reason=REASON)

    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED
    assert link.person_id == other.pk
    assert link.decided_by_id == reviewer.pk
    assert link.decided_at is not None
    assert link.decision_reason == REASON
    [entry] = entries(Action.LINK_CONFIRMED)
    assert (entry.record_type, entry.record_id, entry.actor_id) == (
        "allegation",
        str(allegation.pk),
        reviewer.pk,
    )
    assert detail(entry) == {
        "previous_status": "needs_review",
        "previous_person_id": best.pk,
        "person_id": other.pk,
        "person": f"{other.force} {other.staff_id}",
        "proposed_by_the_model": True,
        "earlier_rejection_withdrawn": False,
        "reason": REASON,
    }


def test_confirm_creates_the_link_when_the_model_has_not_linked_yet(reviewer: User) -> None:
    person = person_create()
    allegation = allegation_create(subject_name="D. Smith")

    link_confirm(allegation_id=allegation.pk, person_id=person.pk, user=reviewer, reason=REASON)

    link = AllegationLink.objects.get(allegation=allegation)
    assert (link.status, link.person_id) == (LinkStatus.CONFIRMED, person.pk)
    assert link.linked_at is not None
    assert detail(entries(Action.LINK_CONFIRMED)[0])["proposed_by_the_model"] is False


def test_confirm_withdraws_an_earlier_rejection_of_the_same_pair(reviewer: User) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    link_reject(
        allegation_id=allegation.pk, person_id=person.pk, user=reviewer, reason="Wrong command entirely."
    )
    link_confirm(allegation_id=allegation.pk, person_id=person.pk, user=reviewer, reason=REASON)
    assert not RejectedPair.objects.filter(allegation=allegation).exists()
    assert detail(entries(Action.LINK_CONFIRMED)[0])["earlier_rejection_withdrawn"] is True


@pytest.mark.parametrize("reason", ["", "   ", "too short", " 123456789 "])
def test_every_decision_needs_a_reason_of_ten_characters(reviewer: User, reason: str) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    for decide in (
        lambda: link_confirm(allegation_id=allegation.pk, person_id=person.pk, user=reviewer, reason=reason),
        lambda: link_reject(allegation_id=allegation.pk, person_id=person.pk, user=reviewer, reason=reason),
        lambda: link_not_on_register(allegation_id=allegation.pk, user=reviewer, reason=reason),
    ):
        with pytest.raises(LinkDecisionError, match="at least 10 characters"):
            decide()
    assert AllegationLink.objects.get(allegation=allegation).status == LinkStatus.NEEDS_REVIEW
    assert not RejectedPair.objects.exists()
    assert (
        not entries(Action.LINK_CONFIRMED)
        + entries(Action.LINK_REJECTED)
        + entries(Action.LINK_NOT_ON_REGISTER)
    )


def test_a_decision_about_nobody_or_nothing_is_refused(reviewer: User) -> None:
    allegation = awaiting_review(candidates=[person_create()])
    with pytest.raises(LinkDecisionError, match="no person"):
        link_confirm(allegation_id=allegation.pk, person_id=999_999, user=reviewer, reason=REASON)
    with pytest.raises(LinkDecisionError, match="no allegation"):
        link_not_on_register(allegation_id=999_999, user=reviewer, reason=REASON)


def test_reject_the_proposed_person_records_the_pair_and_leaves_the_link_empty(reviewer: User) -> None:
    best, other = person_create(), person_create()
    allegation = awaiting_review(candidates=[best, other])

    link = link_reject(
        allegation_id=allegation.pk, person_id=best.pk, user=reviewer, reason="Different force."
    )

    assert (link.status, link.person_id) == (LinkStatus.REJECTED, None)
    assert link.decision_reason == "Different force."
    pair = RejectedPair.objects.get()
    assert (pair.allegation_id, pair.person_id, pair.rejected_by_id) == (allegation.pk, best.pk, reviewer.pk)
    assert pair.reason == "Different force."
    [entry] = entries(Action.LINK_REJECTED)
    assert detail(entry)["person_id"] == best.pk
    assert detail(entry)["link_status"] == "rejected"


def test_reject_a_lower_candidate_keeps_the_best_one_awaiting_review(reviewer: User) -> None:
    best, other = person_create(), person_create()
    allegation = awaiting_review(candidates=[best, other])

    link = link_reject(
        allegation_id=allegation.pk, person_id=other.pk, user=reviewer, reason="Joined in 2023."
    )

    assert (link.status, link.person_id) == (LinkStatus.NEEDS_REVIEW, best.pk)
    assert list(RejectedPair.objects.values_list("person_id", flat=True)) == [other.pk]
    assert len(entries(Action.LINK_REJECTED)) == 1


def test_not_on_the_register_rules_out_every_candidate_shown(reviewer: User) -> None:
    first, second = person_create(), person_create()
    allegation = awaiting_review(candidates=[first, second])

    link = link_not_on_register(allegation_id=allegation.pk, user=reviewer, reason="A Metropolitan officer.")

    assert (link.status, link.person_id) == (LinkStatus.REJECTED, None)
    assert link.decision_reason == NOT_ON_REGISTER_NOTE + "A Metropolitan officer."
    assert set(RejectedPair.objects.values_list("person_id", flat=True)) == {first.pk, second.pk}
    [entry] = entries(Action.LINK_NOT_ON_REGISTER)
    assert detail(entry)["rejected_person_ids"] == sorted([first.pk, second.pk])


def test_not_on_the_register_without_candidates_records_no_pair(reviewer: User) -> None:
    allegation = allegation_create(subject_name="Officer unknown")
    link = link_not_on_register(
        allegation_id=allegation.pk, user=reviewer, reason="Nobody by that name here."
    )
    assert link.status == LinkStatus.REJECTED
    assert not RejectedPair.objects.exists()
    assert detail(entries(Action.LINK_NOT_ON_REGISTER)[0])["rejected_person_ids"] == []
