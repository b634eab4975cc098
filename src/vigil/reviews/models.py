"""The review of people whose allegations must be looked at together: the cohort definition, each
person's review and its state, the structured case review and its approval, risk measures
(restrictions, suspension), the tasks raised when something new arrives, and a timeline.

Every change to these rows is made by one function in vigil.reviews.services, which writes the
audit trail and the person's timeline in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.allegations.models import Allegation
from vigil.people.models import Person


class CohortDefinition(models.Model):
    """Which allegations and people the review covers. Never edited in place: a change is a new
    version, with who made it and why (the latest version is in force)."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    domains = models.JSONField(help_text="allegation domains: sexual, domestic, other")
    window_years = models.PositiveSmallIntegerField(help_text="allegations received in the last N years")
    outcome_classes = models.JSONField(help_text="outcome classes that qualify, e.g. not_proven")
    include_no_outcome = models.BooleanField(
        default=False, help_text="also allegations with no outcome recorded"
    )
    employment_types = models.JSONField(help_text="officer, staff, special, volunteer")
    serving_only = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_reason = models.TextField()

    class Meta:
        ordering = ("-version",)

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class ReviewStatus(models.TextChoices):
    NOT_IN_COHORT = "not_in_cohort", "Not in cohort"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    IN_REVIEW = "in_review", "In review"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"


class Route(models.TextChoices):
    """The five referral routes (the national data wash's routes)."""

    CRIMINAL_INVESTIGATION = "criminal_investigation", "Criminal investigation"
    MISCONDUCT_INVESTIGATION = "misconduct_investigation", "Misconduct investigation"
    VETTING_REVIEW = "vetting_review", "Vetting review"
    MANAGEMENT_INTERVENTION = "management_intervention", "Management intervention"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class PersonReview(models.Model):
    """A person's place in the review: one row per person who has ever been in the cohort or
    under review. A person without one is "not in cohort"."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="review")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    in_cohort = models.BooleanField(default=False)
    cohort_cases = models.PositiveIntegerField(default=0)
    # When the oldest of those cases was received: the backlog's age, without reading every link.
    cohort_oldest_on = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    route = models.CharField(max_length=32, choices=Route.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    status_since = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=("status",), name="personreview_status")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.status}"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known from the records"


class IOPCCriterion(models.TextChoices):
    """IOPC mandatory-referral criteria the facts may meet."""

    SERIOUS_SEXUAL_ASSAULT = "serious_sexual_assault", "Serious sexual assault"
    SERIOUS_ASSAULT = "serious_assault", "Serious assault"
    SERIOUS_CORRUPTION = (
        "serious_corruption",
        "Serious corruption (including abuse of position for a sexual purpose)",
    )
    DISCRIMINATION = "discrimination", "Conduct aggravated by discrimination"
    SEVEN_YEAR_OFFENCE = "seven_year_offence", "An offence with a maximum sentence of 7 years or more"
    DEATH_OR_SERIOUS_INJURY = "death_or_serious_injury", "Death or serious injury"


class CaseReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned to the reviewer"


class CaseReview(models.Model):
    """One structured review of everything about a person, by one reviewer. A review returned by
    the supervisor stays as it was; the reviewer's next submission is a new one."""

    review = models.ForeignKey(PersonReview, on_delete=models.CASCADE, related_name="case_reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=CaseReviewState.choices, default=CaseReviewState.DRAFT)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    considered_together = models.CharField(
        "Were the earlier allegations considered together?", max_length=8, choices=Answer.choices
    )
    criminal_investigation_considered = models.CharField(
        "Was a criminal investigation considered?", max_length=8, choices=Answer.choices
    )
    victims_safeguarded = models.CharField(
        "Were the victims safeguarded?", max_length=8, choices=Answer.choices
    )
    victims_informed = models.CharField(
        "Were the victims kept informed?", max_length=8, choices=Answer.choices
    )
    vetting_told = models.CharField("Was vetting told?", max_length=8, choices=Answer.choices)
    missed_lines_of_enquiry = models.TextField(blank=True)
    iopc_criteria = models.JSONField(default=list, blank=True)
    several_incidents = models.BooleanField(
        "Several incidents not closely factually connected", default=False
    )
    recommended_route = models.CharField(max_length=32, choices=Route.choices)
    rationale = models.TextField()

    class Meta:
        ordering = ("review", "-started_at", "-id")

    def __str__(self) -> str:
        return f"review of {self.review_id} by {self.author_id} ({self.state})"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class ReviewApproval(models.Model):
    """The second pair of eyes: a supervisor's approval or return of one case review."""

    case_review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(max_length=10, choices=ApprovalDecision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    comment = models.TextField()

    def __str__(self) -> str:
        return f"{self.decision} by {self.decided_by_id}"


class MeasureKind(models.TextChoices):
    NO_PUBLIC_FACING = "no_public_facing", "No public-facing duties"
    NO_LONE_WORKING = "no_lone_working", "No lone working"
    FIREARMS_WITHDRAWN = "firearms_withdrawn", "Firearms authority withdrawn"
    NO_VULNERABLE_CONTACT = "no_vulnerable_contact", "No contact with vulnerable people"
    SYSTEMS_RESTRICTED = "systems_restricted", "Restricted system access"
    REDEPLOYMENT = "redeployment", "Redeployment"
    SUSPENSION = "suspension", "Suspension"


class SuspensionGround(models.TextChoices):
    """Police (Conduct) Regulations 2020, reg 11: the only two grounds."""

    INVESTIGATION_PREJUDICED = "investigation_prejudiced", "The investigation would be prejudiced"
    PUBLIC_INTEREST = "public_interest", "The public interest requires it"


class RiskMeasure(models.Model):
    """A restriction or a suspension, with its reason and the date by which it must be reviewed.
    Lifting it is recorded on the same row (who, when, why); it is never deleted."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="risk_measures")
    kind = models.CharField(max_length=24, choices=MeasureKind.choices)
    reason = models.TextField()
    started_on = models.DateField()
    review_by = models.DateField()
    imposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imposed_at = models.DateTimeField()
    # Suspension only: why temporary redeployment is not enough, and the reg 11 ground.
    redeployment_not_enough = models.TextField(blank=True)
    suspension_ground = models.CharField(max_length=32, choices=SuspensionGround.choices, blank=True)
    lifted_on = models.DateField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("review_by", "id")
        indexes = [models.Index(fields=("lifted_on", "review_by"), name="riskmeasure_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person_id} (review by {self.review_by})"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None


class MeasureReview(models.Model):
    """A measure reviewed and kept, with the next review date."""

    measure = models.ForeignKey(RiskMeasure, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    note = models.TextField()
    previous_review_by = models.DateField()
    next_review_by = models.DateField()

    def __str__(self) -> str:
        return f"measure {self.measure_id} reviewed, next by {self.next_review_by}"


class TaskKind(models.TextChoices):
    RECONSIDER = "reconsider", "Reconsider: new allegation linked"
    VETTING_REVIEW = "vetting_review", "Vetting review: allegation since vetting"


class Task(models.Model):
    """Something a supervisor must look at now: raised in the same transaction as the link that
    brought new information, closed with a note of what was done."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=TaskKind.choices)
    raised_at = models.DateTimeField()
    raised_by_label = models.CharField(max_length=150, help_text="what raised it: vigil link, a reviewer")
    allegations = models.ManyToManyField(Allegation, related_name="+", blank=True)
    what_is_new = models.TextField()
    score_before = models.PositiveIntegerField(null=True, blank=True)
    score_after = models.PositiveIntegerField(null=True, blank=True)
    band_before = models.CharField(max_length=8, blank=True)
    band_after = models.CharField(max_length=8, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ("-raised_at", "-id")
        indexes = [models.Index(fields=("person", "done_at"), name="task_person_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None


class TimelineKind(models.TextChoices):
    STATUS = "status", "Review status"
    ASSIGNED = "assigned", "Reviewer assigned"
    REVIEW = "review", "Case review"
    APPROVAL = "approval", "Approval"
    MEASURE = "measure", "Risk measure"
    TASK = "task", "Task"
    SCORE = "score", "Risk score"


class TimelineEntry(models.Model):
    """One event in a person's review, in words; the audit entry that records it is named."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=TimelineKind.choices)
    text = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    audit_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("person", "at"), name="timeline_person")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.text}"
