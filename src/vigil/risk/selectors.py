"""Reads for risk: the scorer's facts (every column named, no protected characteristic among
them), and the review queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, Field, Model, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_date

from vigil.allegations.models import Allegation
from vigil.allegations.vocabularies import OUTCOMES
from vigil.core.bulk import chunked
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.people.models import Person, VettingClearance
from vigil.risk.facts import AllegationFacts, PersonFacts
from vigil.risk.models import RiskScore, ScoreRun

_OUTCOME_CLASS = {term.code: term.outcome_class for term in OUTCOMES}
_FETCH = 20_000  # rows per fetch
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


def _column(model: type[Model], path: str, alias: str) -> tuple[str, bool]:
    """The SQL for one of the columns named above ("allegation__" reads the joined allegation),
    and whether it holds a date."""
    if path.startswith("allegation__"):
        model, path, alias = Allegation, path.removeprefix("allegation__"), "a"
    field = model._meta.get_field(path)  # a name or, for a foreign key, its "_id" attribute
    assert isinstance(field, Field) and field.column
    return f"{alias}.{connection.ops.quote_name(field.column)}", field.get_internal_type() == "DateField"


def _select(model: type[Model], columns: Sequence[str], alias: str) -> str:
    """The SELECT list for `columns`. On SQLite dates are read as text (no converter called per
    value by the driver) and parsed once per distinct value by _Dates."""
    parts = []
    for path in columns:
        sql, is_date = _column(model, path, alias)
        parts.append(f"CAST({sql} AS TEXT)" if is_date and connection.vendor == "sqlite" else sql)
    return ", ".join(parts)


class _Dates(dict[str | date | None, date | None]):
    """A date column's value as a date: `dates[value]`. Text (SQLite) is parsed as Django's SQLite
    backend parses it, each distinct value once; a date (PostgreSQL) and None are themselves."""

    def __missing__(self, value: str | date | None) -> date | None:
        parsed = value if value is None or isinstance(value, date) else parse_date(value)
        if parsed is None and value is not None:
            raise ValueError(f"not a date: {value!r}")
        self[value] = parsed
        return parsed


def _rows(sql: str, params: list[Any], person_ids: list[int] | None) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` (with "{people}" where the person filter goes, when there is one), a
    chunk of ids at a time; date columns still to be read through _Dates."""
    chunks: Iterable[list[int] | None] = [None] if person_ids is None else chunked(person_ids)
    with connection.cursor() as cursor:
        for chunk in chunks:
            where = "" if chunk is None else f"IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(sql.format(people=where), [*params, *(chunk or [])])
            while batch := cursor.fetchmany(_FETCH):
                yield from batch


def person_facts(*, person_ids: Collection[int] | None = None) -> dict[int, PersonFacts]:
    """The scorer's facts for these people (None: everyone on the register), by person id.

    Read with plain SQL (the ORM's per-row machinery took most of the read at 1,000,000
    allegations); the columns are the ones named in _PERSON_COLUMNS and _ALLEGATION_COLUMNS."""
    ids = sorted(person_ids) if person_ids is not None else None
    quote = connection.ops.quote_name
    day = _Dates()
    people: dict[int, PersonFacts] = {}
    select = _select(Person, _PERSON_COLUMNS, "p")
    where = "" if ids is None else " WHERE p.id {people}"
    sql = f"SELECT {select} FROM {quote(Person._meta.db_table)} p{where}"  # noqa: S608 (names, not values)
    for pk, force, joined_on, left_on, role, command, rank in _rows(sql, [], ids):
        people[pk] = PersonFacts(
            person_id=pk,
            force=force,
            joined_on=day[joined_on],
            left_on=day[left_on],
            role=f"{role} {command} {rank}".lower(),
            last_vetting_granted=None,
            last_vetting_expires=None,
        )
    # The latest grant that was not refused or withdrawn, and its expiry (rows in the model's
    # order, latest grant first within a person, as the ORM read them).
    select = _select(VettingClearance, ("person_id", "granted_on", "expires_on"), "v")
    where = "(v.outcome = '' OR v.outcome = 'granted')" + ("" if ids is None else " AND v.person_id {people}")
    table = quote(VettingClearance._meta.db_table)
    # Two grants on one day: the one in force longest counts (as for the vetting review task).
    order = "v.person_id ASC, v.granted_on DESC, (v.expires_on IS NULL) DESC, v.expires_on DESC, v.id DESC"
    sql = f"SELECT {select} FROM {table} v WHERE {where} ORDER BY {order}"  # noqa: S608
    for person_id, granted_text, expires_on in _rows(sql, [], ids):
        facts = people.get(person_id)
        if facts is None:
            continue
        granted_on = day[granted_text]
        assert granted_on is not None  # NOT NULL
        if facts.last_vetting_granted is None or granted_on > facts.last_vetting_granted:
            facts.last_vetting_granted = granted_on
            facts.last_vetting_expires = day[expires_on]
    select = _select(AllegationLink, _ALLEGATION_COLUMNS, "l")
    where = f"l.status IN ({', '.join(['%s'] * len(LINKED_STATUSES))})"
    where += "" if ids is None else " AND l.person_id {people}"
    tables = f"{quote(AllegationLink._meta.db_table)} l INNER JOIN {quote(Allegation._meta.db_table)} a"
    sql = f"SELECT {select} FROM {tables} ON l.allegation_id = a.id WHERE {where}"  # noqa: S608
    outcome_class = _OUTCOME_CLASS.get
    for row in _rows(sql, [str(status) for status in LINKED_STATUSES], ids):
        (person_id, allegation_id, ref, received_on, incident_date, category, source, complainant,
         outcome, outcome_on, summary, details, subject_force) = row  # fmt: skip
        facts = people.get(person_id)
        if facts is None:
            continue
        received = day[received_on]
        assert received is not None  # NOT NULL
        facts.allegations.append(
            AllegationFacts(
                allegation_id=allegation_id,
                ref=ref,
                received_on=received,
                incident_date=day[incident_date],
                category=category,
                source=source,
                complainant=complainant,
                outcome_class=outcome_class(outcome, "") if outcome else "",
                outcome_on=day[outcome_on],
                text=f"{summary} {details}".lower() if summary or details else "",
                subject_force=subject_force,
            )
        )
    return people


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
    from vigil.reviews.models import MeasureKind, PersonReview, ReviewStatus, RiskMeasure, Task

    filters = filters or QueueFilters()
    rows = (
        RiskScore.objects.filter(score__gt=0)
        .select_related("person", "person__review", "person__review__reviewer")
        .annotate(
            has_open_tasks=Exists(Task.objects.filter(person_id=OuterRef("person_id"), done_at__isnull=True)),
            # The overlays on the review status: any active restriction, and suspension.
            is_restricted=Exists(
                RiskMeasure.objects.filter(person_id=OuterRef("person_id"), lifted_on__isnull=True).exclude(
                    kind=MeasureKind.SUSPENSION
                )
            ),
            is_suspended=Exists(
                RiskMeasure.objects.filter(
                    person_id=OuterRef("person_id"), lifted_on__isnull=True, kind=MeasureKind.SUSPENSION
                )
            ),
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
