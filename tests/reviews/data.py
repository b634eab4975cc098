"""Review fixtures: a person whose linked allegations put them in the default cohort, and a
complete structured case review. Synthetic data only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User

from tests.factories import person_create
from tests.risk.data import linked_allegation, years_ago
from vigil.allegations.models import Allegation
from vigil.people.models import Person
from vigil.reviews.models import CaseReview
from vigil.reviews.services import case_review_submit


def cohort_allegation(*, person: Person, **fields: Any) -> Allegation:
    """A linked allegation the default cohort holds: sexual, not proven, received a year ago."""
    received_on = fields.pop("received_on", years_ago(1))
    values: dict[str, Any] = {
        "category": "sexual_harassment",
        "outcome": "no_further_action",
        "received_on": received_on,
        "outcome_on": received_on + dt.timedelta(days=60),
        **fields,
    }
    return linked_allegation(person=person, **values)


def cohort_person(*, cases: int = 1, **person_fields: Any) -> Person:
    person = person_create(**person_fields)
    for number in range(cases):
        cohort_allegation(person=person, complainant_ref=f"CMP-{person.staff_id}-{number}")
    return person


CASE_REVIEW: dict[str, Any] = {
    "considered_together": "no",
    "criminal_investigation_considered": "no",
    "victims_safeguarded": "partly",
    "victims_informed": "unknown",
    "vetting_told": "no",
    "missed_lines_of_enquiry": "The second complainant was never spoken to.",
    "iopc_criteria": ["serious_sexual_assault"],
    "several_incidents": True,
    "recommended_route": "misconduct_investigation",
    "rationale": "Three women describe the same approach after he attended their calls.",
}


def submit(*, person: Person, author: User, **changes: Any) -> CaseReview:
    return case_review_submit(person_id=person.pk, author=author, **{**CASE_REVIEW, **changes})
