"""Risk fixtures: the scorer's inputs built by hand (no database), and allegations linked to a
person through the ORM (an AllegationLink, as `vigil link` would write it). Synthetic data only."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils import timezone

from tests.factories import allegation_naming
from vigil.allegations.models import Allegation
from vigil.linkage.models import AllegationLink, LinkStatus
from vigil.people.models import Person
from vigil.risk.facts import AllegationFacts, PersonFacts
from vigil.risk.policy import DEFAULT_POLICY_PATH, Policy, policy_parse
from vigil.risk.scoring import PeerCutpoints, Reason, Score

TODAY = dt.date(2025, 6, 1)
FORCE = "Testshire Police"

# The shipped policy, read once (no settings, no cache): the scorer's tests hold its numbers.
POLICY: Policy = policy_parse(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), source="shipped")
# Cut-points nobody reaches: no peer reason unless a test asks for one.
NO_PEERS = PeerCutpoints(by_percentile={band.percentile: math.inf for band in POLICY.peer_bands}, people=0)

_ids = iter(range(1, 10_000_000))


def allegation_facts(
    *,
    received_on: dt.date = dt.date(2024, 3, 1),
    incident_date: dt.date | None = None,
    category: str = "inappropriate_behaviour",
    source: str = "public_complaint",
    complainant: str = "",
    outcome_class: str = "",
    outcome_on: dt.date | None = None,
    text: str = "",
    subject_force: str = "",
    allegation_id: int | None = None,
    ref: str | None = None,
) -> AllegationFacts:
    pk = allegation_id if allegation_id is not None else next(_ids)
    return AllegationFacts(
        allegation_id=pk,
        ref=ref or f"F{pk:07d}",
        received_on=received_on,
        incident_date=incident_date,
        category=category,
        source=source,
        complainant=complainant,
        outcome_class=outcome_class,
        outcome_on=outcome_on,
        text=text.lower(),
        subject_force=subject_force,
    )


def person_facts(
    *,
    allegations: list[AllegationFacts] | None = None,
    force: str = FORCE,
    joined_on: dt.date | None = dt.date(2010, 9, 1),
    left_on: dt.date | None = None,
    role: str = "response officer north bcu constable",
    last_vetting_granted: dt.date | None = None,
    last_vetting_expires: dt.date | None = None,
) -> PersonFacts:
    return PersonFacts(
        person_id=next(_ids),
        force=force,
        joined_on=joined_on,
        left_on=left_on,
        role=role,
        last_vetting_granted=last_vetting_granted,
        last_vetting_expires=last_vetting_expires,
        allegations=list(allegations or []),
    )


def reason_for(score: Score, code: str) -> Reason | None:
    found = [reason for reason in score.reasons if reason.code == code]
    assert len(found) <= 1, found
    return found[0] if found else None


def link_to(
    allegation: Allegation, person: Person, *, status: LinkStatus = LinkStatus.AUTO
) -> AllegationLink:
    return AllegationLink.objects.create(
        allegation=allegation,
        person=person,
        status=status,
        match_probability=0.99 if status == LinkStatus.AUTO else None,
        linked_at=timezone.now(),
    )


def linked_allegation(*, person: Person, status: LinkStatus = LinkStatus.AUTO, **fields: Any) -> Allegation:
    """A saved allegation naming this person, linked to them (automatically, unless told)."""
    allegation = allegation_naming(person=person, **fields)
    link_to(allegation, person, status=status)
    return allegation


def years_ago(years: float, *, today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=round(years * 365.25))
