"""Risk scores: one current score per person, with the reasons it is the sum of, and the runs
that made them (which policy, when, the workforce's peer cut-points)."""

from __future__ import annotations

from django.db import models

from vigil.people.models import Person


class RiskBand(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ScoreRun(models.Model):
    """One `vigil score` run over everyone (full) or an update of the people a link or import
    touched (incremental). A full run's peer cut-points are what later incremental updates use."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField()
    trigger = models.CharField(
        max_length=100, help_text="what asked for it: vigil score, vigil link, an import"
    )
    policy_version = models.PositiveIntegerField()
    policy_sha256 = models.CharField(max_length=64)
    people_scored = models.PositiveIntegerField(default=0)
    peer_cutpoints = models.JSONField(default=dict)
    counts = models.JSONField(default=dict, help_text="people by band")

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"score run {self.started_at:%Y-%m-%d %H:%M} ({'full' if self.full else 'update'})"


class RiskScore(models.Model):
    """A person's current score. `score` is the sum of the points in `reasons` (a list of
    {"code", "label", "points"}), always: a test holds it to that."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="risk_score"
    )
    score = models.PositiveIntegerField()
    band = models.CharField(max_length=8, choices=RiskBand.choices)
    reasons = models.JSONField(default=list)
    allegations = models.PositiveIntegerField()
    distinct_complainants = models.PositiveIntegerField()
    exposure_rate = models.FloatField(default=0.0)
    policy_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        # The queue reads people in score order; ties broken by person for a stable rank.
        indexes = [
            models.Index(fields=("-score", "person"), name="riskscore_rank"),
            models.Index(fields=("band", "-score"), name="riskscore_band"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.score} ({self.band})"

    @property
    def top_reasons(self) -> list[dict[str, object]]:
        """The three reasons worth most (in policy order among equals), for lists."""
        ranked = sorted(enumerate(self.reasons), key=lambda item: (-int(item[1]["points"]), item[0]))
        return [reason for _, reason in ranked[:3]]
