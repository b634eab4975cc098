"""`vigil evaluate queue --planted FILE`: where the demo world's planted patterns rank in the
review queue. The promise checked: every planted serial subject ranks above every person whose
record is a run of low-severity reports from one complainant."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from vigil.risk.models import RiskScore

SERIAL = "serial"
LOW_SEVERITY_RUN = "low_severity_run"


class PlantedFileError(ValueError):
    pass


@dataclass(frozen=True)
class PlantedRank:
    pattern: str
    force: str
    staff_id: str
    rank: int | None  # None: not in the queue (no linked allegation)
    score: int
    band: str
    description: str


@dataclass(frozen=True)
class QueueEvaluation:
    ranks: list[PlantedRank]
    queue_length: int

    def of(self, pattern: str) -> list[PlantedRank]:
        return [rank for rank in self.ranks if rank.pattern == pattern]

    @property
    def serial_above_low_runs(self) -> bool:
        serial = [r.rank for r in self.of(SERIAL)]
        low = [r.rank for r in self.of(LOW_SEVERITY_RUN) if r.rank is not None]
        if not serial or None in serial:
            return False
        return not low or max(r for r in serial if r is not None) < min(low)

    def lines(self) -> list[str]:
        out = [f"review queue: {self.queue_length:,} people"]
        for pattern in (SERIAL, LOW_SEVERITY_RUN):
            out.append(f"{pattern}:")
            for rank in sorted(self.of(pattern), key=lambda r: (r.rank is None, r.rank or 0)):
                where = f"rank {rank.rank}" if rank.rank is not None else "not in the queue"
                out.append(
                    f"  {rank.force} {rank.staff_id}: {where}, score {rank.score} ({rank.band}) "
                    f"- {rank.description[:70]}"
                )
        verdict = "yes" if self.serial_above_low_runs else "NO"
        out.append(f"every serial subject above every low-severity run: {verdict}")
        return out


def read_planted(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"staff_id", "force", "pattern"} <= set(rows[0]):
        raise PlantedFileError(f"{path}: needs the columns staff_id, force, pattern")
    return rows


def evaluate_queue(planted: list[dict[str, str]]) -> QueueEvaluation:
    ordered = list(
        RiskScore.objects.filter(score__gt=0)
        .order_by("-score", "person_id")
        .values_list("person__force", "person__staff_id", "score", "band")
    )
    position = {
        (force, staff_id): (rank, score, band)
        for rank, (force, staff_id, score, band) in enumerate(ordered, 1)
    }
    ranks = []
    for row in planted:
        if row["pattern"] not in (SERIAL, LOW_SEVERITY_RUN):
            continue
        rank, score, band = position.get((row["force"], row["staff_id"]), (None, 0, "low"))
        ranks.append(
            PlantedRank(
                row["pattern"], row["force"], row["staff_id"], rank, score, band, row.get("description", "")
            )
        )
    return QueueEvaluation(ranks=ranks, queue_length=len(ordered))
