"""Reads for risk: the scorer's facts (every column named, no protected characteristic among
them), and the review queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from vigil.allegations.vocabularies import OUTCOMES
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.people.models import Person, VettingClearance
from vigil.risk.facts import AllegationFacts, PersonFacts
from vigil.risk.models import RiskScore, ScoreRun

_OUTCOME_CLASS = {term.code: term.outcome_class for term in OUTCOMES}
_CHUNK = 900  # ids per IN (...) on SQLite
_PERSON_COLUMNS = ("id", "force", "joined_on", "left_on", "role", "command", "rank_or_grade")
_ALLEGATION_COLUMNS = (
    "person_id",
    "allegation_id",
    "allegation__allegation_ref",
    "allegation__received_on",
    "allegation__incident_date",
    "allegation__category_id",
    "allegation__source_system_id",
    "allegation__complainant_ref",
    "allegation__outcome_id",
    "allegation__outcome_on",
    "allegation__summary",
    "allegation__subject_details",
    "allegation__subject_force",
)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _filtered(queryset: QuerySet[Any], field: str, person_ids: list[int] | None) -> Iterable[QuerySet[Any]]:
    if person_ids is None:
        yield queryset
        return
    for chunk in _chunks(person_ids):
        yield queryset.filter(**{f"{field}__in": chunk})


def person_facts(*, person_ids: Collection[int] | None = None) -> dict[int, PersonFacts]:
    """The scorer's facts for these people (None: everyone on the register), by person id."""
    ids = sorted(person_ids) if person_ids is not None else None
    people: dict[int, PersonFacts] = {}
    for queryset in _filtered(Person.objects.all(), "id", ids):
        for pk, force, joined_on, left_on, role, command, rank in queryset.values_list(
            *_PERSON_COLUMNS
        ).iterator(chunk_size=20_000):
            people[pk] = PersonFacts(
                person_id=pk,
                force=force,
                joined_on=joined_on,
                left_on=left_on,
                role=f"{role} {command} {rank}".lower(),
                last_vetting_granted=None,
                last_vetting_expires=None,
            )
    # The latest grant that was not refused or withdrawn, and its expiry.
    vetting = VettingClearance.objects.filter(Q(outcome="") | Q(outcome="granted"))
    for queryset in _filtered(vetting, "person_id", ids):
        for person_id, granted_on, expires_on in queryset.values_list(
            "person_id", "granted_on", "expires_on"
        ).iterator(chunk_size=20_000):
            facts = people.get(person_id)
            if facts is None:
                continue
            if facts.last_vetting_granted is None or granted_on > facts.last_vetting_granted:
                facts.last_vetting_granted = granted_on
                facts.last_vetting_expires = expires_on
    links = AllegationLink.objects.filter(status__in=LINKED_STATUSES)
    for queryset in _filtered(links, "person_id", ids):
        for row in queryset.values_list(*_ALLEGATION_COLUMNS).iterator(chunk_size=20_000):
            (person_id, allegation_id, ref, received_on, incident_date, category, source, complainant,
             outcome, outcome_on, summary, details, subject_force) = row  # fmt: skip
            facts = people.get(person_id)
            if facts is None:
                continue
            text = f"{summary} {details}".lower() if summary or details else ""
            facts.allegations.append(
                AllegationFacts(
                    allegation_id=allegation_id,
                    ref=ref,
                    received_on=received_on,
                    incident_date=incident_date,
                    category=category,
                    source=source,
                    complainant=complainant,
                    outcome_class=_OUTCOME_CLASS.get(outcome, "") if outcome else "",
                    outcome_on=outcome_on,
                    text=text,
                    subject_force=subject_force,
                )
            )
    return people


def linked_person_ids(allegation_ids: Collection[int]) -> dict[int, int]:
    """allegation id -> the person it is linked to (automatically or confirmed), for these."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(allegation_ids)):
        found.update(
            AllegationLink.objects.filter(allegation_id__in=chunk, status__in=LINKED_STATUSES).values_list(
                "allegation_id", "person_id"
            )
        )
    return found


def latest_full_run() -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(full=True, finished_at__isnull=False).order_by("-started_at", "-id").first()
    )


@dataclass(frozen=True)
class QueueFilters:
    band: str = ""
    status: str = ""
    command: str = ""
    reviewer_id: int | None = None
    with_open_tasks: bool = False


def queue_rows(*, visible: Q | None = None, filters: QueueFilters | None = None) -> QuerySet[RiskScore]:
    """The review queue: scored people, highest score first (ties: lowest person id first), with
    the person, their review (if any) and whether they have open tasks."""
    from vigil.reviews.models import PersonReview, ReviewStatus, Task

    filters = filters or QueueFilters()
    rows = (
        RiskScore.objects.filter(score__gt=0)
        .select_related("person", "person__review", "person__review__reviewer")
        .annotate(
            has_open_tasks=Exists(Task.objects.filter(person_id=OuterRef("person_id"), done_at__isnull=True))
        )
        .order_by("-score", "person_id")
    )
    if visible is not None:
        rows = rows.filter(person__in=Person.objects.filter(visible))
    if filters.band:
        rows = rows.filter(band=filters.band)
    if filters.status == ReviewStatus.NOT_IN_COHORT:
        rows = rows.filter(
            ~Exists(PersonReview.objects.filter(person_id=OuterRef("person_id")))
            | Q(person__review__status=ReviewStatus.NOT_IN_COHORT)
        )
    elif filters.status:
        rows = rows.filter(person__review__status=filters.status)
    if filters.command:
        rows = rows.filter(person__command=filters.command)
    if filters.reviewer_id is not None:
        rows = rows.filter(person__review__reviewer_id=filters.reviewer_id)
    if filters.with_open_tasks:
        rows = rows.filter(has_open_tasks=True)
    return rows


def score_for(person_id: int) -> RiskScore | None:
    return RiskScore.objects.filter(person_id=person_id).first()


def today_default(today: date | None) -> date:
    from django.utils import timezone

    return today or timezone.localdate()
