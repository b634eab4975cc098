"""Reads for the review: the cohort (which cases and people the definition in force holds), a
person's review page, the tasks, the overdue measures and the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vigil.allegations.models import Allegation
from vigil.allegations.vocabularies import CATEGORIES
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.people.models import Person, VettingClearance
from vigil.reviews.models import (
    ApprovalDecision,
    CaseReview,
    CohortDefinition,
    IOPCCriterion,
    PersonReview,
    ReviewApproval,
    ReviewStatus,
    RiskMeasure,
    Task,
    TimelineEntry,
)

# The force's definition (the Met's 2023 review): sexual or domestic allegations received in the
# last ten years, closed as not proven or without misconduct proceedings, about people serving now.
DEFAULT_COHORT: dict[str, Any] = {
    "name": "Sexual and domestic allegations not proven, last 10 years, serving officers and staff",
    "domains": ["sexual", "domestic"],
    "window_years": 10,
    "outcome_classes": ["not_proven"],
    "include_no_outcome": False,
    "employment_types": ["officer", "staff", "special", "volunteer"],
    "serving_only": True,
}


def cohort_definition_current() -> CohortDefinition:
    """The definition in force: the latest version (version 1, the default, is made by a migration)."""
    definition = CohortDefinition.objects.order_by("-version").first()
    if definition is None:  # only if the migration's row was deleted by hand
        return CohortDefinition(
            version=0, created_at=timezone.now(), change_reason="default", **DEFAULT_COHORT
        )
    return definition


def cohort_window_start(definition: CohortDefinition, *, today: date) -> date:
    years = definition.window_years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def cohort_links(
    definition: CohortDefinition | None = None, *, today: date | None = None
) -> QuerySet[AllegationLink]:
    """The links (allegation -> person) of every case in the cohort."""
    definition = definition or cohort_definition_current()
    today = today or timezone.localdate()
    outcome = Q(allegation__outcome__outcome_class__in=definition.outcome_classes)
    if definition.include_no_outcome:
        outcome |= Q(allegation__outcome__isnull=True)
    links = AllegationLink.objects.filter(
        outcome,
        status__in=LINKED_STATUSES,
        allegation__category__domain__in=definition.domains,
        allegation__received_on__gte=cohort_window_start(definition, today=today),
        person__employment_type__in=definition.employment_types,
    )
    if definition.serving_only:
        links = links.filter(person__left_on__isnull=True)
    return links


@dataclass(frozen=True)
class CohortCases:
    count: int
    oldest_on: date  # when the oldest of them was received


def cohort_cases_of_people(
    definition: CohortDefinition | None = None,
    *,
    today: date | None = None,
    person_ids: list[int] | None = None,
) -> dict[int, CohortCases]:
    """person id -> their cases in the cohort (how many, and the oldest's date)."""
    links = cohort_links(definition, today=today)
    if person_ids is not None:
        links = links.filter(person_id__in=person_ids)
    rows = (
        links.values("person_id")
        .annotate(cases=Count("allegation_id"), oldest=Min("allegation__received_on"))
        .values_list("person_id", "cases", "oldest")
    )
    return {person_id: CohortCases(cases, oldest) for person_id, cases, oldest in rows}


def cohort_cases_by_person(
    definition: CohortDefinition | None = None,
    *,
    today: date | None = None,
    person_ids: list[int] | None = None,
) -> dict[int, int]:
    """person id -> number of their cases in the cohort."""
    cases = cohort_cases_of_people(definition, today=today, person_ids=person_ids)
    return {person_id: case.count for person_id, case in cases.items()}


@dataclass(frozen=True)
class CohortSummary:
    definition: CohortDefinition
    cases: int
    people: int
    by_employment_type: dict[str, int]
    by_status: dict[str, int]
    by_domain: dict[str, int]


def cohort_summary(*, today: date | None = None, visible: Q | None = None) -> CohortSummary:
    definition = cohort_definition_current()
    links = cohort_links(definition, today=today)
    if visible is not None:
        links = links.filter(person__in=Person.objects.filter(visible))
    per_person = dict(
        links.values("person_id").annotate(n=Count("allegation_id")).values_list("person_id", "n")
    )
    by_type = dict(
        links.values("person__employment_type")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("person__employment_type", "n")
    )
    by_domain = dict(
        links.values("allegation__category__domain")
        .annotate(n=Count("allegation_id"))
        .values_list("allegation__category__domain", "n")
    )
    reviews = PersonReview.objects.filter(in_cohort=True)
    if visible is not None:
        reviews = reviews.filter(person__in=Person.objects.filter(visible))
    statuses = dict(reviews.values("status").annotate(n=Count("person_id")).values_list("status", "n"))
    return CohortSummary(
        definition=definition,
        cases=sum(per_person.values()),
        people=len(per_person),
        by_employment_type=by_type,
        by_status=statuses,
        by_domain=by_domain,
    )


@dataclass(frozen=True)
class CohortPerson:
    person: Person
    cases: int


def cohort_people(*, today: date | None = None, visible: Q | None = None) -> list[CohortPerson]:
    """The people in the cohort with their number of cases, highest risk score first."""
    cases = cohort_cases_by_person(today=today)
    people = Person.objects.filter(pk__in=cohort_links(today=today).values("person_id"))
    if visible is not None:
        people = people.filter(visible)
    people = people.select_related("risk_score", "review", "review__reviewer").order_by(
        F("risk_score__score").desc(nulls_last=True), "id"
    )
    return [CohortPerson(person, cases.get(person.pk, 0)) for person in people]


def review_for(person_id: int) -> PersonReview | None:
    return PersonReview.objects.select_related("reviewer", "decided_by").filter(person_id=person_id).first()


def review_status(person_id: int) -> str:
    review = PersonReview.objects.filter(person_id=person_id).values_list("status", flat=True).first()
    return review or ReviewStatus.NOT_IN_COHORT


def latest_case_review(person_id: int) -> CaseReview | None:
    return (
        CaseReview.objects.select_related("author")
        .prefetch_related("approvals__decided_by")
        .filter(review__person_id=person_id)
        .order_by("-started_at", "-id")
        .first()
    )


def case_reviews(person_id: int) -> list[CaseReview]:
    return list(
        CaseReview.objects.select_related("author")
        .prefetch_related("approvals__decided_by")
        .filter(review__person_id=person_id)
        .order_by("-started_at", "-id")
    )


def active_measures(person_id: int | None = None) -> QuerySet[RiskMeasure]:
    measures = RiskMeasure.objects.filter(lifted_on__isnull=True).select_related("person", "imposed_by")
    if person_id is not None:
        measures = measures.filter(person_id=person_id)
    return measures.order_by("review_by", "id")


def overdue_measures(*, today: date | None = None, visible: Q | None = None) -> QuerySet[RiskMeasure]:
    """Active restrictions and suspensions whose review-by date has passed, most overdue first."""
    today = today or timezone.localdate()
    measures = active_measures().filter(review_by__lt=today)
    if visible is not None:
        measures = measures.filter(person__in=Person.objects.filter(visible))
    return measures


def measures_for(person_id: int) -> list[RiskMeasure]:
    return list(
        RiskMeasure.objects.filter(person_id=person_id)
        .select_related("imposed_by", "lifted_by")
        .prefetch_related("reviews__reviewed_by")
        .order_by("lifted_on", "-started_on", "-id")
    )


def open_tasks(*, visible: Q | None = None, kind: str = "") -> QuerySet[Task]:
    tasks = Task.objects.filter(done_at__isnull=True).select_related("person").prefetch_related("allegations")
    if visible is not None:
        tasks = tasks.filter(person__in=Person.objects.filter(visible))
    if kind:
        tasks = tasks.filter(kind=kind)
    return tasks.order_by("-raised_at", "-id")


def tasks_for(person_id: int) -> list[Task]:
    return list(
        Task.objects.filter(person_id=person_id).select_related("done_by").prefetch_related("allegations")
    )


def people_with_open_tasks(person_ids: list[int]) -> set[int]:
    """Which of these people have an open task (every list marks them)."""
    if not person_ids:
        return set()
    return set(
        Task.objects.filter(person_id__in=person_ids, done_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def iopc_suggestions(person_id: int) -> list[str]:
    """IOPC mandatory-referral criteria the linked allegations' categories point to, for the
    reviewer to confirm or not (a suggestion, never a decision)."""
    categories = set(
        AllegationLink.objects.filter(person_id=person_id, status__in=LINKED_STATUSES).values_list(
            "allegation__category_id", flat=True
        )
    )
    suggested = []
    if categories & {"rape", "sexual_assault"}:
        suggested.append(IOPCCriterion.SERIOUS_SEXUAL_ASSAULT.value)
    if "abuse_of_position_sexual" in categories:
        suggested.append(IOPCCriterion.SERIOUS_CORRUPTION.value)
    if categories & {"domestic_violence"}:
        suggested.append(IOPCCriterion.SERIOUS_ASSAULT.value)
    if categories & {"rape", "sexual_assault", "stalking", "coercive_control"}:
        suggested.append(IOPCCriterion.SEVEN_YEAR_OFFENCE.value)
    return suggested


@dataclass(frozen=True)
class IncidentSpread:
    """Whether the linked allegations look like several incidents not closely connected: different
    complainants, or more than `apart_days` apart. The reviewer decides; this only points."""

    incidents: int
    complainants: int
    first: date | None
    last: date | None

    @property
    def looks_unconnected(self) -> bool:
        return self.incidents >= 2


def incident_spread(person_id: int, *, apart_days: int = 28) -> IncidentSpread:
    rows = list(
        AllegationLink.objects.filter(person_id=person_id, status__in=LINKED_STATUSES)
        .order_by("allegation__received_on")
        .values_list("allegation__received_on", "allegation__incident_date", "allegation__complainant_ref")
    )
    if not rows:
        return IncidentSpread(0, 0, None, None)
    incidents: list[tuple[date, str]] = []
    for received_on, incident_date, complainant in rows:
        when = incident_date or received_on
        connected = any(
            abs((when - other).days) <= apart_days and (not complainant or not who or complainant == who)
            for other, who in incidents
        )
        if not connected:
            incidents.append((when, complainant))
    complainants = {complainant for _, _, complainant in rows if complainant}
    dates = [incident_date or received_on for received_on, incident_date, _ in rows]
    return IncidentSpread(len(incidents), len(complainants), min(dates), max(dates))


@dataclass(frozen=True)
class TimelineItem:
    at: datetime | date
    kind: str
    text: str
    actor: str = ""
    allegation_id: int | None = None


def person_timeline(person_id: int, *, allegations_visible: Q | None = None) -> list[TimelineItem]:
    """Everything that happened, newest first: joining, vetting grants, each linked allegation
    (received), and every review event (status, assignment, reviews, approvals, measures, tasks)."""
    items: list[TimelineItem] = []
    person = Person.objects.only("joined_on", "left_on", "forenames", "surname").get(pk=person_id)
    if person.joined_on:
        items.append(TimelineItem(person.joined_on, "person", "Joined the force"))
    if person.left_on:
        items.append(TimelineItem(person.left_on, "person", "Left the force"))
    for level, granted_on, expires_on in VettingClearance.objects.filter(person_id=person_id).values_list(
        "level", "granted_on", "expires_on"
    ):
        suffix = f", expires {expires_on:%Y-%m-%d}" if expires_on else ""
        items.append(TimelineItem(granted_on, "vetting", f"Vetting {level} granted{suffix}"))
    allegations = Allegation.objects.filter(
        link__person_id=person_id, link__status__in=LINKED_STATUSES
    ).select_related("category", "source_system", "outcome")
    if allegations_visible is not None:
        allegations = allegations.filter(allegations_visible)
    labels = {term.code: term.label for term in CATEGORIES}
    for allegation in allegations:
        outcome = f"; {allegation.outcome.label.lower()}" if allegation.outcome else ""
        items.append(
            TimelineItem(
                allegation.received_on,
                "allegation",
                f"Allegation {allegation.allegation_ref} received: {labels.get(allegation.category_id, '')} "
                f"({allegation.source_system.label.lower()}){outcome}",
                allegation_id=allegation.pk,
            )
        )
    for entry in TimelineEntry.objects.filter(person_id=person_id):
        items.append(TimelineItem(entry.at, entry.kind, entry.text, entry.actor_label))
    return sorted(items, key=_timeline_key, reverse=True)


def _timeline_key(item: TimelineItem) -> tuple[date, int]:
    when = item.at.date() if isinstance(item.at, datetime) else item.at
    # On the same day, events Vigil recorded come after the records they are about.
    return (when, 1 if isinstance(item.at, datetime) else 0)


def cohort_history() -> list[CohortDefinition]:
    return list(CohortDefinition.objects.select_related("created_by").order_by("-version"))


def task_get(task_id: int) -> Task:
    """The task (Http404 if none): the view then checks the user may see its person."""
    return get_object_or_404(Task.objects.only("id", "person_id"), pk=task_id)


def measure_get(measure_id: int) -> RiskMeasure:
    return get_object_or_404(RiskMeasure.objects.only("id", "person_id"), pk=measure_id)


def review_form_initial(person_id: int) -> dict[str, Any]:
    """What the review form starts with: Vigil's pointers, for the reviewer to confirm or change."""
    return {
        "iopc_criteria": iopc_suggestions(person_id),
        "several_incidents": incident_spread(person_id).looks_unconnected,
    }


def last_return(person_id: int) -> ReviewApproval | None:
    """The supervisor's latest return of this person's review, if the review is back with its reviewer."""
    return (
        ReviewApproval.objects.select_related("decided_by", "case_review")
        .filter(case_review__review__person_id=person_id, decision=ApprovalDecision.RETURNED)
        .order_by("-decided_at", "-id")
        .first()
    )
