"""`vigil export links FILE` and `vigil export queue FILE` — part of the public command contract
(columns in vigil.linkage.exports and vigil.risk.exports)."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.audit.actions import Action
from vigil.audit.justification import Justification
from vigil.audit.services import audit_record
from vigil.linkage.exports import links_export
from vigil.risk.exports import queue_export


@dataclass(frozen=True)
class Export:
    write: Callable[[Path], int]
    record_type: str
    rows_are: str
    justification_reason: str
    default_text: str


EXPORTS = {
    "links": Export(
        links_export,
        "links",
        "link decisions",
        "data_quality",
        "Link decisions exported for the force's own analysis tools",
    ),
    "queue": Export(
        queue_export,
        "review_queue",
        "people in the review queue",
        "supervision",
        "Review queue exported for the review team's planning",
    ),
}


class Command(BaseCommand):
    help = (
        "Export records for other tools: `links` writes one row per allegation with its link decision; "
        "`queue` the review queue, one row per scored person, highest risk first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=sorted(EXPORTS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--reason",
            default="",
            help="why the file is made (written to the audit trail)",
        )
        parser.add_argument("--recipient", default="", help="who receives it (default: the file path)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        export = EXPORTS[options["what"]]
        count = export.write(path)
        # An export is a disclosure: the audit trail says what left, why and to whom.
        audit_record(
            action=Action.RECORDS_EXPORTED,
            actor=None,
            actor_label=f"{getpass.getuser()}@{socket.gethostname()} (cli)",
            record_type=export.record_type,
            record_label=f"{count} {export.rows_are}",
            justification=Justification(
                reason=export.justification_reason, text=options["reason"] or export.default_text
            ),
            recipient=options["recipient"] or str(path.resolve()),
            detail={"rows": count, "file": str(path)},
        )
        self.stdout.write(f"{count} rows written to {path}")
