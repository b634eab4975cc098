"""How far the review has got, for the weekly board: the cohort reviewed by route, the hotline,
restrictions and tasks, the backlog's age, the time to decisions, and when the review finishes at
the current pace (with a range, because a few weeks' pace is an estimate)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from scipy.stats import chi2  # type: ignore[import-untyped]

from vigil.allegations.models import Allegation
from vigil.intake.models import HotlineReport, TriageDecision
from vigil.intake.selectors import ReferralFigures, referral_figures
from vigil.reviews.models import MeasureKind, PersonReview, ReviewStatus, Route, Task, TaskKind
from vigil.reviews.selectors import active_measures, overdue_measures

PACE_WEEKS = 8  # the pace is the people decided in the last 8 weeks
HOTLINE_DAYS = 28
DECIDED = (ReviewStatus.DECIDED, ReviewStatus.CLOSED)


class Unset:
    """progress()'s "not given": None is a figure there (no outcome recorded in the year)."""


UNSET = Unset()


@dataclass(frozen=True)
class Forecast:
    """When the people still to review are done at the pace of the last PACE_WEEKS weeks.
    The range comes from the exact 95% Poisson interval on the number decided in that window.
    Dates are None when there is no pace to project (nobody decided yet: "not yet known")."""

    remaining: int
    decided_in_window: int
    per_week: float
    per_week_low: float
    per_week_high: float
    finish: dt.date | None
    finish_earliest: dt.date | None
    finish_latest: dt.date | None


def forecast(*, remaining: int, decided_in_window: int, weeks: int, today: dt.date) -> Forecast:
    low_count = chi2.ppf(0.025, 2 * decided_in_window) / 2 if decided_in_window else 0.0
    high_count = chi2.ppf(0.975, 2 * (decided_in_window + 1)) / 2
    per_week, low, high = decided_in_window / weeks, float(low_count) / weeks, float(high_count) / weeks

    def finish(pace: float) -> dt.date | None:
        if remaining == 0:
            return today
        if pace <= 0:
            return None
        return today + dt.timedelta(days=round(7 * remaining / pace))

    return Forecast(
        remaining=remaining,
        decided_in_window=decided_in_window,
        per_week=per_week,
        per_week_low=low,
        per_week_high=high,
        finish=finish(per_week),
        finish_earliest=finish(high),
        finish_latest=finish(low) if decided_in_window else None,
    )


@dataclass(frozen=True)
class Progress:
    today: dt.date
    cohort_cases: int
    cohort_people: int
    people_decided: int
    by_route: list[tuple[str, int]]  # (route label, people), every route
    hotline_per_day: list[tuple[dt.date, int]]  # the last HOTLINE_DAYS days, oldest first
    hotline: ReferralFigures
    active_restrictions: int
    active_suspensions: int
    overdue_measure_reviews: int
    open_reconsider_tasks: int
    open_vetting_tasks: int
    backlog_median_days: float | None  # age of the cohort cases of people not yet decided
    backlog_oldest_days: int | None
    triage_median_hours: float | None  # hotline report received -> first decision in force
    outcome_median_days: float | None  # allegation received -> outcome recorded, the last year
    forecast: Forecast


def progress(*, today: dt.date | None = None, outcome_median_days: float | Unset | None = UNSET) -> Progress:
    """Every figure from counts the database makes: the cohort is read from each person's stored
    place in it (kept by `cohort_sync`), never rebuilt from the links. `outcome_median_days` may
    come from the counted figures (it reads every allegation); without it, it is counted here."""
    today = today or timezone.localdate()
    cohort = PersonReview.objects.filter(in_cohort=True)
    decided = cohort.filter(status__in=DECIDED)
    routes = Counter(
        dict(decided.exclude(route="").values("route").annotate(n=Count("pk")).values_list("route", "n"))
    )
    waiting = ~Q(status__in=DECIDED)
    totals = cohort.aggregate(  # one pass over the cohort for every count
        people=Count("pk"),
        cases=Coalesce(Sum("cohort_cases"), 0),
        decided=Count("pk", filter=Q(status__in=DECIDED)),
        decided_in_window=Count(
            "pk",
            filter=Q(status__in=DECIDED, decided_at__gte=timezone.now() - dt.timedelta(weeks=PACE_WEEKS)),
        ),
        waiting_dated=Count("cohort_oldest_on", filter=waiting),
        oldest=Min("cohort_oldest_on", filter=waiting),
    )
    measures = active_measures()
    tasks = Task.objects.filter(done_at__isnull=True)
    oldest = totals["oldest"]
    backlog_median = median(
        cohort.filter(waiting, cohort_oldest_on__isnull=False),
        "cohort_oldest_on",
        count=totals["waiting_dated"],
    )
    if isinstance(outcome_median_days, Unset):
        outcome_median_days = outcome_median_days_count(today)
    return Progress(
        today=today,
        cohort_cases=totals["cases"],
        cohort_people=totals["people"],
        people_decided=totals["decided"],
        by_route=[(label, routes.get(code, 0)) for code, label in Route.choices],
        hotline_per_day=hotline_per_day(today),
        hotline=referral_figures(),
        active_restrictions=measures.exclude(kind=MeasureKind.SUSPENSION).count(),
        active_suspensions=measures.filter(kind=MeasureKind.SUSPENSION).count(),
        overdue_measure_reviews=overdue_measures(today=today).count(),
        open_reconsider_tasks=tasks.filter(kind=TaskKind.RECONSIDER).count(),
        open_vetting_tasks=tasks.filter(kind=TaskKind.VETTING_REVIEW).count(),
        # The median age is today less the median date (the later of the two middle dates is the
        # younger age, so the mean of the two ages is today less their mean).
        backlog_median_days=None if backlog_median is None else _days_before(today, backlog_median),
        backlog_oldest_days=None if oldest is None else (today - oldest).days,
        triage_median_hours=_triage_median_hours(),
        outcome_median_days=outcome_median_days,
        forecast=forecast(
            remaining=totals["people"] - totals["decided"],
            decided_in_window=totals["decided_in_window"],
            weeks=PACE_WEEKS,
            today=today,
        ),
    )


def hotline_per_day(today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Reports received on each of the last HOTLINE_DAYS days, today last."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=HOTLINE_DAYS - 1)
    counts = dict(
        # From local midnight as a datetime, not received_at__date: the index on received_at serves it.
        HotlineReport.objects.filter(
            received_at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        )
        .annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        (first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
        for i in range(HOTLINE_DAYS)
    ]


Middle = tuple[Any, Any]


def median(rows: QuerySet[Any], field: str, *, count: int | None = None) -> Middle | None:
    """The two middle values of `field` over `rows` (the same one twice for an odd count), or
    None for no rows: read by the database in order, on SQLite as on PostgreSQL, without
    loading the rows. `count`: the number of rows, when the caller has counted them already."""
    count = rows.count() if count is None else count
    if not count:
        return None
    middle = list(rows.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1])
    return middle[0], middle[-1]


def _days_before(today: dt.date, middle: Middle) -> float:
    oldest, youngest = (today - middle[0]).days, (today - middle[1]).days
    return float(oldest + youngest) / 2


def _mean(middle: Middle | None) -> Any:
    return None if middle is None else middle[0] + (middle[1] - middle[0]) / 2


def _triage_median_hours() -> float | None:
    """Hotline report received -> its first triage decision in force."""
    waits = (
        TriageDecision.objects.filter(
            approval__in=(TriageDecision.Approval.NOT_NEEDED, TriageDecision.Approval.APPROVED)
        )
        .values("report_id")
        .annotate(
            wait=ExpressionWrapper(Min("decided_at") - F("report__received_at"), output_field=DurationField())
        )
    )
    wait = _mean(median(waits, "wait"))
    return None if wait is None else wait.total_seconds() / 3600


def outcome_median_days_count(today: dt.date) -> float | None:
    """Allegation received -> outcome recorded, over the outcomes recorded in the last year: the
    current speed, not the archive's. Reads every allegation (the counted figures keep it)."""
    took = Allegation.objects.filter(outcome_on__gt=today - dt.timedelta(days=365)).annotate(
        took=ExpressionWrapper(F("outcome_on") - F("received_on"), output_field=DurationField())
    )
    middle = _mean(median(took, "took"))
    return None if middle is None else middle.total_seconds() / 86400
