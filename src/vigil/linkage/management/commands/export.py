"""`vigil export links FILE` — part of the public command contract (columns in vigil.linkage.exports)."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.audit.services import audit_record
from vigil.linkage.exports import links_export


class Command(BaseCommand):
    help = "Export records for other tools: `links` writes one row per allegation with its link decision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["links"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--reason",
            default="Link decisions exported for the force's own analysis tools",
            help="why the file is made (written to the audit trail)",
        )
        parser.add_argument("--recipient", default="", help="who receives it (default: the file path)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        count = links_export(path)
        # An export is a disclosure: the audit trail says what left, why and to whom.
        audit_record(
            action=Action.RECORDS_EXPORTED,
            actor=None,
            actor_label=f"{getpass.getuser()}@{socket.gethostname()} (cli)",
            record_type="links",
            record_label=f"{count} link decisions",
            justification=Justification(reason="data_quality", text=options["reason"]),
            recipient=options["recipient"] or str(path.resolve()),
            detail={"rows": count, "file": str(path)},
        )
        self.stdout.write(f"{count} rows written to {path}")
