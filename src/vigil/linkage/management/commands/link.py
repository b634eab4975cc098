"""`vigil link [--full] [--engine duckdb|spark]`: link allegations to people on the register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from vigil.linkage.charts import match_weights_svg
from vigil.linkage.engine.score import ENGINES
from vigil.linkage.models import LinkModel
from vigil.linkage.runs import link_allegations

_STAGES = ("read", "prepare", "estimate", "score", "decide", "write")


class Command(BaseCommand):
    help = (
        "Link each allegation's recorded subject to a person on the register (Splink). Without --full, "
        "only new or changed allegations are linked, with the saved model; --full re-estimates it. "
        "Human decisions are never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="re-estimate the model and re-link everything"
        )
        parser.add_argument("--engine", choices=ENGINES, default="duckdb", help="where Splink runs")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--weights-chart",
            type=Path,
            metavar="FILE",
            help="only write the latest model's match-weights chart (SVG) to FILE; link nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["weights_chart"]:
            latest = LinkModel.objects.first()
            if latest is None:
                raise CommandError("no model yet: run `vigil link` first")
            options["weights_chart"].write_text(match_weights_svg(latest), encoding="utf-8")
            self.stdout.write(f"model v{latest.version} match weights written to {options['weights_chart']}")
            return
        bar = tqdm(total=len(_STAGES), unit="stage", disable=bool(options["no_progress"]))

        def step(name: str) -> None:
            bar.set_description(name)
            if bar.n < len(_STAGES):
                bar.update(1)

        result = link_allegations(full=options["full"], engine=options["engine"], step=step)
        bar.close()
        run = result.run
        kind = "full" if run.full else "incremental"
        self.stdout.write(
            f"{kind} run with model v{run.model.version} on {run.engine}: "
            f"{run.allegations_considered} allegations linked against {run.people_considered} people"
        )
        for status in ("auto", "needs_review", "unmatched"):
            self.stdout.write(f"  {status:<13} {result.counts.get(status, 0)}")
        timing = ", ".join(f"{name} {secs:.1f}s" for name, secs in result.seconds.items())
        self.stdout.write(f"  time: {timing}")
