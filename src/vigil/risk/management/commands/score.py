"""`vigil score`: recompute every risk score (the baseline later links and imports update) and
bring the review cohort up to date. Part of the public command contract."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.imports.engine import Progress
from vigil.oversight.services import counted_figures_recount
from vigil.reviews.services import cohort_sync
from vigil.risk.policy import PolicyError, current_policy
from vigil.risk.services import scores_compute


class Command(BaseCommand):
    help = (
        "Recompute every person's risk score from all their linked allegations, under the risk policy "
        "(docs/risk-policy.md), and update the review cohort. Links and imports update the people they "
        "touch on their own; run this after changing the policy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            policy = current_policy()
        except PolicyError as error:
            raise CommandError(str(error)) from None
        progress = Progress(enabled=not options["no_progress"] and sys.stderr.isatty())
        result = scores_compute(trigger="vigil score", policy=policy, progress=progress)
        assert result.run is not None
        synced = cohort_sync(actor_label="vigil score")
        # The oversight figures by group (allegations, risk bands, hotline, routes), counted anew.
        counted_started = time.perf_counter()
        counted_figures_recount()
        counted_seconds = time.perf_counter() - counted_started
        self.stdout.write(f"{result.run.people_scored:,} people scored under {policy.label}:")
        for band in ("high", "medium", "low"):
            self.stdout.write(f"  {band:<7} {result.counts.get(band, 0):,}")
        self.stdout.write(
            f"  cohort: {synced['entered']:,} entered (awaiting review), {synced['left']:,} left"
        )
        timing = ", ".join(
            f"{name} {secs:.1f}s"
            for name, secs in {**result.seconds, "oversight count": counted_seconds}.items()
        )
        self.stdout.write(f"  time: {timing}")
