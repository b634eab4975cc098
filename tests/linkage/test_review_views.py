"""The clerical review pages: the queue, an item, and the decisions made from it, under
need-to-know (the role matrix itself is tests/accounts/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.access import grant_caseload, open_record
from tests.factories import former_staff_number_create, person_create
from tests.linkage.review_data import awaiting_review, detail, entries
from vigil.accounts.roles import Role
from vigil.accounts.services import account_person_link, record_restrict
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.linkage.models import AllegationLink, LinkStatus, RejectedPair

pytestmark = pytest.mark.django_db

QUEUE = reverse("linkage:review_queue")
REASON = "Shoulder number and command agree."


@pytest.fixture
def assessor_user(make_user: Callable[..., User]) -> User:
    user = make_user(Role.ASSESSOR)
    grant_caseload(user)
    return user


@pytest.fixture
def assessor(client: Client, assessor_user: User) -> Client:
    client.force_login(assessor_user)
    return client


def item_url(allegation: Allegation) -> str:
    return reverse("linkage:review_item", args=[allegation.pk])


def status_of(allegation: Allegation) -> tuple[str, int | None]:
    link = AllegationLink.objects.get(allegation=allegation)
    return link.status, link.person_id


def test_queue_lists_items_and_the_nav_links_to_it(assessor: Client) -> None:
    person = person_create(surname="Okafor", forenames="Grace")
    allegation = awaiting_review(candidates=[person], probabilities=[0.734], ref="HOT-2024-0001")
    response = assessor.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert item_url(allegation) in html
    assert "Grace Okafor" in html and "73.4%" in html
    assert f'href="{QUEUE}" aria-current="page">Link review</a>' in html


def test_reviewers_and_investigators_have_no_link_review(client_for: Callable[..., Any]) -> None:
    client = client_for([Role.REVIEWER])
    assert client.get(QUEUE).status_code == 403
    assert "Link review" not in client.get(reverse("allegations:allegation_list")).content.decode()


def test_a_bad_filter_or_cursor_is_said_not_thrown(assessor: Client) -> None:
    assert "is not a category" in assessor.get(QUEUE, {"category": "nope"}).content.decode()
    assert "could not be read" in assessor.get(QUEUE, {"before": "x_y"}).content.decode()


def test_opening_an_item_asks_why_then_shows_candidates_and_is_audited(
    assessor: Client, assessor_user: User
) -> None:
    person = person_create(surname="Smith", forenames="Dave", shoulder_numbers=["1234CW"])
    allegation = awaiting_review(
        candidates=[person], subject_name="PC Smith", subject_shoulder_number="1234CW"
    )
    first = assessor.get(item_url(allegation))
    assert "Why do you need to see" in first.content.decode()

    response = open_record(assessor, item_url(allegation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dave Smith" in html and "Confirm: this is Dave Smith" in html
    assert "✓ </span>Agrees" in html and "Not recorded" in html
    assert 'class="compare-row compare-row--agrees"' in html
    consulted = [e for e in entries(Action.ALLEGATION_CONSULTED) if e.record_id == str(allegation.pk)]
    assert consulted and consulted[-1].actor_id == assessor_user.pk
    assert detail(consulted[-1]) == {"page": "link review", "people_shown": [person.pk]}


def test_confirm_a_candidate_through_the_page(assessor: Client, assessor_user: User) -> None:
    best, other = person_create(), person_create(surname="Jones")
    allegation = awaiting_review(candidates=[best, other])
    open_record(assessor, item_url(allegation))

    response = assessor.post(
        reverse("linkage:review_candidate", args=[allegation.pk, other.pk]),
        {f"c{other.pk}-reason": REASON, "decision": "confirm"},
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert status_of(allegation) == (LinkStatus.CONFIRMED, other.pk)
    [entry] = entries(Action.LINK_CONFIRMED)
    assert entry.actor_id == assessor_user.pk and detail(entry)["reason"] == REASON
    # Out of the queue, and the person page now lists it as linked.
    assert item_url(allegation) not in assessor.get(QUEUE).content.decode()
    page = open_record(assessor, reverse("people:person_detail", args=[other.pk]))
    assert [row.allegation.pk for row in page.context["profile"].linked] == [allegation.pk]
    assert "Confirmed" in page.content.decode()


def test_reject_a_candidate_through_the_page(assessor: Client) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    open_record(assessor, item_url(allegation))
    response = assessor.post(
        reverse("linkage:review_candidate", args=[allegation.pk, person.pk]),
        {f"c{person.pk}-reason": "Different force and rank.", "decision": "reject"},
    )
    assert response.status_code == 302
    assert status_of(allegation) == (LinkStatus.REJECTED, None)
    assert RejectedPair.objects.filter(allegation=allegation, person=person).exists()


def test_a_decision_without_a_proper_reason_is_refused_on_the_page(assessor: Client) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    open_record(assessor, item_url(allegation))
    url = reverse("linkage:review_candidate", args=[allegation.pk, person.pk])

    response = assessor.post(url, {f"c{person.pk}-reason": "short", "decision": "confirm"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a reason of at least 10 characters." in html
    assert f'href="#id_c{person.pk}-reason"' in html  # the error summary leads to the field
    no_decision = assessor.post(url, {f"c{person.pk}-reason": REASON})
    assert "Choose whether to confirm or to reject" in no_decision.content.decode()
    assert status_of(allegation) == (LinkStatus.NEEDS_REVIEW, person.pk)
    assert not entries(Action.LINK_CONFIRMED)


def test_a_decision_before_opening_the_item_goes_to_the_item_first(assessor: Client) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    response = assessor.post(
        reverse("linkage:review_candidate", args=[allegation.pk, person.pk]),
        {f"c{person.pk}-reason": REASON, "decision": "confirm"},
    )
    assert response.status_code == 302 and response["Location"] == item_url(allegation)
    assert status_of(allegation)[0] == LinkStatus.NEEDS_REVIEW


def test_choose_another_person_by_force_and_staff_id(assessor: Client) -> None:
    proposed = person_create()
    chosen = person_create(surname="Nowak", staff_id="612345", force="Otherton Police")
    former_staff_number_create(person=chosen, staff_id="412345", force="Testshire Police")
    allegation = awaiting_review(candidates=[proposed])
    open_record(assessor, item_url(allegation))
    url = reverse("linkage:review_another", args=[allegation.pk])

    wrong = assessor.post(
        url, {"another-force": "Otherton Police", "another-staff_id": "999999", "another-reason": REASON}
    )
    assert "No one you may see has staff ID 999999 in Otherton Police" in wrong.content.decode()

    response = assessor.post(
        url, {"another-force": "Testshire Police", "another-staff_id": "412345", "another-reason": REASON}
    )
    assert response.status_code == 302
    assert status_of(allegation) == (LinkStatus.CONFIRMED, chosen.pk)
    assert detail(entries(Action.LINK_CONFIRMED)[0])["proposed_by_the_model"] is False


def test_not_on_the_register_through_the_page(assessor: Client) -> None:
    first, second = person_create(), person_create()
    allegation = awaiting_review(candidates=[first, second])
    open_record(assessor, item_url(allegation))
    response = assessor.post(
        reverse("linkage:review_not_on_register", args=[allegation.pk]),
        {"none-reason": "An officer of another force, named in the summary."},
    )
    assert response.status_code == 302
    assert status_of(allegation) == (LinkStatus.REJECTED, None)
    assert RejectedPair.objects.filter(allegation=allegation).count() == 2
    assert len(entries(Action.LINK_NOT_ON_REGISTER)) == 1


# ---- need-to-know ---------------------------------------------------------------------------------


def test_an_allegation_the_user_may_not_see_is_404_everywhere(
    client: Client, make_user: Callable[..., User]
) -> None:
    person = person_create()
    allegation = awaiting_review(candidates=[person])
    outsider = make_user(Role.ASSESSOR)  # no caseload, nothing assigned
    client.force_login(outsider)
    assert client.get(item_url(allegation)).status_code == 404
    for url, data in (
        (reverse("linkage:review_candidate", args=[allegation.pk, person.pk]), {"decision": "confirm"}),
        (reverse("linkage:review_another", args=[allegation.pk]), {}),
        (reverse("linkage:review_not_on_register", args=[allegation.pk]), {}),
    ):
        assert client.post(url, data).status_code == 404
    assert allegation.allegation_ref not in client.get(QUEUE).content.decode()
    assert entries(Action.ACCESS_REFUSED)
    assert status_of(allegation)[0] == LinkStatus.NEEDS_REVIEW


def test_a_candidate_the_user_may_not_see_is_never_named_nor_decided(
    assessor: Client, assessor_user: User
) -> None:
    restricted = person_create(surname="Classified", forenames="Chief")
    visible = person_create(surname="Plain", forenames="Jane")
    record_restrict(restricted_by=None, reason="Senior officer", person=restricted)
    allegation = awaiting_review(candidates=[restricted, visible], subject_name="Chief Classified")

    queue = assessor.get(QUEUE).content.decode()
    assert "Classified" not in queue.replace("Chief Classified", "")  # the subject as recorded is fine
    assert "A candidate you may not see — refer to a supervisor" in queue

    html = open_record(assessor, item_url(allegation)).content.decode()
    assert "a candidate you may not see" in html and "refer this allegation to a supervisor" in html.lower()
    assert f"{restricted.staff_id}" not in html
    assert "Jane Plain" in html
    # Deciding about the hidden person is refused as if they did not exist.
    hidden = reverse("linkage:review_candidate", args=[allegation.pk, restricted.pk])
    assert (
        assessor.post(hidden, {f"c{restricted.pk}-reason": REASON, "decision": "reject"}).status_code == 404
    )
    # Nor can they be ruled out wholesale, nor chosen by number.
    refused = assessor.post(
        reverse("linkage:review_not_on_register", args=[allegation.pk]), {"none-reason": REASON}
    )
    assert "refer this allegation to a supervisor" in refused.content.decode()
    by_number = assessor.post(
        reverse("linkage:review_another", args=[allegation.pk]),
        {
            "another-force": restricted.force,
            "another-staff_id": restricted.staff_id,
            "another-reason": REASON,
        },
    )
    assert "No one you may see has staff ID" in by_number.content.decode()
    assert status_of(allegation) == (LinkStatus.NEEDS_REVIEW, restricted.pk)
    assert not RejectedPair.objects.exists()


def test_a_reviewer_never_sees_an_allegation_naming_them_as_a_candidate(
    assessor: Client, assessor_user: User
) -> None:
    # Issue 17: an allegation that may be about the user (they are among its candidates) never
    # reaches them, not even with their name hidden: someone else decides who it is about.
    own = person_create(surname="Self", forenames="Reviewer")
    account_person_link(user=assessor_user, person=own, linked_by=None)
    allegation = awaiting_review(candidates=[own], subject_name="R. Self")
    assert assessor.get(item_url(allegation)).status_code == 404
    assert allegation.allegation_ref not in assessor.get(QUEUE).content.decode()


def test_person_page_separates_linked_from_possible(assessor: Client) -> None:
    person = person_create(surname="Okafor", forenames="Grace", staff_id="512345")
    other = person_create(surname="Okafor", forenames="Daniel")
    linked = awaiting_review(candidates=[person], status=LinkStatus.AUTO, probabilities=[0.998], ref="AUTO-1")
    possible = awaiting_review(candidates=[other, person], probabilities=[0.5, 0.4], ref="MAYBE-1")
    by_number = awaiting_review(
        candidates=[other],
        status=LinkStatus.AUTO,
        subject_staff_id="512345",
        subject_force=person.force,
        received_on=dt.date(2020, 1, 1),
        ref="NUM-1",
    )

    response = open_record(assessor, reverse("people:person_detail", args=[person.pk]))

    profile = response.context["profile"]
    assert [row.allegation.pk for row in profile.linked] == [linked.pk]
    assert [p.allegation.pk for p in profile.possible] == [possible.pk]
    assert [row.allegation.pk for row in profile.staff_number_only] == [by_number.pk]
    html = response.content.decode()
    assert "Possible — awaiting review" in html and "99.8%" in html and "candidate 2" in html
    assert "Linked to another person" in html
    assert reverse("linkage:review_item", args=[possible.pk]) in html
