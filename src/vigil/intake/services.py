"""Every change to intake is one function here: filing a report (from the form or the API),
triage decisions and their approval, repeat-call judgements, and the API's clients and rate limit.
Each checks who may make it and writes the audit trail in the same transaction.

A filed report is an allegation from the source `hotline` like any other: `vigil link` links it,
scoring and the reconsider task follow from the link. The call handler's pick of a subject is
kept as a claim; it becomes a link only when an assessor confirms it at triage (a human decision,
which no machine run overwrites)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from vigil.accounts.access import allegation_refusal, person_refusal, record_label_allegation
from vigil.accounts.roles import Role
from vigil.accounts.selectors import user_roles
from vigil.allegations.models import Allegation
from vigil.allegations.vocabularies import CATEGORIES, SEXUAL
from vigil.audit.actions import Action
from vigil.audit.services import audit_record
from vigil.core.bulk import chunked
from vigil.intake.categories import suggest_category
from vigil.intake.models import (
    CallerType,
    Channel,
    HotlineReport,
    Incident,
    IntakeClient,
    RateWindow,
    RepeatDecision,
    TriageDecision,
    TriageRoute,
    TriageStatus,
)
from vigil.linkage.models import LINKED_STATUSES, AllegationLink
from vigil.linkage.services import link_confirm
from vigil.oversight.services import counted_figures_changed
from vigil.people.models import Person
from vigil.risk.models import RiskScore

HOTLINE_SOURCE = "hotline"
MIN_REASONS = 10  # a decision's reasons: a sentence, not a tick
TOKEN_BYTES = 32

# Why a report goes where it goes: ticked with the free-text reasons, and counted by oversight.
TRIAGE_REASONS: tuple[tuple[str, str], ...] = (
    ("offence_indicated", "A criminal offence is indicated"),
    ("breach_of_standards", "A breach of the Standards of Professional Behaviour is indicated"),
    ("subject_identified", "The subject is identified on the register"),
    ("pattern", "It repeats or adds to earlier allegations about the subject"),
    ("abuse_of_position", "It suggests abuse of position"),
    ("vulnerable_victim", "The victim is vulnerable"),
    ("vetting_concern", "It bears on the subject's vetting"),
    ("insufficient_detail", "Too little detail to act on now"),
    ("subject_not_identified", "The subject cannot be identified"),
    ("not_police", "The subject is not police officer or staff"),
    ("already_dealt_with", "Already being dealt with elsewhere"),
)
TRIAGE_REASON_CODES = frozenset(code for code, _ in TRIAGE_REASONS)


class IntakeError(ValueError):
    """A change refused, with the reason in words."""


@dataclass(frozen=True)
class ReportInput:
    """One call, as the call handler or the provider's system recorded it. Dates are ISO text
    cut to what is known (YYYY, YYYY-MM or YYYY-MM-DD)."""

    caller_type: str
    narrative: str
    category: str = ""  # empty: the suggestion from the narrative (the assessor confirms)
    anonymity_requested: bool = False
    caller_name: str = ""
    contact: str = ""
    incident_date: dt.date | None = None
    incident_date_precision: str = "D"
    location: str = ""
    subject_name: str = ""
    subject_staff_id: str = ""
    subject_shoulder_number: str = ""
    subject_rank: str = ""
    subject_station: str = ""
    subject_command: str = ""
    subject_vehicle: str = ""
    subject_uniform: str = ""
    subject_online_profile: str = ""
    subject_other: str = ""
    immediate_risk: bool = False
    immediate_risk_detail: str = ""
    handler_candidate_id: int | None = None
    client_report_id: str = ""
    received_at: dt.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _subject_details(data: ReportInput) -> str:
    """The free-text description linking reads (places, roles, vehicles), one labelled line each."""
    parts = [
        ("Station", data.subject_station),
        ("Vehicle", data.subject_vehicle),
        ("Uniform", data.subject_uniform),
        ("Online profile", data.subject_online_profile),
        ("Where", data.location),
        ("Other", data.subject_other),
    ]
    return "\n".join(f"{label}: {value.strip()}" for label, value in parts if value.strip())


def _contact(data: ReportInput) -> str:
    parts = [("Name", data.caller_name.strip()), ("Contact", data.contact.strip())]
    return "\n".join(f"{label}: {value}" for label, value in parts if value)


def _row_hash(allegation: Allegation) -> str:
    fields = (
        allegation.received_on.isoformat(),
        allegation.incident_date.isoformat() if allegation.incident_date else "",
        allegation.category_id,
        allegation.summary,
        allegation.subject_name,
        allegation.subject_staff_id,
        allegation.subject_shoulder_number,
        allegation.subject_rank,
        allegation.subject_command,
        allegation.subject_details,
    )
    return hashlib.sha1(json.dumps(fields).encode(), usedforsecurity=False).hexdigest()


def _checked(data: ReportInput) -> str:
    """The category to record; IntakeError for what the form or the schema should have refused."""
    if data.caller_type not in CallerType.values:
        raise IntakeError(f"caller type {data.caller_type!r} is not one of {', '.join(CallerType.values)}")
    if len(data.narrative.strip()) < MIN_REASONS:
        raise IntakeError("Say what happened, in a sentence at least.")
    if data.immediate_risk and not data.immediate_risk_detail.strip():
        raise IntakeError("Say who is in danger now, and where.")
    if data.category:
        if data.category not in CATEGORIES.codes():
            raise IntakeError(f"category {data.category!r} is not one of {', '.join(CATEGORIES.codes())}")
        return data.category
    suggestion = suggest_category(data.narrative)
    return suggestion.code if suggestion else "other"


def report_file(
    *,
    data: ReportInput,
    channel: Channel,
    call_handler: User | None = None,
    client: IntakeClient | None = None,
    request: HttpRequest | None = None,
) -> tuple[HotlineReport, bool]:
    """File one call as a hotline allegation and its report; (report, created). From an API
    client, the same client_report_id again returns the report already filed, unchanged."""
    if (channel == Channel.API) != (client is not None):
        raise IntakeError("an API report comes from a client, a form report from a call handler")
    if client is not None:
        if not data.client_report_id:
            raise IntakeError("client_report_id is required")
        existing = _existing(client, data.client_report_id)
        if existing is not None:
            return existing, False
    category = _checked(data)
    suggestion = suggest_category(data.narrative)
    candidate = None
    if data.handler_candidate_id is not None:
        candidate = Person.objects.filter(pk=data.handler_candidate_id).first()
        if candidate is None:
            raise IntakeError("the chosen subject is not on the register")
    now = timezone.now()
    received_at = data.received_at or now
    try:
        with transaction.atomic():
            allegation = Allegation(
                source_system_id=HOTLINE_SOURCE,
                allegation_ref=f"HL-{timezone.localtime(received_at):%Y%m%d}-{secrets.token_hex(4).upper()}",
                received_on=timezone.localtime(received_at).date(),
                incident_date=data.incident_date,
                incident_date_precision=data.incident_date_precision if data.incident_date else "D",
                category_id=category,
                summary=data.narrative.strip(),
                subject_name=data.subject_name.strip(),
                subject_staff_id=data.subject_staff_id.strip(),
                subject_shoulder_number=data.subject_shoulder_number.strip(),
                subject_rank=data.subject_rank.strip(),
                subject_command=data.subject_command.strip(),
                subject_details=_subject_details(data),
                # The caller's name and contact details, sealed in the allegation's one sealed field.
                complainant_contact=_contact(data),
                created_at=now,
                updated_at=now,
            )
            allegation.row_hash = _row_hash(allegation)
            allegation.save()
            report = HotlineReport.objects.create(
                allegation=allegation,
                received_at=received_at,
                channel=channel,
                client=client,
                client_report_id=data.client_report_id,
                call_handler=call_handler,
                caller_type=data.caller_type,
                anonymity_requested=data.anonymity_requested or data.caller_type == CallerType.ANONYMOUS,
                location=data.location.strip(),
                immediate_risk=data.immediate_risk,
                immediate_risk_detail=data.immediate_risk_detail.strip(),
                suggested_category=suggestion.code if suggestion else "",
                subject_station=data.subject_station.strip(),
                subject_vehicle=data.subject_vehicle.strip(),
                subject_uniform=data.subject_uniform.strip(),
                subject_online_profile=data.subject_online_profile.strip(),
                handler_candidate=candidate,
            )
            if candidate is not None:
                queue_ranks_refresh(report_ids=[report.pk])
            audit_record(
                action=Action.HOTLINE_REPORT_FILED,
                actor=call_handler,
                actor_label=f"intake client {client.name}" if client else "",
                record_type="allegation",
                record_id=allegation.pk,
                record_label=record_label_allegation(allegation),
                # Never the caller's name or contact: the trail is read by auditors, not case staff.
                detail={
                    "channel": str(channel),
                    "client_report_id": data.client_report_id,
                    "caller_type": data.caller_type,
                    "anonymity_requested": report.anonymity_requested,
                    "contact_given": bool(_contact(data)),
                    "urgent": data.immediate_risk,
                    "category": category,
                    "suggested_category": report.suggested_category,
                    "handler_candidate_id": candidate.pk if candidate else None,
                },
                request=request,
            )
    except IntegrityError:
        # The same client report filed by a concurrent request: that one stands.
        if client is not None:
            existing = _existing(client, data.client_report_id)
            if existing is not None:
                return existing, False
        raise
    return report, True


def _subject_score() -> Coalesce:
    """For an UPDATE of hotline reports: the subject's current risk score (the person the
    allegation is linked to, else the call handler's pick), -1 if neither is known or scored."""
    linked_person = AllegationLink.objects.filter(
        allegation_id=OuterRef(OuterRef("allegation_id")), status__in=LINKED_STATUSES
    ).values("person_id")[:1]
    subject = Coalesce(Subquery(linked_person), OuterRef("handler_candidate_id"))
    score = RiskScore.objects.filter(person_id=subject).values("score")[:1]
    return Coalesce(Subquery(score), Value(-1))


def queue_ranks_refresh(
    *,
    report_ids: Sequence[int] | None = None,
    allegation_ids: Collection[int] | None = None,
    person_ids: Collection[int] | None = None,
    everything: bool = False,
) -> int:
    """Copy the subject's current score into `queue_rank`, the triage queue's sort key, for these
    reports, the reports of these allegations, the reports about (or naming) these people, or
    every report. Run in the transaction that changed the scores or links. Returns rows updated."""
    if everything:
        return HotlineReport.objects.update(queue_rank=_subject_score())
    updated = 0
    for ids in chunked(list(report_ids or ())):
        updated += HotlineReport.objects.filter(pk__in=ids).update(queue_rank=_subject_score())
    for ids in chunked(sorted(allegation_ids or ())):
        updated += HotlineReport.objects.filter(allegation_id__in=ids).update(queue_rank=_subject_score())
    for ids in chunked(sorted(person_ids or ())):
        about = Q(handler_candidate_id__in=ids) | Q(
            allegation__link__person_id__in=ids, allegation__link__status__in=LINKED_STATUSES
        )
        updated += HotlineReport.objects.filter(about).update(queue_rank=_subject_score())
    return updated


def _existing(client: IntakeClient, client_report_id: str) -> HotlineReport | None:
    return (
        HotlineReport.objects.select_related("allegation")
        .filter(client=client, client_report_id=client_report_id)
        .first()
    )


# ---- triage ----------------------------------------------------------------------------------------


def _require(user: User, roles: frozenset[Role], what: str) -> None:
    if not roles & user_roles(user):
        raise IntakeError(f"Only {' or '.join(sorted(role.label.lower() for role in roles))}s may {what}.")


def _report_locked(report_id: int, user: User) -> HotlineReport:
    report = (
        HotlineReport.objects.select_for_update().select_related("allegation").filter(pk=report_id).first()
    )
    if report is None or allegation_refusal(user=user, allegation_id=report.allegation_id) is not None:
        raise IntakeError("No such report, or it is not yours to see.")
    return report


def needs_approval(route: str, category: str) -> bool:
    """No further action on a sexual-offence allegation needs a supervisor's approval: the review
    found such allegations were dropped too readily."""
    return route == TriageRoute.NO_FURTHER_ACTION and CATEGORIES[category].domain == SEXUAL


@transaction.atomic
def triage_decide(
    *,
    report_id: int,
    by: User,
    route: str,
    reasons: str,
    reason_codes: Sequence[str] = (),
    category: str = "",
    subject_person_id: int | None = None,
    request: HttpRequest | None = None,
) -> TriageDecision:
    """An assessor's decision on a waiting report. Confirming a subject links the allegation to
    them (and so re-scores them and raises their reconsider task) in the same transaction."""
    _require(by, frozenset({Role.ASSESSOR, Role.SUPERVISOR}), "triage reports")
    report = _report_locked(report_id, by)
    if report.status != TriageStatus.AWAITING_TRIAGE:
        raise IntakeError(f"This report is {report.get_status_display().lower()}, not awaiting triage.")
    if route not in TriageRoute.values:
        raise IntakeError(f"route {route!r} is not one of {', '.join(TriageRoute.values)}")
    if len(reasons.strip()) < MIN_REASONS:
        raise IntakeError("Give the reasons for the decision, in a sentence at least.")
    unknown = sorted(set(reason_codes) - TRIAGE_REASON_CODES)
    if unknown:
        raise IntakeError(f"unknown reasons: {', '.join(unknown)}")
    allegation = report.allegation
    before_category = allegation.category_id
    if category and category != before_category:
        if category not in CATEGORIES.codes():
            raise IntakeError(f"category {category!r} is not one of {', '.join(CATEGORIES.codes())}")
        allegation.category_id = category
        allegation.row_hash = _row_hash(allegation)
        allegation.updated_at = timezone.now()
        allegation.save(update_fields=["category", "row_hash", "updated_at"])
    if subject_person_id is not None:
        if person_refusal(user=by, person_id=subject_person_id) is not None:
            raise IntakeError("No such person on the register, or not yours to see.")
        link_confirm(
            allegation_id=allegation.pk,
            person_id=subject_person_id,
            user=by,
            reason=f"Hotline triage: {reasons.strip()}",
            request=request,
        )
    pending = needs_approval(route, allegation.category_id)
    counted_figures_changed()  # the hotline's referrals by group
    decision = TriageDecision.objects.create(
        report=report,
        route=route,
        reason_codes=sorted(set(reason_codes)),
        reasons=reasons.strip(),
        decided_by=by,
        decided_at=timezone.now(),
        category=allegation.category_id,
        approval=TriageDecision.Approval.PENDING if pending else TriageDecision.Approval.NOT_NEEDED,
    )
    report.status = TriageStatus.AWAITING_APPROVAL if pending else TriageStatus.DECIDED
    report.save(update_fields=["status"])
    audit_record(
        action=Action.TRIAGE_DECIDED,
        actor=by,
        record_type="allegation",
        record_id=allegation.pk,
        record_label=record_label_allegation(allegation),
        detail={
            "decision_id": decision.pk,
            "route": route,
            "reason_codes": decision.reason_codes,
            "reasons": decision.reasons,
            "category": allegation.category_id,
            "category_before": before_category,
            "subject_confirmed": subject_person_id,
            "needs_approval": pending,
        },
        request=request,
    )
    return decision


def _pending_decision(decision_id: int, by: User) -> TriageDecision:
    _require(by, frozenset({Role.SUPERVISOR}), "approve or return triage decisions")
    decision = (
        TriageDecision.objects.select_for_update()
        .select_related("report__allegation")
        .filter(pk=decision_id)
        .first()
    )
    if (
        decision is None
        or allegation_refusal(user=by, allegation_id=decision.report.allegation_id) is not None
    ):
        raise IntakeError("No such decision, or it is not yours to see.")
    if decision.approval != TriageDecision.Approval.PENDING:
        raise IntakeError("This decision is not waiting for approval.")
    if decision.decided_by_id == by.pk:
        raise IntakeError("A second pair of eyes: you cannot approve or return your own decision.")
    return decision


@transaction.atomic
def triage_approve(
    *, decision_id: int, by: User, comment: str, approve: bool, request: HttpRequest | None = None
) -> TriageDecision:
    """A supervisor approves a decision waiting for approval, or returns it to triage (the
    returned decision stays as written; the next one is a new row)."""
    decision = _pending_decision(decision_id, by)
    if len(comment.strip()) < MIN_REASONS:
        raise IntakeError("Give a comment, in a sentence at least.")
    decision.approval = TriageDecision.Approval.APPROVED if approve else TriageDecision.Approval.RETURNED
    decision.approved_by = by
    decision.approved_at = timezone.now()
    decision.approval_comment = comment.strip()
    decision.save(update_fields=["approval", "approved_by", "approved_at", "approval_comment"])
    counted_figures_changed()
    report = decision.report
    report.status = TriageStatus.DECIDED if approve else TriageStatus.AWAITING_TRIAGE
    report.save(update_fields=["status"])
    audit_record(
        action=Action.TRIAGE_APPROVED if approve else Action.TRIAGE_RETURNED,
        actor=by,
        record_type="allegation",
        record_id=report.allegation_id,
        record_label=record_label_allegation(report.allegation),
        detail={"decision_id": decision.pk, "route": decision.route, "comment": decision.approval_comment},
        request=request,
    )
    return decision


# ---- repeat calls ------------------------------------------------------------------------------------


@transaction.atomic
def repeat_decide(
    *,
    report_id: int,
    other_id: int,
    same_incident: bool,
    similarity: float,
    by: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> RepeatDecision:
    """The assessor's judgement on a likely repeat: the same incident (both reports, and any
    already grouped with either, join one incident) or separate (the pair is not shown again)."""
    _require(by, frozenset({Role.ASSESSOR, Role.SUPERVISOR}), "group repeat calls")
    if report_id == other_id:
        raise IntakeError("A report is not a repeat of itself.")
    first, second = (_report_locked(pk, by) for pk in sorted((report_id, other_id)))
    if RepeatDecision.objects.filter(first=first, second=second).exists():
        raise IntakeError("These two reports have already been judged.")
    verdict = RepeatDecision.Verdict.SAME_INCIDENT if same_incident else RepeatDecision.Verdict.SEPARATE
    decision = RepeatDecision.objects.create(
        first=first,
        second=second,
        verdict=verdict,
        similarity=similarity,
        decided_by=by,
        decided_at=timezone.now(),
        reason=reason.strip(),
    )
    incident_id = None
    if same_incident:
        incident = (
            first.incident
            or second.incident
            or Incident.objects.create(created_at=timezone.now(), created_by=by)
        )
        joined = {pk for pk in (first.incident_id, second.incident_id) if pk and pk != incident.pk}
        HotlineReport.objects.filter(pk__in=(first.pk, second.pk)).update(incident=incident)
        # Reports already grouped with either join too: an incident is everything judged the same.
        HotlineReport.objects.filter(incident_id__in=joined).update(incident=incident)
        incident_id = incident.pk
    for report, other in ((first, second), (second, first)):
        audit_record(
            action=Action.REPEAT_DECIDED,
            actor=by,
            record_type="allegation",
            record_id=report.allegation_id,
            record_label=record_label_allegation(report.allegation),
            detail={
                "other_allegation_id": other.allegation_id,
                "verdict": str(verdict),
                "similarity": round(similarity, 3),
                "incident_id": incident_id,
                "reason": decision.reason,
            },
            request=request,
        )
    return decision


# ---- API clients and their rate limit ------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def intake_client_create(
    *, name: str, rate_per_minute: int = 6000, actor_label: str = "vigil intake-client"
) -> tuple[IntakeClient, str]:
    """A new API client and its token: the token is returned once and only its hash kept."""
    name = name.strip()
    if not name:
        raise IntakeError("Give the client a name.")
    if IntakeClient.objects.filter(name=name).exists():
        raise IntakeError(f"There is already a client called {name!r}.")
    if rate_per_minute < 1:
        raise IntakeError("The rate limit must be at least 1 request a minute.")
    token = "vgl_" + secrets.token_urlsafe(TOKEN_BYTES)
    client = IntakeClient.objects.create(
        name=name,
        token_hash=token_hash(token),
        token_prefix=token[:12],
        rate_per_minute=rate_per_minute,
        created_at=timezone.now(),
    )
    audit_record(
        action=Action.INTAKE_CLIENT_CREATED,
        actor=None,
        actor_label=actor_label,
        record_type="intake_client",
        record_id=client.pk,
        record_label=client.name,
        detail={"rate_per_minute": rate_per_minute, "token_prefix": client.token_prefix},
    )
    return client, token


@transaction.atomic
def intake_client_revoke(*, name: str, actor_label: str = "vigil intake-client") -> IntakeClient:
    client = IntakeClient.objects.select_for_update().filter(name=name, active=True).first()
    if client is None:
        raise IntakeError(f"No active client called {name!r}.")
    client.active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["active", "revoked_at"])
    audit_record(
        action=Action.INTAKE_CLIENT_REVOKED,
        actor=None,
        actor_label=actor_label,
        record_type="intake_client",
        record_id=client.pk,
        record_label=client.name,
    )
    return client


def rate_limit_take(client: IntakeClient, *, now: dt.datetime | None = None) -> int | None:
    """Count one request against the client's limit for this minute: None if allowed, else the
    seconds until the next minute (Retry-After). One atomic upsert, so every server process and
    thread shares the count."""
    moment = now or timezone.now()
    minute = int(moment.timestamp() // 60)
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_id, minute, requests) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (client_id, minute) DO UPDATE SET requests = "
            f"{table}.requests + 1 RETURNING requests",
            [client.pk, minute],
        )
        (count,) = cursor.fetchall()[0]
    if count <= client.rate_per_minute:
        return None
    return max(1, 60 - int(moment.timestamp() % 60))


def report_input_dict(data: ReportInput) -> dict[str, object]:
    """The input without its sealed parts (for logs and tests)."""
    values = asdict(data)
    for sealed in ("caller_name", "contact"):
        values[sealed] = "[sealed]" if values[sealed] else ""
    return values
