"""The oversight figures by group (every attributed allegation, serving person, triaged hotline
report and decided review), counted once and kept: at a million allegations the count takes a
second or two, and the dashboard has to answer in half of one. Progress is read live."""

from __future__ import annotations

from django.db import models


class CountedFigures(models.Model):
    """One row (pk 1). `changed_since` is set when the first change to what it counts (a link,
    an import, a triage or review decision) commits after `counted_at` (when counting began), so
    a reader knows the count is behind and since when."""

    counted_at = models.DateTimeField()
    changed_since = models.DateTimeField(null=True, blank=True)  # behind only if after counted_at
    # Rows of the grouped counts: dicts of the group fields, the outcome or band, and the count.
    allegation_groups = models.JSONField(default=list)
    risk_band_groups = models.JSONField(default=list)
    hotline_referral_groups = models.JSONField(default=list)
    review_route_groups = models.JSONField(default=list)
    outcome_median_days = models.FloatField(null=True, blank=True)  # outcomes of the last year

    class Meta:
        verbose_name_plural = "counted figures"

    def __str__(self) -> str:
        return f"oversight figures counted at {self.counted_at:%Y-%m-%d %H:%M}"

    @property
    def behind(self) -> bool:
        return self.changed_since is not None and self.changed_since > self.counted_at
