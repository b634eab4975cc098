"""`vigil export queue FILE`: the review queue, a contract other tools read (keep it stable).

Columns: rank, staff_id, force, name, risk_score, risk_band, reasons, allegations,
distinct_complainants, review_status. `reasons` are the score's reasons, each as
"label (+points)", separated by "; "; review_status is a vigil.reviews ReviewStatus code."""

from __future__ import annotations

from pathlib import Path

from vigil.core.tabular import csv_writer
from vigil.reviews.models import ReviewStatus
from vigil.risk.selectors import queue_rows

QUEUE_EXPORT_COLUMNS = (
    "rank",
    "staff_id",
    "force",
    "name",
    "risk_score",
    "risk_band",
    "reasons",
    "allegations",
    "distinct_complainants",
    "review_status",
)
REASON_SEPARATOR = "; "


def reasons_text(reasons: list[dict[str, object]]) -> str:
    return REASON_SEPARATOR.join(f"{reason['label']} (+{reason['points']})" for reason in reasons)


def queue_export(path: Path) -> int:
    """Write the whole queue, rank 1 first; returns the number of rows."""
    rows = queue_rows().iterator(chunk_size=5_000)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)  # guarded: names and references can look like formulas
        writer.writerow(QUEUE_EXPORT_COLUMNS)
        for count, row in enumerate(rows, start=1):
            person = row.person
            review = getattr(person, "review", None)
            writer.writerow(
                [
                    count,
                    person.staff_id,
                    person.force,
                    person.display_name,
                    row.score,
                    row.band,
                    reasons_text(row.reasons),
                    row.allegations,
                    row.distinct_complainants,
                    review.status if review is not None else ReviewStatus.NOT_IN_COHORT,
                ]
            )
    return count
