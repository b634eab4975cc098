"""Reads for intake: the triage queue, one report with its decisions, the decisions waiting for a
supervisor, and the referral figures the oversight pages build on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from vigil.allegations.models import Allegation
from vigil.intake.models import REFERRAL_ROUTES, HotlineReport, TriageDecision, TriageStatus
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.risk.models import RiskScore


@dataclass(frozen=True)
class TriageFilters:
    status: str = TriageStatus.AWAITING_TRIAGE
    urgent_only: bool = False


def triage_queue(*, visible: Q, filters: TriageFilters | None = None) -> QuerySet[HotlineReport]:
    """Reports in one triage state, as the user may see them: urgent first, then by the subject's
    risk score (unknown subjects last), then the longest waiting. The order is read off the
    hotlinereport_queue index (queue_rank: the score, copied whenever scores or links change), so
    a page and its count cost the same with 50 or 50,000 waiting. with_subject_risk adds the
    score to show, read afresh, to the rows of one page."""
    filters = filters or TriageFilters()
    rows = HotlineReport.objects.filter(status=filters.status)
    if visible:  # an empty Q (the caseload, no conflicts) would only add a semi-join over every row
        rows = rows.filter(allegation__in=Allegation.objects.filter(visible))
    if filters.urgent_only:
        rows = rows.filter(immediate_risk=True)
    return rows.select_related("allegation", "allegation__category", "allegation__link").order_by(
        "-immediate_risk", "-queue_rank", "received_at", "id"
    )


def report_subject_id(report: HotlineReport) -> int | None:
    """The report's subject: the person its allegation is linked to, else the call handler's pick."""
    link: AllegationLink | None = getattr(report.allegation, "link", None)  # None: not linked yet
    if link is not None and link.status in LINKED_STATUSES:
        return link.person_id
    return report.handler_candidate_id


def with_subject_risk(reports: Iterable[HotlineReport], *, people: set[int]) -> list[HotlineReport]:
    """The reports, each with `subject_score` and `subject_band` (None when the subject is not
    known, not scored, or not among `people`, those the user may see): one query for a page."""
    rows = list(reports)
    subjects = {row.pk: report_subject_id(row) for row in rows}
    scores = {
        score.person_id: score
        for score in RiskScore.objects.filter(
            person_id__in={s for s in subjects.values() if s is not None and s in people}
        ).only("person_id", "score", "band")
    }
    for row in rows:
        score = scores.get(subjects[row.pk])  # type: ignore[arg-type]
        row.subject_score = score.score if score else None  # type: ignore[attr-defined]
        row.subject_band = score.band if score else None  # type: ignore[attr-defined]
    return rows


def urgent_waiting_count(*, visible: Q) -> int:
    """Urgent reports not yet triaged: shown on every page to assessors and supervisors."""
    return (
        HotlineReport.objects.filter(status=TriageStatus.AWAITING_TRIAGE, immediate_risk=True)
        .filter(allegation__in=Allegation.objects.filter(visible))
        .count()
    )


def report_get(*, report_id: int, visible: Q) -> HotlineReport | None:
    return (
        HotlineReport.objects.filter(pk=report_id, allegation__in=Allegation.objects.filter(visible))
        .select_related(
            "allegation",
            "allegation__category",
            "allegation__link",
            "allegation__link__person",
            "handler_candidate",
            "call_handler",
            "client",
            "incident",
        )
        .first()
    )


def incident_reports(report: HotlineReport, *, visible: Q) -> list[HotlineReport]:
    """The other reports grouped with this one, among those the user may see."""
    if report.incident_id is None:
        return []
    return list(
        HotlineReport.objects.filter(visible, incident_id=report.incident_id)
        .exclude(pk=report.pk)
        .select_related("allegation", "allegation__category")
        .order_by("received_at")
    )


def decisions_for(report: HotlineReport) -> list[TriageDecision]:
    return list(report.decisions.select_related("decided_by", "approved_by"))


def decisions_awaiting_approval(*, visible: Q) -> QuerySet[TriageDecision]:
    return (
        TriageDecision.objects.filter(approval=TriageDecision.Approval.PENDING)
        .filter(report__allegation__in=Allegation.objects.filter(visible))
        .select_related("report__allegation__category", "decided_by")
        .order_by("decided_at")
    )


@dataclass(frozen=True)
class ReferralFigures:
    """Triage outcomes in a period: the decisions in force (approved or not needing approval)."""

    reports_received: int
    decided: int
    referred: int
    by_route: dict[str, int]
    by_reason: dict[str, int]

    @property
    def referral_rate(self) -> float | None:
        return self.referred / self.decided if self.decided else None


def _latest_in_force(*, since: dt.datetime | None, until: dt.datetime | None) -> QuerySet[TriageDecision]:
    """Each report's latest decision in force (not waiting for or refused approval), among those
    decided in [since, until): the decisions with no later one in force (ties by id)."""
    in_force = TriageDecision.objects.filter(
        approval__in=(TriageDecision.Approval.NOT_NEEDED, TriageDecision.Approval.APPROVED)
    )
    if since is not None:
        in_force = in_force.filter(decided_at__gte=since)
    if until is not None:
        in_force = in_force.filter(decided_at__lt=until)
    later = in_force.filter(report_id=OuterRef("report_id")).filter(
        Q(decided_at__gt=OuterRef("decided_at")) | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    return in_force.filter(~Exists(later))


def latest_triage_decisions(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> dict[int, tuple[str, list[str]]]:
    """report id -> (route, reason codes) of its latest decision in force (not waiting for or
    refused approval), among those decided in [since, until)."""
    rows = _latest_in_force(since=since, until=until).values_list("report_id", "route", "reason_codes")
    return {report_id: (route, list(codes)) for report_id, route, codes in rows}


def referral_figures(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ReferralFigures:
    """Counts for oversight (no names): reports received, decided, referred, by route and reason.
    A report's latest decision in force is the one counted."""
    received = HotlineReport.objects.all()
    if since is not None:
        received = received.filter(received_at__gte=since)
    if until is not None:
        received = received.filter(received_at__lt=until)
    latest = _latest_in_force(since=since, until=until)
    by_route = dict(latest.values("route").annotate(n=Count("pk")).order_by().values_list("route", "n"))
    by_reason = Counter(code for codes in latest.values_list("reason_codes", flat=True) for code in codes)
    return ReferralFigures(
        reports_received=received.count(),
        decided=sum(by_route.values()),
        referred=sum(count for route, count in by_route.items() if route in REFERRAL_ROUTES),
        by_route=by_route,
        by_reason=dict(by_reason),
    )
