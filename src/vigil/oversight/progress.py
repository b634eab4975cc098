"""How far the review has got, for the weekly board: the cohort reviewed by route, the hotline,
restrictions and tasks, the backlog's age, the time to decisions, and when the review finishes at
the current pace (with a range, because a few weeks' pace is an estimate)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from scipy.stats import chi2  # type: ignore[import-untyped]

from vigil.allegations.models import Allegation
from vigil.intake.models import HotlineReport, TriageDecision
from vigil.intake.selectors import ReferralFigures, referral_figures
from vigil.reviews.models import MeasureKind, PersonReview, ReviewStatus, Route, Task, TaskKind
from vigil.reviews.selectors import active_measures, cohort_cases_by_person, cohort_links, overdue_measures

PACE_WEEKS = 8  # the pace is the people decided in the last 8 weeks
HOTLINE_DAYS = 28
DECIDED = (ReviewStatus.DECIDED, ReviewStatus.CLOSED)


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


def progress(*, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    cases = cohort_cases_by_person(today=today)
    cohort = PersonReview.objects.filter(person_id__in=list(cases))
    decided = cohort.filter(status__in=DECIDED)
    routes = Counter(
        dict(decided.exclude(route="").values("route").annotate(n=Count("pk")).values_list("route", "n"))
    )
    window_start = timezone.now() - dt.timedelta(weeks=PACE_WEEKS)
    measures = active_measures()
    tasks = Task.objects.filter(done_at__isnull=True)
    backlog_median, backlog_oldest = _backlog(
        today, decided_people=set(decided.values_list("person_id", flat=True))
    )
    return Progress(
        today=today,
        cohort_cases=sum(cases.values()),
        cohort_people=len(cases),
        people_decided=decided.count(),
        by_route=[(label, routes.get(code, 0)) for code, label in Route.choices],
        hotline_per_day=hotline_per_day(today),
        hotline=referral_figures(),
        active_restrictions=measures.exclude(kind=MeasureKind.SUSPENSION).count(),
        active_suspensions=measures.filter(kind=MeasureKind.SUSPENSION).count(),
        overdue_measure_reviews=overdue_measures(today=today).count(),
        open_reconsider_tasks=tasks.filter(kind=TaskKind.RECONSIDER).count(),
        open_vetting_tasks=tasks.filter(kind=TaskKind.VETTING_REVIEW).count(),
        backlog_median_days=backlog_median,
        backlog_oldest_days=backlog_oldest,
        triage_median_hours=_triage_median_hours(),
        outcome_median_days=_outcome_median_days(today),
        forecast=forecast(
            remaining=len(cases) - decided.count(),
            decided_in_window=decided.filter(decided_at__gte=window_start).count(),
            weeks=PACE_WEEKS,
            today=today,
        ),
    )


def hotline_per_day(today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Reports received on each of the last HOTLINE_DAYS days, today last."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=HOTLINE_DAYS - 1)
    counts = dict(
        HotlineReport.objects.filter(received_at__date__gte=first)
        .annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        (first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0))
        for i in range(HOTLINE_DAYS)
    ]


def _backlog(today: dt.date, *, decided_people: set[int]) -> tuple[float | None, int | None]:
    """The median and the oldest age, in days, of the cohort cases of people not yet decided."""
    received = [
        (today - row["received_on"]).days
        for row in cohort_links(today=today)
        .exclude(person_id__in=decided_people)
        .values("allegation__received_on")
        .annotate(received_on=Min("allegation__received_on"))
        .values("received_on")
    ]
    if not received:
        return None, None
    return statistics.median(received), max(received)


def _triage_median_hours() -> float | None:
    first_decisions = (
        TriageDecision.objects.filter(
            approval__in=(TriageDecision.Approval.NOT_NEEDED, TriageDecision.Approval.APPROVED)
        )
        .values("report_id", "report__received_at")
        .annotate(first=Min("decided_at"))
    )
    hours = [(row["first"] - row["report__received_at"]).total_seconds() / 3600 for row in first_decisions]
    return statistics.median(hours) if hours else None


def _outcome_median_days(today: dt.date) -> float | None:
    """Over the outcomes recorded in the last year: the current speed, not the archive's."""
    rows = Allegation.objects.filter(outcome_on__gt=today - dt.timedelta(days=365)).values_list(
        "received_on", "outcome_on"
    )
    days = [(outcome_on - received_on).days for received_on, outcome_on in rows if outcome_on]
    return statistics.median(days) if days else None
