"""Review fixtures built straight through the ORM (no linkage engine): an allegation whose link
awaits review, with its candidates, best first."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from tests.factories import allegation_create
from vigil.allegations.models import Allegation
from vigil.audit.models import AuditEntry
from vigil.linkage.models import AllegationLink, LinkCandidate, LinkStatus
from vigil.people.models import Person

EVIDENCE = [
    {"field": "surname", "label": "Surname agrees", "agrees": True, "weight": 6.2},
    {"field": "staff_id", "label": "Staff ID not recorded", "agrees": None, "weight": 0.0},
    {"field": "forename", "label": "Forename differs", "agrees": False, "weight": -2.1},
]


def awaiting_review(
    *,
    candidates: Sequence[Person],
    probabilities: Sequence[float] | None = None,
    status: LinkStatus = LinkStatus.NEEDS_REVIEW,
    evidence: list[dict[str, Any]] | None = None,
    **allegation_fields: Any,
) -> Allegation:
    """A saved allegation with an AllegationLink (the first candidate as its person) and one
    LinkCandidate per person, ranked in the order given."""
    fields: dict[str, Any] = {"subject_name": "PC Smith", "category": "rape", **allegation_fields}
    allegation = allegation_create(**fields)
    chances = list(probabilities or [0.8 - 0.2 * rank for rank in range(len(candidates))])
    AllegationLink.objects.create(
        allegation=allegation,
        status=status,
        person=candidates[0] if candidates else None,
        match_probability=chances[0] if candidates else None,
        evidence=evidence if evidence is not None else (EVIDENCE if candidates else []),
        linked_at=timezone.now(),
    )
    LinkCandidate.objects.bulk_create(
        LinkCandidate(
            allegation=allegation,
            person=person,
            rank=rank,
            match_probability=chance,
            match_weight=3.0 - rank,
            evidence=evidence if evidence is not None else EVIDENCE,
        )
        for rank, (person, chance) in enumerate(zip(candidates, chances, strict=True), start=1)
    )
    return allegation


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def detail(entry: AuditEntry) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(entry.detail)
    return found


DAY = dt.date(2024, 3, 1)
