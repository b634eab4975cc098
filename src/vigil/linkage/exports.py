"""`vigil export links FILE`: one row per allegation, a contract other tools read (keep it stable).

Columns: allegation_ref, source_system, staff_id, force, match_probability, link_status. For
needs_review the person is the top candidate; staff_id and force are empty when there is none."""

from __future__ import annotations

from pathlib import Path

from vigil.allegations.models import Allegation
from vigil.core.tabular import csv_writer
from vigil.linkage.models import LinkStatus

LINKS_EXPORT_COLUMNS = (
    "allegation_ref",
    "source_system",
    "staff_id",
    "force",
    "match_probability",
    "link_status",
)


def links_export(path: Path) -> int:
    """Write the file; returns the number of rows. Allegations never linked are `unmatched`."""
    rows = (
        Allegation.objects.order_by("source_system_id", "allegation_ref")
        .values_list(
            "allegation_ref",
            "source_system_id",
            "link__person__staff_id",
            "link__person__force",
            "link__match_probability",
            "link__status",
        )
        .iterator(chunk_size=10_000)
    )
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)  # guarded: names and references can look like formulas
        writer.writerow(LINKS_EXPORT_COLUMNS)
        for ref, source, staff_id, force, probability, status in rows:
            writer.writerow(
                [
                    ref,
                    source,
                    staff_id or "",
                    force or "",
                    "" if probability is None else f"{probability:.6f}",
                    status or LinkStatus.UNMATCHED,
                ]
            )
            count += 1
    return count
