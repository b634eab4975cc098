"""Which person each allegation is about: the machine's proposal (with its evidence and the model
version that made it) and the human decisions that override it for good.

An allegation's subject-as-recorded is never edited; its link lives here, one row per allegation."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.allegations.models import Allegation
from vigil.people.models import Person


class LinkStatus(models.TextChoices):
    AUTO = "auto", "Linked automatically"
    NEEDS_REVIEW = "needs_review", "Needs review"
    UNMATCHED = "unmatched", "Not matched"
    CONFIRMED = "confirmed", "Confirmed by a reviewer"
    REJECTED = "rejected", "Rejected by a reviewer"


# Statuses a person decided: a machine run never changes these.
HUMAN_STATUSES = (LinkStatus.CONFIRMED, LinkStatus.REJECTED)
# Statuses that attribute the allegation to the person (the person page's "linked allegations").
LINKED_STATUSES = (LinkStatus.AUTO, LinkStatus.CONFIRMED)


class LinkModel(models.Model):
    """One estimated linkage model: Splink's settings and parameters as JSON, versioned."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    engine = models.CharField(max_length=16)
    splink_version = models.CharField(max_length=16)
    # Splink's own model JSON (settings, m and u probabilities, prior): reload with Linker(..., json).
    splink_model = models.JSONField()
    # Places learnt from the force's own records, [place, command] pairs (engine.prepare.learn_places).
    places = models.JSONField(default=list)
    people_count = models.PositiveIntegerField()
    allegations_count = models.PositiveIntegerField()

    class Meta:
        ordering = ("-version",)

    def __str__(self) -> str:
        return f"link model v{self.version}"


class LinkRun(models.Model):
    """One `vigil link` run, for the record and for what the next incremental run must look at."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField()
    engine = models.CharField(max_length=16)
    model = models.ForeignKey(LinkModel, on_delete=models.PROTECT, related_name="runs")
    allegations_considered = models.PositiveIntegerField(default=0)
    people_considered = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="links written, by status")

    class Meta:
        ordering = ("-started_at",)

    def __str__(self) -> str:
        return f"link run {self.started_at:%Y-%m-%d %H:%M} ({'full' if self.full else 'incremental'})"


class AllegationLink(models.Model):
    """The current link decision for one allegation.

    `person` is the linked person for auto/confirmed, the best candidate for needs_review, and
    empty for unmatched or rejected."""

    allegation = models.OneToOneField(
        Allegation, on_delete=models.CASCADE, primary_key=True, related_name="link"
    )
    status = models.CharField(max_length=16, choices=LinkStatus.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField(null=True, blank=True)
    # The comparisons for `person`, as words: [{"field", "label", "agrees" (true/false/null), "weight"}].
    evidence = models.JSONField(default=list, blank=True)
    model = models.ForeignKey(LinkModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The allegation's row_hash when it was linked: a changed allegation is linked again.
    allegation_row_hash = models.CharField(max_length=40, blank=True)
    linked_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=("person", "status"), name="allegationlink_person"),
            models.Index(fields=("status", "match_probability"), name="allegationlink_status"),
        ]

    def __str__(self) -> str:
        return f"{self.allegation_id} → {self.person_id} ({self.status})"

    @property
    def is_human_decision(self) -> bool:
        return self.status in HUMAN_STATUSES


class LinkCandidate(models.Model):
    """A person the model proposes for an allegation, best first (kept for needs_review)."""

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="link_candidates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    evidence = models.JSONField(default=list)

    class Meta:
        ordering = ("allegation", "rank")
        constraints = [
            models.UniqueConstraint(fields=("allegation", "person"), name="linkcandidate_pair"),
        ]
        indexes = [models.Index(fields=("person",), name="linkcandidate_person")]

    def __str__(self) -> str:
        return f"{self.allegation_id} ? {self.person_id} #{self.rank}"


class RejectedPair(models.Model):
    """A reviewer said this allegation is not about this person: never proposed again."""

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("allegation", "person"), name="rejectedpair_pair")]

    def __str__(self) -> str:
        return f"{self.allegation_id} ≠ {self.person_id}"
