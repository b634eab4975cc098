"""`vigil report oversight --format pdf|xlsx|csv --out FILE` — part of the public command
contract (columns in vigil.oversight.exports.EXPORT_COLUMNS). The file is a disclosure: the
audit trail records it, with why and for whom."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.audit.justification import Justification
from vigil.oversight.exports import FORMATS
from vigil.oversight.services import oversight_report_export


class Command(BaseCommand):
    help = "Write the oversight board pack (progress, disproportionality, fairness, risk measures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["oversight"])
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--out", type=Path, required=True, help="the file to write")
        parser.add_argument(
            "--reason",
            default="The weekly oversight report for the board",
            help="why the report is made (written to the audit trail)",
        )
        parser.add_argument("--recipient", default="", help="who receives it (default: the file path)")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.parent and not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a directory")
        try:
            justification = Justification(reason="oversight", text=options["reason"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        report = oversight_report_export(
            fmt=options["fmt"],
            justification=justification,
            recipient=options["recipient"] or str(out.resolve()),
            actor=None,
            actor_label=f"{getpass.getuser()}@{socket.gethostname()} (cli)",
        )
        out.write_bytes(report.content)
        self.stdout.write(
            f"{len(report.content):,} bytes written to {out} (audit entry {report.audit_entry_id})"
        )
