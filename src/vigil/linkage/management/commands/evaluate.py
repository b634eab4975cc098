"""`vigil evaluate links --truth FILE`: precision, recall, F1 and review load against ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.linkage.evaluation import TruthFileError, evaluate_links, read_truth


class Command(BaseCommand):
    help = "Measure the links against a ground-truth CSV (allegation_ref, source_system, staff_id[, force])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["links"])
        parser.add_argument("--truth", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            truth = read_truth(options["truth"])
        except (OSError, TruthFileError) as error:
            raise CommandError(str(error)) from None
        for line in evaluate_links(truth).lines():
            self.stdout.write(line)
