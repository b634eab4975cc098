"""`vigil import personnel|vetting|allegations FILE` — part of the public command contract."""

from __future__ import annotations

import getpass
import socket
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigil.imports.engine import ImportRefused, ImportReport, Progress
from vigil.imports.models import ImportKind
from vigil.imports.services import contract_file_import


class Command(BaseCommand):
    help = "Import a contract file (CSV with a header row, or XLSX): personnel, vetting or allegations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=[kind.value for kind in ImportKind])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good rows; write the bad ones, untouched, to a rejects CSV",
        )
        parser.add_argument(
            "--rejects", type=Path, help="where --skip-invalid writes bad rows (default FILE.rejects.csv)"
        )
        parser.add_argument(
            "--ignore-extra", action="store_true", help="ignore columns the contract does not name"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        progress = Progress(enabled=False) if options["no_progress"] else Progress.auto()
        try:
            report = contract_file_import(
                kind=options["kind"],
                path=path,
                imported_by=f"{getpass.getuser()}@{socket.gethostname()} (cli)",
                ignore_extra=options["ignore_extra"],
                skip_invalid=options["skip_invalid"],
                rejects_path=options["rejects"],
                progress=progress,
            )
        except ImportRefused as refused:
            self._print_errors(refused.report)
            if refused.report.rejects_path:
                self.stderr.write(f"every row written untouched to {refused.report.rejects_path}")
            raise CommandError(
                f"nothing imported: {len(refused.report.errors)} problem(s) in {path.name}"
                + ("" if options["skip_invalid"] else " (fix them, or use --skip-invalid)"),
                returncode=1,
            ) from None
        if report.errors:
            self._print_errors(report)
            assert report.rejects_path is not None
            reasons = report.rejects_path.with_suffix(".errors.csv")
            self.stdout.write(
                f"{report.rows_rejected} bad row(s) skipped, written untouched to {report.rejects_path} "
                f"(reasons in {reasons})"
            )
        counts = report.counts
        self.stdout.write(
            f"{report.kind}: {report.rows_total} rows read, {counts.created} created, "
            f"{counts.updated} updated, {counts.unchanged} unchanged, {report.rows_rejected} rejected"
            f" — {report.changes} change(s)"
        )

    def _print_errors(self, report: ImportReport) -> None:
        for error in report.errors:
            self.stderr.write(f"{report.file_name}: {error}")
