"""Reads for intake: the triage queue, one report with its decisions, the decisions waiting for a
supervisor, and the referral figures the oversight pages build on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When

from vigil.allegations.models import Allegation
from vigil.intake.models import REFERRAL_ROUTES, HotlineReport, TriageDecision, TriageStatus
from vigil.linkage.models import LINKED_STATUSES
from vigil.risk.models import RiskScore


@dataclass(frozen=True)
class TriageFilters:
    status: str = TriageStatus.AWAITING_TRIAGE
    urgent_only: bool = False


def _subject_id() -> Case:
    """The report's subject: the person it is linked to, else the call handler's pick."""
    return Case(
        When(allegation__link__status__in=LINKED_STATUSES, then=F("allegation__link__person_id")),
        default=F("handler_candidate_id"),
        output_field=IntegerField(),
    )


def triage_queue(*, visible: Q, filters: TriageFilters | None = None) -> QuerySet[HotlineReport]:
    """Reports in one triage state, as the user may see them: urgent first, then by the subject's
    risk score (unknown subjects last), then the longest waiting."""
    filters = filters or TriageFilters()
    rows = (
        HotlineReport.objects.filter(status=filters.status)
        .filter(allegation__in=Allegation.objects.filter(visible))
        .select_related("allegation", "allegation__category", "allegation__link")
        .annotate(subject_id=_subject_id())
        .annotate(
            subject_score=Subquery(
                RiskScore.objects.filter(person_id=OuterRef("subject_id")).values("score")[:1]
            ),
            subject_band=Subquery(
                RiskScore.objects.filter(person_id=OuterRef("subject_id")).values("band")[:1]
            ),
        )
        .order_by("-immediate_risk", F("subject_score").desc(nulls_last=True), "received_at", "id")
    )
    if filters.urgent_only:
        rows = rows.filter(immediate_risk=True)
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


def incident_reports(report: HotlineReport) -> list[HotlineReport]:
    if report.incident_id is None:
        return []
    return list(
        HotlineReport.objects.filter(incident_id=report.incident_id)
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


def referral_figures(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ReferralFigures:
    """Counts for oversight (no names): reports received, decided, referred, by route and reason.
    A report's latest decision in force is the one counted."""
    received = HotlineReport.objects.all()
    decisions = TriageDecision.objects.filter(
        approval__in=(TriageDecision.Approval.NOT_NEEDED, TriageDecision.Approval.APPROVED)
    )
    if since is not None:
        received = received.filter(received_at__gte=since)
        decisions = decisions.filter(decided_at__gte=since)
    if until is not None:
        received = received.filter(received_at__lt=until)
        decisions = decisions.filter(decided_at__lt=until)
    latest: dict[int, tuple[str, list[str]]] = {}
    for report_id, route, codes in decisions.order_by("decided_at", "id").values_list(
        "report_id", "route", "reason_codes"
    ):
        latest[report_id] = (route, list(codes))
    by_route = Counter(route for route, _ in latest.values())
    by_reason = Counter(code for _, codes in latest.values() for code in codes)
    return ReferralFigures(
        reports_received=received.count(),
        decided=len(latest),
        referred=sum(count for route, count in by_route.items() if route in REFERRAL_ROUTES),
        by_route=dict(by_route),
        by_reason=dict(by_reason),
    )
