"""`vigil evaluate links --truth FILE`: precision, recall, F1 and review load against ground truth.
`vigil evaluate queue --planted FILE`: where planted patterns rank in the review queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.linkage.evaluation import TruthFileError, evaluate_links, read_truth
from vigil.risk.evaluation import PlantedFileError, evaluate_queue, read_planted


class Command(BaseCommand):
    help = (
        "Measure the links against a ground-truth CSV (allegation_ref, source_system, staff_id[, force]), "
        "or the review queue against the demo world's planted patterns (planted.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["links", "queue"])
        parser.add_argument("--truth", type=Path, help="links: the ground-truth CSV")
        parser.add_argument("--planted", type=Path, help="queue: the planted-patterns CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "queue":
            if options["planted"] is None:
                raise CommandError("vigil evaluate queue needs --planted FILE")
            try:
                planted = read_planted(options["planted"])
            except (OSError, PlantedFileError) as error:
                raise CommandError(str(error)) from None
            for line in evaluate_queue(planted).lines():
                self.stdout.write(line)
            return
        if options["truth"] is None:
            raise CommandError("vigil evaluate links needs --truth FILE")
        try:
            truth = read_truth(options["truth"])
        except (OSError, TruthFileError) as error:
            raise CommandError(str(error)) from None
        for line in evaluate_links(truth).lines():
            self.stdout.write(line)
