"""Hotline intake: each call (from the call-handler form or the hotline provider's API) is filed as
an allegation from the source `hotline`, with the call's own facts kept beside it here; then an
assessor triages it, groups repeat calls about one incident, and decides what happens next.

Every change to these rows is made by one function in vigil.intake.services, which writes the
audit trail in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.allegations.models import Allegation
from vigil.core.digests import KeyedDigestField
from vigil.people.models import Person


class CallerType(models.TextChoices):
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    COLLEAGUE = "colleague", "Colleague (police officer or staff)"
    FAMILY = "family", "Family member or friend"
    ANONYMOUS = "anonymous", "Anonymous (would not say)"


class Channel(models.TextChoices):
    FORM = "form", "Call-handler form"
    API = "api", "Hotline provider (API)"


class TriageStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting a supervisor's approval"
    DECIDED = "decided", "Decided"


class TriageRoute(models.TextChoices):
    """What happens to a report: the review's five routes, plus keeping it as intelligence."""

    CRIMINAL_INVESTIGATION = "criminal_investigation", "Refer for criminal investigation"
    MISCONDUCT_INVESTIGATION = "misconduct_investigation", "Refer for misconduct investigation"
    VETTING_REVIEW = "vetting_review", "Refer for vetting review"
    MANAGEMENT_INTERVENTION = "management_intervention", "Management intervention"
    KEEP_AS_INTELLIGENCE = "keep_as_intelligence", "Keep as intelligence"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


# Routes that send the report on to be acted on (the referral rate's numerator).
REFERRAL_ROUTES: frozenset[str] = frozenset(
    {
        TriageRoute.CRIMINAL_INVESTIGATION,
        TriageRoute.MISCONDUCT_INVESTIGATION,
        TriageRoute.VETTING_REVIEW,
        TriageRoute.MANAGEMENT_INTERVENTION,
    }
)


class IntakeClient(models.Model):
    """Another organisation's system allowed to push reports (the hotline provider). Its token is
    shown once when made; only its SHA-256 is kept."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12, help_text="the token's first characters, to recognise it")
    active = models.BooleanField(default=True)
    rate_per_minute = models.PositiveIntegerField(default=6000)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class RateWindow(models.Model):
    """Requests one client made in one minute: the API's rate limit, shared by every server process."""

    client = models.ForeignKey(IntakeClient, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField(help_text="minutes since the Unix epoch")
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("client", "minute"), name="ratewindow_client_minute")]

    def __str__(self) -> str:
        return f"{self.client_id} @ {self.minute}: {self.requests}"


class Incident(models.Model):
    """Reports an assessor judged to be about one incident (repeat calls): grouped, never merged."""

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"incident {self.pk}"


class HotlineReport(models.Model):
    allegation = models.OneToOneField(Allegation, on_delete=models.PROTECT, related_name="hotline_report")
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    client = models.ForeignKey(
        IntakeClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The provider's own id for the report: the API is idempotent on (client, client_report_id).
    client_report_id = models.CharField(max_length=64, blank=True)
    # Keyed digest (vigil.core.digests) of the report as the client sent it: a retry with other
    # content is refused (409). Never a plain hash: the report holds the sealed contact.
    client_payload_hash = KeyedDigestField()
    call_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    caller_type = models.CharField(max_length=12, choices=CallerType.choices)
    anonymity_requested = models.BooleanField(default=False)
    location = models.CharField(max_length=250, blank=True, help_text="where it happened")
    immediate_risk = models.BooleanField(default=False)
    immediate_risk_detail = models.TextField(blank=True)
    suggested_category = models.CharField(max_length=40, blank=True)
    # The subject as described, field by field (the allegation holds the linking copy).
    subject_station = models.CharField(max_length=200, blank=True)
    subject_vehicle = models.CharField(max_length=200, blank=True)
    subject_uniform = models.CharField(max_length=200, blank=True)
    subject_online_profile = models.CharField(max_length=200, blank=True)
    # The person the call handler picked from the candidates (a claim: linking still decides).
    handler_candidate = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy of the subject's current risk score (the linked person's, else the handler's pick;
    # -1 when neither is known or scored) kept by intake.services.queue_ranks_refresh whenever
    # scores or links change: the queue sorts on it through an index instead of joining and
    # sorting every waiting report on each page load.
    queue_rank = models.IntegerField(default=-1, editable=False)
    status = models.CharField(
        max_length=20, choices=TriageStatus.choices, default=TriageStatus.AWAITING_TRIAGE
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )

    class Meta:
        ordering = ("-received_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("client", "client_report_id"),
                condition=models.Q(client__isnull=False),
                name="hotlinereport_client_report",
            )
        ]
        indexes = [
            # The triage queue in its order: a page is read off the index, whatever the backlog.
            models.Index(
                fields=("status", "-immediate_risk", "-queue_rank", "received_at", "id"),
                name="hotlinereport_queue",
            ),
            models.Index(fields=("received_at",), name="hotlinereport_received"),
            models.Index(fields=("handler_candidate",), name="hotlinereport_candidate"),
        ]

    def __str__(self) -> str:
        return self.allegation.allegation_ref

    @property
    def is_urgent(self) -> bool:
        return self.immediate_risk


class TriageDecision(models.Model):
    """One assessor's decision on a report. A no-further-action decision on a sexual-offence
    category waits for a supervisor's approval; a returned one stays as written."""

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Waiting for a supervisor"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    report = models.ForeignKey(HotlineReport, on_delete=models.PROTECT, related_name="decisions")
    route = models.CharField(max_length=32, choices=TriageRoute.choices)
    reason_codes = models.JSONField(default=list)
    reasons = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    # The category when decided: what the approval rule and the oversight figures looked at.
    category = models.CharField(max_length=40)
    approval = models.CharField(max_length=12, choices=Approval.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.TextField(blank=True)

    class Meta:
        ordering = ("-decided_at", "-id")
        indexes = [models.Index(fields=("decided_at",), name="triagedecision_decided")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.route}"


class RepeatDecision(models.Model):
    """An assessor's judgement on a pair of reports the similarity check put side by side: the
    same incident (grouped) or separate (never shown as a pair again). `first` < `second`."""

    class Verdict(models.TextChoices):
        SAME_INCIDENT = "same_incident", "Same incident"
        SEPARATE = "separate", "Separate incidents"

    first = models.ForeignKey(HotlineReport, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(HotlineReport, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    similarity = models.FloatField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("first", "second"), name="repeatdecision_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="repeatdecision_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}: {self.verdict}"


class UserRateWindow(models.Model):
    """Requests one user made to one rate-limited page in one window of time (vigil.intake.ratelimit):
    the count lives in the database so that every server process and thread shares it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40, help_text="what is limited, and over how long")
    window_index = models.BigIntegerField(help_text="seconds since the Unix epoch // the window's length")
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("user", "scope", "window_index"), name="userratewindow_user_scope_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.scope} @ {self.window_index}: {self.requests}"
