"""A reviewer's decisions on which person an allegation is about: confirm a person, reject one,
or say the subject is not on the register. Each is one transaction that writes the link and its
audit entry together, and each needs a reason.

A human decision is final for the machine: `vigil link` (vigil.linkage.engine, vigil.linkage.runs)
never changes a link whose status is in HUMAN_STATUSES (confirmed, rejected), and never proposes a
pair recorded in RejectedPair again. Only another human decision, made here, can change it.

These functions do not check need-to-know: the views do, before calling them (a reviewer decides
only on an allegation and people they may see)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from vigil.accounts.access import (
    allegation_refusal,
    person_refusal,
    record_label_allegation,
    record_label_person,
)
from vigil.allegations.models import Allegation
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.linkage.models import LINKED_STATUSES, AllegationLink, LinkCandidate, LinkStatus, RejectedPair
from vigil.people.models import Person

MIN_REASON_LENGTH = 10
# How a "not on the register" decision is told apart from a rejection of one person: its note
# starts with this (the status is rejected, the person empty, in both).
NOT_ON_REGISTER_NOTE = "Not on the register: "


class LinkDecisionError(ValueError):
    """A decision that cannot be made as asked (no reason, no such allegation or person)."""


def _reason_checked(reason: str) -> str:
    cleaned = (reason or "").strip()
    if len(cleaned) < MIN_REASON_LENGTH:
        raise LinkDecisionError(
            f"A decision needs a reason of at least {MIN_REASON_LENGTH} characters: say why."
        )
    return cleaned


def _allegation(allegation_id: int) -> Allegation:
    allegation = (
        Allegation.objects.only("id", "source_system", "allegation_ref").filter(pk=allegation_id).first()
    )
    if allegation is None:
        raise LinkDecisionError(f"There is no allegation {allegation_id}.")
    return allegation


def _person(person_id: int) -> Person:
    person = Person.objects.only("id", "force", "staff_id").filter(pk=person_id).first()
    if person is None:
        raise LinkDecisionError(f"There is no person {person_id} on the register.")
    return person


def _link_locked(allegation: Allegation) -> tuple[AllegationLink, bool]:
    """The allegation's link row, locked for this transaction; a new unsaved one (not yet linked
    by the machine) if there is none. Returns (link, existed)."""
    link = AllegationLink.objects.select_for_update().filter(allegation=allegation).first()
    if link is not None:
        return link, True
    return AllegationLink(allegation=allegation, linked_at=timezone.now()), False


def _decided(
    link: AllegationLink, *, status: LinkStatus, person: Person | None, user: AbstractBaseUser, note: str
) -> None:
    link.status = status
    link.person = person
    link.decided_by = user  # type: ignore[assignment]  # a signed-in user (auth.User)
    link.decided_at = timezone.now()
    link.decision_reason = note
    link.save()


def _linked_to(link: AllegationLink, existed: bool) -> dict[int, int]:
    """allegation id -> person id if the link attributes the allegation to somebody, else {}."""
    if existed and link.status in LINKED_STATUSES and link.person_id is not None:
        return {link.allegation_id: link.person_id}
    return {}


def _new_information(before: dict[int, int], link: AllegationLink, user: AbstractBaseUser) -> None:
    """Tell the review that who this allegation is about changed (re-score, raise tasks), in
    this same transaction."""
    from vigil.reviews.services import links_changed

    links_changed(before=before, after=_linked_to(link, True), raised_by="link review", actor=user)


def _before(link: AllegationLink, existed: bool) -> dict[str, Any]:
    return {
        "previous_status": link.status if existed else "",
        "previous_person_id": link.person_id if existed else None,
    }


@transaction.atomic
def link_confirm(
    *,
    allegation_id: int,
    person_id: int,
    user: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
) -> AllegationLink:
    """The allegation is about this person: a proposed candidate, or any other person on the
    register the reviewer chose ("choose another person"). Withdraws an earlier rejection of the
    same pair (the later human decision stands)."""
    note = _reason_checked(reason)
    allegation = _allegation(allegation_id)
    person = _person(person_id)
    # A human link is a claim about both records: the user must be able to see both.
    if (
        allegation_refusal(user=user, allegation_id=allegation.pk) is not None
        or person_refusal(user=user, person_id=person.pk) is not None
    ):
        raise LinkDecisionError("No such allegation or person, or not yours to see.")
    link, existed = _link_locked(allegation)
    before = _before(link, existed)
    linked_before = _linked_to(link, existed)
    proposed = LinkCandidate.objects.filter(allegation=allegation, person=person).exists() or (
        existed and link.person_id == person.pk
    )
    withdrawn, _ = RejectedPair.objects.filter(allegation=allegation, person=person).delete()
    _decided(link, status=LinkStatus.CONFIRMED, person=person, user=user, note=note)
    audit_record(
        action=Action.LINK_CONFIRMED,
        actor=user,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=record_label_allegation(allegation),
        detail={
            **before,
            "person_id": person.pk,
            "person": record_label_person(person),
            "proposed_by_the_model": proposed,
            "earlier_rejection_withdrawn": bool(withdrawn),
            "reason": note,
        },
        request=request,
    )
    _new_information(linked_before, link, user)
    return link


def _pair_rejected(*, allegation: Allegation, person_id: int, user: AbstractBaseUser, note: str) -> bool:
    """Record that this pair is wrong; False if it already was."""
    _, created = RejectedPair.objects.get_or_create(
        allegation=allegation,
        person_id=person_id,
        defaults={"rejected_by": user, "rejected_at": timezone.now(), "reason": note},
    )
    return created


@transaction.atomic
def link_reject(
    *,
    allegation_id: int,
    person_id: int,
    user: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
) -> AllegationLink:
    """The allegation is not about this person: the pair is recorded (never proposed again).

    When the link pointed at this person (the proposed best candidate, or an earlier link), or at
    nobody, it becomes rejected with no person. When it points at somebody else (the reviewer
    struck out a lower candidate), it is left as it is: the best candidate is still to be decided."""
    note = _reason_checked(reason)
    allegation = _allegation(allegation_id)
    person = _person(person_id)
    link, existed = _link_locked(allegation)
    before = _before(link, existed)
    linked_before = _linked_to(link, existed)
    _pair_rejected(allegation=allegation, person_id=person.pk, user=user, note=note)
    link_changed = not existed or link.person_id in (None, person.pk)
    if link_changed:
        _decided(link, status=LinkStatus.REJECTED, person=None, user=user, note=note)
    audit_record(
        action=Action.LINK_REJECTED,
        actor=user,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=record_label_allegation(allegation),
        detail={
            **before,
            "person_id": person.pk,
            "person": record_label_person(person),
            "link_status": link.status,
            "reason": note,
        },
        request=request,
    )
    _new_information(linked_before, link, user)
    return link


@transaction.atomic
def link_not_on_register(
    *,
    allegation_id: int,
    user: AbstractBaseUser,
    reason: str,
    request: HttpRequest | None = None,
) -> AllegationLink:
    """The subject is nobody on the register: the link becomes rejected with no person, its note
    starting "Not on the register: ", and every candidate the reviewer was shown (the proposed
    person and the model's candidates) is recorded as a rejected pair."""
    note = _reason_checked(reason)
    allegation = _allegation(allegation_id)
    link, existed = _link_locked(allegation)
    before = _before(link, existed)
    linked_before = _linked_to(link, existed)
    shown = set(LinkCandidate.objects.filter(allegation=allegation).values_list("person_id", flat=True))
    if existed and link.person_id is not None:
        shown.add(link.person_id)
    newly_rejected = [
        person_id
        for person_id in sorted(shown)
        if _pair_rejected(allegation=allegation, person_id=person_id, user=user, note=note)
    ]
    _decided(link, status=LinkStatus.REJECTED, person=None, user=user, note=NOT_ON_REGISTER_NOTE + note)
    audit_record(
        action=Action.LINK_NOT_ON_REGISTER,
        actor=user,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=record_label_allegation(allegation),
        detail={**before, "rejected_person_ids": newly_rejected, "reason": note},
        request=request,
    )
    _new_information(linked_before, link, user)
    return link
